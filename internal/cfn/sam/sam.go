package sam

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The SAM resource types.
const (
	typeFunction    = "AWS::Serverless::Function"
	typeAPI         = "AWS::Serverless::Api"
	typeHTTPAPI     = "AWS::Serverless::HttpApi"
	typeSimpleTable = "AWS::Serverless::SimpleTable"
	typeLayer       = "AWS::Serverless::LayerVersion"
)

// serverlessPrefix starts every SAM resource type.
const serverlessPrefix = "AWS::Serverless::"

// Options is what the transform needs from the stack it runs for.
type Options struct {
	// Region and AccountID are the stack's. Region decides the partition
	// of the managed policy ARNs the transform writes, as SAM does.
	Region, AccountID string
	// StackName is the stack's name, used where SAM resolves
	// AWS::StackName at transform time.
	StackName string
	// Parameters are the stack's parameter values. SAM resolves a few
	// properties while transforming because they name generated
	// resources (AutoPublishAlias; not an Api's StageName, which names
	// its stage only when written as text); a Ref to a
	// parameter there takes its value from here, or from the parameter's
	// Default when absent.
	Parameters map[string]string

	// Code turns a function's CodeUri into the Code property of its
	// AWS::Lambda::Function: the deploy command packages a local
	// directory or zip file and returns its S3 location. It may return
	// (nil, nil) for a value it leaves to the transform, which reads an
	// S3 URI ("s3://bucket/key?versionId=v") or an S3 object
	// ({Bucket, Key, Version}) itself. When Code is nil, only those are
	// accepted.
	Code func(logicalID string, codeURI any) (map[string]any, error)
	// LayerContent does the same for a layer's ContentUri, returning the
	// Content property of its AWS::Lambda::LayerVersion.
	LayerContent func(logicalID string, contentURI any) (map[string]any, error)
	// Definition reads an API's local DefinitionUri and returns the
	// OpenAPI document it names. When it is nil, or returns (nil, nil),
	// only S3 locations are accepted and become BodyS3Location.
	Definition func(logicalID string, definitionURI any) (map[string]any, error)
}

// Transform applies the AWS::Serverless-2016-10-31 transform to a
// template tree (template.Template.Tree) and returns the CloudFormation
// template it stands for, with Globals merged and removed and the SAM
// transform removed from Transform (other transforms, if any, are kept
// in order). The input is not modified.
//
// Warnings name what the template asks for and virga does not build yet
// (an S3 event source, a DeploymentPreference, a policy template virga
// has no statements for): the transform goes on without it, as the
// warning says. A template SAM would reject gives an *Error.
func Transform(tree map[string]any, opts Options) (map[string]any, []string, error) {
	t := &transformer{
		opts:       opts,
		partition:  partitionOf(opts.Region),
		tree:       tree,
		out:        map[string]any{},
		samTypes:   map[string]string{},
		refs:       map[string]string{},
		renames:    map[string]string{},
		literals:   map[string]string{},
		conditions: map[string]any{},
		restAPIs:   map[string]*restAPI{},
		httpAPIs:   map[string]*httpAPI{},
	}
	return t.run()
}

// transformer holds one run of Transform.
type transformer struct {
	opts      Options
	partition string
	tree      map[string]any // the input; never modified
	globals   globals

	// out is the Resources section being built.
	out map[string]any
	// samTypes maps the template's SAM resources to their types.
	samTypes map[string]string
	// refs maps SAM's referenceable properties ("MyFunction.Alias",
	// "MyApi.Stage") to the logical ID of the resource they stand for.
	refs map[string]string
	// renames maps a resource whose logical ID the transform changes (a
	// layer version) to its new ID; references to it follow.
	renames map[string]string
	// literals maps the names of resources SAM would generate but virga
	// does not (ServerlessDeploymentApplication) to the value a Ref to
	// them gives; references to them become that text.
	literals map[string]string
	// conditions are the conditions the transform adds to the
	// template's, by name.
	conditions map[string]any
	// restAPIs and httpAPIs are the APIs being built, explicit and
	// implicit, by logical ID.
	restAPIs map[string]*restAPI
	// shared is the usage plan of the REST APIs with CreateUsagePlan
	// SHARED, or nil.
	shared   *sharedPlan
	httpAPIs map[string]*httpAPI

	// generated lists the resources generated for each SAM resource
	// (and implicit API), by its logical ID, in the order added.
	generated map[string][]string

	problems []*invalid
	warnings []string
}

