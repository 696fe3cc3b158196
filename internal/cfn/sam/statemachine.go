package sam

import "strings"

const typeStateMachine = "AWS::Serverless::StateMachine"

// stateMachineProperties are the properties virga transforms.
var stateMachineProperties = set("Definition", "DefinitionUri", "DefinitionSubstitutions", "Role", "Policies", "Name",
	"Type", "Tags", "Logging", "Tracing", "Events", "PermissionsBoundary", "RolePath", "PropagateTags")

// stateMachine transforms an AWS::Serverless::StateMachine into an
// AWS::StepFunctions::StateMachine with the same logical ID, an
// execution role ID+"Role" for Policies unless Role is given, and an
// EventBridge rule for each Schedule or EventBridgeRule event.
func (t *transformer) stateMachine(id string, raw map[string]any) error {
	props, err := properties(id, typeStateMachine, raw)
	if err != nil {
		return err
	}
	props = t.globals.apply("StateMachine", props)
	for k := range props {
		if !stateMachineProperties[k] {
			if k == "AutoPublishAlias" || k == "DeploymentPreference" || k == "UseAliasAsEventTarget" {
				return notSupported(id, "Property %s of %s is not supported by virga.", k, typeStateMachine)
			}
			return unknownProperty(id, k, typeStateMachine)
		}
	}
	sm := map[string]any{}
	_, hasDef := props["Definition"]
	uri, hasURI := props["DefinitionUri"]
	switch {
	case hasDef && hasURI:
		return resourceError(id, "Specify either 'Definition' or 'DefinitionUri' property and not both.")
	case hasDef:
		sm["Definition"] = clone(props["Definition"])
	case hasURI:
		m := asMap(uri)
		if s, ok := uri.(string); ok && strings.HasPrefix(s, "s3://") {
			bucket, key, _ := strings.Cut(strings.TrimPrefix(s, "s3://"), "/")
			m = map[string]any{"Bucket": bucket, "Key": key}
		}
		if m == nil {
			// A local file is uploaded by `virga deploy` (or sam
			// package) and becomes {Bucket, Key}.
			return notSupported(id, "DefinitionUri as a local file is read by virga deploy only; give Definition, or deploy with virga deploy.")
		}
		sm["DefinitionS3Location"] = cloneMap(m)
	default:
		return resourceError(id, "Either 'Definition' or 'DefinitionUri' property must be specified.")
	}
	copyKeys(sm, props, "DefinitionSubstitutions")
	if n, ok := props["Name"]; ok {
		sm["StateMachineName"] = clone(n)
	}
	if typ, ok := props["Type"]; ok {
		sm["StateMachineType"] = clone(typ)
	}
	if l, ok := props["Logging"]; ok {
		sm["LoggingConfiguration"] = clone(l)
	}
	if tr, ok := props["Tracing"]; ok {
		sm["TracingConfiguration"] = clone(tr)
	}
	tags := map[string]any{"stateMachine:createdBy": "SAM"}
	if tg, ok := props["Tags"]; ok {
		m := asMap(tg)
		if m == nil {
			return invalidType(id, "Tags")
		}
		for k, v := range m {
			tags[k] = clone(v)
		}
	}
	sm["Tags"] = tagList(nil, tags)
	attrs := attributesOf(raw)
	if r, ok := props["Role"]; ok {
		if _, both := props["Policies"]; both {
			return resourceError(id, "Specify either 'Role' or 'Policies' property and not both.")
		}
		sm["RoleArn"] = clone(r)
	} else {
		r := &role{id: id + "Role"}
		if err := t.addPolicies(id, r, props["Policies"]); err != nil {
			return err
		}
		roleProps := map[string]any{
			"AssumeRolePolicyDocument": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Action":    []any{"sts:AssumeRole"},
					"Effect":    "Allow",
					"Principal": map[string]any{"Service": []any{"states.amazonaws.com"}},
				}},
			},
			"Tags": tagList(nil, map[string]any{"stateMachine:createdBy": "SAM"}),
		}
		if len(r.managed) > 0 {
			roleProps["ManagedPolicyArns"] = r.managed
		}
		if len(r.inline) > 0 {
			roleProps["Policies"] = r.inline
		}
		if b, ok := props["PermissionsBoundary"]; ok {
			roleProps["PermissionsBoundary"] = clone(b)
		}
		if p, ok := props["RolePath"]; ok {
			roleProps["Path"] = clone(p)
		}
		if err := t.add(id, r.id, attrs.resource("AWS::IAM::Role", roleProps)); err != nil {
			return err
		}
		sm["RoleArn"] = getAtt(r.id, "Arn")
	}
	if err := t.add(id, id, attrs.mainResource(raw, "AWS::StepFunctions::StateMachine", sm)); err != nil {
		return err
	}
	events := asMap(props["Events"])
	for _, name := range sortedKeys(events) {
		ev := asMap(events[name])
		p := asMap(ev["Properties"])
		if p == nil {
			p = map[string]any{}
		}
		if ev["Type"] == "ScheduleV2" {
			if err := t.stateMachineScheduleV2(id, name, attrs, p); err != nil {
				return err
			}
			continue
		}
		rule := map[string]any{}
		switch ev["Type"] {
		case "Schedule":
			rule["ScheduleExpression"] = clone(p["Schedule"])
			copyKeys(rule, p, "Name", "Description")
		case "EventBridgeRule", "CloudWatchEvent":
			rule["EventPattern"] = clone(p["Pattern"])
			copyKeys(rule, p, "EventBusName")
			if n, ok := p["RuleName"]; ok {
				rule["Name"] = clone(n)
			}
		default:
			return notSupported(id, "Event with id [%s] is invalid. State machine events of type %v are not supported by virga.", name, ev["Type"])
		}
		if s, ok := state(p); ok {
			rule["State"] = s
		}
		target := map[string]any{"Id": id + name + "StepFunctionsTarget", "Arn": map[string]any{"Ref": id}}
		copyKeys(target, p, "Input", "InputPath", "InputTransformer", "RetryPolicy")
		rule["Targets"] = []any{target}
		if err := t.add(id, id+name, attrs.resource("AWS::Events::Rule", rule)); err != nil {
			return err
		}
	}
	return nil
}

