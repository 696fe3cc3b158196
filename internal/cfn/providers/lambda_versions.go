package providers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Lambda::Version",
		Required: []string{"FunctionName"},
		Provider: version{},
		// A version is a snapshot: none of these can change ("Updates are
		// not supported for this property").
		Replace:    []string{"FunctionName", "CodeSha256", "Description", "ProvisionedConcurrencyConfig", "RuntimePolicy"},
		Attributes: []string{"Version", "FunctionArn"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Lambda::Alias",
		Required:   []string{"FunctionName", "FunctionVersion", "Name"},
		Provider:   alias{},
		Replace:    []string{"FunctionName", "Name"},
		Attributes: []string{"AliasArn"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Lambda::LayerVersion",
		Required:   []string{"Content"},
		Provider:   layerVersion{},
		Replace:    []string{"*"}, // every property is create-only: a layer version is immutable
		Attributes: []string{"LayerVersionArn"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Lambda::LayerVersionPermission",
		Required:   []string{"LayerVersionArn", "Action", "Principal"},
		Provider:   layerVersionPermission{},
		Replace:    []string{"*"}, // every property is create-only
		Attributes: []string{"Id"},
	})
}

// version is AWS::Lambda::Version: PublishVersion, and
// PutProvisionedConcurrencyConfig for its ProvisionedConcurrencyConfig
// (the resource is ready once the environments are). Its physical ID and
// Ref are the version's ARN.
type version struct{}

var provisionedKinds = map[string]kind{"ProvisionedConcurrentExecutions": number}

func (version) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, provisionedKinds)
	in := p.pick(map[string]any{}, "FunctionName", "CodeSha256", "Description")
	out, err := call(ctx, r, "lambda", "PublishVersion", in)
	if err != nil {
		return nil, err
	}
	arn := outStr(out, "FunctionArn")
	res := &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Version": outStr(out, "Version"), "FunctionArn": arn}}
	if err := provisionedConcurrency(ctx, r, arn, p.obj("ProvisionedConcurrencyConfig")); err != nil {
		return res, err // published: the rollback deletes it
	}
	return res, nil
}

// Update has nothing to change: every property that matters replaces
// the version.
func (version) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (version) Delete(ctx context.Context, r *resource.Request) error {
	fn, qualifier, ok := splitQualifiedARN(r.PhysicalID)
	if !ok {
		return nil // never published
	}
	_, err := call(ctx, r, "lambda", "DeleteFunction", map[string]any{"FunctionName": fn, "Qualifier": qualifier})
	return ignoreGone(err)
}

// splitQualifiedARN splits a version's or alias's ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER) into the
// function's ARN and the qualifier.
func splitQualifiedARN(arn string) (fn, qualifier string, ok bool) {
	if strings.Count(arn, ":") != 7 {
		return "", "", false
	}
	i := strings.LastIndex(arn, ":")
	return arn[:i], arn[i+1:], true
}

// provisionedConcurrency applies a ProvisionedConcurrencyConfig to the
// version or alias with the given ARN and waits until its environments
// are READY, as CloudFormation does; without one (an update that
// removed it) the configuration is deleted.
func provisionedConcurrency(ctx context.Context, r *resource.Request, arn string, pc props) error {
	fn, qualifier, ok := splitQualifiedARN(arn)
	if !ok {
		return fmt.Errorf("%q is not a version or alias ARN", arn)
	}
	target := map[string]any{"FunctionName": fn, "Qualifier": qualifier}
	if pc == nil {
		_, err := call(ctx, r, "lambda", "DeleteProvisionedConcurrencyConfig", target)
		return ignoreGone(err)
	}
	in := map[string]any{"FunctionName": fn, "Qualifier": qualifier, "ProvisionedConcurrentExecutions": pc["ProvisionedConcurrentExecutions"]}
	if _, err := call(ctx, r, "lambda", "PutProvisionedConcurrencyConfig", in); err != nil {
		return err
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(provisionedWait)
	for {
		out, err := call(ctx, r, "lambda", "GetProvisionedConcurrencyConfig", target)
		if err != nil {
			return err
		}
		switch outStr(out, "Status") {
		case "READY":
			return nil
		case "FAILED":
			return fmt.Errorf("provisioned concurrency of %s failed: %s", arn, outStr(out, "StatusReason"))
		}
		select {
		case <-tick.C:
		case <-deadline:
			return fmt.Errorf("provisioned concurrency of %s not ready after %v", arn, provisionedWait)
		case <-resource.Waits(ctx).Done():
			return resource.Waits(ctx).Err()
		}
	}
}

// provisionedWait bounds the wait for provisioned environments, each of
// which has Lambda's 10 s init limit (or the function's timeout).
const provisionedWait = 15 * time.Minute

// alias is AWS::Lambda::Alias: CreateAlias, UpdateAlias, DeleteAlias,
// and its ProvisionedConcurrencyConfig as for versions (an update puts,
// changes or deletes it). Its physical ID and Ref are the alias's ARN.
type alias struct{}

var aliasKinds = map[string]kind{"FunctionWeight": number, "ProvisionedConcurrentExecutions": number}

func (alias) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, aliasKinds)
	in := p.pick(map[string]any{}, "FunctionName", "Name", "FunctionVersion", "Description")
	if rc := p.obj("RoutingConfig"); rc != nil {
		in["RoutingConfig"] = routingConfig(rc)
	}
	out, err := call(ctx, r, "lambda", "CreateAlias", in)
	if err != nil {
		return nil, err
	}
	arn := outStr(out, "AliasArn")
	res := &resource.Result{PhysicalID: arn, Attributes: map[string]any{"AliasArn": arn}}
	if pc := p.obj("ProvisionedConcurrencyConfig"); pc != nil {
		if err := provisionedConcurrency(ctx, r, arn, pc); err != nil {
			return res, err // created: the rollback deletes it
		}
	}
	return res, nil
}

