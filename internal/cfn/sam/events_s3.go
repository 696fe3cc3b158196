package sam

// s3Event is SAM's S3 event: the bucket, which must be an
// AWS::S3::Bucket of the same template named with a Ref, gets one
// LambdaConfigurations entry per event type in its
// NotificationConfiguration (the function's ARN, the event, the event's
// Filter), and FUNCTIONEVENTPermission lets S3 invoke the function for
// the template's account. The bucket depends on the permission, since S3
// checks its destinations when the configuration is put; the permission
// names the account rather than the bucket's ARN, which would make the
// two depend on each other.
func (t *transformer) s3Event(f *function, name string, p map[string]any) error {
	m, _ := p["Bucket"].(map[string]any)
	id, _ := m["Ref"].(string)
	bucket, _ := t.out[id].(map[string]any)
	if id == "" || bucket == nil || bucket["Type"] != "AWS::S3::Bucket" {
		return eventError(f.id, name, "S3 events must reference an S3 bucket in the same template.")
	}
	var events []any
	switch e := p["Events"].(type) {
	case []any:
		events = e
	default:
		events = []any{e}
	}
	perm := f.id + name + "Permission"
	if err := t.add(f.id, perm, f.resource("AWS::Lambda::Permission", map[string]any{
		"Action":        "lambda:InvokeFunction",
		"FunctionName":  f.name(),
		"Principal":     "s3.amazonaws.com",
		"SourceAccount": ref("AWS::AccountId"),
	})); err != nil {
		return err
	}
	props, _ := bucket["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		bucket["Properties"] = props
	}
	nc, _ := props["NotificationConfiguration"].(map[string]any)
	if nc == nil {
		nc = map[string]any{}
		props["NotificationConfiguration"] = nc
	}
	configs, _ := nc["LambdaConfigurations"].([]any)
	for _, e := range events {
		c := map[string]any{"Event": clone(e), "Function": f.arn()}
		if fl, ok := p["Filter"]; ok {
			c["Filter"] = clone(fl)
		}
		configs = append(configs, c)
	}
	nc["LambdaConfigurations"] = configs
	bucket["DependsOn"] = appendDependsOn(bucket["DependsOn"], perm)
	return nil
}
