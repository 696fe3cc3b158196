package apigatewayv2

// The operations' inputs and outputs come from AWS's model of API Gateway
// version 2 (botocore's apigatewayv2 2018-11-29), for the operations this
// package implements; the others are answered by notImplemented and need
// no shapes.
//go:generate go run ../awsproto/shapegen -service apigatewayv2 -version 2018-11-29 -package apigatewayv2 -out zz_shapes.go -ops ExportApi,CreateApi,GetApi,GetApis,UpdateApi,DeleteApi,DeleteCorsConfiguration,CreateRoute,GetRoute,GetRoutes,UpdateRoute,DeleteRoute,CreateIntegration,GetIntegration,GetIntegrations,UpdateIntegration,DeleteIntegration,CreateStage,GetStage,GetStages,UpdateStage,DeleteStage,CreateDeployment,GetDeployment,GetDeployments,UpdateDeployment,DeleteDeployment,CreateAuthorizer,GetAuthorizer,GetAuthorizers,UpdateAuthorizer,DeleteAuthorizer,ResetAuthorizersCache,TagResource,UntagResource,GetTags,ImportApi,ReimportApi,CreateRouteResponse,GetRouteResponse,GetRouteResponses,UpdateRouteResponse,DeleteRouteResponse,CreateIntegrationResponse,GetIntegrationResponse,GetIntegrationResponses,UpdateIntegrationResponse,DeleteIntegrationResponse,DeleteAccessLogSettings,DeleteRouteSettings,CreateModel,GetModel,GetModels,GetModelTemplate,UpdateModel,DeleteModel,CreateDomainName,GetDomainName,GetDomainNames,UpdateDomainName,DeleteDomainName,CreateApiMapping,GetApiMapping,GetApiMappings,UpdateApiMapping,DeleteApiMapping
