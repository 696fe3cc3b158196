package lambda

// The operations' inputs and outputs come from AWS's model of Lambda;
// model_overlay.json adds what AWS introduced after the model Debian ships
// (newer runtimes, LoggingConfig, PutFunctionRecursionConfig and
// GetFunctionRecursionConfig, AddPermission's InvokedViaFunctionUrl), bounds Timeout at 900 seconds as the
// service does, restates patterns Go's regular expressions cannot express
// (the alias name's and the function URL qualifier's look-aheads, the S3
// bucket's look-behind; the handlers check those rules themselves), and
// lets Invoke answer with a Content-Type. It also adds
// InvokeWithResponseStream, absent from that model, with its event
// stream as a streamed body that op_invoke_stream.go encodes.
//go:generate go run ../awsproto/shapegen -service lambda -version 2015-03-31 -package lambda -overlay model_overlay.json -out zz_shapes.go -ops InvokeAsync,GetFunctionCodeSigningConfig,ListCodeSigningConfigs,AddLayerVersionPermission,GetLayerVersionPolicy,RemoveLayerVersionPermission,AddPermission,CreateAlias,CreateFunctionUrlConfig,GetFunctionUrlConfig,UpdateFunctionUrlConfig,DeleteFunctionUrlConfig,ListFunctionUrlConfigs,CreateEventSourceMapping,DeleteEventSourceMapping,GetEventSourceMapping,ListEventSourceMappings,UpdateEventSourceMapping,PutFunctionEventInvokeConfig,GetFunctionEventInvokeConfig,UpdateFunctionEventInvokeConfig,DeleteFunctionEventInvokeConfig,ListFunctionEventInvokeConfigs,CreateFunction,DeleteAlias,DeleteFunction,DeleteFunctionConcurrency,DeleteLayerVersion,GetAccountSettings,GetAlias,GetFunction,GetFunctionConcurrency,GetFunctionConfiguration,GetLayerVersion,GetLayerVersionByArn,GetPolicy,Invoke,ListAliases,ListFunctions,ListLayerVersions,ListLayers,ListTags,ListVersionsByFunction,PublishLayerVersion,PublishVersion,PutFunctionConcurrency,RemovePermission,TagResource,UntagResource,UpdateAlias,UpdateFunctionCode,UpdateFunctionConfiguration,InvokeWithResponseStream,PutProvisionedConcurrencyConfig,GetProvisionedConcurrencyConfig,DeleteProvisionedConcurrencyConfig,ListProvisionedConcurrencyConfigs,PutFunctionRecursionConfig,GetFunctionRecursionConfig
