package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cfn/template"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::StepFunctions::StateMachine",
		Tags:         resource.TagList,
		Required:     []string{"RoleArn"},
		Provider:     stateMachine{},
		Replace:      []string{"StateMachineName", "StateMachineType"},
		NameProperty: "StateMachineName",
		Attributes:   []string{"Arn", "Name", "StateMachineRevisionId"},
	})
}

// maxStateMachineName is Step Functions' name limit: 1-80 characters.
const maxStateMachineName = 80

// stateMachine is AWS::StepFunctions::StateMachine: CreateStateMachine,
// UpdateStateMachine on changes, DeleteStateMachine. Its physical ID
// and Ref are its ARN; GetAtt gives Arn, Name and
// StateMachineRevisionId (the machine's revisionId once an update has
// changed it, else the ARN, as CloudFormation returns it for a machine
// never revised). The definition is Definition (an object)
// or DefinitionString, with DefinitionSubstitutions' ${name} replaced.
type stateMachine struct{}

// stateMachineDefinition renders the definition text with its
// substitutions: Definition, DefinitionString, or the JSON or YAML file
// DefinitionS3Location ({Bucket, Key, Version}) names in virga's S3,
// which aws cloudformation package and sam package make of a local
// DefinitionUri.
func stateMachineDefinition(ctx context.Context, r *resource.Request, p props) (string, error) {
	def := p.str("DefinitionString")
	if p.has("DefinitionS3Location") {
		loc := p.obj("DefinitionS3Location")
		if r.Env == nil || r.Env.ReadObject == nil {
			return "", errors.New("AWS::StepFunctions::StateMachine: DefinitionS3Location cannot be read: the engine has no S3")
		}
		if loc.str("Bucket") == "" || loc.str("Key") == "" {
			return "", errors.New("AWS::StepFunctions::StateMachine: DefinitionS3Location must give Bucket and Key")
		}
		data, err := r.Env.ReadObject(ctx, loc.str("Bucket"), loc.str("Key"), loc.str("Version"))
		if err != nil {
			return "", err
		}
		doc, err := template.ParseSnippet(data)
		if err != nil {
			return "", fmt.Errorf("AWS::StepFunctions::StateMachine: the definition at DefinitionS3Location is not JSON or YAML: %w", err)
		}
		if def, err = jsonText(doc); err != nil {
			return "", err
		}
	}
	if d, ok := p["Definition"]; ok {
		raw, err := json.Marshal(d)
		if err != nil {
			return "", err
		}
		def = string(raw)
	}
	if def == "" {
		return "", errors.New("AWS::StepFunctions::StateMachine: one of Definition, DefinitionString or DefinitionS3Location is required")
	}
	subs, _ := p["DefinitionSubstitutions"].(map[string]any)
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := subs[k]
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		def = strings.ReplaceAll(def, "${"+k+"}", s)
	}
	return def, nil
}

func sfnTags(m map[string]string) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(m))
	for _, k := range keys {
		out = append(out, map[string]any{"key": k, "value": m[k]})
	}
	return out
}

// sfnConfig converts LoggingConfiguration and TracingConfiguration,
// whose CloudFormation members are capitalized, to the API's.
func sfnConfig(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[strings.ToLower(k[:1])+k[1:]] = sfnConfig(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = sfnConfig(e)
		}
		return out
	}
	return v
}

func stateMachineResult(arn string) *resource.Result {
	name := arn[strings.LastIndexByte(arn, ':')+1:]
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Arn": arn, "Name": name, "StateMachineRevisionId": arn}}
}

func (stateMachine) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	def, err := stateMachineDefinition(ctx, r, p)
	if err != nil {
		return nil, err
	}
	name := p.str("StateMachineName")
	if name == "" {
		name = logicalName(r, maxLogicalName)
	}
	in := map[string]any{"name": name, "definition": def, "roleArn": p.str("RoleArn")}
	if t := p.str("StateMachineType"); t != "" {
		in["type"] = t
	}
	if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		in["tags"] = sfnTags(tags)
	}
	if v, ok := p["LoggingConfiguration"]; ok {
		in["loggingConfiguration"] = sfnConfig(v)
	}
	if v, ok := p["TracingConfiguration"]; ok {
		in["tracingConfiguration"] = sfnConfig(v)
	}
	out, err := call(ctx, r, "states", "CreateStateMachine", in)
	if err != nil {
		return nil, err
	}
	arn, _ := out["stateMachineArn"].(string)
	return stateMachineResult(arn), nil
}

// stateMachineResultNow is stateMachineResult with the machine's
// current revisionId.
func stateMachineResultNow(ctx context.Context, r *resource.Request, arn string) (*resource.Result, error) {
	res := stateMachineResult(arn)
	d, err := call(ctx, r, "states", "DescribeStateMachine", map[string]any{"stateMachineArn": arn})
	if err != nil {
		return nil, err
	}
	if rev, _ := d["revisionId"].(string); rev != "" {
		res.Attributes["StateMachineRevisionId"] = rev
	}
	return res, nil
}

func (stateMachine) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	arn := r.PhysicalID
	if changed(old, p, "Definition", "DefinitionString", "DefinitionS3Location", "DefinitionSubstitutions", "RoleArn", "LoggingConfiguration", "TracingConfiguration") {
		def, err := stateMachineDefinition(ctx, r, p)
		if err != nil {
			return nil, err
		}
		in := map[string]any{"stateMachineArn": arn, "definition": def, "roleArn": p.str("RoleArn")}
		if v, ok := p["LoggingConfiguration"]; ok {
			in["loggingConfiguration"] = sfnConfig(v)
		}
		if v, ok := p["TracingConfiguration"]; ok {
			in["tracingConfiguration"] = sfnConfig(v)
		}
		if _, err := call(ctx, r, "states", "UpdateStateMachine", in); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagsOf(old["Tags"]), tagsOf(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "states", "UntagResource", map[string]any{"resourceArn": arn, "tagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "states", "TagResource", map[string]any{"resourceArn": arn, "tags": sfnTags(set)}); err != nil {
			return nil, err
		}
	}
	return stateMachineResultNow(ctx, r, arn)
}

func (stateMachine) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "states", "DeleteStateMachine", map[string]any{"stateMachineArn": r.PhysicalID})
	return ignoreGone(err)
}
