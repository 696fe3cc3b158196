package apigateway

// The operations' inputs and outputs come from AWS's model of API Gateway;
// model_overlay.json adds RestApi's rootResourceId, which AWS introduced
// after the model Debian ships and which CloudFormation's RootResourceId
// attribute reads.
//go:generate go run ../awsproto/shapegen -service apigateway -version 2015-07-09 -package apigateway -overlay model_overlay.json -out zz_shapes.go -ops CreateRestApi,GetRestApi,GetRestApis,DeleteRestApi,UpdateRestApi,ImportRestApi,PutRestApi,GetResources,GetResource,CreateResource,DeleteResource,UpdateResource,PutMethod,GetMethod,DeleteMethod,UpdateMethod,PutMethodResponse,GetMethodResponse,DeleteMethodResponse,PutIntegration,GetIntegration,DeleteIntegration,UpdateIntegration,PutIntegrationResponse,GetIntegrationResponse,DeleteIntegrationResponse,CreateDeployment,GetDeployment,GetDeployments,DeleteDeployment,CreateStage,GetStage,GetStages,UpdateStage,DeleteStage,CreateAuthorizer,GetAuthorizer,GetAuthorizers,UpdateAuthorizer,DeleteAuthorizer,TagResource,UntagResource,GetTags,CreateApiKey,GetApiKey,GetApiKeys,UpdateApiKey,DeleteApiKey,CreateUsagePlan,GetUsagePlan,GetUsagePlans,UpdateUsagePlan,DeleteUsagePlan,CreateUsagePlanKey,GetUsagePlanKey,GetUsagePlanKeys,DeleteUsagePlanKey,PutGatewayResponse,GetGatewayResponse,GetGatewayResponses,DeleteGatewayResponse,GetModels,GetModel,GetRequestValidators,GetRequestValidator