// stateMachineScheduleV2 is MACHINEEVENT, an EventBridge Scheduler
// schedule that starts the machine through a role, MACHINEEVENTRole,
// allowed states:StartExecution, unless the event names one.
func (t *transformer) stateMachineScheduleV2(id, name string, attrs attributes, p map[string]any) error {
	eid := id + name
	sched := map[string]any{"ScheduleExpression": clone(p["ScheduleExpression"])}
	copyKeys(sched, p, "Description", "EndDate", "GroupName", "KmsKeyArn",
		"ScheduleExpressionTimezone", "StartDate", "State")
	if n, ok := p["Name"]; ok {
		sched["Name"] = clone(n)
	} else if !truthy(p["OmitName"]) {
		sched["Name"] = eid
	}
	if w, ok := p["FlexibleTimeWindow"]; ok {
		sched["FlexibleTimeWindow"] = clone(w)
	} else {
		sched["FlexibleTimeWindow"] = map[string]any{"Mode": "OFF"}
	}
	machine := map[string]any{"Ref": id}
	target := map[string]any{"Arn": machine}
	copyKeys(target, p, "Input", "RetryPolicy", "DeadLetterConfig")
	if r, ok := p["RoleArn"]; ok {
		target["RoleArn"] = clone(r)
	} else {
		roleID := eid + "Role"
		props := map[string]any{
			"AssumeRolePolicyDocument": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Action":    []any{"sts:AssumeRole"},
					"Effect":    "Allow",
					"Principal": map[string]any{"Service": []any{"scheduler.amazonaws.com"}},
				}},
			},
			"Policies": []any{map[string]any{
				"PolicyName": eid + "StartExecutionPolicy",
				"PolicyDocument": map[string]any{
					"Version":   "2012-10-17",
					"Statement": []any{allow([]string{"states:StartExecution"}, map[string]any{"Ref": id})},
				},
			}},
		}
		copyKeys(props, p, "PermissionsBoundary")
		if err := t.add(id, roleID, attrs.resource("AWS::IAM::Role", props)); err != nil {
			return err
		}
		target["RoleArn"] = getAtt(roleID, "Arn")
	}
	sched["Target"] = target
	return t.add(id, eid, attrs.resource("AWS::Scheduler::Schedule", sched))
}
