package providers

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Events::Rule",
		Provider: rule{},
		// A rule belongs to its event bus: PutRule with another bus makes
		// another rule (the schema's conditionally create-only
		// EventBusName).
		Replace:      []string{"Name", "EventBusName"},
		NameProperty: "Name",
		Attributes:   []string{"Arn"},
	})
	resource.Register(&resource.Type{
		Name:         "AWS::Events::EventBus",
		Tags:         resource.TagList,
		Required:     []string{"Name"},
		Provider:     eventBus{},
		Replace:      []string{"Name", "EventSourceName"},
		NameProperty: "Name",
		Attributes:   []string{"Arn", "Name", "Policy"},
	})
}

// rule is AWS::Events::Rule: PutRule and PutTargets, for updates too,
// with RemoveTargets for the targets dropped. Its Ref is the rule's name
// on the default event bus and EVENTBUSNAME|RULENAME on another, as
// AWS CloudFormation gives it.
type rule struct{}

var ruleKinds = map[string]kind{
	"MaximumRetryAttempts": number, "MaximumEventAgeInSeconds": number, "TaskCount": number, "Size": number,
	"Attempts": number, "Base": number, "Weight": number,
	"EnableECSManagedTags": boolean, "EnableExecuteCommand": boolean, "WithEvent": boolean,
}

func (rule) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, ruleKinds)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxRuleName)
	}
	look := lookup{service: "events", op: "DescribeRule", in: p.pick(map[string]any{"Name": name}, "EventBusName")}
	if err := refuseTaken(ctx, r, look, nameTaken(name)); err != nil {
		return nil, err
	}
	arn, err := putRule(ctx, r, name, p, nil)
	if arn == "" {
		return nil, err
	}
	// A rule whose targets failed is made: the rollback deletes it.
	return &resource.Result{PhysicalID: ruleRef(p.str("EventBusName"), name), Attributes: map[string]any{"Arn": arn}}, err
}

// ruleRef is a rule's Ref: its name, with its event bus's before a "|"
// when the bus is not the default one. bus may be a name or an ARN.
func ruleRef(bus, name string) string {
	if i := strings.LastIndex(bus, ":event-bus/"); i >= 0 {
		bus = bus[i+len(":event-bus/"):]
	}
	if bus == "" || bus == "default" {
		return name
	}
	return bus + "|" + name
}

// ruleName is the name in a rule's Ref.
func ruleName(ref string) string {
	if _, name, ok := strings.Cut(ref, "|"); ok {
		return name
	}
	return ref
}

// putRule puts the rule and its targets, and removes the targets that
// were in old and are no longer; it returns the rule's ARN, with the
// error of a later call once PutRule made the rule.
func putRule(ctx context.Context, r *resource.Request, name string, p, old props) (string, error) {
	in := p.pick(map[string]any{"Name": name}, "ScheduleExpression", "State", "Description", "RoleArn", "EventBusName")
	if p.has("EventPattern") {
		pattern, err := jsonText(p["EventPattern"])
		if err != nil {
			return "", err
		}
		in["EventPattern"] = pattern
	}
	out, err := call(ctx, r, "events", "PutRule", in)
	if err != nil {
		return "", err
	}
	arn := outStr(out, "RuleArn")
	bus := p.str("EventBusName")
	now := map[string]bool{}
	var targets []any
	for _, t := range p.list("Targets") {
		target := eventTarget(asMap(t))
		now[props(target).str("Id")] = true
		targets = append(targets, target)
	}
	var dropped []string
	for _, t := range old.list("Targets") {
		if id := props(asMap(t)).str("Id"); !now[id] {
			dropped = append(dropped, id)
		}
	}
	if len(dropped) > 0 {
		if err := removeTargets(ctx, r, name, bus, dropped); err != nil {
			return arn, err
		}
	}
	if len(targets) > 0 {
		in := map[string]any{"Rule": name, "Targets": targets}
		if bus != "" {
			in["EventBusName"] = bus
		}
		res, err := call(ctx, r, "events", "PutTargets", in)
		if err != nil {
			return arn, err
		}
		if err := failedEntries("PutTargets", res); err != nil {
			return arn, err
		}
	}
	return arn, nil
}

// eventTarget is the API's Target for CloudFormation's, which names
// three ECS members differently.
func eventTarget(t props) map[string]any {
	out := map[string]any{}
	for k, v := range t {
		out[k] = v
	}
	if ecs := t.obj("EcsParameters"); ecs != nil {
		e := map[string]any{}
		for k, v := range ecs {
			switch k {
			case "TagList":
				e["Tags"] = v
			case "PlacementStrategies":
				e["PlacementStrategy"] = v
			case "NetworkConfiguration":
				e[k] = ecsNetworkConfiguration(v)
			default:
				e[k] = v
			}
		}
		out["EcsParameters"] = e
	}
	return out
}

// ecsNetworkConfiguration is EventBridge's and Scheduler's
// NetworkConfiguration, whose member is awsvpcConfiguration, for
// CloudFormation's, whose member is AwsVpcConfiguration
// (AWS::Events::Rule) or AwsvpcConfiguration (AWS::Scheduler::Schedule).
func ecsNetworkConfiguration(v any) any {
	nc := props(asMap(v))
	for _, k := range []string{"AwsVpcConfiguration", "AwsvpcConfiguration"} {
		if c, ok := nc[k]; ok {
			return map[string]any{"awsvpcConfiguration": c}
		}
	}
	return v
}

