package cloudcontrol

import (
	"encoding/json"
	"strings"
)

// listRequires names, by type, the properties a ListResources call must
// give in its ResourceModel, as the types' schemas' list handlers
// require them (handlers.list.handlerSchema.required): the resources
// they list belong to a parent (a function's permissions and versions,
// an API's stages, a log group's streams).
var listRequires = map[string][]string{
	"AWS::ApiGateway::Authorizer":               {"RestApiId"},
	"AWS::ApiGateway::Deployment":               {"RestApiId"},
	"AWS::ApiGateway::DocumentationPart":        {"RestApiId"},
	"AWS::ApiGateway::DocumentationVersion":     {"RestApiId"},
	"AWS::ApiGateway::Model":                    {"RestApiId"},
	"AWS::ApiGateway::RequestValidator":         {"RestApiId"},
	"AWS::ApiGateway::Resource":                 {"RestApiId"},
	"AWS::ApiGateway::Stage":                    {"RestApiId"},
	"AWS::ApiGatewayV2::Authorizer":             {"ApiId"},
	"AWS::ApiGatewayV2::Deployment":             {"ApiId"},
	"AWS::ApiGatewayV2::Integration":            {"ApiId"},
	"AWS::ApiGatewayV2::IntegrationResponse":    {"ApiId", "IntegrationId"},
	"AWS::ApiGatewayV2::Model":                  {"ApiId"},
	"AWS::ApiGatewayV2::Route":                  {"ApiId"},
	"AWS::ApiGatewayV2::RouteResponse":          {"ApiId", "RouteId"},
	"AWS::ApiGatewayV2::Stage":                  {"ApiId"},
	"AWS::Cognito::UserPoolClient":              {"UserPoolId"},
	"AWS::Cognito::UserPoolGroup":               {"UserPoolId"},
	"AWS::Cognito::UserPoolResourceServer":      {"UserPoolId"},
	"AWS::Cognito::UserPoolUser":                {"UserPoolId"},
	"AWS::ElasticLoadBalancingV2::Listener":     {"LoadBalancerArn"},
	"AWS::ElasticLoadBalancingV2::ListenerRule": {"ListenerArn"},
	"AWS::Lambda::Alias":                        {"FunctionName"},
	"AWS::Lambda::Permission":                   {"FunctionName"},
	"AWS::Lambda::Version":                      {"FunctionName"},
	"AWS::Logs::LogStream":                      {"LogGroupName"},
	"AWS::Logs::SubscriptionFilter":             {"LogGroupName"},
}

// listFilter is what a ListResources call's ResourceModel selects the
// resources of type typ by: the values of the properties the type's
// list handler requires, which it must give (InvalidRequestException
// otherwise). Other properties it gives select nothing, as the list
// handlers read only the ones they require.
func listFilter(typ string, text *string) (map[string]string, error) {
	var given map[string]any
	if text != nil {
		if err := json.Unmarshal([]byte(*text), &given); err != nil || given == nil {
			return nil, ErrInvalidRequest.WithMessage("The ResourceModel is not a JSON object.")
		}
	}
	filter := map[string]string{}
	var missing []string
	for _, k := range listRequires[typ] {
		v, ok := given[k].(string)
		if !ok || v == "" {
			missing = append(missing, k)
			continue
		}
		filter[k] = v
	}
	if len(missing) > 0 {
		return nil, ErrInvalidRequest.Withf("Missing Or Invalid ResourceModel property in %s list handler request input. Required property:  [%s]", typ, strings.Join(missing, ", "))
	}
	return filter, nil
}

// matches reports whether a resource's model has the values filter
// selects. A value names the same resource as a name or as an ARN
// ending in ":name" (a function's FunctionName given either way).
func matches(model map[string]any, filter map[string]string) bool {
	for k, want := range filter {
		got, _ := model[k].(string)
		if got != want && !strings.HasSuffix(got, ":"+want) && !strings.HasSuffix(want, ":"+got) {
			return false
		}
	}
	return true
}
