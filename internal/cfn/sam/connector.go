package sam

import (
	"fmt"
	"strings"
)

// AWS::Serverless::Connector, and the Connectors attribute a resource may
// carry, grant a source resource Read or Write access to destination
// resources. SAM writes the grant as an identity policy on the source's
// role (CONNECTORPolicy, AWS::IAM::ManagedPolicy) when the source has a
// role, and otherwise as a resource policy on the destination: a Lambda
// permission (CONNECTORWriteLambdaPermission), a queue policy
// (CONNECTORQueuePolicy) or a topic policy (CONNECTORTopicPolicy). With
// several destinations, each generated ID ends in DestinationINDEX.
//
// IAM enforces no policy yet, so the policies are stored, not enforced; the
// statements still name the actions SAM's connector profiles grant, so
// that the recorded policies read as AWS's would. A source and
// destination pair virga has no profile for gives a warning instead of
// a policy.

const typeConnector = "AWS::Serverless::Connector"

// endpoint is a connector's source or destination.
type endpoint struct {
	typ      string // the CloudFormation type, SAM types translated
	samType  string // the type as the template wrote it, for Metadata
	name     any    // the resource's name, where a grant needs it
	arn      any
	roleName any    // the role the endpoint acts with, or nil
	queueURL any    // an SQS queue's URL
	service  string // the service principal a resource policy names, for sources without a role
}

// samToCloudFormation is the resource type a SAM resource becomes, for
// connectors.
var samToCloudFormation = map[string]string{
	typeFunction:     "AWS::Lambda::Function",
	typeSimpleTable:  "AWS::DynamoDB::Table",
	typeAPI:          "AWS::ApiGateway::RestApi",
	typeHTTPAPI:      "AWS::ApiGatewayV2::Api",
	typeStateMachine: "AWS::StepFunctions::StateMachine",
}

// connectorAccess lists, per destination type and permission, the
// actions a role-based source gets, and how the statement's resources
// are made from the destination's ARN.
var connectorAccess = map[string]struct {
	read, write []string
	resources   func(arn any) []any
	// readExecutions and writeExecutions are actions on a state
	// machine's executions, granted on their ARNs.
	readExecutions, writeExecutions []string
}{
	"AWS::DynamoDB::Table": {
		read: []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
			"dynamodb:ConditionCheckItem", "dynamodb:PartiQLSelect"},
		write: []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
			"dynamodb:BatchWriteItem", "dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"},
		resources: func(arn any) []any { return []any{arn, subARN("${DestinationArn}/index/*", arn)} },
	},
	"AWS::SQS::Queue": {
		read:  []string{"sqs:ReceiveMessage", "sqs:GetQueueAttributes"},
		write: []string{"sqs:DeleteMessage", "sqs:SendMessage", "sqs:ChangeMessageVisibility", "sqs:PurgeQueue"},
	},
	"AWS::SNS::Topic": {write: []string{"sns:Publish"}},
	"AWS::Lambda::Function": {
		read:  []string{"lambda:GetFunction", "lambda:GetFunctionConfiguration"},
		write: []string{"lambda:InvokeAsync", "lambda:InvokeFunction"},
	},
	"AWS::Events::EventBus": {write: []string{"events:PutEvents"}},
	"AWS::S3::Bucket": {
		read: []string{"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectLegalHold", "s3:GetObjectRetention",
			"s3:GetObjectTorrent", "s3:GetObjectVersion", "s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication",
			"s3:GetObjectVersionTorrent", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions",
			"s3:ListMultipartUploadParts"},
		write: []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject",
			"s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:RestoreObject"},
		resources: func(arn any) []any { return []any{arn, subARN("${DestinationArn}/*", arn)} },
	},
	"AWS::StepFunctions::StateMachine": {
		read:            []string{"states:DescribeStateMachine", "states:ListExecutions"},
		write:           []string{"states:StartExecution", "states:StartSyncExecution"},
		readExecutions:  []string{"states:DescribeExecution", "states:DescribeStateMachineForExecution", "states:GetExecutionHistory"},
		writeExecutions: []string{"states:StopExecution"},
	},
}

