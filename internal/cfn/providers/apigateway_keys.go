package providers

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// API keys and usage plans of REST APIs: AWS::ApiGateway::ApiKey,
// AWS::ApiGateway::UsagePlan and AWS::ApiGateway::UsagePlanKey, which
// SAM's Auth.UsagePlan makes. A method that requires an API key takes
// the keys of the usage plans that name its stage. And the API's
// customized gateway responses, AWS::ApiGateway::GatewayResponse.

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::UsagePlan",
		Provider:   usagePlan{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::ApiKey",
		Provider:   apiKey{},
		Replace:    []string{"GenerateDistinctId", "Name", "Value", "StageKeys", "Tags"},
		Attributes: []string{"APIKeyId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::GatewayResponse",
		Required:   []string{"ResponseType", "RestApiId"},
		Provider:   gatewayResponse{},
		Replace:    []string{"RestApiId", "ResponseType"},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::UsagePlanKey",
		Required:   []string{"KeyType", "UsagePlanId", "KeyId"},
		Provider:   usagePlanKey{},
		Replace:    []string{"KeyId", "KeyType", "UsagePlanId"},
		Attributes: []string{"Id"},
	})
}

// usagePlanKinds are the usage plan members that are numbers or flags.
var usagePlanKinds = map[string]kind{
	"Limit": number, "Offset": number, "BurstLimit": number, "RateLimit": number,
	"Enabled": boolean, "GenerateDistinctId": boolean,
}

// apiKey is AWS::ApiGateway::ApiKey: CreateApiKey, and UpdateApiKey's
// patches for its description, customer and whether it is enabled. Its
// physical ID and Ref are the key's id. A key the template does not name
// is named after the stack, as CloudFormation names it.
type apiKey struct{}

func (apiKey) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, usagePlanKinds)
	in := map[string]any{"enabled": p.flag("Enabled")}
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxRecordedID)
	}
	in["name"] = name
	for prop, member := range map[string]string{"Description": "description", "CustomerId": "customerId", "Value": "value"} {
		if p.has(prop) {
			in[member] = p.str(prop)
		}
	}
	var stageKeys []any
	for _, e := range p.list("StageKeys") {
		sk := props(asMap(e))
		stageKeys = append(stageKeys, map[string]any{"restApiId": sk.str("RestApiId"), "stageName": sk.str("StageName")})
	}
	if len(stageKeys) > 0 {
		in["stageKeys"] = stageKeys
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, restAPIs, "CreateApiKey", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"APIKeyId": id}}, nil
}

func (apiKey) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, usagePlanKinds)
	var ops []any
	for _, m := range []struct{ prop, path string }{{"Description", "/description"}, {"CustomerId", "/customerId"}} {
		if changed(old, p, m.prop) {
			ops = append(ops, replaceOp(m.path, p.str(m.prop)))
		}
	}
	if changed(old, p, "Enabled") {
		ops = append(ops, replaceOp("/enabled", fmt.Sprint(p.flag("Enabled"))))
	}
	if len(ops) > 0 {
		if _, err := call(ctx, r, restAPIs, "UpdateApiKey", map[string]any{"apiKey": r.PhysicalID, "patchOperations": ops}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"APIKeyId": r.PhysicalID}}, nil
}

func (apiKey) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteApiKey", map[string]any{"apiKey": r.PhysicalID})
	return ignoreGone(err)
}

// usagePlan is AWS::ApiGateway::UsagePlan: CreateUsagePlan, and
// UpdateUsagePlan's patches for its name, description, stages, throttle
// and quota. Its physical ID and Ref are the plan's id.
type usagePlan struct{}

// usagePlanStages are a plan's ApiStages as CreateUsagePlan takes them.
func usagePlanStages(p props) []any {
	var out []any
	for _, e := range p.list("ApiStages") {
		as := props(asMap(e))
		stage := map[string]any{"apiId": as.str("ApiId"), "stage": as.str("Stage")}
		if th := asMap(as["Throttle"]); th != nil {
			per := map[string]any{}
			for path, t := range th {
				per[path] = throttleMembers(props(asMap(t)))
			}
			stage["throttle"] = per
		}
		out = append(out, stage)
	}
	return out
}

// stageThrottlePatches are the UpdateUsagePlan operations that set a
// plan's throttle for each method of one of its stages ("API:STAGE"):
// /apiStages/API:STAGE/throttle/{resourcePath}/{httpMethod}/rateLimit,
// the resource path's slashes escaped as ~1.
func stageThrottlePatches(stage string, throttle map[string]any) []any {
	var ops []any
	for _, method := range sortedKeys(throttle) {
		i := strings.LastIndex(method, "/")
		if i < 0 {
			continue
		}
		base := "/apiStages/" + escapePointer(stage) + "/throttle/" + escapePointer(method[:i]) + "/" + method[i+1:]
		t := props(asMap(throttle[method]))
		if t.has("RateLimit") {
			ops = append(ops, replaceOp(base+"/rateLimit", t.str("RateLimit")))
		}
		if t.has("BurstLimit") {
			ops = append(ops, replaceOp(base+"/burstLimit", t.str("BurstLimit")))
		}
	}
	return ops
}

func throttleMembers(t props) map[string]any {
	out := map[string]any{}
	if t.has("BurstLimit") {
		out["burstLimit"] = t["BurstLimit"]
	}
	if t.has("RateLimit") {
		out["rateLimit"] = t["RateLimit"]
	}
	return out
}

