package sam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

const typeStateMachine = "AWS::Serverless::StateMachine"

// stateMachineProperties are the properties virga transforms.
var stateMachineProperties = set("Definition", "DefinitionUri", "DefinitionSubstitutions", "Role", "Policies", "Name",
	"Type", "Tags", "Logging", "Tracing", "Events", "PermissionsBoundary", "RolePath", "PropagateTags",
	"AutoPublishAlias", "DeploymentPreference")

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
			if k == "UseAliasAsEventTarget" {
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
		def, ok := props["Definition"].(map[string]any)
		if !ok || isIntrinsic(def) {
			sm["Definition"] = clone(props["Definition"])
			break
		}
		text, subs, err := definitionString(clone(def).(map[string]any))
		if err != nil {
			return resourceError(id, "Definition: %v", err)
		}
		sm["DefinitionString"] = text
		if len(subs) > 0 {
			sm["DefinitionSubstitutions"] = subs
		}
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
	if given, ok := props["DefinitionSubstitutions"].(map[string]any); ok && sm["DefinitionSubstitutions"] != nil {
		// The template's substitutions join those that stand for the
		// definition's intrinsic functions.
		merged := sm["DefinitionSubstitutions"].(map[string]any)
		for k, v := range given {
			merged[k] = clone(v)
		}
	} else {
		copyKeys(sm, props, "DefinitionSubstitutions")
	}
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
	// SAM's tag comes first, then the template's by key.
	createdBy := func() []map[string]any {
		return []map[string]any{{"Key": "stateMachine:createdBy", "Value": "SAM"}}
	}
	tags := map[string]any{}
	if tg, ok := props["Tags"]; ok {
		m := asMap(tg)
		if m == nil {
			return invalidType(id, "Tags")
		}
		for k, v := range m {
			tags[k] = clone(v)
		}
	}
	sm["Tags"] = tagList(createdBy(), cloneMap(tags))
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
		// With tracing on, SAM lets the role write to X-Ray, after the
		// template's policies.
		if on, ok := t.resolve(asMap(props["Tracing"])["Enabled"]); ok && on == "true" {
			r.addManaged("arn:" + t.partition + ":iam::aws:policy/AWSXrayWriteOnlyAccess")
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
			// The role carries the state machine's tags, as SAM's does.
			"Tags": tagList(createdBy(), cloneMap(tags)),
		}
		// ManagedPolicyArns is there even when empty, as in SAM's output.
		roleProps["ManagedPolicyArns"] = append([]any{}, r.managed...)
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
	if err := t.stateMachineAlias(id, attrs, props); err != nil {
		return err
	}
	events := asMap(props["Events"])
	for _, name := range sortedKeys(events) {
		ev := asMap(events[name])
		p := asMap(ev["Properties"])
		if p == nil {
			p = map[string]any{}
		}
		var err error
		switch ev["Type"] {
		case "Schedule", "EventBridgeRule", "CloudWatchEvent":
			err = t.stateMachineRule(id, name, attrs, ev["Type"].(string), p, props["PermissionsBoundary"])
		case "ScheduleV2":
			err = t.stateMachineScheduleV2(id, name, attrs, p)
		case "Api":
			err = t.stateMachineAPI(id, name, attrs, p, props["PermissionsBoundary"])
		default:
			err = notSupported(id, "Event with id [%s] is invalid. State machine events of type %v are not supported by virga.", name, ev["Type"])
		}
		if err != nil {
			return err
		}
	}
	if truthy(props["PropagateTags"]) && len(tags) > 0 {
		t.tagImplicitAPIs(events, tags)
		t.propagateTags(id, tags)
	}
	return nil
}