// subARN is a Fn::Sub of pattern with ${DestinationArn} bound to arn.
func subARN(pattern string, arn any) map[string]any {
	return subVars(pattern, map[string]any{"DestinationArn": clone(arn)})
}

// connectorResource transforms an AWS::Serverless::Connector.
func (t *transformer) connectorResource(id string, raw map[string]any) error {
	props, err := properties(id, typeConnector, raw)
	if err != nil {
		return err
	}
	source, ok := props["Source"]
	if !ok {
		return missingProperty(id, "Source")
	}
	return t.connector(id, attributesOf(raw), source, props)
}

// embeddedConnectors transforms the Connectors attribute of a resource:
// each entry is a connector named RESOURCECONNECTOR whose source is the
// resource.
func (t *transformer) embeddedConnectors(id string, v any) error {
	m := asMap(v)
	if m == nil {
		return resourceError(id, "'Connectors' must be a map of connectors.")
	}
	for _, name := range sortedKeys(m) {
		c := asMap(m[name])
		cid := id + name
		if c == nil {
			return resourceError(cid, "'Connectors' entries must be objects.")
		}
		props, err := properties(cid, typeConnector, c)
		if err != nil {
			return err
		}
		if _, ok := props["Source"]; ok {
			return resourceError(cid, "'Source' is not allowed in an embedded connector.")
		}
		if err := t.connector(cid, attributesOf(c), map[string]any{"Id": id}, props); err != nil {
			return err
		}
	}
	return nil
}

// connector emits what one connector grants.
func (t *transformer) connector(id string, attrs attributes, sourceRef any, props map[string]any) error {
	perms := asList(props["Permissions"])
	if len(perms) == 0 {
		return missingProperty(id, "Permissions")
	}
	var read, write bool
	for _, p := range perms {
		switch p {
		case "Read":
			read = true
		case "Write":
			write = true
		default:
			return resourceError(id, "Unsupported 'Permissions' provided; valid values are: Read, Write.")
		}
	}
	dv, ok := props["Destination"]
	if !ok {
		return missingProperty(id, "Destination")
	}
	dests := asList(dv)
	single := dests == nil
	if single {
		dests = []any{dv}
	}
	src, err := t.endpoint(id, "Source", sourceRef)
	if err != nil {
		return err
	}
	for i, d := range dests {
		dst, err := t.endpoint(id, "Destination", d)
		if err != nil {
			return err
		}
		suffix := ""
		if !single {
			suffix = fmt.Sprintf("Destination%d", i)
		}
		if err := t.grant(id, suffix, attrs, src, dst, read, write); err != nil {
			return err
		}
	}
	return nil
}

