package lambda

import (
	"maps"
	"slices"

	"github.com/virga/virga/internal/awsproto"
)

// operations is Lambda's operation table, with each operation's REST
// binding and success status from AWS's model. Every handler answers a
// function in another account as Lambda does (denyOtherAccounts).
func (s *Service) operations() []awsproto.Operation {
	ops := []awsproto.Operation{
		{Name: "CreateFunction", HTTP: "POST /2015-03-31/functions", Status: 201, Handler: awsproto.Handle(s.createFunction)},
		{Name: "GetFunction", HTTP: "GET /2015-03-31/functions/{FunctionName}", Handler: awsproto.Handle(s.getFunction)},
		{Name: "GetFunctionConfiguration", HTTP: "GET /2015-03-31/functions/{FunctionName}/configuration", Handler: awsproto.Handle(s.getFunctionConfiguration)},
		{Name: "ListFunctions", HTTP: "GET /2015-03-31/functions/", Handler: awsproto.Handle(s.listFunctions)},
		{Name: "UpdateFunctionCode", HTTP: "PUT /2015-03-31/functions/{FunctionName}/code", Handler: awsproto.Handle(s.updateFunctionCode)},
		{Name: "UpdateFunctionConfiguration", HTTP: "PUT /2015-03-31/functions/{FunctionName}/configuration", Handler: awsproto.Handle(s.updateFunctionConfiguration)},
		{Name: "DeleteFunction", HTTP: "DELETE /2015-03-31/functions/{FunctionName}", Status: 204, Handler: awsproto.Handle(s.deleteFunction)},

		{Name: "PublishVersion", HTTP: "POST /2015-03-31/functions/{FunctionName}/versions", Status: 201, Handler: awsproto.Handle(s.publishVersion)},
		{Name: "ListVersionsByFunction", HTTP: "GET /2015-03-31/functions/{FunctionName}/versions", Handler: awsproto.Handle(s.listVersionsByFunction)},

		{Name: "CreateAlias", HTTP: "POST /2015-03-31/functions/{FunctionName}/aliases", Status: 201, Handler: awsproto.Handle(s.createAlias)},
		{Name: "GetAlias", HTTP: "GET /2015-03-31/functions/{FunctionName}/aliases/{Name}", Handler: awsproto.Handle(s.getAlias)},
		{Name: "UpdateAlias", HTTP: "PUT /2015-03-31/functions/{FunctionName}/aliases/{Name}", Handler: awsproto.Handle(s.updateAlias)},
		{Name: "DeleteAlias", HTTP: "DELETE /2015-03-31/functions/{FunctionName}/aliases/{Name}", Status: 204, Handler: awsproto.Handle(s.deleteAlias)},
		{Name: "ListAliases", HTTP: "GET /2015-03-31/functions/{FunctionName}/aliases", Handler: awsproto.Handle(s.listAliases)},

		{Name: "PublishLayerVersion", HTTP: "POST /2018-10-31/layers/{LayerName}/versions", Status: 201, Handler: awsproto.Handle(s.publishLayerVersion)},
		{Name: "GetLayerVersion", HTTP: "GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}", Handler: awsproto.Handle(s.getLayerVersion)},
		{Name: "GetLayerVersionByArn", HTTP: "GET /2018-10-31/layers?find=LayerVersion", Handler: awsproto.Handle(s.getLayerVersionByArn)},
		{Name: "ListLayers", HTTP: "GET /2018-10-31/layers", Handler: awsproto.Handle(s.listLayers)},
		{Name: "ListLayerVersions", HTTP: "GET /2018-10-31/layers/{LayerName}/versions", Handler: awsproto.Handle(s.listLayerVersions)},
		{Name: "AddLayerVersionPermission", HTTP: "POST /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy", Status: 201, Handler: awsproto.Handle(s.addLayerVersionPermission)},
		{Name: "GetLayerVersionPolicy", HTTP: "GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy", Handler: awsproto.Handle(s.getLayerVersionPolicy)},
		{Name: "RemoveLayerVersionPermission", HTTP: "DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}", Status: 204, Handler: awsproto.Handle(s.removeLayerVersionPermission)},
		{Name: "DeleteLayerVersion", HTTP: "DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}", Status: 204, Handler: awsproto.Handle(s.deleteLayerVersion)},

		{Name: "PutFunctionRecursionConfig", HTTP: "PUT /2024-08-31/functions/{FunctionName}/recursion-config", Handler: awsproto.Handle(s.putFunctionRecursionConfig)},
		{Name: "GetFunctionRecursionConfig", HTTP: "GET /2024-08-31/functions/{FunctionName}/recursion-config", Handler: awsproto.Handle(s.getFunctionRecursionConfig)},
		{Name: "PutFunctionConcurrency", HTTP: "PUT /2017-10-31/functions/{FunctionName}/concurrency", Handler: awsproto.Handle(s.putFunctionConcurrency)},
		{Name: "GetFunctionConcurrency", HTTP: "GET /2019-09-30/functions/{FunctionName}/concurrency", Handler: awsproto.Handle(s.getFunctionConcurrency)},
		{Name: "DeleteFunctionConcurrency", HTTP: "DELETE /2017-10-31/functions/{FunctionName}/concurrency", Status: 204, Handler: awsproto.Handle(s.deleteFunctionConcurrency)},
		{Name: "PutProvisionedConcurrencyConfig", HTTP: "PUT /2019-09-30/functions/{FunctionName}/provisioned-concurrency", Status: 202, Handler: awsproto.Handle(s.putProvisionedConcurrencyConfig)},
		{Name: "GetProvisionedConcurrencyConfig", HTTP: "GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency", Handler: awsproto.Handle(s.getProvisionedConcurrencyConfig)},
		{Name: "DeleteProvisionedConcurrencyConfig", HTTP: "DELETE /2019-09-30/functions/{FunctionName}/provisioned-concurrency", Status: 204, Handler: awsproto.Handle(s.deleteProvisionedConcurrencyConfig)},
		{Name: "ListProvisionedConcurrencyConfigs", HTTP: "GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL", Handler: awsproto.Handle(s.listProvisionedConcurrencyConfigs)},
		{Name: "GetAccountSettings", HTTP: "GET /2016-08-19/account-settings/", Handler: awsproto.Handle(s.getAccountSettings)},

		{Name: "AddPermission", HTTP: "POST /2015-03-31/functions/{FunctionName}/policy", Status: 201, Handler: awsproto.Handle(s.addPermission)},
		{Name: "RemovePermission", HTTP: "DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}", Status: 204, Handler: awsproto.Handle(s.removePermission)},
		{Name: "GetPolicy", HTTP: "GET /2015-03-31/functions/{FunctionName}/policy", Handler: awsproto.Handle(s.getPolicy)},

		{Name: "GetFunctionCodeSigningConfig", HTTP: "GET /2020-06-30/functions/{FunctionName}/code-signing-config", Handler: awsproto.Handle(s.getFunctionCodeSigningConfig)},
		{Name: "ListCodeSigningConfigs", HTTP: "GET /2020-04-22/code-signing-configs/", Handler: awsproto.Handle(s.listCodeSigningConfigs)},

		{Name: "TagResource", HTTP: "POST /2017-03-31/tags/{ARN}", Status: 204, Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", HTTP: "DELETE /2017-03-31/tags/{ARN}", Status: 204, Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTags", HTTP: "GET /2017-03-31/tags/{ARN}", Handler: awsproto.Handle(s.listTags)},

		{Name: "CreateEventSourceMapping", HTTP: "POST /2015-03-31/event-source-mappings/", Status: 202, Handler: awsproto.Handle(s.createEventSourceMapping)},
		{Name: "GetEventSourceMapping", HTTP: "GET /2015-03-31/event-source-mappings/{UUID}", Handler: awsproto.Handle(s.getEventSourceMapping)},
		{Name: "ListEventSourceMappings", HTTP: "GET /2015-03-31/event-source-mappings/", Handler: awsproto.Handle(s.listEventSourceMappings)},
		{Name: "UpdateEventSourceMapping", HTTP: "PUT /2015-03-31/event-source-mappings/{UUID}", Status: 202, Handler: awsproto.Handle(s.updateEventSourceMapping)},
		{Name: "DeleteEventSourceMapping", HTTP: "DELETE /2015-03-31/event-source-mappings/{UUID}", Status: 202, Handler: awsproto.Handle(s.deleteEventSourceMapping)},

		{Name: "PutFunctionEventInvokeConfig", HTTP: "PUT /2019-09-25/functions/{FunctionName}/event-invoke-config", Handler: awsproto.Handle(s.putFunctionEventInvokeConfig)},
		{Name: "UpdateFunctionEventInvokeConfig", HTTP: "POST /2019-09-25/functions/{FunctionName}/event-invoke-config", Handler: awsproto.Handle(s.updateFunctionEventInvokeConfig)},
		{Name: "GetFunctionEventInvokeConfig", HTTP: "GET /2019-09-25/functions/{FunctionName}/event-invoke-config", Handler: awsproto.Handle(s.getFunctionEventInvokeConfig)},
		{Name: "DeleteFunctionEventInvokeConfig", HTTP: "DELETE /2019-09-25/functions/{FunctionName}/event-invoke-config", Status: 204, Handler: awsproto.Handle(s.deleteFunctionEventInvokeConfig)},
		{Name: "ListFunctionEventInvokeConfigs", HTTP: "GET /2019-09-25/functions/{FunctionName}/event-invoke-config/list", Handler: awsproto.Handle(s.listFunctionEventInvokeConfigs)},

		{Name: "CreateFunctionUrlConfig", HTTP: "POST /2021-10-31/functions/{FunctionName}/url", Status: 201, Handler: awsproto.Handle(s.createFunctionUrlConfig)},
		{Name: "GetFunctionUrlConfig", HTTP: "GET /2021-10-31/functions/{FunctionName}/url", Handler: awsproto.Handle(s.getFunctionUrlConfig)},
		{Name: "UpdateFunctionUrlConfig", HTTP: "PUT /2021-10-31/functions/{FunctionName}/url", Handler: awsproto.Handle(s.updateFunctionUrlConfig)},
		{Name: "DeleteFunctionUrlConfig", HTTP: "DELETE /2021-10-31/functions/{FunctionName}/url", Status: 204, Handler: awsproto.Handle(s.deleteFunctionUrlConfig)},
		{Name: "ListFunctionUrlConfigs", HTTP: "GET /2021-10-31/functions/{FunctionName}/urls", Handler: awsproto.Handle(s.listFunctionUrlConfigs)},

		// IAM names Invoke's action lambda:InvokeFunction.
		{Name: "Invoke", Action: "lambda:InvokeFunction", HTTP: "POST /2015-03-31/functions/{FunctionName}/invocations", Handler: awsproto.Handle(s.invoke)},
		{Name: "InvokeAsync", HTTP: "POST /2014-11-13/functions/{FunctionName}/invoke-async/", Status: 202, Handler: awsproto.Handle(s.invokeAsync)},
		{Name: "InvokeWithResponseStream", Action: "lambda:InvokeFunction", HTTP: "POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations", Handler: awsproto.Handle(s.invokeWithResponseStream)},
	}
	for i := range ops {
		ops[i].Handler = denyOtherAccounts{Handler: ops[i].Handler, account: s.account}
	}
	return ops
}

// noOutput is the output of operations whose model has none.
type noOutput struct{}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
