package providers

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// The resources that say who invokes a function and how: permissions,
// function URLs, event source mappings and asynchronous invocation
// settings.

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::Lambda::Permission",
		Required:   []string{"FunctionName", "Action", "Principal"},
		Provider:   permission{},
		Replace:    []string{"*"}, // every property is create-only
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Lambda::Url",
		Required:   []string{"TargetFunctionArn", "AuthType"},
		Provider:   functionURL{},
		Replace:    []string{"TargetFunctionArn", "Qualifier"},
		Attributes: []string{"FunctionUrl", "FunctionArn"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::Lambda::EventSourceMapping",
		Required: []string{"FunctionName"},
		Provider: eventSourceMapping{},
		// The schema's create-only properties, and Queues and Topics,
		// which UpdateEventSourceMapping cannot change either.
		Replace: []string{"EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "SelfManagedEventSource",
			"AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig", "Queues", "Topics"},
		Attributes: []string{"Id", "EventSourceMappingArn"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Lambda::EventInvokeConfig",
		Required:   []string{"FunctionName", "Qualifier"},
		Provider:   eventInvokeConfig{},
		Replace:    []string{"FunctionName", "Qualifier"},
		Attributes: []string{},
	})
}

// permission is AWS::Lambda::Permission: AddPermission with a statement
// id CloudFormation makes (STACK-LOGICALID-RANDOM), which is the
// permission's physical ID and its Id attribute.
type permission struct{}

var permissionKinds = map[string]kind{"InvokedViaFunctionUrl": boolean}

func (permission) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, permissionKinds)
	id := physicalName(r, maxStatementID)
	in := p.pick(map[string]any{"StatementId": id},
		"FunctionName", "Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken",
		"PrincipalOrgID", "FunctionUrlAuthType", "InvokedViaFunctionUrl")
	if _, err := call(ctx, r, "lambda", "AddPermission", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

// Update has nothing to change: every property replaces the permission.
func (permission) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (permission) Delete(ctx context.Context, r *resource.Request) error {
	if r.PhysicalID == "" {
		return nil
	}
	in := map[string]any{"FunctionName": props(r.Properties).str("FunctionName"), "StatementId": r.PhysicalID}
	// A qualified function ARN names the version or alias whose policy
	// holds the statement.
	if fn, q, ok := splitQualifiedARN(in["FunctionName"].(string)); ok {
		in["FunctionName"], in["Qualifier"] = fn, q
	}
	_, err := call(ctx, r, "lambda", "RemovePermission", in)
	return ignoreGone(err)
}

// functionURL is AWS::Lambda::Url: CreateFunctionUrlConfig and
// UpdateFunctionUrlConfig. Its physical ID and Ref are the ARN of the
// function (qualified when Qualifier is set) the URL invokes.
type functionURL struct{}

var urlKinds = map[string]kind{"MaxAge": number, "AllowCredentials": boolean}

func (functionURL) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, urlKinds)
	in := p.pick(map[string]any{"FunctionName": p.str("TargetFunctionArn")}, "Qualifier", "AuthType", "Cors", "InvokeMode")
	out, err := call(ctx, r, "lambda", "CreateFunctionUrlConfig", in)
	if err != nil {
		return nil, err
	}
	return urlResult(out), nil
}

func urlResult(out map[string]any) *resource.Result {
	arn := outStr(out, "FunctionArn")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"FunctionArn": arn, "FunctionUrl": outStr(out, "FunctionUrl")}}
}

func (functionURL) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, urlKinds)
	in := p.pick(map[string]any{"FunctionName": p.str("TargetFunctionArn"), "Cors": map[string]any{}}, "Qualifier", "AuthType", "Cors", "InvokeMode")
	out, err := call(ctx, r, "lambda", "UpdateFunctionUrlConfig", in)
	if err != nil {
		return nil, err
	}
	return urlResult(out), nil
}

func (functionURL) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	in := p.pick(map[string]any{"FunctionName": p.str("TargetFunctionArn")}, "Qualifier")
	_, err := call(ctx, r, "lambda", "DeleteFunctionUrlConfig", in)
	return ignoreGone(err)
}

// eventSourceMapping is AWS::Lambda::EventSourceMapping:
// CreateEventSourceMapping, UpdateEventSourceMapping and
// DeleteEventSourceMapping. Its physical ID and Ref are the mapping's
// UUID.
type eventSourceMapping struct{}

var mappingKinds = map[string]kind{
	"BatchSize": number, "MaximumBatchingWindowInSeconds": number, "ParallelizationFactor": number,
	"MaximumRecordAgeInSeconds": number, "MaximumRetryAttempts": number, "TumblingWindowInSeconds": number,
	"MaximumConcurrency": number, "StartingPositionTimestamp": number, "MinimumPollers": number, "MaximumPollers": number,
	"Enabled": boolean, "BisectBatchOnFunctionError": boolean,
}

