package apigatewayv2

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// operations is the operation table, with each operation's REST binding
// and success status from AWS's model. IAM authorizes API Gateway's
// management calls by HTTP method (apigateway:GET, apigateway:POST, ...),
// not by operation name; op sets the action from the binding.
func (s *Service) operations() []awsproto.Operation {
	return append([]awsproto.Operation{
		op("CreateApi", "POST /v2/apis", 201, awsproto.Handle(s.createAPI)),
		op("GetApi", "GET /v2/apis/{apiId}", 200, awsproto.Handle(s.getAPI)),
		op("GetApis", "GET /v2/apis", 200, awsproto.Handle(s.getAPIs)),
		op("UpdateApi", "PATCH /v2/apis/{apiId}", 200, awsproto.Handle(s.updateAPI)),
		op("DeleteApi", "DELETE /v2/apis/{apiId}", 204, awsproto.Handle(s.deleteAPIOp)),
		op("DeleteCorsConfiguration", "DELETE /v2/apis/{apiId}/cors", 204, awsproto.Handle(s.deleteCorsConfiguration)),

		op("CreateRoute", "POST /v2/apis/{apiId}/routes", 201, awsproto.Handle(s.createRoute)),
		op("GetRoute", "GET /v2/apis/{apiId}/routes/{routeId}", 200, awsproto.Handle(s.getRoute)),
		op("GetRoutes", "GET /v2/apis/{apiId}/routes", 200, awsproto.Handle(s.getRoutes)),
		op("UpdateRoute", "PATCH /v2/apis/{apiId}/routes/{routeId}", 200, awsproto.Handle(s.updateRoute)),
		op("DeleteRoute", "DELETE /v2/apis/{apiId}/routes/{routeId}", 204, awsproto.Handle(s.deleteRoute)),

		op("CreateIntegration", "POST /v2/apis/{apiId}/integrations", 201, awsproto.Handle(s.createIntegration)),
		op("GetIntegration", "GET /v2/apis/{apiId}/integrations/{integrationId}", 200, awsproto.Handle(s.getIntegration)),
		op("GetIntegrations", "GET /v2/apis/{apiId}/integrations", 200, awsproto.Handle(s.getIntegrations)),
		op("UpdateIntegration", "PATCH /v2/apis/{apiId}/integrations/{integrationId}", 200, awsproto.Handle(s.updateIntegration)),
		op("DeleteIntegration", "DELETE /v2/apis/{apiId}/integrations/{integrationId}", 204, awsproto.Handle(s.deleteIntegration)),

		op("CreateRouteResponse", "POST /v2/apis/{apiId}/routes/{routeId}/routeresponses", 201, awsproto.Handle(s.createRouteResponse)),
		op("GetRouteResponse", "GET /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", 200, awsproto.Handle(s.getRouteResponse)),
		op("GetRouteResponses", "GET /v2/apis/{apiId}/routes/{routeId}/routeresponses", 200, awsproto.Handle(s.getRouteResponses)),
		op("UpdateRouteResponse", "PATCH /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", 200, awsproto.Handle(s.updateRouteResponse)),
		op("DeleteRouteResponse", "DELETE /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", 204, awsproto.Handle(s.deleteRouteResponse)),

		op("CreateIntegrationResponse", "POST /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", 201, awsproto.Handle(s.createIntegrationResponse)),
		op("GetIntegrationResponse", "GET /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", 200, awsproto.Handle(s.getIntegrationResponse)),
		op("GetIntegrationResponses", "GET /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", 200, awsproto.Handle(s.getIntegrationResponses)),
		op("UpdateIntegrationResponse", "PATCH /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", 200, awsproto.Handle(s.updateIntegrationResponse)),
		op("DeleteIntegrationResponse", "DELETE /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", 204, awsproto.Handle(s.deleteIntegrationResponse)),

		op("CreateStage", "POST /v2/apis/{apiId}/stages", 201, awsproto.Handle(s.createStage)),
		op("GetStage", "GET /v2/apis/{apiId}/stages/{stageName}", 200, awsproto.Handle(s.getStage)),
		op("GetStages", "GET /v2/apis/{apiId}/stages", 200, awsproto.Handle(s.getStages)),
		op("UpdateStage", "PATCH /v2/apis/{apiId}/stages/{stageName}", 200, awsproto.Handle(s.updateStage)),
		op("DeleteStage", "DELETE /v2/apis/{apiId}/stages/{stageName}", 204, awsproto.Handle(s.deleteStage)),
		op("ResetAuthorizersCache", "DELETE /v2/apis/{apiId}/stages/{stageName}/cache/authorizers", 204, awsproto.Handle(s.resetAuthorizersCache)),

		op("CreateDeployment", "POST /v2/apis/{apiId}/deployments", 201, awsproto.Handle(s.createDeployment)),
		op("GetDeployment", "GET /v2/apis/{apiId}/deployments/{deploymentId}", 200, awsproto.Handle(s.getDeployment)),
		op("GetDeployments", "GET /v2/apis/{apiId}/deployments", 200, awsproto.Handle(s.getDeployments)),
		op("UpdateDeployment", "PATCH /v2/apis/{apiId}/deployments/{deploymentId}", 200, awsproto.Handle(s.updateDeployment)),
		op("DeleteDeployment", "DELETE /v2/apis/{apiId}/deployments/{deploymentId}", 204, awsproto.Handle(s.deleteDeployment)),

		op("CreateAuthorizer", "POST /v2/apis/{apiId}/authorizers", 201, awsproto.Handle(s.createAuthorizer)),
		op("GetAuthorizer", "GET /v2/apis/{apiId}/authorizers/{authorizerId}", 200, awsproto.Handle(s.getAuthorizer)),
		op("GetAuthorizers", "GET /v2/apis/{apiId}/authorizers", 200, awsproto.Handle(s.getAuthorizers)),
		op("UpdateAuthorizer", "PATCH /v2/apis/{apiId}/authorizers/{authorizerId}", 200, awsproto.Handle(s.updateAuthorizer)),
		op("DeleteAuthorizer", "DELETE /v2/apis/{apiId}/authorizers/{authorizerId}", 204, awsproto.Handle(s.deleteAuthorizer)),

		op("CreateModel", "POST /v2/apis/{apiId}/models", 201, awsproto.Handle(s.createModel)),
		op("GetModel", "GET /v2/apis/{apiId}/models/{modelId}", 200, awsproto.Handle(s.getModel)),
		op("GetModels", "GET /v2/apis/{apiId}/models", 200, awsproto.Handle(s.getModels)),
		op("GetModelTemplate", "GET /v2/apis/{apiId}/models/{modelId}/template", 200, awsproto.Handle(s.getModelTemplate)),
		op("UpdateModel", "PATCH /v2/apis/{apiId}/models/{modelId}", 200, awsproto.Handle(s.updateModel)),
		op("DeleteModel", "DELETE /v2/apis/{apiId}/models/{modelId}", 204, awsproto.Handle(s.deleteModel)),

		op("CreateVpcLink", "POST /v2/vpclinks", 201, awsproto.Handle(s.createVpcLink)),
		op("GetVpcLink", "GET /v2/vpclinks/{vpcLinkId}", 200, awsproto.Handle(s.getVpcLink)),
		op("GetVpcLinks", "GET /v2/vpclinks", 200, awsproto.Handle(s.getVpcLinks)),
		op("UpdateVpcLink", "PATCH /v2/vpclinks/{vpcLinkId}", 200, awsproto.Handle(s.updateVpcLink)),
		op("DeleteVpcLink", "DELETE /v2/vpclinks/{vpcLinkId}", 202, awsproto.Handle(s.deleteVpcLink)),

		op("TagResource", "POST /v2/tags/{resource-arn}", 201, awsproto.Handle(s.tagResource)),
		op("UntagResource", "DELETE /v2/tags/{resource-arn}", 204, awsproto.Handle(s.untagResource)),
		op("GetTags", "GET /v2/tags/{resource-arn}", 200, awsproto.Handle(s.getTags)),

		// Not implemented yet: each answers NotImplementedException (501).
		notImplemented("DeleteRouteRequestParameter", "DELETE /v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}"),
		op("DeleteAccessLogSettings", "DELETE /v2/apis/{apiId}/stages/{stageName}/accesslogsettings", 204, awsproto.Handle(s.deleteAccessLogSettings)),
		op("DeleteRouteSettings", "DELETE /v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}", 204, awsproto.Handle(s.deleteRouteSettings)),
		op("ExportApi", "GET /v2/apis/{apiId}/exports/{specification}", 200, awsproto.Handle(s.exportAPI)),
		op("ImportApi", "PUT /v2/apis", 201, awsproto.Handle(s.importAPI)),
		op("ReimportApi", "PUT /v2/apis/{apiId}", 201, awsproto.Handle(s.reimportAPI)),
	}, s.domainOperations()...)
}

