package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::Lambda::Function",
		Tags:         resource.TagList,
		Required:     []string{"Code", "Role"},
		Provider:     function{},
		Lister:       function{},
		Replace:      []string{"FunctionName"},
		NameProperty: "FunctionName",
		Attributes:   []string{"Arn", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"},
	})
}

// function is AWS::Lambda::Function: CreateFunction, then
// PutFunctionConcurrency and PutFunctionRecursionConfig; updates go through UpdateFunctionCode,
// UpdateFunctionConfiguration, the concurrency, recursion and tagging
// operations. The execution role (Role) is recorded as the API records
// it: virga runs functions with credentials for it and enforces no IAM
// policy yet.
type function struct{}

var functionKinds = map[string]kind{
	"MemorySize": number, "Timeout": number, "ReservedConcurrentExecutions": number,
	"Size": number, "ProvisionedConcurrentExecutions": number,
	"Ipv6AllowedForDualStack": boolean,
}

// functionSettings are the properties UpdateFunctionConfiguration takes
// as CloudFormation names them, each with the value that puts back the
// default when a template drops it (nil: the property cannot be unset).
var functionSettings = []struct {
	name  string
	reset any
}{
	{"Role", nil},
	{"Handler", nil},
	{"Runtime", nil},
	{"Description", ""},
	{"Timeout", 3},
	{"MemorySize", 128},
	{"Environment", map[string]any{"Variables": map[string]any{}}},
	{"DeadLetterConfig", map[string]any{"TargetArn": ""}},
	{"KmsKeyArn", ""},
	{"TracingConfig", map[string]any{"Mode": "PassThrough"}},
	{"Layers", []any{}},
	{"VpcConfig", map[string]any{"SubnetIds": []any{}, "SecurityGroupIds": []any{}}},
	{"FileSystemConfigs", []any{}},
	{"ImageConfig", map[string]any{}},
	{"EphemeralStorage", map[string]any{"Size": 512}},
	{"SnapStart", map[string]any{"ApplyOn": "None"}},
	{"LoggingConfig", map[string]any{"LogFormat": "Text"}},
}

func (function) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, functionKinds)
	name := p.str("FunctionName")
	if name == "" {
		name = handlerName(r, maxFunctionName)
	}
	code, err := functionCode(p)
	if err != nil {
		return nil, err
	}
	in := map[string]any{"FunctionName": name, "Code": code}
	for _, s := range functionSettings {
		if v, ok := p[s.name]; ok {
			in[s.name] = functionSetting(s.name, v)
		}
	}
	p.pick(in, "Architectures", "PackageType", "CodeSigningConfigArn")
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, "lambda", "CreateFunction", in)
	if err != nil {
		return nil, err
	}
	if p.has("ReservedConcurrentExecutions") {
		if _, err := call(ctx, r, "lambda", "PutFunctionConcurrency", map[string]any{
			"FunctionName": name, "ReservedConcurrentExecutions": p["ReservedConcurrentExecutions"],
		}); err != nil {
			return functionResult(out), err // made: the rollback deletes it
		}
	}
	if p.has("RecursiveLoop") {
		if err := putRecursiveLoop(ctx, r, name, p); err != nil {
			return functionResult(out), err
		}
	}
	return functionResult(out), nil
}

// putRecursiveLoop applies RecursiveLoop (Allow or Terminate; Terminate,
// Lambda's default, when the template has none).
func putRecursiveLoop(ctx context.Context, r *resource.Request, name string, p props) error {
	mode := p.str("RecursiveLoop")
	if mode == "" {
		mode = "Terminate"
	}
	_, err := call(ctx, r, "lambda", "PutFunctionRecursionConfig", map[string]any{"FunctionName": name, "RecursiveLoop": mode})
	return err
}

// functionSetting is a property's value as the API takes it: environment
// variables are text, whatever the template gave.
func functionSetting(name string, v any) any {
	if name == "Environment" {
		return map[string]any{"Variables": stringMap(props(asMap(v))["Variables"])}
	}
	return v
}

func functionResult(cfg props) *resource.Result {
	snap := cfg.obj("SnapStart")
	return &resource.Result{
		PhysicalID: cfg.str("FunctionName"),
		Attributes: map[string]any{
			"Arn":                                  cfg.str("FunctionArn"),
			"SnapStartResponse.ApplyOn":            snap.str("ApplyOn"),
			"SnapStartResponse.OptimizationStatus": snap.str("OptimizationStatus"),
		},
	}
}

func (function) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, functionKinds)
	name := r.PhysicalID
	if changed(old, p, "Code", "Architectures") || (p.obj("Code").has("ZipFile") && changed(old, p, "Runtime", "Handler")) {
		code, err := functionCode(p)
		if err != nil {
			return nil, err
		}
		in := map[string]any{"FunctionName": name}
		for k, v := range code { // ZipFile, S3Bucket and S3Key, or ImageUri
			in[k] = v
		}
		p.pick(in, "Architectures")
		if _, err := call(ctx, r, "lambda", "UpdateFunctionCode", in); err != nil {
			return nil, err
		}
	}
	cfg := map[string]any{}
	for _, s := range functionSettings {
		if !changed(old, p, s.name) {
			continue
		}
		if v, ok := p[s.name]; ok {
			cfg[s.name] = functionSetting(s.name, v)
		} else if s.reset != nil {
			cfg[s.name] = s.reset
		}
	}
	if len(cfg) > 0 {
		cfg["FunctionName"] = name
		if _, err := call(ctx, r, "lambda", "UpdateFunctionConfiguration", cfg); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "ReservedConcurrentExecutions") {
		op, in := "DeleteFunctionConcurrency", map[string]any{"FunctionName": name}
		if p.has("ReservedConcurrentExecutions") {
			op, in["ReservedConcurrentExecutions"] = "PutFunctionConcurrency", p["ReservedConcurrentExecutions"]
		}
		if _, err := call(ctx, r, "lambda", op, in); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "RecursiveLoop") {
		if err := putRecursiveLoop(ctx, r, name, p); err != nil {
			return nil, err
		}
	}
	out, err := call(ctx, r, "lambda", "GetFunction", map[string]any{"FunctionName": name})
	if err != nil {
		return nil, err
	}
	res := functionResult(asMap(out["Configuration"]))
	if err := retagFunction(ctx, r, res.Attributes["Arn"].(string), old, p); err != nil {
		return nil, err
	}
	return res, nil
}

func retagFunction(ctx context.Context, r *resource.Request, arn string, old, new props) error {
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(new["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "lambda", "UntagResource", map[string]any{"Resource": arn, "TagKeys": anyStrings(removed)}); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "lambda", "TagResource", map[string]any{"Resource": arn, "Tags": anyMap(set)}); err != nil {
			return err
		}
	}
	return nil
}

func (function) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "lambda", "DeleteFunction", map[string]any{"FunctionName": r.PhysicalID})
	return ignoreGone(err)
}