func (t *transformer) run() (map[string]any, []string, error) {
	resources, ok := t.tree["Resources"].(map[string]any)
	if !ok || len(resources) == 0 {
		t.fail(structureError("'Resources' section is required"))
		return nil, nil, t.err()
	}
	g, err := parseGlobals(t.tree["Globals"])
	if err != nil {
		t.fail(err)
		return nil, nil, t.err()
	}
	t.globals = g

	ids := sortedKeys(resources)
	for _, id := range ids {
		r, _ := resources[id].(map[string]any)
		typ, _ := r["Type"].(string)
		if strings.HasPrefix(typ, serverlessPrefix) {
			t.samTypes[id] = typ
			continue
		}
		// Resources that are plain CloudFormation pass through, but for
		// the Connectors attribute, which the transform consumes.
		out := clone(resources[id])
		if m, ok := out.(map[string]any); ok {
			delete(m, "Connectors")
		}
		t.out[id] = out
	}

	// APIs first, so that function events can add their routes; layers
	// before functions, so that their new IDs are known.
	for _, id := range ids {
		switch t.samTypes[id] {
		case typeAPI:
			t.fail(t.declareRestAPI(id, resources[id].(map[string]any)))
		case typeHTTPAPI:
			t.fail(t.declareHTTPAPI(id, resources[id].(map[string]any)))
		case typeLayer:
			t.fail(t.layer(id, resources[id].(map[string]any)))
		}
	}
	for _, id := range ids {
		r, _ := resources[id].(map[string]any)
		switch typ := t.samTypes[id]; typ {
		case "", typeAPI, typeHTTPAPI, typeLayer:
		case typeFunction:
			t.fail(t.function(id, r))
		case typeSimpleTable:
			t.fail(t.simpleTable(id, r))
		case typeApplication:
			t.fail(t.application(id, r))
		case typeConnector:
			t.fail(t.connectorResource(id, r))
		case typeStateMachine:
			t.fail(t.stateMachine(id, r))
		default:
			t.fail(notSupported(id, "Resource type %s is not supported by virga.", typ))
		}
	}
	for _, id := range ids {
		if r, ok := resources[id].(map[string]any); ok && r["Connectors"] != nil {
			t.fail(t.embeddedConnectors(id, r["Connectors"]))
		}
	}
	for _, id := range sortedKeys(t.restAPIs) {
		t.fail(t.emitRestAPI(t.restAPIs[id]))
	}
	t.fail(t.emitSharedUsagePlan())
	for _, id := range sortedKeys(t.httpAPIs) {
		t.fail(t.emitHTTPAPI(t.httpAPIs[id]))
	}
	if len(t.problems) > 0 {
		return nil, nil, t.err()
	}

	out := map[string]any{}
	for k, v := range t.tree {
		switch k {
		case "Globals", "Resources":
		case "Transform":
			if rest := otherTransforms(v); rest != nil {
				out[k] = rest
			}
		default:
			out[k] = clone(v)
		}
	}
	out["Resources"] = t.out
	if len(t.conditions) > 0 {
		conds, _ := out["Conditions"].(map[string]any)
		if conds == nil {
			conds = map[string]any{}
		}
		for name, c := range t.conditions {
			conds[name] = c
		}
		out["Conditions"] = conds
	}
	for _, id := range sortedKeys(t.out) {
		if r, ok := t.out[id].(map[string]any); ok {
			t.rewriteDependsOn(r)
		}
	}
	for k, v := range out {
		if k == "Resources" || k == "Outputs" {
			out[k] = t.rewrite(v)
		}
	}
	return out, t.warnings, nil
}

