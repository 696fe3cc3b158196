package sam

// typeApplication is a nested application.
const typeApplication = "AWS::Serverless::Application"

// application transforms an AWS::Serverless::Application whose Location
// is the URL of a template (in S3, as `sam package` and `aws
// cloudformation package` leave it) into an AWS::CloudFormation::Stack
// with the same logical ID: TemplateURL from Location, its Parameters,
// NotificationARNs and TimeoutInMinutes, and its Tags after SAM's
// lambda:createdBy tag. Fn::GetAtt APP.Outputs.NAME reads the nested
// stack's outputs. A Location that names an application of the AWS
// Serverless Application Repository ({ApplicationId, SemanticVersion})
// is not supported: virga has no repository to fetch it from.
func (t *transformer) application(id string, raw map[string]any) error {
	props, err := properties(id, typeApplication, raw)
	if err != nil {
		return err
	}
	loc, ok := props["Location"]
	if !ok {
		return missingProperty(id, "Location")
	}
	if m := asMap(loc); m != nil {
		if _, sar := m["ApplicationId"]; sar {
			return notSupported(id, "Applications of the AWS Serverless Application Repository (Location with ApplicationId) are not supported by virga; give Location as the URL of a template in S3.")
		}
		return invalidType(id, "Location")
	}
	stack := map[string]any{"TemplateURL": clone(loc)}
	copyKeys(stack, props, "Parameters", "NotificationARNs", "TimeoutInMinutes")
	tags := map[string]any{}
	if v, ok := props["Tags"]; ok {
		if tags = asMap(v); tags == nil {
			return invalidType(id, "Tags")
		}
	}
	stack["Tags"] = tagList([]map[string]any{samTag()}, cloneMap(tags))
	return t.add(id, id, attributesOf(raw).mainResource(raw, "AWS::CloudFormation::Stack", stack))
}
