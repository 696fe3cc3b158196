package sam

// Usage plans: Auth.UsagePlan of a REST API makes an
// AWS::ApiGateway::UsagePlan naming the API's stage, an
// AWS::ApiGateway::ApiKey for it and an AWS::ApiGateway::UsagePlanKey
// joining the two. CreateUsagePlan PER_API makes APIUsagePlan,
// APIApiKey and APIUsagePlanKey for the API; SHARED makes
// ServerlessUsagePlan, ServerlessApiKey and ServerlessUsagePlanKey once,
// for every API that asks for them; NONE makes nothing (it undoes a
// Globals setting).

// Logical IDs of the usage plan that APIs with CreateUsagePlan SHARED share.
const (
	sharedUsagePlan    = "ServerlessUsagePlan"
	sharedAPIKey       = "ServerlessApiKey"
	sharedUsagePlanKey = "ServerlessUsagePlanKey"
)

// usagePlanProperties are the UsagePlan properties SAM copies to the
// AWS::ApiGateway::UsagePlan.
var usagePlanProperties = []string{"Description", "Quota", "Tags", "Throttle", "UsagePlanName"}

// sharedPlan gathers what the APIs with CreateUsagePlan SHARED put in
// the shared usage plan.
type sharedPlan struct {
	props     map[string]any // the usage plan's, from the first API that sets them
	stages    []any          // ApiStages
	stageKeys []any          // the key's StageKeys
	apis      []any          // the APIs the plan depends on
}

// usagePlan makes the usage plan resources of a REST API whose stage is
// stageID, or adds the API to the shared plan.
func (t *transformer) usagePlan(api *restAPI, stageID string) error {
	up, ok := asMap(api.props["Auth"])["UsagePlan"]
	if !ok {
		return nil
	}
	plan := asMap(up)
	if plan == nil {
		return invalidType(api.id, "Auth.UsagePlan")
	}
	create, ok := plan["CreateUsagePlan"]
	if !ok {
		return resourceError(api.id, "'CreateUsagePlan' is a required field for UsagePlan.")
	}
	mode, _ := t.resolve(create)
	apiStage := map[string]any{"ApiId": ref(api.id), "Stage": ref(stageID)}
	stageKey := map[string]any{"RestApiId": ref(api.id), "StageName": ref(stageID)}
	props := map[string]any{}
	copyKeys(props, plan, usagePlanProperties...)
	switch mode {
	case "NONE":
		return nil
	case "PER_API":
		props["ApiStages"] = []any{apiStage}
		return t.emitUsagePlan(api.id, api.attrs, api.id+"UsagePlan", api.id+"ApiKey", api.id+"UsagePlanKey",
			props, []any{stageKey}, []any{api.id})
	case "SHARED":
		if t.shared == nil {
			t.shared = &sharedPlan{}
		}
		if t.shared.props == nil && len(props) > 0 {
			t.shared.props = props
		}
		t.shared.stages = append(t.shared.stages, apiStage)
		t.shared.stageKeys = append(t.shared.stageKeys, stageKey)
		t.shared.apis = append(t.shared.apis, api.id)
		return nil
	}
	return resourceError(api.id, "'CreateUsagePlan' accepts only NONE, PER_API and SHARED values.")
}

// emitSharedUsagePlan makes the shared usage plan, once every API has
// been added to it.
func (t *transformer) emitSharedUsagePlan() error {
	if t.shared == nil {
		return nil
	}
	props := cloneMap(t.shared.props)
	if props == nil {
		props = map[string]any{}
	}
	props["ApiStages"] = t.shared.stages
	return t.emitUsagePlan(sharedUsagePlan, attributes{}, sharedUsagePlan, sharedAPIKey, sharedUsagePlanKey,
		props, t.shared.stageKeys, t.shared.apis)
}

// emitUsagePlan adds a usage plan, its API key and the key's membership
// of the plan, each depending on the one before, the plan on the APIs.
func (t *transformer) emitUsagePlan(owner string, attrs attributes, planID, keyID, memberID string, props map[string]any, stageKeys, apis []any) error {
	plan := attrs.resource("AWS::ApiGateway::UsagePlan", props)
	plan["DependsOn"] = apis
	key := attrs.resource("AWS::ApiGateway::ApiKey", map[string]any{"Enabled": true, "StageKeys": stageKeys})
	key["DependsOn"] = []any{planID}
	member := attrs.resource("AWS::ApiGateway::UsagePlanKey", map[string]any{
		"KeyId": ref(keyID), "KeyType": "API_KEY", "UsagePlanId": ref(planID),
	})
	member["DependsOn"] = []any{keyID}
	for _, r := range []struct {
		id  string
		res map[string]any
	}{{planID, plan}, {keyID, key}, {memberID, member}} {
		if err := t.add(owner, r.id, r.res); err != nil {
			return err
		}
	}
	return nil
}