// grant emits the policy that lets src reach dst.
func (t *transformer) grant(id, suffix string, attrs attributes, src, dst endpoint, read, write bool) error {
	// A pair virga has no profile for is recorded as a warning, not
	// refused: the grant would only be recorded anyway.
	unsupported := func() error {
		t.warn(id, "virga has no connector profile from %s to %s with these permissions; no policy was recorded for it", src.typ, dst.typ)
		return nil
	}
	metadata := map[string]any{"aws:sam:connectors": map[string]any{id: map[string]any{
		"Source": map[string]any{"Type": src.samType}, "Destination": map[string]any{"Type": dst.samType},
	}}}
	emit := func(rid, typ string, p map[string]any) error {
		r := attrs.resource(typ, p)
		r["Metadata"] = clone(metadata)
		return t.add(id, rid, r)
	}
	if src.roleName != nil && src.typ == typeStepFunctions && dst.typ == typeStepFunctions {
		if !read {
			return resourceError(id, "Unsupported 'Permissions' provided for connector from %s to %s; valid combinations are: Read, Read + Write.", src.typ, dst.typ)
		}
		if dst.name == nil {
			return unsupported()
		}
		return emit(id+"Policy"+suffix, "AWS::IAM::ManagedPolicy", map[string]any{
			"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": nestedExecutionGrant(dst, write)},
			"Roles":          []any{clone(src.roleName)},
		})
	}
	if src.roleName != nil {
		access, ok := connectorAccess[dst.typ]
		if !ok {
			return unsupported()
		}
		var actions []string
		if read {
			actions = append(actions, access.read...)
		}
		if write {
			actions = append(actions, access.write...)
		}
		if len(actions) == 0 {
			return unsupported()
		}
		resources := []any{clone(dst.arn)}
		if access.resources != nil {
			resources = access.resources(dst.arn)
		}
		statements := []any{allow(actions, resources)}
		var executions []string
		if read {
			executions = append(executions, access.readExecutions...)
		}
		if write {
			executions = append(executions, access.writeExecutions...)
		}
		if len(executions) > 0 && dst.name != nil {
			statements = append(statements, allow(executions, []any{subVars(
				"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${DestinationName}:*",
				map[string]any{"DestinationName": clone(dst.name)})}))
		}
		return emit(id+"Policy"+suffix, "AWS::IAM::ManagedPolicy", map[string]any{
			"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": statements},
			"Roles":          []any{clone(src.roleName)},
		})
	}
	if src.service == "" || !write || read {
		return unsupported()
	}
	switch dst.typ {
	case "AWS::Lambda::Function":
		return emit(id+"WriteLambdaPermission"+suffix, "AWS::Lambda::Permission", map[string]any{
			"Action": "lambda:InvokeFunction", "FunctionName": clone(dst.arn),
			"Principal": src.service, "SourceArn": clone(src.arn),
		})
	case "AWS::SQS::Queue":
		return emit(id+"QueuePolicy"+suffix, "AWS::SQS::QueuePolicy", map[string]any{
			"Queues":         []any{clone(dst.queueURL)},
			"PolicyDocument": resourcePolicy(src, "sqs:SendMessage", dst.arn),
		})
	case "AWS::SNS::Topic":
		return emit(id+"TopicPolicy"+suffix, "AWS::SNS::TopicPolicy", map[string]any{
			"Topics":         []any{clone(dst.arn)},
			"PolicyDocument": resourcePolicy(src, "sns:Publish", dst.arn),
		})
	}
	return unsupported()
}

// typeStepFunctions is a state machine's CloudFormation type.
const typeStepFunctions = "AWS::StepFunctions::StateMachine"

// nestedExecutionGrant is what SAM's connector profile from one state
// machine to another grants: reading the other's executions, and with
// write starting and stopping them, each with the EventBridge rule Step
// Functions manages to learn when a .sync child ends (Step Functions'
// "IAM policies for nested executions").
func nestedExecutionGrant(dst endpoint, write bool) []any {
	executions := []any{subVars("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${DestinationName}:*",
		map[string]any{"DestinationName": clone(dst.name)})}
	rule := func() []any {
		return []any{map[string]any{"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"}}
	}
	statements := []any{allow([]string{"states:DescribeExecution"}, executions), allow([]string{"events:DescribeRule"}, rule())}
	if write {
		statements = append(statements,
			allow([]string{"states:StartExecution"}, []any{clone(dst.arn)}),
			allow([]string{"states:StopExecution"}, clone(executions)),
			allow([]string{"events:PutTargets", "events:PutRule"}, rule()))
	}
	return statements
}

// resourcePolicy lets src's service do action on resource when the
// request comes from src.
func resourcePolicy(src endpoint, action string, resource any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": src.service},
		"Action": action, "Resource": clone(resource),
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": clone(src.arn)}},
	}}}
}