// mappingSettings are the properties UpdateEventSourceMapping takes.
var mappingSettings = []string{
	"FunctionName", "Enabled", "BatchSize", "FilterCriteria", "MaximumBatchingWindowInSeconds", "DestinationConfig",
	"MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "ParallelizationFactor",
	"SourceAccessConfigurations", "TumblingWindowInSeconds", "FunctionResponseTypes", "ScalingConfig",
	"DocumentDBEventSourceConfig", "KmsKeyArn", "MetricsConfig", "ProvisionedPollerConfig",
}

func (eventSourceMapping) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, mappingKinds)
	in := p.pick(map[string]any{}, mappingSettings...)
	p.pick(in, "EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "Topics", "Queues",
		"AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig")
	if src := p.obj("SelfManagedEventSource"); src != nil {
		// CloudFormation names the endpoints' key KafkaBootstrapServers;
		// the API, KAFKA_BOOTSTRAP_SERVERS.
		in["SelfManagedEventSource"] = map[string]any{"Endpoints": map[string]any{
			"KAFKA_BOOTSTRAP_SERVERS": src.obj("Endpoints")["KafkaBootstrapServers"],
		}}
	}
	out, err := call(ctx, r, "lambda", "CreateEventSourceMapping", in)
	if err != nil {
		return nil, err
	}
	return mappingResult(out), nil
}

func mappingResult(out map[string]any) *resource.Result {
	id := outStr(out, "UUID")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id, "EventSourceMappingArn": outStr(out, "EventSourceMappingArn")}}
}

func (eventSourceMapping) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, mappingKinds)
	in := p.pick(map[string]any{"UUID": r.PhysicalID}, mappingSettings...)
	// Dropped settings go back to their defaults where the API has a way
	// to say so.
	if old.has("FilterCriteria") && !p.has("FilterCriteria") {
		in["FilterCriteria"] = map[string]any{"Filters": []any{}}
	}
	if old.has("Enabled") && !p.has("Enabled") {
		in["Enabled"] = true
	}
	if old.has("DestinationConfig") && !p.has("DestinationConfig") {
		in["DestinationConfig"] = map[string]any{"OnFailure": map[string]any{"Destination": ""}}
	}
	if old.has("FunctionResponseTypes") && !p.has("FunctionResponseTypes") {
		in["FunctionResponseTypes"] = []any{}
	}
	out, err := call(ctx, r, "lambda", "UpdateEventSourceMapping", in)
	if err != nil {
		return nil, err
	}
	return mappingResult(out), nil
}

func (eventSourceMapping) Delete(ctx context.Context, r *resource.Request) error {
	if r.PhysicalID == "" {
		return nil
	}
	_, err := call(ctx, r, "lambda", "DeleteEventSourceMapping", map[string]any{"UUID": r.PhysicalID})
	return ignoreGone(err)
}

// eventInvokeConfig is AWS::Lambda::EventInvokeConfig:
// PutFunctionEventInvokeConfig (which replaces the whole configuration,
// for updates too) and DeleteFunctionEventInvokeConfig. Its physical ID
// is FUNCTION|QUALIFIER, its schema's two identifiers.
type eventInvokeConfig struct{}

var invokeConfigKinds = map[string]kind{"MaximumRetryAttempts": number, "MaximumEventAgeInSeconds": number}

func (c eventInvokeConfig) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	look := lookup{service: "lambda", op: "GetFunctionEventInvokeConfig", in: p.pick(map[string]any{}, "FunctionName", "Qualifier")}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, invokeConfigID(p))); err != nil {
		return nil, err
	}
	return c.put(ctx, r)
}

// put puts the whole configuration, for Create and Update alike.
func (eventInvokeConfig) put(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, invokeConfigKinds)
	in := p.pick(map[string]any{}, "FunctionName", "Qualifier", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
	if _, err := call(ctx, r, "lambda", "PutFunctionEventInvokeConfig", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: invokeConfigID(p), Attributes: map[string]any{}}, nil
}

// invokeConfigID is an event invoke configuration's physical ID.
func invokeConfigID(p props) string {
	return p.str("FunctionName") + "|" + p.str("Qualifier")
}

func (c eventInvokeConfig) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return c.put(ctx, r)
}

func (eventInvokeConfig) Delete(ctx context.Context, r *resource.Request) error {
	fn, qualifier, ok := strings.Cut(r.PhysicalID, "|")
	if !ok {
		return nil
	}
	in := map[string]any{"FunctionName": fn}
	if qualifier != "" {
		in["Qualifier"] = qualifier
	}
	_, err := call(ctx, r, "lambda", "DeleteFunctionEventInvokeConfig", in)
	return ignoreGone(err)
}