// domainOperations are the operations of custom domain names and API
// mappings, which need Deps.Domains: without it each answers
// NotImplementedException.
func (s *Service) domainOperations() []awsproto.Operation {
	ops := []awsproto.Operation{
		op("CreateDomainName", "POST /v2/domainnames", 201, awsproto.Handle(s.createDomainName)),
		op("GetDomainName", "GET /v2/domainnames/{domainName}", 200, awsproto.Handle(s.getDomainName)),
		op("GetDomainNames", "GET /v2/domainnames", 200, awsproto.Handle(s.getDomainNames)),
		op("UpdateDomainName", "PATCH /v2/domainnames/{domainName}", 200, awsproto.Handle(s.updateDomainName)),
		op("DeleteDomainName", "DELETE /v2/domainnames/{domainName}", 204, awsproto.Handle(s.deleteDomainName)),

		op("CreateApiMapping", "POST /v2/domainnames/{domainName}/apimappings", 201, awsproto.Handle(s.createAPIMapping)),
		op("GetApiMapping", "GET /v2/domainnames/{domainName}/apimappings/{apiMappingId}", 200, awsproto.Handle(s.getAPIMapping)),
		op("GetApiMappings", "GET /v2/domainnames/{domainName}/apimappings", 200, awsproto.Handle(s.getAPIMappings)),
		op("UpdateApiMapping", "PATCH /v2/domainnames/{domainName}/apimappings/{apiMappingId}", 200, awsproto.Handle(s.updateAPIMapping)),
		op("DeleteApiMapping", "DELETE /v2/domainnames/{domainName}/apimappings/{apiMappingId}", 204, awsproto.Handle(s.deleteAPIMapping)),
	}
	if s.domains == nil {
		for i, o := range ops {
			ops[i] = notImplemented(o.Name, o.HTTP)
		}
	}
	return ops
}

// op is one operation, authorized by IAM as apigateway:METHOD.
func op(name, binding string, status int, h awsproto.Handler) awsproto.Operation {
	method, _, _ := strings.Cut(binding, " ")
	return awsproto.Operation{Name: name, Action: SigningName + ":" + method, HTTP: binding, Status: status, Handler: h}
}

// noInput and noOutput stand for shapes an operation does not read or
// write.
type (
	noInput  struct{}
	noOutput struct{}
)

// notImplemented is an operation virga routes but does not implement.
func notImplemented(name, binding string) awsproto.Operation {
	return op(name, binding, 200, awsproto.Handle(func(context.Context, *noInput) (*noOutput, error) {
		return nil, ErrNotImplemented.Withf("API Gateway's %s is not implemented by virga yet.", name)
	}))
}