// otherTransforms is the Transform section without SAM's, or nil when
// nothing is left.
func otherTransforms(v any) any {
	if s, ok := v.(string); ok && s != TransformName {
		return s
	}
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	var rest []any
	for _, tr := range list {
		if tr != TransformName {
			rest = append(rest, tr)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return rest
}

// fail records err, if any, as a problem with the template.
func (t *transformer) fail(err error) {
	if err == nil {
		return
	}
	var inv *invalid
	if !errors.As(err, &inv) {
		inv = &invalid{msg: err.Error()}
	}
	t.problems = append(t.problems, inv)
}

// err is the *Error for the problems found.
func (t *transformer) err() error {
	e := &Error{}
	for _, p := range t.problems {
		e.Problems = append(e.Problems, p.msg)
		e.notSupported = e.notSupported || p.notSupported
	}
	return e
}

// warn records something the transform skipped.
func (t *transformer) warn(id, format string, args ...any) {
	t.warnings = append(t.warnings, id+": "+fmt.Sprintf(format, args...))
}

// add puts a generated resource into the output.
func (t *transformer) add(owner, id string, r map[string]any) error {
	if _, taken := t.out[id]; taken {
		return resourceError(owner, "The generated resource id [%s] is already used by another resource in the template.", id)
	}
	t.out[id] = r
	if t.generated == nil {
		t.generated = map[string][]string{}
	}
	t.generated[owner] = append(t.generated[owner], id)
	return nil
}

// propagatedTagTypes are the generated resource types whose Tags
// PropagateTags sets: those SAM's translator models with a Tags property
// (of the types virga generates). Rules, schedules, permissions,
// deployments, versions and aliases carry none.
var propagatedTagTypes = set("AWS::IAM::Role", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::StepFunctions::StateMachine",
	"AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage",
	"AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::DomainName")

// propagateTags is PropagateTags: the template's tags replace the Tags
// of every resource generated for owner that has them (SAM's own tag,
// such as stateMachine:createdBy, included, as AWS's translator
// replaces it too). Without tags nothing changes.
func (t *transformer) propagateTags(owner string, tags map[string]any) {
	if len(tags) == 0 {
		return
	}
	for _, id := range t.generated[owner] {
		r := asMap(t.out[id])
		if typ, _ := r["Type"].(string); !propagatedTagTypes[typ] {
			continue
		}
		props := asMap(r["Properties"])
		if props == nil {
			props = map[string]any{}
			r["Properties"] = props
		}
		props["Tags"] = tagList(nil, cloneMap(tags))
	}
}

// tagImplicitAPIs gives the tags of a resource whose PropagateTags is
// set to the implicit APIs its events use (Api events without a
// RestApiId, HttpApi events without an ApiId), as SAM's implicit API
// plugin does: the REST API then propagates them to its own resources,
// and the HTTP API tags itself and its stage with them.
func (t *transformer) tagImplicitAPIs(events, tags map[string]any) {
	merge := func(props map[string]any) {
		merged := cloneMap(asMap(props["Tags"]))
		if merged == nil {
			merged = map[string]any{}
		}
		for k, v := range tags {
			merged[k] = clone(v)
		}
		props["Tags"] = merged
	}
	for _, name := range sortedKeys(events) {
		ev := asMap(events[name])
		p := asMap(ev["Properties"])
		if _, named := p["RestApiId"]; ev["Type"] == "Api" && !named {
			if api := t.restAPIs[implicitRestAPI]; api != nil {
				merge(api.props)
				api.props["PropagateTags"] = true
			}
		}
		if _, named := p["ApiId"]; ev["Type"] == "HttpApi" && !named {
			if api := t.httpAPIs[implicitHTTPAPI]; api != nil {
				merge(api.props)
			}
		}
	}
}

// attributes are the resource attributes SAM passes from a SAM resource
// to the resources generated for it.
type attributes struct {
	condition, deletionPolicy, updateReplacePolicy any
}

// attributesOf reads the attributes of a SAM resource.
func attributesOf(r map[string]any) attributes {
	return attributes{
		condition:           r["Condition"],
		deletionPolicy:      r["DeletionPolicy"],
		updateReplacePolicy: r["UpdateReplacePolicy"],
	}
}

// resource builds a CloudFormation resource with the attributes of the
// SAM resource it was generated for.
func (a attributes) resource(typ string, props map[string]any) map[string]any {
	r := map[string]any{"Type": typ, "Properties": props}
	if a.condition != nil {
		r["Condition"] = clone(a.condition)
	}
	if a.deletionPolicy != nil {
		r["DeletionPolicy"] = clone(a.deletionPolicy)
	}
	if a.updateReplacePolicy != nil {
		r["UpdateReplacePolicy"] = clone(a.updateReplacePolicy)
	}
	return r
}

// conditionName is the resource's condition when it is a plain name.
func (a attributes) conditionName() string {
	s, _ := a.condition.(string)
	return s
}

// mainResource builds the resource that takes a SAM resource's place
// (the function, the table): it also carries DependsOn and Metadata.
func (a attributes) mainResource(raw map[string]any, typ string, props map[string]any) map[string]any {
	r := a.resource(typ, props)
	if d, ok := raw["DependsOn"]; ok {
		r["DependsOn"] = clone(d)
	}
	if m, ok := raw["Metadata"]; ok {
		r["Metadata"] = clone(m)
	}
	return r
}

// properties returns a SAM resource's Properties after checking that each
// is one its type defines.
func properties(id, typ string, raw map[string]any) (map[string]any, error) {
	v, ok := raw["Properties"]
	if !ok || v == nil {
		return map[string]any{}, nil
	}
	props, ok := v.(map[string]any)
	if !ok || isIntrinsic(v) {
		return nil, resourceError(id, "Properties of a resource must be an object.")
	}
	if err := checkProperties(id, typ, props, resourceProperties[typ]); err != nil {
		return nil, err
	}
	return props, nil
}

// checkProperties reports the first property, in name order, that known
// does not list.
func checkProperties(id, typ string, props map[string]any, known map[string]bool) error {
	for _, k := range sortedKeys(props) {
		if !known[k] {
			return unknownProperty(id, k, typ)
		}
	}
	return nil
}

// resolve returns the text a value has at transform time: a scalar, or a
// Ref to a parameter or pseudo parameter. Anything else is unknown until
// the stack is deployed.
func (t *transformer) resolve(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		return strconv.FormatBool(v), true
	case map[string]any:
		name, ok := v["Ref"].(string)
		if !ok || len(v) != 1 {
			return "", false
		}
		switch name {
		case "AWS::Region":
			return t.opts.Region, t.opts.Region != ""
		case "AWS::AccountId":
			return t.opts.AccountID, t.opts.AccountID != ""
		case "AWS::StackName":
			return t.opts.StackName, t.opts.StackName != ""
		case "AWS::Partition":
			return t.partition, true
		}
		if s, ok := t.opts.Parameters[name]; ok {
			return s, true
		}
		params, _ := t.tree["Parameters"].(map[string]any)
		if p, ok := params[name].(map[string]any); ok {
			switch d := p["Default"].(type) {
			case string:
				return d, true
			case json.Number:
				return string(d), true
			case bool:
				return strconv.FormatBool(d), true
			}
		}
	}
	return "", false
}

// refTarget returns the logical ID a value refers to: "X" or
// {"Ref": "X"}.
func refTarget(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, v != ""
	case map[string]any:
		s, ok := v["Ref"].(string)
		return s, ok && len(v) == 1
	}
	return "", false
}