// failedEntries turns the entries PutTargets or RemoveTargets could not
// apply into an error, as CloudFormation fails on them.
func failedEntries(op string, out map[string]any) error {
	var msgs []string
	for _, e := range props(out).list("FailedEntries") {
		f := props(asMap(e))
		msgs = append(msgs, fmt.Sprintf("%s: %s: %s", f.str("TargetId"), f.str("ErrorCode"), f.str("ErrorMessage")))
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%s failed for targets %s", op, strings.Join(msgs, "; "))
	}
	return nil
}

func removeTargets(ctx context.Context, r *resource.Request, name, bus string, ids []string) error {
	in := map[string]any{"Rule": name, "Ids": anyStrings(ids)}
	if bus != "" {
		in["EventBusName"] = bus
	}
	out, err := call(ctx, r, "events", "RemoveTargets", in)
	if err != nil {
		return err
	}
	return failedEntries("RemoveTargets", out)
}

func (rule) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, ruleKinds)
	arn, err := putRule(ctx, r, ruleName(r.PhysicalID), p, old)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": arn}}, nil
}

// Delete removes the rule's targets, which EventBridge requires, then
// the rule.
func (rule) Delete(ctx context.Context, r *resource.Request) error {
	name, bus := ruleName(r.PhysicalID), props(r.Properties).str("EventBusName")
	in := map[string]any{"Rule": name}
	if bus != "" {
		in["EventBusName"] = bus
	}
	var ids []string
	for {
		out, err := call(ctx, r, "events", "ListTargetsByRule", in)
		if err != nil {
			return ignoreGone(err)
		}
		for _, t := range props(out).list("Targets") {
			ids = append(ids, props(asMap(t)).str("Id"))
		}
		next := outStr(out, "NextToken")
		if next == "" {
			break
		}
		in["NextToken"] = next
	}
	if len(ids) > 0 {
		if err := removeTargets(ctx, r, name, bus, ids); err != nil {
			return ignoreGone(err)
		}
	}
	del := map[string]any{"Name": name}
	if bus != "" {
		del["EventBusName"] = bus
	}
	_, err := call(ctx, r, "events", "DeleteRule", del)
	return ignoreGone(err)
}

// eventBus is AWS::Events::EventBus: CreateEventBus, with the tagging
// operations for updates, and PutPermission's Policy (RemovePermission's
// RemoveAllPermissions once it goes) for its Policy, and UpdateEventBus
// for a changed Description, KmsKeyIdentifier, DeadLetterConfig or
// LogConfig. Its physical ID and Ref are its name.
type eventBus struct{}

func (eventBus) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxEventBusName)
	}
	in := p.pick(map[string]any{"Name": name}, "EventSourceName", "Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	out, err := call(ctx, r, "events", "CreateEventBus", in)
	if err != nil {
		return nil, err
	}
	if p.has("Policy") {
		if err := setBusPolicy(ctx, r, name, p); err != nil {
			// The bus is made: the rollback deletes it.
			return &resource.Result{PhysicalID: name}, err
		}
	}
	return busResult(name, outStr(out, "EventBusArn"), p)
}

// setBusPolicy gives a bus the template's Policy, or none.
func setBusPolicy(ctx context.Context, r *resource.Request, name string, p props) error {
	if !p.has("Policy") {
		_, err := call(ctx, r, "events", "RemovePermission", map[string]any{"EventBusName": name, "RemoveAllPermissions": true})
		return err
	}
	policy, err := jsonText(p["Policy"])
	if err != nil {
		return err
	}
	_, err = call(ctx, r, "events", "PutPermission", map[string]any{"EventBusName": name, "Policy": policy})
	return err
}

func busResult(name, arn string, p props) (*resource.Result, error) {
	attrs := map[string]any{"Arn": arn, "Name": name}
	if p.has("Policy") {
		policy, err := jsonText(p["Policy"])
		if err != nil {
			return nil, err
		}
		attrs["Policy"] = policy
	}
	return &resource.Result{PhysicalID: name, Attributes: attrs}, nil
}

func (eventBus) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	arn, _ := r.Attributes["Arn"].(string)
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "events", "UntagResource", map[string]any{"ResourceARN": arn, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "events", "TagResource", map[string]any{"ResourceARN": arn, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "Policy") {
		if err := setBusPolicy(ctx, r, r.PhysicalID, p); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig") {
		// A property the template no longer sets goes back to none.
		in := map[string]any{"Name": r.PhysicalID, "Description": p.str("Description"), "KmsKeyIdentifier": p.str("KmsKeyIdentifier"),
			"DeadLetterConfig": map[string]any{}}
		if p.has("DeadLetterConfig") {
			in["DeadLetterConfig"] = p["DeadLetterConfig"]
		}
		if p.has("LogConfig") {
			in["LogConfig"] = p["LogConfig"]
		}
		if _, err := call(ctx, r, "events", "UpdateEventBus", in); err != nil {
			return nil, err
		}
	}
	return busResult(r.PhysicalID, arn, p)
}

func (eventBus) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "events", "DeleteEventBus", map[string]any{"Name": r.PhysicalID})
	return ignoreGone(err)
}