// stateMachineAlias makes, for AutoPublishAlias, ID+"Version" (an
// AWS::StepFunctions::StateMachineVersion of the machine's revision,
// retained on deletion and replacement unless the SAM resource says
// otherwise, so earlier versions stay) and ID+"Alias"+NAME (an
// AWS::StepFunctions::StateMachineAlias whose DeploymentPreference,
// ALL_AT_ONCE unless given, points at that version).
func (t *transformer) stateMachineAlias(id string, attrs attributes, props map[string]any) error {
	name, hasAlias := props["AutoPublishAlias"]
	dp, hasDP := props["DeploymentPreference"]
	if !hasAlias {
		if hasDP {
			return resourceError(id, "'DeploymentPreference' requires 'AutoPublishAlias' property to be specified.")
		}
		return nil
	}
	alias, ok := name.(string)
	if !ok || alias == "" {
		return invalidType(id, "AutoPublishAlias")
	}
	versionID := id + "Version"
	va := attrs
	if va.deletionPolicy == nil {
		va.deletionPolicy = "Retain"
	}
	if va.updateReplacePolicy == nil {
		va.updateReplacePolicy = "Retain"
	}
	if err := t.add(id, versionID, va.resource("AWS::StepFunctions::StateMachineVersion", map[string]any{
		"StateMachineArn":        map[string]any{"Ref": id},
		"StateMachineRevisionId": getAtt(id, "StateMachineRevisionId"),
	})); err != nil {
		return err
	}
	pref := map[string]any{"Type": "ALL_AT_ONCE"}
	if hasDP {
		if pref = cloneMap(asMap(dp)); pref == nil {
			return invalidType(id, "DeploymentPreference")
		}
	}
	pref["StateMachineVersionArn"] = map[string]any{"Ref": versionID}
	return t.add(id, id+"Alias"+alias, attrs.resource("AWS::StepFunctions::StateMachineAlias", map[string]any{
		"Name": alias, "DeploymentPreference": pref,
	}))
}

// startExecutionRole is the role SAM makes for an event source of a
// state machine, EVENTID+"Role": the service principal may assume it and
// its inline policy, policyName, allows states:StartExecution on the
// machine.
func (t *transformer) startExecutionRole(id, eid, principal, policyName string, attrs attributes, boundary any) error {
	roleID := eid + "Role"
	props := map[string]any{
		"AssumeRolePolicyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Action":    []any{"sts:AssumeRole"},
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": []any{principal}},
			}},
		},
		"Policies": []any{map[string]any{
			"PolicyName":     policyName,
			"PolicyDocument": oneActionPolicy("states:StartExecution", map[string]any{"Ref": id}),
		}},
	}
	if boundary != nil {
		props["PermissionsBoundary"] = clone(boundary)
	}
	return t.add(id, roleID, attrs.resource("AWS::IAM::Role", props))
}

// stateMachineRule is MACHINEEVENT, an EventBridge rule (a schedule or
// a pattern) whose target starts the machine through MACHINEEVENTRole.
func (t *transformer) stateMachineRule(id, name string, attrs attributes, typ string, p map[string]any, boundary any) error {
	eid := id + name
	rule := map[string]any{}
	if typ == "Schedule" {
		rule["ScheduleExpression"] = clone(p["Schedule"])
		copyKeys(rule, p, "Name", "Description")
	} else {
		rule["EventPattern"] = clone(p["Pattern"])
		copyKeys(rule, p, "EventBusName")
		if n, ok := p["RuleName"]; ok {
			rule["Name"] = clone(n)
		}
	}
	if s, ok := state(p); ok {
		rule["State"] = s
	}
	targetID := eid + "StepFunctionsTarget"
	if tg := asMap(p["Target"]); tg != nil {
		if v, ok := tg["Id"].(string); ok {
			targetID = v
		}
	}
	target := map[string]any{"Id": targetID, "Arn": map[string]any{"Ref": id}}
	copyKeys(target, p, "Input", "InputPath", "InputTransformer", "RetryPolicy")
	if dl, ok := p["DeadLetterConfig"]; ok {
		queue, err := t.eventDeadLetterQueue(id, name, attrs, dl, true)
		if err != nil {
			return err
		}
		target["DeadLetterConfig"] = map[string]any{"Arn": queue}
	}
	if r, ok := p["RoleArn"]; ok {
		target["RoleArn"] = clone(r)
	} else {
		if err := t.startExecutionRole(id, eid, "events.amazonaws.com", eid+"RoleStartExecutionPolicy", attrs, boundary); err != nil {
			return err
		}
		target["RoleArn"] = getAtt(eid+"Role", "Arn")
	}
	rule["Targets"] = []any{target}
	return t.add(id, eid, attrs.resource("AWS::Events::Rule", rule))
}

