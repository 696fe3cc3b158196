package apigateway

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// operations is API Gateway's operation table, with each operation's REST
// binding and success status from AWS's model. IAM authorizes API
// Gateway's control plane by HTTP verb ("apigateway:GET",
// "apigateway:PATCH"), so each operation's action is its verb.
func (s *Service) operations() []awsproto.Operation {
	ops := []awsproto.Operation{
		{Name: "CreateRestApi", HTTP: "POST /restapis", Status: 201, Handler: awsproto.Handle(s.createRestAPI)},
		{Name: "ImportRestApi", HTTP: "POST /restapis?mode=import", Status: 201, Handler: awsproto.Handle(s.importRestAPI)},
		{Name: "GetRestApis", HTTP: "GET /restapis", Handler: awsproto.Handle(s.getRestAPIs)},
		{Name: "GetRestApi", HTTP: "GET /restapis/{restapi_id}", Handler: awsproto.Handle(s.getRestAPI)},
		{Name: "UpdateRestApi", HTTP: "PATCH /restapis/{restapi_id}", Handler: awsproto.Handle(s.updateRestAPI)},
		{Name: "PutRestApi", HTTP: "PUT /restapis/{restapi_id}", Handler: awsproto.Handle(s.putRestAPI)},
		{Name: "DeleteRestApi", HTTP: "DELETE /restapis/{restapi_id}", Status: 202, Handler: awsproto.Handle(s.deleteRestAPI)},

		{Name: "GetResources", HTTP: "GET /restapis/{restapi_id}/resources", Handler: awsproto.Handle(s.getResources)},
		{Name: "GetResource", HTTP: "GET /restapis/{restapi_id}/resources/{resource_id}", Handler: awsproto.Handle(s.getResource)},
		{Name: "CreateResource", HTTP: "POST /restapis/{restapi_id}/resources/{parent_id}", Status: 201, Handler: awsproto.Handle(s.createResource)},
		{Name: "UpdateResource", HTTP: "PATCH /restapis/{restapi_id}/resources/{resource_id}", Handler: awsproto.Handle(s.updateResource)},
		{Name: "DeleteResource", HTTP: "DELETE /restapis/{restapi_id}/resources/{resource_id}", Status: 202, Handler: awsproto.Handle(s.deleteResource)},

		{Name: "PutMethod", HTTP: "PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", Status: 201, Handler: awsproto.Handle(s.putMethod)},
		{Name: "GetMethod", HTTP: "GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", Handler: awsproto.Handle(s.getMethod)},
		{Name: "UpdateMethod", HTTP: "PATCH /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", Handler: awsproto.Handle(s.updateMethod)},
		{Name: "DeleteMethod", HTTP: "DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", Status: 204, Handler: awsproto.Handle(s.deleteMethod)},
		{Name: "PutMethodResponse", HTTP: "PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}", Status: 201, Handler: awsproto.Handle(s.putMethodResponse)},
		{Name: "GetMethodResponse", HTTP: "GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}", Handler: awsproto.Handle(s.getMethodResponse)},
		{Name: "DeleteMethodResponse", HTTP: "DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}", Status: 204, Handler: awsproto.Handle(s.deleteMethodResponse)},

		{Name: "PutIntegration", HTTP: "PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration", Status: 201, Handler: awsproto.Handle(s.putIntegration)},
		{Name: "GetIntegration", HTTP: "GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration", Handler: awsproto.Handle(s.getIntegration)},
		{Name: "UpdateIntegration", HTTP: "PATCH /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration", Handler: awsproto.Handle(s.updateIntegration)},
		{Name: "DeleteIntegration", HTTP: "DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration", Status: 204, Handler: awsproto.Handle(s.deleteIntegration)},
		{Name: "PutIntegrationResponse", HTTP: "PUT /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}", Status: 201, Handler: awsproto.Handle(s.putIntegrationResponse)},
		{Name: "GetIntegrationResponse", HTTP: "GET /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}", Handler: awsproto.Handle(s.getIntegrationResponse)},
		{Name: "DeleteIntegrationResponse", HTTP: "DELETE /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}", Status: 204, Handler: awsproto.Handle(s.deleteIntegrationResponse)},
		{Name: "TestInvokeMethod", HTTP: "POST /restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", Handler: awsproto.Handle(s.testInvokeMethod)},

		{Name: "CreateDeployment", HTTP: "POST /restapis/{restapi_id}/deployments", Status: 201, Handler: awsproto.Handle(s.createDeployment)},
		{Name: "GetDeployments", HTTP: "GET /restapis/{restapi_id}/deployments", Handler: awsproto.Handle(s.getDeployments)},
		{Name: "GetDeployment", HTTP: "GET /restapis/{restapi_id}/deployments/{deployment_id}", Handler: awsproto.Handle(s.getDeployment)},
		{Name: "DeleteDeployment", HTTP: "DELETE /restapis/{restapi_id}/deployments/{deployment_id}", Status: 202, Handler: awsproto.Handle(s.deleteDeployment)},

		{Name: "CreateStage", HTTP: "POST /restapis/{restapi_id}/stages", Status: 201, Handler: awsproto.Handle(s.createStage)},
		{Name: "GetStages", HTTP: "GET /restapis/{restapi_id}/stages", Handler: awsproto.Handle(s.getStages)},
		{Name: "GetExport", HTTP: "GET /restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}", Handler: awsproto.Handle(s.getExport)},
		{Name: "GetStage", HTTP: "GET /restapis/{restapi_id}/stages/{stage_name}", Handler: awsproto.Handle(s.getStage)},
		{Name: "UpdateStage", HTTP: "PATCH /restapis/{restapi_id}/stages/{stage_name}", Handler: awsproto.Handle(s.updateStage)},
		{Name: "DeleteStage", HTTP: "DELETE /restapis/{restapi_id}/stages/{stage_name}", Status: 202, Handler: awsproto.Handle(s.deleteStage)},

		{Name: "CreateAuthorizer", HTTP: "POST /restapis/{restapi_id}/authorizers", Status: 201, Handler: awsproto.Handle(s.createAuthorizer)},
		{Name: "GetAuthorizers", HTTP: "GET /restapis/{restapi_id}/authorizers", Handler: awsproto.Handle(s.getAuthorizers)},
		{Name: "GetAuthorizer", HTTP: "GET /restapis/{restapi_id}/authorizers/{authorizer_id}", Handler: awsproto.Handle(s.getAuthorizer)},
		{Name: "UpdateAuthorizer", HTTP: "PATCH /restapis/{restapi_id}/authorizers/{authorizer_id}", Handler: awsproto.Handle(s.updateAuthorizer)},
		{Name: "DeleteAuthorizer", HTTP: "DELETE /restapis/{restapi_id}/authorizers/{authorizer_id}", Status: 202, Handler: awsproto.Handle(s.deleteAuthorizer)},

		{Name: "CreateApiKey", HTTP: "POST /apikeys", Status: 201, Handler: awsproto.Handle(s.createAPIKey)},
		{Name: "GetApiKeys", HTTP: "GET /apikeys", Handler: awsproto.Handle(s.getAPIKeys)},
		{Name: "GetApiKey", HTTP: "GET /apikeys/{api_Key}", Handler: awsproto.Handle(s.getAPIKey)},
		{Name: "UpdateApiKey", HTTP: "PATCH /apikeys/{api_Key}", Handler: awsproto.Handle(s.updateAPIKey)},
		{Name: "DeleteApiKey", HTTP: "DELETE /apikeys/{api_Key}", Status: 202, Handler: awsproto.Handle(s.deleteAPIKey)},

		{Name: "CreateUsagePlan", HTTP: "POST /usageplans", Status: 201, Handler: awsproto.Handle(s.createUsagePlan)},
		{Name: "GetUsagePlans", HTTP: "GET /usageplans", Handler: awsproto.Handle(s.getUsagePlans)},
		{Name: "GetUsagePlan", HTTP: "GET /usageplans/{usageplanId}", Handler: awsproto.Handle(s.getUsagePlan)},
		{Name: "UpdateUsagePlan", HTTP: "PATCH /usageplans/{usageplanId}", Handler: awsproto.Handle(s.updateUsagePlan)},
		{Name: "DeleteUsagePlan", HTTP: "DELETE /usageplans/{usageplanId}", Status: 202, Handler: awsproto.Handle(s.deleteUsagePlan)},
		{Name: "CreateUsagePlanKey", HTTP: "POST /usageplans/{usageplanId}/keys", Status: 201, Handler: awsproto.Handle(s.createUsagePlanKey)},
		{Name: "GetUsagePlanKeys", HTTP: "GET /usageplans/{usageplanId}/keys", Handler: awsproto.Handle(s.getUsagePlanKeys)},
		{Name: "GetUsagePlanKey", HTTP: "GET /usageplans/{usageplanId}/keys/{keyId}", Handler: awsproto.Handle(s.getUsagePlanKey)},
		{Name: "GetUsage", HTTP: "GET /usageplans/{usageplanId}/usage", Handler: awsproto.Handle(s.getUsage)},
		{Name: "UpdateUsage", HTTP: "PATCH /usageplans/{usageplanId}/keys/{keyId}/usage", Handler: awsproto.Handle(s.updateUsage)},
		{Name: "DeleteUsagePlanKey", HTTP: "DELETE /usageplans/{usageplanId}/keys/{keyId}", Status: 202, Handler: awsproto.Handle(s.deleteUsagePlanKey)},

		{Name: "PutGatewayResponse", HTTP: "PUT /restapis/{restapi_id}/gatewayresponses/{response_type}", Status: 201, Handler: awsproto.Handle(s.putGatewayResponse)},
		{Name: "GetGatewayResponse", HTTP: "GET /restapis/{restapi_id}/gatewayresponses/{response_type}", Handler: awsproto.Handle(s.getGatewayResponse)},
		{Name: "GetGatewayResponses", HTTP: "GET /restapis/{restapi_id}/gatewayresponses", Handler: awsproto.Handle(s.getGatewayResponses)},
		{Name: "DeleteGatewayResponse", HTTP: "DELETE /restapis/{restapi_id}/gatewayresponses/{response_type}", Status: 202, Handler: awsproto.Handle(s.deleteGatewayResponse)},

		{Name: "GetModels", HTTP: "GET /restapis/{restapi_id}/models", Handler: awsproto.Handle(s.getModels)},
		{Name: "GetModel", HTTP: "GET /restapis/{restapi_id}/models/{model_name}", Handler: awsproto.Handle(s.getModel)},
		{Name: "CreateModel", HTTP: "POST /restapis/{restapi_id}/models", Status: 201, Handler: awsproto.Handle(s.createModel)},
		{Name: "UpdateModel", HTTP: "PATCH /restapis/{restapi_id}/models/{model_name}", Handler: awsproto.Handle(s.updateModel)},
		{Name: "DeleteModel", HTTP: "DELETE /restapis/{restapi_id}/models/{model_name}", Status: 202, Handler: awsproto.Handle(s.deleteModel)},
		{Name: "GetModelTemplate", HTTP: "GET /restapis/{restapi_id}/models/{model_name}/default_template", Handler: awsproto.Handle(s.getModelTemplate)},
		{Name: "GetRequestValidators", HTTP: "GET /restapis/{restapi_id}/requestvalidators", Handler: awsproto.Handle(s.getRequestValidators)},
		{Name: "GetRequestValidator", HTTP: "GET /restapis/{restapi_id}/requestvalidators/{requestvalidator_id}", Handler: awsproto.Handle(s.getRequestValidator)},
		{Name: "CreateRequestValidator", HTTP: "POST /restapis/{restapi_id}/requestvalidators", Status: 201, Handler: awsproto.Handle(s.createRequestValidator)},
		{Name: "UpdateRequestValidator", HTTP: "PATCH /restapis/{restapi_id}/requestvalidators/{requestvalidator_id}", Handler: awsproto.Handle(s.updateRequestValidator)},
		{Name: "DeleteRequestValidator", HTTP: "DELETE /restapis/{restapi_id}/requestvalidators/{requestvalidator_id}", Status: 202, Handler: awsproto.Handle(s.deleteRequestValidator)},

		{Name: "CreateDocumentationPart", HTTP: "POST /restapis/{restapi_id}/documentation/parts", Status: 201, Handler: awsproto.Handle(s.createDocumentationPart)},
		{Name: "GetDocumentationParts", HTTP: "GET /restapis/{restapi_id}/documentation/parts", Handler: awsproto.Handle(s.getDocumentationParts)},
		{Name: "GetDocumentationPart", HTTP: "GET /restapis/{restapi_id}/documentation/parts/{part_id}", Handler: awsproto.Handle(s.getDocumentationPart)},
		{Name: "UpdateDocumentationPart", HTTP: "PATCH /restapis/{restapi_id}/documentation/parts/{part_id}", Handler: awsproto.Handle(s.updateDocumentationPart)},
		{Name: "DeleteDocumentationPart", HTTP: "DELETE /restapis/{restapi_id}/documentation/parts/{part_id}", Status: 202, Handler: awsproto.Handle(s.deleteDocumentationPart)},
		{Name: "CreateDocumentationVersion", HTTP: "POST /restapis/{restapi_id}/documentation/versions", Status: 201, Handler: awsproto.Handle(s.createDocumentationVersion)},
		{Name: "GetDocumentationVersions", HTTP: "GET /restapis/{restapi_id}/documentation/versions", Handler: awsproto.Handle(s.getDocumentationVersions)},
		{Name: "GetDocumentationVersion", HTTP: "GET /restapis/{restapi_id}/documentation/versions/{doc_version}", Handler: awsproto.Handle(s.getDocumentationVersion)},
		{Name: "UpdateDocumentationVersion", HTTP: "PATCH /restapis/{restapi_id}/documentation/versions/{doc_version}", Handler: awsproto.Handle(s.updateDocumentationVersion)},
		{Name: "DeleteDocumentationVersion", HTTP: "DELETE /restapis/{restapi_id}/documentation/versions/{doc_version}", Status: 202, Handler: awsproto.Handle(s.deleteDocumentationVersion)},

		{Name: "CreateDomainName", HTTP: "POST /domainnames", Status: 201, Handler: awsproto.Handle(s.createDomainName)},
		{Name: "GetDomainNames", HTTP: "GET /domainnames", Handler: awsproto.Handle(s.getDomainNames)},
		{Name: "GetDomainName", HTTP: "GET /domainnames/{domain_name}", Handler: awsproto.Handle(s.getDomainName)},
		{Name: "DeleteDomainName", HTTP: "DELETE /domainnames/{domain_name}", Status: 202, Handler: awsproto.Handle(s.deleteDomainName)},
		{Name: "CreateBasePathMapping", HTTP: "POST /domainnames/{domain_name}/basepathmappings", Status: 201, Handler: awsproto.Handle(s.createBasePathMapping)},
		{Name: "GetBasePathMappings", HTTP: "GET /domainnames/{domain_name}/basepathmappings", Handler: awsproto.Handle(s.getBasePathMappings)},
		{Name: "GetBasePathMapping", HTTP: "GET /domainnames/{domain_name}/basepathmappings/{base_path}", Handler: awsproto.Handle(s.getBasePathMapping)},
		{Name: "DeleteBasePathMapping", HTTP: "DELETE /domainnames/{domain_name}/basepathmappings/{base_path}", Status: 202, Handler: awsproto.Handle(s.deleteBasePathMapping)},

		{Name: "GenerateClientCertificate", HTTP: "POST /clientcertificates", Status: 201, Handler: awsproto.Handle(s.generateClientCertificate)},
		{Name: "GetClientCertificates", HTTP: "GET /clientcertificates", Handler: awsproto.Handle(s.getClientCertificates)},
		{Name: "GetClientCertificate", HTTP: "GET /clientcertificates/{clientcertificate_id}", Handler: awsproto.Handle(s.getClientCertificate)},
		{Name: "UpdateClientCertificate", HTTP: "PATCH /clientcertificates/{clientcertificate_id}", Handler: awsproto.Handle(s.updateClientCertificate)},
		{Name: "DeleteClientCertificate", HTTP: "DELETE /clientcertificates/{clientcertificate_id}", Status: 202, Handler: awsproto.Handle(s.deleteClientCertificate)},

		{Name: "CreateVpcLink", HTTP: "POST /vpclinks", Status: 202, Handler: awsproto.Handle(s.createVpcLink)},
		{Name: "GetVpcLinks", HTTP: "GET /vpclinks", Handler: awsproto.Handle(s.getVpcLinks)},
		{Name: "GetVpcLink", HTTP: "GET /vpclinks/{vpclink_id}", Handler: awsproto.Handle(s.getVpcLink)},
		{Name: "UpdateVpcLink", HTTP: "PATCH /vpclinks/{vpclink_id}", Handler: awsproto.Handle(s.updateVpcLink)},
		{Name: "DeleteVpcLink", HTTP: "DELETE /vpclinks/{vpclink_id}", Status: 202, Handler: awsproto.Handle(s.deleteVpcLink)},

		{Name: "GetAccount", HTTP: "GET /account", Handler: awsproto.Handle(s.getAccount)},
		{Name: "UpdateAccount", HTTP: "PATCH /account", Handler: awsproto.Handle(s.updateAccount)},

		{Name: "TagResource", HTTP: "PUT /tags/{resource_arn}", Status: 204, Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", HTTP: "DELETE /tags/{resource_arn}", Status: 204, Handler: awsproto.Handle(s.untagResource)},
		{Name: "GetTags", HTTP: "GET /tags/{resource_arn}", Handler: awsproto.Handle(s.getTags)},
	}
	for i := range ops {
		verb, _, _ := strings.Cut(ops[i].HTTP, " ")
		ops[i].Action = "apigateway:" + verb
	}
	return ops
}

// noOutput is the output of operations whose model has none.
type noOutput struct{}