// routingConfig is the API's AliasRoutingConfiguration for
// CloudFormation's, which lists the weights as
// [{FunctionVersion, FunctionWeight}] where the API takes a map.
func routingConfig(rc props) map[string]any {
	weights := map[string]any{}
	for _, e := range rc.list("AdditionalVersionWeights") {
		w := props(asMap(e))
		weights[w.str("FunctionVersion")] = w["FunctionWeight"]
	}
	return map[string]any{"AdditionalVersionWeights": weights}
}

func (alias) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, aliasKinds)
	in := p.pick(map[string]any{}, "FunctionName", "Name", "FunctionVersion")
	in["Description"] = p.str("Description")
	in["RoutingConfig"] = routingConfig(p.obj("RoutingConfig"))
	if _, err := call(ctx, r, "lambda", "UpdateAlias", in); err != nil {
		return nil, err
	}
	if err := provisionedConcurrency(ctx, r, r.PhysicalID, p.obj("ProvisionedConcurrencyConfig")); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"AliasArn": r.PhysicalID}}, nil
}

func (alias) Delete(ctx context.Context, r *resource.Request) error {
	fn, name, ok := splitQualifiedARN(r.PhysicalID)
	if !ok {
		return nil
	}
	_, err := call(ctx, r, "lambda", "DeleteAlias", map[string]any{"FunctionName": fn, "Name": name})
	return ignoreGone(err)
}

// layerVersion is AWS::Lambda::LayerVersion: PublishLayerVersion, with
// its content from Content.ZipFileBytes (see the package documentation).
// Its physical ID and Ref are the layer version's ARN. A template that
// does not name the layer gets a generated name.
type layerVersion struct{}

func (layerVersion) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	content, err := layerContent(p)
	if err != nil {
		return nil, err
	}
	name := p.str("LayerName")
	if name == "" {
		name = physicalName(r, maxLayerName)
	}
	in := p.pick(map[string]any{"LayerName": name, "Content": content},
		"Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")
	out, err := call(ctx, r, "lambda", "PublishLayerVersion", in)
	if err != nil {
		return nil, err
	}
	arn := outStr(out, "LayerVersionArn")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"LayerVersionArn": arn}}, nil
}

func (layerVersion) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (layerVersion) Delete(ctx context.Context, r *resource.Request) error {
	// arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION
	if _, _, ok := splitQualifiedARN(r.PhysicalID); !ok {
		return nil
	}
	layer, n, err := splitLayerVersionARN(r.PhysicalID)
	if err != nil {
		return fmt.Errorf("AWS::Lambda::LayerVersion: %w", err)
	}
	_, err = call(ctx, r, "lambda", "DeleteLayerVersion", map[string]any{"LayerName": layer, "VersionNumber": n})
	return ignoreGone(err)
}

// layerVersionPermission is AWS::Lambda::LayerVersionPermission:
// AddLayerVersionPermission with a statement id CloudFormation makes
// (STACK-LOGICALID-RANDOM). Its physical ID, Ref and Id are the layer
// version's ARN and the statement id joined by "#", as the type's schema
// identifies it.
type layerVersionPermission struct{}

func (layerVersionPermission) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	arn := p.str("LayerVersionArn")
	layer, n, err := splitLayerVersionARN(arn)
	if err != nil {
		return nil, err
	}
	sid := physicalName(r, maxStatementID)
	in := p.pick(map[string]any{"LayerName": layer, "VersionNumber": n, "StatementId": sid}, "Action", "Principal", "OrganizationId")
	if _, err := call(ctx, r, "lambda", "AddLayerVersionPermission", in); err != nil {
		return nil, err
	}
	id := arn + "#" + sid
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

// Update has nothing to change: every property replaces the permission.
func (layerVersionPermission) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (layerVersionPermission) Delete(ctx context.Context, r *resource.Request) error {
	arn, sid, ok := strings.Cut(r.PhysicalID, "#")
	if !ok {
		return nil
	}
	layer, n, err := splitLayerVersionARN(arn)
	if err != nil {
		return err
	}
	_, err = call(ctx, r, "lambda", "RemoveLayerVersionPermission", map[string]any{"LayerName": layer, "VersionNumber": n, "StatementId": sid})
	return ignoreGone(err)
}

// splitLayerVersionARN splits arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION
// into the layer's ARN and the version number.
func splitLayerVersionARN(arn string) (string, int64, error) {
	layer, number, ok := splitQualifiedARN(arn)
	var n int64
	if ok {
		_, err := fmt.Sscan(number, &n)
		ok = err == nil
	}
	if !ok {
		return "", 0, fmt.Errorf("%q is not a layer version ARN", arn)
	}
	return layer, n, nil
}