// endpoint reads a connector's Source or a Destination: {Id} names a
// resource of the template; {Type, Arn, ...} one outside it.
func (t *transformer) endpoint(id, which string, v any) (endpoint, error) {
	m := asMap(v)
	if m == nil {
		return endpoint{}, resourceError(id, "'%s' must be an object.", which)
	}
	if ref, ok := m["Id"]; ok {
		target, ok := ref.(string)
		if !ok {
			return endpoint{}, resourceError(id, "'Id' of '%s' must be a string.", which)
		}
		return t.endpointOf(id, target)
	}
	typ, ok := m["Type"].(string)
	if !ok {
		return endpoint{}, resourceError(id, "'Type' is missing or not a string in '%s'.", which)
	}
	samType := typ
	if cfn, ok := samToCloudFormation[typ]; ok {
		typ = cfn
	}
	e := endpoint{typ: typ, samType: samType, arn: clone(m["Arn"]), roleName: clone(m["RoleName"]), queueURL: clone(m["QueueUrl"]),
		name: clone(m["Name"]), service: servicePrincipal(typ)}
	if e.arn == nil {
		e.arn = clone(m["Name"])
	}
	return e, nil
}

// endpointOf is the endpoint for a resource of the template.
func (t *transformer) endpointOf(id, target string) (endpoint, error) {
	resources, _ := t.tree["Resources"].(map[string]any)
	r := asMap(resources[target])
	if r == nil {
		return endpoint{}, resourceError(id, "Unable to find resource with logical ID '%s'.", target)
	}
	typ, _ := r["Type"].(string)
	samType := typ
	props := asMap(r["Properties"])
	if typ == typeFunction {
		props = t.globals.apply("Function", props)
	}
	if cfn, ok := samToCloudFormation[typ]; ok {
		typ = cfn
	}
	e := endpoint{typ: typ, samType: samType, arn: getAtt(target, "Arn"), service: servicePrincipal(typ)}
	switch typ {
	case "AWS::Lambda::Function":
		if role, ok := props["Role"]; ok {
			e.roleName = roleNameOf(role)
		} else if r["Type"] == typeFunction {
			e.roleName = ref(target + "Role")
		}
	case "AWS::StepFunctions::StateMachine":
		// A state machine's Ref is its ARN; SAM's generates a role
		// ID+"Role" unless Role is given (RoleArn for a plain one).
		e.arn, e.name = ref(target), getAtt(target, "Name")
		if role, ok := props["Role"]; ok {
			e.roleName = roleNameOf(role)
		} else if role, ok := props["RoleArn"]; ok {
			e.roleName = roleNameOf(role)
		} else if r["Type"] == typeStateMachine {
			e.roleName = ref(target + "Role")
		}
	case "AWS::IAM::Role":
		e.roleName = ref(target)
	case "AWS::SQS::Queue":
		e.queueURL = ref(target)
	case "AWS::SNS::Topic":
		e.arn = ref(target)
	case "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api":
		e.arn = sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + target + "}/*")
	}
	return e, nil
}

// roleNameOf is the name of the role a Role property gives, by ARN.
func roleNameOf(v any) any {
	if m, ok := v.(map[string]any); ok {
		if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
			return ref(fmt.Sprint(ga[0]))
		}
		return map[string]any{"Fn::Select": []any{"1", map[string]any{"Fn::Split": []any{":role/", clone(v)}}}}
	}
	if s, ok := v.(string); ok {
		return s[strings.LastIndexByte(s, '/')+1:]
	}
	return nil
}

// servicePrincipal is the principal of the service a resource type
// belongs to, for resource policies; empty when the type acts through
// a role.
func servicePrincipal(typ string) string {
	switch typ {
	case "AWS::SNS::Topic":
		return "sns.amazonaws.com"
	case "AWS::Events::Rule":
		return "events.amazonaws.com"
	case "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api":
		return "apigateway.amazonaws.com"
	case "AWS::S3::Bucket":
		return "s3.amazonaws.com"
	}
	return ""
}