func quotaMembers(q props) map[string]any {
	out := map[string]any{}
	for prop, member := range map[string]string{"Limit": "limit", "Offset": "offset", "Period": "period"} {
		if q.has(prop) {
			out[member] = q[prop]
		}
	}
	return out
}

func (usagePlan) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, usagePlanKinds)
	name := p.str("UsagePlanName")
	if name == "" {
		name = physicalName(r, maxRecordedID)
	}
	in := map[string]any{"name": name}
	if p.has("Description") {
		in["description"] = p.str("Description")
	}
	if stages := usagePlanStages(p); len(stages) > 0 {
		in["apiStages"] = stages
	}
	if p.has("Throttle") {
		in["throttle"] = throttleMembers(p.obj("Throttle"))
	}
	if p.has("Quota") {
		in["quota"] = quotaMembers(p.obj("Quota"))
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, restAPIs, "CreateUsagePlan", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (usagePlan) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, usagePlanKinds)
	var ops []any
	if changed(old, p, "UsagePlanName") {
		name := p.str("UsagePlanName")
		if name == "" {
			name = physicalName(r, maxRecordedID)
		}
		ops = append(ops, replaceOp("/name", name))
	}
	if changed(old, p, "Description") {
		ops = append(ops, replaceOp("/description", p.str("Description")))
	}
	if changed(old, p, "ApiStages") {
		stageKey := func(e any) string {
			as := props(asMap(e))
			return as.str("ApiId") + ":" + as.str("Stage")
		}
		for _, e := range old.list("ApiStages") {
			v := stageKey(e)
			ops = append(ops, patchOp("remove", "/apiStages", &v))
		}
		for _, e := range p.list("ApiStages") {
			v := stageKey(e)
			ops = append(ops, patchOp("add", "/apiStages", &v))
			ops = append(ops, stageThrottlePatches(v, asMap(props(asMap(e))["Throttle"]))...)
		}
	}
	for _, m := range []struct{ prop, member, path string }{
		{"Throttle", "BurstLimit", "/throttle/burstLimit"}, {"Throttle", "RateLimit", "/throttle/rateLimit"},
		{"Quota", "Limit", "/quota/limit"}, {"Quota", "Offset", "/quota/offset"}, {"Quota", "Period", "/quota/period"},
	} {
		if !resource.Equal(old.obj(m.prop)[m.member], p.obj(m.prop)[m.member]) && p.obj(m.prop).has(m.member) {
			ops = append(ops, replaceOp(m.path, p.obj(m.prop).str(m.member)))
		}
	}
	if len(ops) > 0 {
		if _, err := call(ctx, r, restAPIs, "UpdateUsagePlan", map[string]any{"usagePlanId": r.PhysicalID, "patchOperations": ops}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Id": r.PhysicalID}}, nil
}

func (usagePlan) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteUsagePlan", map[string]any{"usagePlanId": r.PhysicalID})
	return ignoreGone(err)
}

// usagePlanKey is AWS::ApiGateway::UsagePlanKey: CreateUsagePlanKey.
// Its Ref is the key's id and the plan's, joined by ":", as AWS's; its
// Id attribute the key's id.
type usagePlanKey struct{}

func (usagePlanKey) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	keyType := p.str("KeyType")
	if keyType == "" {
		keyType = "API_KEY"
	}
	if _, err := call(ctx, r, restAPIs, "CreateUsagePlanKey", map[string]any{
		"usagePlanId": p.str("UsagePlanId"), "keyId": p.str("KeyId"), "keyType": keyType,
	}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("KeyId") + ":" + p.str("UsagePlanId"), Attributes: map[string]any{"Id": p.str("KeyId")}}, nil
}

func (usagePlanKey) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Id": props(r.Properties).str("KeyId")}}, nil
}

func (usagePlanKey) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	_, err := call(ctx, r, restAPIs, "DeleteUsagePlanKey", map[string]any{"usagePlanId": p.str("UsagePlanId"), "keyId": p.str("KeyId")})
	return ignoreGone(err)
}

// gatewayResponse is AWS::ApiGateway::GatewayResponse: PutGatewayResponse
// on create and update (it replaces the response type's customization),
// DeleteGatewayResponse on delete. Its physical ID and Ref are the API's
// id and the response type joined by ":"; an update to another API or
// type replaces it.
type gatewayResponse struct{}

func (gatewayResponse) put(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"restApiId": p.str("RestApiId"), "responseType": p.str("ResponseType")}
	if p.has("StatusCode") {
		in["statusCode"] = p.str("StatusCode")
	}
	if m := stringMap(p["ResponseParameters"]); m != nil {
		in["responseParameters"] = m
	}
	if m := stringMap(p["ResponseTemplates"]); m != nil {
		in["responseTemplates"] = m
	}
	if _, err := call(ctx, r, restAPIs, "PutGatewayResponse", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("RestApiId") + ":" + p.str("ResponseType"), Attributes: map[string]any{}}, nil
}

func (g gatewayResponse) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return g.put(ctx, r)
}

func (g gatewayResponse) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return g.put(ctx, r)
}

func (gatewayResponse) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	_, err := call(ctx, r, restAPIs, "DeleteGatewayResponse", map[string]any{"restApiId": p.str("RestApiId"), "responseType": p.str("ResponseType")})
	return ignoreGone(err)
}