// stateMachineAPI adds a method to a REST API whose AWS integration
// calls StartExecution with the request body as the execution's input,
// signed as MACHINEEVENTRole.
func (t *transformer) stateMachineAPI(id, name string, attrs attributes, p map[string]any, boundary any) error {
	eid := id + name
	api, path, _, key, err := t.eventRoute(id, name, p)
	if err != nil {
		return err
	}
	if err := t.startExecutionRole(id, eid, "apigateway.amazonaws.com", eid+"RoleStartExecutionPolicy", attrs, boundary); err != nil {
		return err
	}
	if api.body == nil {
		return nil
	}
	item, err := pathItem(api.body, path)
	if err != nil {
		return eventError(id, name, "%s", err.Error())
	}
	if _, exists := item[key]; exists {
		// SAM reports this one on the event alone, not on the machine.
		return &invalid{msg: fmt.Sprintf("Event with id [%s] is invalid. API method \"%s\" defined multiple times for path \"%s\".",
			name, methodName(key), path)}
	}
	// The input is the body as JSON text; escapeJavaScript escapes its
	// single quotes too, which JSON does not allow, unless the event
	// asks for them back (UnescapeMappingTemplate).
	input := `$util.escapeJavaScript($input.json('$'))`
	if truthy(p["UnescapeMappingTemplate"]) {
		input += `.replaceAll("\\'","'")`
	}
	template := `{"input": "` + input + `", "stateMachineArn": "${` + id + `}"}`
	integration := map[string]any{
		"type":             "aws",
		"httpMethod":       "POST",
		"uri":              map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartExecution"},
		"responses":        map[string]any{"200": map[string]any{"statusCode": "200"}, "400": map[string]any{"statusCode": "400"}},
		"credentials":      getAtt(eid+"Role", "Arn"),
		"requestTemplates": map[string]any{"application/json": map[string]any{"Fn::Sub": template}},
	}
	item[key] = map[string]any{
		"x-amazon-apigateway-integration": integration,
		"responses":                       map[string]any{"200": map[string]any{"description": "OK"}, "400": map[string]any{"description": "Bad Request"}},
	}
	api.methods = append(api.methods, &apiMethod{path: path, key: key, auth: asMap(p["Auth"]), condition: attrs.condition, function: id, event: name})
	return nil
}

// stateMachineScheduleV2 is MACHINEEVENT, an EventBridge Scheduler
// schedule that starts the machine.
func (t *transformer) stateMachineScheduleV2(id, name string, attrs attributes, p map[string]any) error {
	return t.scheduleV2(id, name, attrs, p, map[string]any{"Ref": id}, map[string]any{
		"PolicyName":     id + name + "StartExecutionPolicy",
		"PolicyDocument": oneActionPolicy("states:StartExecution", map[string]any{"Ref": id}),
	})
}

// definitionString renders an inline Definition as AWS's translator
// does: its JSON text (keys sorted, indented by four spaces), one line
// an element of an Fn::Join on "\n", in DefinitionString, with each
// intrinsic function in it replaced by a placeholder
// ${definition_substitution_N} whose value DefinitionSubstitutions
// gives. The text keeps what a template may not hold as a property
// value, such as the null of "ResultPath": null.
func definitionString(def map[string]any) (map[string]any, map[string]any, error) {
	subs := map[string]any{}
	var walk func(v any) any
	walk = func(v any) any {
		if isIntrinsic(v) {
			name := fmt.Sprintf("definition_substitution_%d", len(subs)+1)
			subs[name] = v
			return "${" + name + "}"
		}
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				x[k] = walk(x[k])
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		}
		return v
	}
	walk(def)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(def); err != nil {
		return nil, nil, err
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	parts := make([]any, len(lines))
	for i, l := range lines {
		parts[i] = l
	}
	if len(subs) == 0 {
		subs = nil
	}
	return map[string]any{"Fn::Join": []any{"\n", parts}}, subs, nil
}
