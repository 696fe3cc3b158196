package sam

import (
	"strings"
	"testing"
)

// Types of the generated resources, for brevity.
const (
	tFunction     = "AWS::Lambda::Function"
	tPermission   = "AWS::Lambda::Permission"
	tVersion      = "AWS::Lambda::Version"
	tAlias        = "AWS::Lambda::Alias"
	tURL          = "AWS::Lambda::Url"
	tESM          = "AWS::Lambda::EventSourceMapping"
	tInvokeConfig = "AWS::Lambda::EventInvokeConfig"
	tLayer        = "AWS::Lambda::LayerVersion"
	tRole         = "AWS::IAM::Role"
	tRestAPI      = "AWS::ApiGateway::RestApi"
	tDeployment   = "AWS::ApiGateway::Deployment"
	tStage        = "AWS::ApiGateway::Stage"
	tHTTPAPI      = "AWS::ApiGatewayV2::Api"
	tHTTPStage    = "AWS::ApiGatewayV2::Stage"
	tRoute        = "AWS::ApiGatewayV2::Route"
	tIntegration  = "AWS::ApiGatewayV2::Integration"
	tAuthorizer   = "AWS::ApiGatewayV2::Authorizer"
	tRule         = "AWS::Events::Rule"
	tSchedule     = "AWS::Scheduler::Schedule"
	tSubscription = "AWS::SNS::Subscription"
	tQueue        = "AWS::SQS::Queue"
	tTopic        = "AWS::SNS::Topic"
	tTable        = "AWS::DynamoDB::Table"
	tUsagePlan    = "AWS::ApiGateway::UsagePlan"
	tAPIKey       = "AWS::ApiGateway::ApiKey"
	tUsagePlanKey = "AWS::ApiGateway::UsagePlanKey"
)

// basicRole is the managed policy every generated role has.
const basicRole = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// invocation is the URI API Gateway invokes a function by.
func invocation(target string) map[string]any {
	return map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/" + target + "/invocations"}
}

// executeAPI is the SourceArn of a permission for an API route.
func executeAPI(api, route string) map[string]any {
	return map[string]any{"Fn::Sub": []any{
		"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/" + route,
		map[string]any{"__ApiId__": map[string]any{"Ref": api}, "__Stage__": "*"},
	}}
}

func TestTransform(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file      string
		resources map[string]string
		check     func(t *testing.T, r *result)
	}{
		{
			file: "hello-world.yaml",
			resources: map[string]string{
				"HelloWorldFunction":                         tFunction,
				"HelloWorldFunctionRole":                     tRole,
				"HelloWorldFunctionHelloWorldPermissionProd": tPermission,
				"ServerlessRestApi":                          tRestAPI,
				"ServerlessRestApiDeployment*":               tDeployment,
				"ServerlessRestApiProdStage":                 tStage,
			},
			check: checkHelloWorld,
		},
		{
			file: "http-api.yaml",
			resources: map[string]string{
				"ItemsFunction":                           tFunction,
				"ItemsFunctionRole":                       tRole,
				"ItemsFunctionListItemsIntegration":       tIntegration,
				"ItemsFunctionListItemsRoute":             tRoute,
				"ItemsFunctionListItemsPermission":        tPermission,
				"ItemsFunctionGetItemIntegration":         tIntegration,
				"ItemsFunctionGetItemRoute":               tRoute,
				"ItemsFunctionGetItemPermission":          tPermission,
				"ItemsFunctionPutItemIntegration":         tIntegration,
				"ItemsFunctionPutItemRoute":               tRoute,
				"ItemsFunctionPutItemPermission":          tPermission,
				"FallbackFunction":                        tFunction,
				"FallbackFunctionRole":                    tRole,
				"FallbackFunctionCatchAllIntegration":     tIntegration,
				"FallbackFunctionCatchAllRoute":           tRoute,
				"FallbackFunctionCatchAllPermission":      tPermission,
				"ServerlessHttpApi":                       tHTTPAPI,
				"ServerlessHttpApiApiGatewayDefaultStage": tHTTPStage,
			},
			check: checkHTTPAPI,
		},
		{
			file: "event-sources.yaml",
			resources: map[string]string{
				"Jobs":                         tQueue,
				"Orders":                       tTable,
				"Alerts":                       tTopic,
				"Uploads":                      "AWS::S3::Bucket",
				"Worker":                       tFunction,
				"WorkerRole":                   tRole,
				"WorkerJobQueue":               tESM,
				"WorkerOrderStream":            tESM,
				"WorkerClicks":                 tESM,
				"WorkerNightly":                tRule,
				"WorkerNightlyPermission":      tPermission,
				"WorkerEveryFiveMinutes":       tSchedule,
				"WorkerEveryFiveMinutesRole":   tRole,
				"WorkerAlertTopic":             tSubscription,
				"WorkerAlertTopicPermission":   tPermission,
				"WorkerOrderShipped":           tRule,
				"WorkerOrderShippedPermission": tPermission,
				"WorkerLegacyEvent":            tRule,
				"WorkerLegacyEventPermission":  tPermission,
				"WorkerUploadPermission":       tPermission,
			},
			check: checkEventSources,
		},
		{
			file: "connectors.yaml",
			resources: map[string]string{
				"Reader": tFunction, "ReaderRole": tRole, "Writer": tFunction, "WriterRole": tRole,
				"Items": tTable, "Jobs": tQueue, "Alerts": tTopic, "Nightly": tRule,
				"ReaderToItemsPolicy":                 "AWS::IAM::ManagedPolicy",
				"WriterToOutputsPolicyDestination0":   "AWS::IAM::ManagedPolicy",
				"WriterToOutputsPolicyDestination1":   "AWS::IAM::ManagedPolicy",
				"AlertsToReaderWriteLambdaPermission": tPermission,
				"NightlyToJobsQueuePolicy":            "AWS::SQS::QueuePolicy",
			},
			check: checkConnectors,
		},
		{
			file: "deployment-preference.yaml",
			resources: map[string]string{
				"Base": tFunction, "BaseRole": tRole, "BaseVersion*": tVersion, "BaseAliaslive": tAlias,
				"PreHook": tFunction, "PreHookRole": tRole,
			},
			check: checkDeploymentPreference,
		},
		{
			file: "globals.yaml",
			resources: map[string]string{
				"Inherits":      tFunction,
				"InheritsRole":  tRole,
				"Overrides":     tFunction,
				"OverridesRole": tRole,
				"Sessions":      tTable,
			},
			check: checkGlobals,
		},
		{
			file: "alias.yaml",
			resources: map[string]string{
				"Checkout":                                tFunction,
				"CheckoutRole":                            tRole,
				"CheckoutVersion*":                        tVersion,
				"CheckoutAliaslive":                       tAlias,
				"CheckoutEventInvokeConfig":               tInvokeConfig,
				"CheckoutEventInvokeConfigOnFailureQueue": tQueue,
				"CheckoutOrders":                          tESM,
				"Orders":                                  tQueue,
				"Dead":                                    tQueue,
			},
			check: checkAlias,
		},
		{
			file: "function-url.yaml",
			resources: map[string]string{
				"PublicFunction":                           tFunction,
				"PublicFunctionRole":                       tRole,
				"PublicFunctionUrl":                        tURL,
				"PublicFunctionUrlPublicPermissions":       tPermission,
				"PublicFunctionURLInvokeAllowPublicAccess": tPermission,
				"PrivateFunction":                          tFunction,
				"PrivateFunctionRole":                      tRole,
				"PrivateFunctionUrl":                       tURL,
				"PrivateFunctionVersion*":                  tVersion,
				"PrivateFunctionAliaslive":                 tAlias,
			},
			check: checkFunctionURL,
		},
		{
			file: "simple-table.yaml",
			resources: map[string]string{
				"Sessions":            tTable,
				"Counters":            tTable,
				"SessionFunction":     tFunction,
				"SessionFunctionRole": tRole,
			},
			check: checkSimpleTable,
		},
		{
			file: "explicit-api.yaml",
			resources: map[string]string{
				"MyApi":                                  tRestAPI,
				"MyApiDeployment*":                       tDeployment,
				"MyApidevStage":                          tStage,
				"MyApiTokenAuthAuthorizerPermission":     tPermission,
				"MyApiRequestAuthAuthorizerPermission":   tPermission,
				"AuthFunction":                           tFunction,
				"AuthFunctionRole":                       tRole,
				"OrdersFunction":                         tFunction,
				"OrdersFunctionRole":                     tRole,
				"OrdersFunctionListOrdersPermissiondev":  tPermission,
				"OrdersFunctionCreateOrderPermissiondev": tPermission,
				"OrdersFunctionHealthPermissiondev":      tPermission,
				"OrdersFunctionAnyOrderPermissiondev":    tPermission,
			},
			check: checkExplicitAPI,
		},
		{
			file: "usage-plan.yaml",
			resources: map[string]string{
				"Products": tRestAPI, "ProductsDeployment*": tDeployment, "Productsv1Stage": tStage,
				"Orders": tRestAPI, "OrdersDeployment*": tDeployment, "Ordersv2Stage": tStage,
				"Reports": tRestAPI, "ReportsDeployment*": tDeployment, "Reportsv3Stage": tStage,
				"Open": tRestAPI, "OpenDeployment*": tDeployment, "Openv4Stage": tStage,
				"ProductsUsagePlan":           tUsagePlan,
				"ProductsApiKey":              tAPIKey,
				"ProductsUsagePlanKey":        tUsagePlanKey,
				"ServerlessUsagePlan":         tUsagePlan,
				"ServerlessApiKey":            tAPIKey,
				"ServerlessUsagePlanKey":      tUsagePlanKey,
				"Handler":                     tFunction,
				"HandlerRole":                 tRole,
				"HandlerProductsPermissionv1": tPermission,
				"HandlerOrdersPermissionv2":   tPermission,
				"HandlerReportsPermissionv3":  tPermission,
				"HandlerOpenPermissionv4":     tPermission,
			},
			check: checkUsagePlan,
		},
		{
			file: "layer.yaml",
			resources: map[string]string{
				"DepsLayer*":    tLayer,
				"UsesLayer":     tFunction,
				"UsesLayerRole": tRole,
			},
			check: checkLayer,
		},
		{
			file: "http-api-auth.yaml",
			resources: map[string]string{
				"Api":                               tHTTPAPI,
				"Apiv1Stage":                        tHTTPStage,
				"ApiLambdaAuthAuthorizer":           tAuthorizer,
				"ApiJwtAuthorizer":                  tAuthorizer,
				"ApiLambdaAuthAuthorizerPermission": tPermission,
				"Authorizer":                        tFunction,
				"AuthorizerRole":                    tRole,
				"Backend":                           tFunction,
				"BackendRole":                       tRole,
				"BackendPrivateIntegration":         tIntegration,
				"BackendPrivateRoute":               tRoute,
				"BackendPrivatePermission":          tPermission,
				"BackendPublicIntegration":          tIntegration,
				"BackendPublicRoute":                tRoute,
				"BackendPublicPermission":           tPermission,
				"BackendScopedIntegration":          tIntegration,
				"BackendScopedRoute":                tRoute,
				"BackendScopedPermission":           tPermission,
				"BackendSignedIntegration":          tIntegration,
				"BackendSignedRoute":                tRoute,
				"BackendSignedPermission":           tPermission,
			},
			check: checkHTTPAPIAuth,
		},
		{
			file: "definition-body.yaml",
			resources: map[string]string{
				"RestApi":                       tRestAPI,
				"RestApiDeployment*":            tDeployment,
				"RestApiprodStage":              tStage,
				"HttpApi":                       tHTTPAPI,
				"HttpApiApiGatewayDefaultStage": tHTTPStage,
				"Pets":                          tFunction,
				"PetsRole":                      tRole,
				"PetsListPetsPermissionprod":    tPermission,
				"PetsAddPetPermissionprod":      tPermission,
				"PetsListNotesPermission":       tPermission,
				"PetsFallbackPermission":        tPermission,
				"PetsAlerts":                    tSubscription,
				"PetsAlertsQueue":               tQueue,
				"PetsAlertsQueuePolicy":         "AWS::SQS::QueuePolicy",
				"PetsAlertsEventSourceMapping":  tESM,
				"Alerts":                        tTopic,
			},
			check: checkDefinitionBody,
		},
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.file, ".yaml"), func(t *testing.T) {
			t.Parallel()
			r := transformBody(t, readTestdata(t, c.file))
			for _, k := range []string{"Transform", "Globals"} {
				if _, ok := r.tree[k]; ok {
					t.Errorf("the output keeps %s", k)
				}
			}
			r.wantResources(t, c.resources)
			c.check(t, r)
		})
	}
}

func checkHelloWorld(t *testing.T, r *result) {
	fn := r.props(t, "HelloWorldFunction", tFunction)
	want(t, "function", fn, map[string]any{
		"Code":          map[string]any{"ZipFile": "packaged hello_world/"},
		"Handler":       "app.lambda_handler",
		"Runtime":       "python3.13",
		"Architectures": []any{"x86_64"},
		"Timeout":       3,
		"Role":          map[string]any{"Fn::GetAtt": []any{"HelloWorldFunctionRole", "Arn"}},
		"Tags":          []any{map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}},
	})
	role := r.props(t, "HelloWorldFunctionRole", tRole)
	want(t, "role policies", role["ManagedPolicyArns"], []any{basicRole})
	want(t, "assume role", get(role, "AssumeRolePolicyDocument", "Statement", 0, "Principal", "Service"), []any{"lambda.amazonaws.com"})

	body := r.props(t, "ServerlessRestApi", tRestAPI)["Body"]
	want(t, "swagger", get(body, "swagger"), "2.0")
	want(t, "title", get(body, "info", "title"), map[string]any{"Ref": "AWS::StackName"})
	want(t, "integration", get(body, "paths", "/hello", "get", "x-amazon-apigateway-integration"), map[string]any{
		"type": "aws_proxy", "httpMethod": "POST", "uri": invocation("${HelloWorldFunction.Arn}"),
	})

	deployment := r.find(t, "ServerlessRestApiDeployment")
	dp := r.props(t, deployment, tDeployment)
	desc, _ := dp["Description"].(string)
	digest, ok := strings.CutPrefix(desc, "RestApi deployment id: ")
	if !ok || len(digest) != 40 || !strings.HasSuffix(deployment, digest[:10]) {
		t.Errorf("deployment %s has description %q", deployment, desc)
	}
	want(t, "deployment stage", dp["StageName"], "Stage")
	want(t, "stage", r.props(t, "ServerlessRestApiProdStage", tStage), map[string]any{
		"DeploymentId": map[string]any{"Ref": deployment},
		"RestApiId":    map[string]any{"Ref": "ServerlessRestApi"},
		"StageName":    "Prod",
	})
	want(t, "permission", r.props(t, "HelloWorldFunctionHelloWorldPermissionProd", tPermission), map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": map[string]any{"Ref": "HelloWorldFunction"},
		"Principal":    "apigateway.amazonaws.com",
		"SourceArn":    executeAPI("ServerlessRestApi", "GET/hello"),
	})

	r.dependsOn(t, "HelloWorldFunction", "HelloWorldFunctionRole")
	r.dependsOn(t, "ServerlessRestApi", "HelloWorldFunction")
	r.dependsOn(t, deployment, "ServerlessRestApi")
	r.dependsOn(t, "ServerlessRestApiProdStage", deployment, "ServerlessRestApi")
	r.dependsOn(t, "HelloWorldFunctionHelloWorldPermissionProd", "HelloWorldFunction", "ServerlessRestApi")

	want(t, "HelloWorldApi", r.output(t, "HelloWorldApi", map[string]string{"ServerlessRestApi": "abc123"}),
		"https://abc123.execute-api.us-east-1.amazonaws.com/Prod/hello/")
	want(t, "HelloWorldFunction", r.output(t, "HelloWorldFunction", nil), "HelloWorldFunction.Arn")
	want(t, "HelloWorldFunctionIamRole", r.output(t, "HelloWorldFunctionIamRole", nil), "HelloWorldFunctionRole.Arn")
	if !strings.HasPrefix(r.tmpl.Description, "sam-app") {
		t.Errorf("Description = %q", r.tmpl.Description)
	}
	if len(r.warnings) > 0 {
		t.Errorf("warnings: %q", r.warnings)
	}
}

func checkHTTPAPI(t *testing.T, r *result) {
	api := r.props(t, "ServerlessHttpApi", tHTTPAPI)
	want(t, "api", api, map[string]any{
		"Name":         map[string]any{"Ref": "AWS::StackName"},
		"ProtocolType": "HTTP",
		"Tags":         map[string]any{"httpapi:createdBy": "SAM"},
		"CorsConfiguration": map[string]any{
			"AllowOrigins": []any{"https://example.com"},
			"AllowMethods": []any{"GET", "POST"},
		},
	})
	routes := map[string]string{
		"ItemsFunctionListItems":   "GET /items",
		"ItemsFunctionGetItem":     "GET /items/{id}",
		"ItemsFunctionPutItem":     "PUT /items/{id}",
		"FallbackFunctionCatchAll": "$default",
	}
	for id, key := range routes {
		route := r.props(t, id+"Route", tRoute)
		want(t, id+" route", route, map[string]any{
			"ApiId":             map[string]any{"Ref": "ServerlessHttpApi"},
			"RouteKey":          key,
			"Target":            map[string]any{"Fn::Sub": "integrations/${" + id + "Integration}"},
			"AuthorizationType": "NONE",
		})
		r.dependsOn(t, id+"Route", id+"Integration", "ServerlessHttpApi")
		r.dependsOn(t, "ServerlessHttpApiApiGatewayDefaultStage", id+"Route")
	}
	want(t, "integration", r.props(t, "ItemsFunctionListItemsIntegration", tIntegration), map[string]any{
		"ApiId":                map[string]any{"Ref": "ServerlessHttpApi"},
		"IntegrationType":      "AWS_PROXY",
		"IntegrationMethod":    "POST",
		"IntegrationUri":       invocation("${ItemsFunction.Arn}"),
		"PayloadFormatVersion": "2.0",
	})
	put := r.props(t, "ItemsFunctionPutItemIntegration", tIntegration)
	want(t, "payload format", put["PayloadFormatVersion"], "1.0")
	want(t, "timeout", put["TimeoutInMillis"], 5000)
	want(t, "get permission", get(r.props(t, "ItemsFunctionGetItemPermission", tPermission), "SourceArn"),
		executeAPI("ServerlessHttpApi", "GET/items/*"))
	want(t, "default permission", get(r.props(t, "FallbackFunctionCatchAllPermission", tPermission), "SourceArn"),
		executeAPI("ServerlessHttpApi", "*"))
	stage := r.props(t, "ServerlessHttpApiApiGatewayDefaultStage", tHTTPStage)
	want(t, "stage name", stage["StageName"], "$default")
	want(t, "auto deploy", stage["AutoDeploy"], true)

	fallback := r.props(t, "FallbackFunction", tFunction)
	want(t, "inline code", get(fallback, "Code", "ZipFile"), "exports.handler = async () => ({ statusCode: 404, body: \"not here\" });\n")
	want(t, "globals", []any{fallback["Runtime"], fallback["Handler"], fallback["MemorySize"]}, []any{"nodejs22.x", "index.handler", 256})
	want(t, "ApiUrl", r.output(t, "ApiUrl", map[string]string{"ServerlessHttpApi": "h77p"}), "https://h77p.execute-api.us-east-1.amazonaws.com/")
}

func checkEventSources(t *testing.T, r *result) {
	fn := r.resource(t, "Worker", tFunction)
	want(t, "code", get(fn, "Properties", "Code"), map[string]any{
		"S3Bucket": "artifacts-bucket", "S3Key": "worker.zip", "S3ObjectVersion": "3",
	})
	want(t, "function waits for its role", fn["DependsOn"], []any{"WorkerRole"})
	want(t, "skipped events", get(fn, "Metadata", "Virga", "SkippedEvents"), map[string]any{
		"Brokers": "MQ events are not supported by virga yet",
	})
	r.wantWarning(t, "Worker", "Brokers", "MQ")

	// The S3 event configures the bucket, which waits for the permission.
	bucket := r.resource(t, "Uploads", "AWS::S3::Bucket")
	want(t, "bucket notification", get(bucket, "Properties", "NotificationConfiguration"), map[string]any{
		"LambdaConfigurations": []any{map[string]any{
			"Event":    "s3:ObjectCreated:*",
			"Function": map[string]any{"Fn::GetAtt": []any{"Worker", "Arn"}},
			"Filter":   map[string]any{"S3Key": map[string]any{"Rules": []any{map[string]any{"Name": "suffix", "Value": ".csv"}}}},
		}},
	})
	want(t, "bucket waits for the permission", bucket["DependsOn"], []any{"WorkerUploadPermission"})
	want(t, "S3 permission", r.props(t, "WorkerUploadPermission", tPermission), map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": map[string]any{"Ref": "Worker"},
		"Principal": "s3.amazonaws.com", "SourceAccount": map[string]any{"Ref": "AWS::AccountId"},
	})

	role := r.props(t, "WorkerRole", tRole)
	want(t, "managed policies", role["ManagedPolicyArns"], []any{
		basicRole,
		"arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
	})
	want(t, "SQSPollerPolicy", get(role, "Policies", 0), map[string]any{
		"PolicyName": "WorkerRolePolicy0",
		"PolicyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect": "Allow",
				"Action": []any{
					"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
					"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage",
				},
				"Resource": map[string]any{"Fn::Sub": []any{
					"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}",
					map[string]any{"queueName": map[string]any{"Fn::GetAtt": []any{"Jobs", "QueueName"}}},
				}},
			}},
		},
	})

	want(t, "SQS mapping", r.props(t, "WorkerJobQueue", tESM), map[string]any{
		"EventSourceArn":          map[string]any{"Fn::GetAtt": []any{"Jobs", "Arn"}},
		"FunctionName":            map[string]any{"Ref": "Worker"},
		"BatchSize":               5,
		"FunctionResponseTypes":   []any{"ReportBatchItemFailures"},
		"ProvisionedPollerConfig": map[string]any{"MinimumPollers": 2, "MaximumPollers": 20},
	})
	want(t, "DynamoDB mapping", r.props(t, "WorkerOrderStream", tESM), map[string]any{
		"EventSourceArn":       map[string]any{"Fn::GetAtt": []any{"Orders", "StreamArn"}},
		"FunctionName":         map[string]any{"Ref": "Worker"},
		"StartingPosition":     "TRIM_HORIZON",
		"BatchSize":            100,
		"MaximumRetryAttempts": 2,
	})
	want(t, "Kinesis mapping", r.props(t, "WorkerClicks", tESM), map[string]any{
		"EventSourceArn":             "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
		"FunctionName":               map[string]any{"Ref": "Worker"},
		"StartingPosition":           "LATEST",
		"BatchSize":                  500,
		"ParallelizationFactor":      4,
		"BisectBatchOnFunctionError": true,
	})
	r.dependsOn(t, "WorkerJobQueue", "Worker", "Jobs")
	r.dependsOn(t, "WorkerOrderStream", "Worker", "Orders")

	want(t, "schedule rule", r.props(t, "WorkerNightly", tRule), map[string]any{
		"ScheduleExpression": "cron(0 3 * * ? *)",
		"State":              "DISABLED",
		"Targets": []any{map[string]any{
			"Id":    "WorkerNightlyLambdaTarget",
			"Arn":   map[string]any{"Fn::GetAtt": []any{"Worker", "Arn"}},
			"Input": `{"job": "nightly"}`,
		}},
	})
	for _, rule := range []string{"WorkerNightly", "WorkerOrderShipped", "WorkerLegacyEvent"} {
		want(t, rule+" permission", r.props(t, rule+"Permission", tPermission), map[string]any{
			"Action":       "lambda:InvokeFunction",
			"FunctionName": map[string]any{"Ref": "Worker"},
			"Principal":    "events.amazonaws.com",
			"SourceArn":    map[string]any{"Fn::GetAtt": []any{rule, "Arn"}},
		})
		r.dependsOn(t, rule+"Permission", rule, "Worker")
	}
	want(t, "pattern rule", r.props(t, "WorkerOrderShipped", tRule), map[string]any{
		"EventPattern": map[string]any{"source": []any{"shop.orders"}, "detail-type": []any{"OrderShipped"}},
		"Targets": []any{map[string]any{
			"Id":  "WorkerOrderShippedLambdaTarget",
			"Arn": map[string]any{"Fn::GetAtt": []any{"Worker", "Arn"}},
		}},
	})

	sched := r.props(t, "WorkerEveryFiveMinutes", tSchedule)
	want(t, "schedule", sched, map[string]any{
		"Name":                       "WorkerEveryFiveMinutes",
		"ScheduleExpression":         "rate(5 minutes)",
		"ScheduleExpressionTimezone": "Europe/Paris",
		"FlexibleTimeWindow":         map[string]any{"Mode": "OFF"},
		"Target": map[string]any{
			"Arn":     map[string]any{"Fn::GetAtt": []any{"Worker", "Arn"}},
			"RoleArn": map[string]any{"Fn::GetAtt": []any{"WorkerEveryFiveMinutesRole", "Arn"}},
		},
	})
	schedRole := r.props(t, "WorkerEveryFiveMinutesRole", tRole)
	want(t, "scheduler principal", get(schedRole, "AssumeRolePolicyDocument", "Statement", 0, "Principal", "Service"), []any{"scheduler.amazonaws.com"})
	want(t, "scheduler invoke", get(schedRole, "Policies", 0, "PolicyDocument"), map[string]any{"Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": map[string]any{"Fn::GetAtt": []any{"Worker", "Arn"}},
	}}})
	r.dependsOn(t, "WorkerEveryFiveMinutes", "WorkerEveryFiveMinutesRole", "Worker")

	want(t, "subscription", r.props(t, "WorkerAlertTopic", tSubscription), map[string]any{
		"Protocol":     "lambda",
		"Endpoint":     map[string]any{"Fn::GetAtt": []any{"Worker", "Arn"}},
		"TopicArn":     map[string]any{"Ref": "Alerts"},
		"FilterPolicy": map[string]any{"severity": []any{"high"}},
	})
	want(t, "SNS permission", r.props(t, "WorkerAlertTopicPermission", tPermission), map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": map[string]any{"Ref": "Worker"},
		"Principal":    "sns.amazonaws.com",
		"SourceArn":    map[string]any{"Ref": "Alerts"},
	})
}

func checkGlobals(t *testing.T, r *result) {
	in := r.props(t, "Inherits", tFunction)
	want(t, "inherited", map[string]any{
		"Runtime": in["Runtime"], "Handler": in["Handler"], "Timeout": in["Timeout"],
		"Architectures": in["Architectures"], "Environment": in["Environment"],
		"Layers": in["Layers"], "Tags": in["Tags"], "VpcConfig": in["VpcConfig"],
	}, map[string]any{
		"Runtime": "nodejs20.x", "Handler": "index.handler", "Timeout": 30,
		"Architectures": []any{"x86_64"},
		"Environment":   map[string]any{"Variables": map[string]any{"STAGE": "prod", "TABLE_NAME": "global-table"}},
		"Layers":        []any{"arn:aws:lambda:us-east-1:123456789012:layer:shared:1"},
		"Tags": []any{
			map[string]any{"Key": "lambda:createdBy", "Value": "SAM"},
			map[string]any{"Key": "team", "Value": "platform"},
		},
		"VpcConfig": map[string]any{"SecurityGroupIds": []any{"sg-123", "sg-456"}, "SubnetIds": []any{"subnet-1"}},
	})
	want(t, "VPC role", get(r.props(t, "InheritsRole", tRole), "ManagedPolicyArns"), []any{
		basicRole, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
	})

	over := r.props(t, "Overrides", tFunction)
	want(t, "overridden", map[string]any{
		"Runtime": over["Runtime"], "Timeout": over["Timeout"], "Architectures": over["Architectures"],
		"Environment": over["Environment"], "Layers": over["Layers"], "Tags": over["Tags"],
		"VpcConfig": over["VpcConfig"],
	}, map[string]any{
		"Runtime": "python3.12", "Timeout": 5,
		"Architectures": []any{"arm64"},
		"Environment": map[string]any{"Variables": map[string]any{
			"STAGE": "prod", "TABLE_NAME": "resource-table", "NEW_VAR": "hello",
		}},
		"Layers": []any{
			"arn:aws:lambda:us-east-1:123456789012:layer:shared:1",
			"arn:aws:lambda:us-east-1:123456789012:layer:own:2",
		},
		"Tags": []any{
			map[string]any{"Key": "lambda:createdBy", "Value": "SAM"},
			map[string]any{"Key": "owner", "Value": "me"},
			map[string]any{"Key": "team", "Value": "platform"},
		},
		"VpcConfig": map[string]any{"SecurityGroupIds": []any{"sg-123", "sg-456", "sg-first"}, "SubnetIds": []any{"subnet-1"}},
	})
	want(t, "table", r.props(t, "Sessions", tTable), map[string]any{
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
		"SSESpecification":     map[string]any{"SSEEnabled": true},
	})
}

func checkAlias(t *testing.T, r *result) {
	version := r.find(t, "CheckoutVersion")
	v := r.resource(t, version, tVersion)
	want(t, "version", v, map[string]any{
		"Type":           tVersion,
		"DeletionPolicy": "Retain",
		"Properties":     map[string]any{"FunctionName": map[string]any{"Ref": "Checkout"}, "Description": "checkout release"},
	})
	want(t, "alias", r.props(t, "CheckoutAliaslive", tAlias), map[string]any{
		"Name":                         "live",
		"FunctionName":                 map[string]any{"Ref": "Checkout"},
		"FunctionVersion":              map[string]any{"Fn::GetAtt": []any{version, "Version"}},
		"ProvisionedConcurrencyConfig": map[string]any{"ProvisionedConcurrentExecutions": 2},
	})
	r.dependsOn(t, "CheckoutAliaslive", version, "Checkout")
	r.dependsOn(t, version, "Checkout")

	want(t, "mapping targets the alias", get(r.props(t, "CheckoutOrders", tESM), "FunctionName"), map[string]any{"Ref": "CheckoutAliaslive"})
	fn := r.props(t, "Checkout", tFunction)
	want(t, "dead letter", fn["DeadLetterConfig"], map[string]any{"TargetArn": map[string]any{"Fn::GetAtt": []any{"Dead", "Arn"}}})
	want(t, "reserved concurrency", fn["ReservedConcurrentExecutions"], 10)
	if _, ok := fn["AutoPublishAlias"]; ok {
		t.Error("AutoPublishAlias reached the Lambda function")
	}

	cfg := r.resource(t, "CheckoutEventInvokeConfig", tInvokeConfig)
	want(t, "event invoke config", cfg["Properties"], map[string]any{
		"FunctionName":         map[string]any{"Ref": "Checkout"},
		"Qualifier":            "live",
		"MaximumRetryAttempts": 1,
		"DestinationConfig": map[string]any{"OnFailure": map[string]any{
			"Destination": map[string]any{"Fn::GetAtt": []any{"CheckoutEventInvokeConfigOnFailureQueue", "Arn"}},
		}},
	})
	want(t, "config waits for the alias", cfg["DependsOn"], []any{"CheckoutAliaslive"})

	role := r.props(t, "CheckoutRole", tRole)
	var names []any
	for _, p := range role["Policies"].([]any) {
		names = append(names, get(p, "PolicyName"))
	}
	want(t, "role inline policies", names, []any{"DeadLetterQueuePolicy", "CheckoutEventInvokeConfigOnFailureSQSPolicy"})
	want(t, "dead letter policy", get(role, "Policies", 0, "PolicyDocument", "Statement", 0, "Action"), "sqs:SendMessage")
	r.wantWarning(t, "Checkout", "DeploymentPreference")

	outputs := r.tree["Outputs"].(map[string]any)
	want(t, "Checkout.Alias", get(outputs, "AliasArn", "Value"), map[string]any{"Ref": "CheckoutAliaslive"})
	want(t, "Checkout.Version", get(outputs, "VersionArn", "Value"), map[string]any{"Ref": version})
	want(t, "GetAtt Checkout.Alias", get(outputs, "AliasName", "Value"), map[string]any{"Fn::GetAtt": []any{"CheckoutAliaslive", "Name"}})
	want(t, "Sub Checkout.DestinationQueue", get(outputs, "FailureQueue", "Value"), map[string]any{"Fn::Sub": "${CheckoutEventInvokeConfigOnFailureQueue.Arn}"})
	want(t, "evaluated", r.output(t, "AliasArn", nil), "phys-CheckoutAliaslive")
}

func checkFunctionURL(t *testing.T, r *result) {
	want(t, "public URL", r.props(t, "PublicFunctionUrl", tURL), map[string]any{
		"AuthType":          "NONE",
		"TargetFunctionArn": map[string]any{"Ref": "PublicFunction"},
		"InvokeMode":        "BUFFERED",
		"Cors":              map[string]any{"AllowOrigins": []any{"*"}, "AllowMethods": []any{"GET"}},
	})
	want(t, "URL permission", r.props(t, "PublicFunctionUrlPublicPermissions", tPermission), map[string]any{
		"Action":              "lambda:InvokeFunctionUrl",
		"FunctionName":        map[string]any{"Ref": "PublicFunction"},
		"FunctionUrlAuthType": "NONE",
		"Principal":           "*",
	})
	want(t, "invoke permission", r.props(t, "PublicFunctionURLInvokeAllowPublicAccess", tPermission), map[string]any{
		"Action":                "lambda:InvokeFunction",
		"FunctionName":          map[string]any{"Ref": "PublicFunction"},
		"InvokedViaFunctionUrl": true,
		"Principal":             "*",
	})
	private := r.resource(t, "PrivateFunctionUrl", tURL)
	want(t, "private URL", private["Properties"], map[string]any{
		"AuthType":          "AWS_IAM",
		"TargetFunctionArn": map[string]any{"Ref": "PrivateFunction"},
		"Qualifier":         "live",
	})
	want(t, "URL waits for the alias", private["DependsOn"], []any{"PrivateFunctionAliaslive"})
	want(t, "output", r.output(t, "PublicUrl", nil), "PublicFunctionUrl.FunctionUrl")
}

func checkSimpleTable(t *testing.T, r *result) {
	want(t, "counters", r.props(t, "Counters", tTable), map[string]any{
		"TableName":             "counters",
		"AttributeDefinitions":  []any{map[string]any{"AttributeName": "counterId", "AttributeType": "N"}},
		"KeySchema":             []any{map[string]any{"AttributeName": "counterId", "KeyType": "HASH"}},
		"ProvisionedThroughput": map[string]any{"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
		"Tags":                  []any{map[string]any{"Key": "app", "Value": "counters"}},
	})
	want(t, "sessions billing", get(r.props(t, "Sessions", tTable), "BillingMode"), "PAY_PER_REQUEST")

	role := r.props(t, "SessionFunctionRole", tRole)
	want(t, "managed", role["ManagedPolicyArns"], []any{
		basicRole, "arn:aws:iam::aws:policy/AWSLambdaExecute", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
	})
	policies := role["Policies"].([]any)
	if len(policies) != 3 {
		t.Fatalf("want 3 inline policies, got %s", indent(policies))
	}
	want(t, "DynamoDBCrudPolicy name", get(policies, 0, "PolicyName"), "SessionFunctionRolePolicy2")
	want(t, "DynamoDBCrudPolicy table", get(policies, 0, "PolicyDocument", "Statement", 0, "Resource", 0), map[string]any{"Fn::Sub": []any{
		"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}",
		map[string]any{"tableName": map[string]any{"Ref": "Sessions"}},
	}})
	want(t, "S3ReadPolicy objects", get(policies, 1, "PolicyDocument", "Statement", 0, "Resource", 1), map[string]any{"Fn::Sub": []any{
		"arn:${AWS::Partition}:s3:::${bucketName}/*", map[string]any{"bucketName": "assets-bucket"},
	}})
	want(t, "inline statement", get(policies, 2), map[string]any{
		"PolicyName": "SessionFunctionRolePolicy4",
		"PolicyDocument": map[string]any{
			"Version":   "2012-10-17",
			"Statement": []any{map[string]any{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"}},
		},
	})
	r.dependsOn(t, "SessionFunctionRole", "Sessions")
	r.wantWarning(t, "SessionFunction", "RekognitionLabelsPolicy")
}

func checkExplicitAPI(t *testing.T, r *result) {
	api := r.props(t, "MyApi", tRestAPI)
	body := api["Body"]
	want(t, "binary media types", api["BinaryMediaTypes"], []any{"image/png"})
	want(t, "binary media types in the body", get(body, "x-amazon-apigateway-binary-media-types"), []any{"image/png"})

	security := map[string]any{
		"/orders get":                    []any{map[string]any{"TokenAuth": []any{}}},
		"/orders post":                   []any{map[string]any{"RequestAuth": []any{}}},
		"/health get":                    nil,
		"/orders/{orderId} " + anyMethod: []any{map[string]any{"TokenAuth": []any{}}},
		"/orders options":                nil,
	}
	for k, s := range security {
		path, method, _ := strings.Cut(k, " ")
		op := get(body, "paths", path, method)
		if op == nil {
			t.Errorf("no operation %s", k)
			continue
		}
		want(t, k+" security", get(op, "security"), s)
	}
	want(t, "CORS", get(body, "paths", "/orders", "options", "x-amazon-apigateway-integration", "responses", "default", "responseParameters"), map[string]any{
		"method.response.header.Access-Control-Allow-Origin":      "'https://example.com'",
		"method.response.header.Access-Control-Allow-Methods":     "'GET,POST,OPTIONS'",
		"method.response.header.Access-Control-Allow-Headers":     "'Content-Type,Authorization'",
		"method.response.header.Access-Control-Max-Age":           "'600'",
		"method.response.header.Access-Control-Allow-Credentials": "'true'",
	})
	want(t, "CORS mock", get(body, "paths", "/health", "options", "x-amazon-apigateway-integration", "type"), "mock")
	want(t, "token authorizer", get(body, "securityDefinitions", "TokenAuth"), map[string]any{
		"type": "apiKey", "name": "X-Token", "in": "header",
		"x-amazon-apigateway-authtype": "custom",
		"x-amazon-apigateway-authorizer": map[string]any{
			"type":                         "token",
			"authorizerResultTtlInSeconds": 60,
			"authorizerUri": map[string]any{"Fn::Sub": []any{
				"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
				map[string]any{"__FunctionArn__": map[string]any{"Fn::GetAtt": []any{"AuthFunction", "Arn"}}},
			}},
		},
	})
	want(t, "request authorizer identity", get(body, "securityDefinitions", "RequestAuth", "x-amazon-apigateway-authorizer", "identitySource"),
		"method.request.header.Authorization, method.request.querystring.tenant")
	want(t, "stage", get(r.props(t, "MyApidevStage", tStage), "StageName"), "dev")
	want(t, "any permission", get(r.props(t, "OrdersFunctionAnyOrderPermissiondev", tPermission), "SourceArn"),
		executeAPI("MyApi", "*/orders/*"))
	want(t, "authorizer permission", r.props(t, "MyApiTokenAuthAuthorizerPermission", tPermission), map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": map[string]any{"Fn::GetAtt": []any{"AuthFunction", "Arn"}},
		"Principal":    "apigateway.amazonaws.com",
		"SourceArn": map[string]any{"Fn::Sub": []any{
			"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*",
			map[string]any{"__ApiId__": map[string]any{"Ref": "MyApi"}},
		}},
	})
	r.dependsOn(t, "MyApi", "AuthFunction", "OrdersFunction")
	want(t, "MyApi.Stage", get(r.tree, "Outputs", "ApiUrl", "Value"),
		map[string]any{"Fn::Sub": "https://${MyApi}.execute-api.${AWS::Region}.amazonaws.com/${MyApidevStage}/"})
	want(t, "ApiUrl", r.output(t, "ApiUrl", map[string]string{"MyApi": "r3st", "MyApidevStage": "dev"}),
		"https://r3st.execute-api.us-east-1.amazonaws.com/dev/")
}

func checkLayer(t *testing.T, r *result) {
	layer := r.find(t, "DepsLayer")
	res := r.resource(t, layer, tLayer)
	want(t, "layer", res, map[string]any{
		"Type":           tLayer,
		"DeletionPolicy": "Delete",
		"Properties": map[string]any{
			"Content":            map[string]any{"S3Bucket": "packaged", "S3Key": "DepsLayer/layers/deps/"},
			"LayerName":          "deps",
			"CompatibleRuntimes": []any{"python3.13"},
		},
	})
	fn := r.resource(t, "UsesLayer", tFunction)
	want(t, "layers", get(fn, "Properties", "Layers"), []any{map[string]any{"Ref": layer}})
	want(t, "DependsOn follows", fn["DependsOn"], layer)
	r.dependsOn(t, "UsesLayer", layer)
	want(t, "Ref output", get(r.tree, "Outputs", "LayerArn", "Value"), map[string]any{"Ref": layer})
	want(t, "Sub output", get(r.tree, "Outputs", "LayerSub", "Value"), map[string]any{"Fn::Sub": "layer ${" + layer + "}"})
}

func checkHTTPAPIAuth(t *testing.T, r *result) {
	auth := map[string]map[string]any{
		"Private": {"AuthorizationType": "CUSTOM", "AuthorizerId": map[string]any{"Ref": "ApiLambdaAuthAuthorizer"}},
		"Public":  {"AuthorizationType": "NONE"},
		"Scoped": {
			"AuthorizationType":   "JWT",
			"AuthorizerId":        map[string]any{"Ref": "ApiJwtAuthorizer"},
			"AuthorizationScopes": []any{"orders.write"},
		},
		"Signed": {"AuthorizationType": "AWS_IAM"},
	}
	for event, w := range auth {
		route := r.props(t, "Backend"+event+"Route", tRoute)
		got := map[string]any{}
		for _, k := range []string{"AuthorizationType", "AuthorizerId", "AuthorizationScopes"} {
			if v, ok := route[k]; ok {
				got[k] = v
			}
		}
		want(t, event+" auth", got, w)
	}
	want(t, "lambda authorizer", r.props(t, "ApiLambdaAuthAuthorizer", tAuthorizer), map[string]any{
		"ApiId":                          map[string]any{"Ref": "Api"},
		"Name":                           "LambdaAuth",
		"AuthorizerType":                 "REQUEST",
		"AuthorizerPayloadFormatVersion": "2.0",
		"EnableSimpleResponses":          true,
		"AuthorizerResultTtlInSeconds":   0,
		"IdentitySource":                 []any{"$request.header.Authorization"},
		"AuthorizerUri": map[string]any{"Fn::Sub": []any{
			"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
			map[string]any{"__FunctionArn__": map[string]any{"Fn::GetAtt": []any{"Authorizer", "Arn"}}},
		}},
	})
	want(t, "JWT authorizer", r.props(t, "ApiJwtAuthorizer", tAuthorizer), map[string]any{
		"ApiId":            map[string]any{"Ref": "Api"},
		"Name":             "Jwt",
		"AuthorizerType":   "JWT",
		"IdentitySource":   []any{"$request.header.Authorization"},
		"JwtConfiguration": map[string]any{"Issuer": "https://issuer.example.com", "Audience": []any{"my-client"}},
	})
	stage := r.props(t, "Apiv1Stage", tHTTPStage)
	want(t, "stage", map[string]any{"StageName": stage["StageName"], "Tags": stage["Tags"]}, map[string]any{
		"StageName": "v1", "Tags": map[string]any{"app": "secure", "httpapi:createdBy": "SAM"},
	})
	r.dependsOn(t, "BackendPrivateRoute", "ApiLambdaAuthAuthorizer", "BackendPrivateIntegration")
	want(t, "Api.Stage", get(r.tree, "Outputs", "Url", "Value"),
		map[string]any{"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${Apiv1Stage}"})
}

func checkDefinitionBody(t *testing.T, r *result) {
	body := r.props(t, "RestApi", tRestAPI)["Body"]
	want(t, "title kept", get(body, "info", "title"), "pets")
	want(t, "the template's integration kept", get(body, "paths", "/pets", "get", "x-amazon-apigateway-integration", "uri"),
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Pets.Arn}/invocations"})
	// AWS's translator adds no operation to a document the template
	// wrote: POST /pets is not in it, and the event only makes the
	// permission.
	want(t, "the event's operation not added", get(body, "paths", "/pets", "post"), nil)
	r.props(t, "PetsAddPetPermissionprod", tPermission)
	want(t, "mock kept", get(body, "paths", "/static", "get", "x-amazon-apigateway-integration", "type"), "mock")
	options := get(body, "paths", "/pets", "options")
	want(t, "CORS methods", get(options, "x-amazon-apigateway-integration", "responses", "default", "responseParameters", "method.response.header.Access-Control-Allow-Methods"), "'GET,OPTIONS'")
	want(t, "OpenAPI 3 header", get(options, "responses", "200", "headers", "Access-Control-Allow-Origin"), map[string]any{"schema": map[string]any{"type": "string"}})
	if get(options, "consumes") != nil {
		t.Error("an OpenAPI 3 operation has consumes")
	}
	dep := r.props(t, r.find(t, "RestApiDeployment"), tDeployment)
	if _, ok := dep["StageName"]; ok {
		t.Error("with OpenApiVersion the deployment must not create the Stage stage")
	}

	doc := r.props(t, "HttpApi", tHTTPAPI)["Body"]
	want(t, "summary kept", get(doc, "paths", "/notes", "get", "summary"), "list the notes")
	want(t, "HTTP integration", get(doc, "paths", "/notes", "get", "x-amazon-apigateway-integration"), map[string]any{
		"type": "aws_proxy", "httpMethod": "POST", "uri": invocation("${Pets.Arn}"), "payloadFormatVersion": "2.0",
	})
	want(t, "default route", get(doc, "paths", "$default", anyMethod, "isDefaultRoute"), true)
	want(t, "CORS", get(doc, "x-amazon-apigateway-cors"), map[string]any{
		"allowOrigins": []any{"*"}, "allowHeaders": []any{"*"}, "allowMethods": []any{"*"},
	})
	r.dependsOn(t, "HttpApi", "Pets")

	want(t, "subscription to the queue", r.props(t, "PetsAlerts", tSubscription), map[string]any{
		"Protocol": "sqs",
		"Endpoint": map[string]any{"Fn::GetAtt": []any{"PetsAlertsQueue", "Arn"}},
		"TopicArn": map[string]any{"Ref": "Alerts"},
	})
	// Anyone, as long as the message comes from the topic, as SAM writes it.
	want(t, "queue policy", get(r.props(t, "PetsAlertsQueuePolicy", "AWS::SQS::QueuePolicy"), "PolicyDocument", "Statement", 0), map[string]any{
		"Action": "sqs:SendMessage", "Effect": "Allow", "Principal": "*",
		"Resource":  map[string]any{"Fn::GetAtt": []any{"PetsAlertsQueue", "Arn"}},
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": map[string]any{"Ref": "Alerts"}}},
	})
	want(t, "mapping", r.props(t, "PetsAlertsEventSourceMapping", tESM), map[string]any{
		"EventSourceArn": map[string]any{"Fn::GetAtt": []any{"PetsAlertsQueue", "Arn"}},
		"FunctionName":   map[string]any{"Ref": "Pets"},
		"BatchSize":      10, "Enabled": true,
	})
}

func checkConnectors(t *testing.T, r *result) {
	items := r.props(t, "ReaderToItemsPolicy", "AWS::IAM::ManagedPolicy")
	want(t, "the reader's role", items["Roles"], []any{map[string]any{"Ref": "ReaderRole"}})
	stmt := get(items, "PolicyDocument", "Statement", 0)
	want(t, "read and write actions", get(stmt, "Action"), []any{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
		"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:PartiQLSelect", "dynamodb:PutItem",
		"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLDelete",
		"dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"})
	want(t, "the table and its indexes", get(stmt, "Resource"), []any{
		map[string]any{"Fn::GetAtt": []any{"Items", "Arn"}},
		map[string]any{"Fn::Sub": []any{"${DestinationArn}/index/*", map[string]any{"DestinationArn": map[string]any{"Fn::GetAtt": []any{"Items", "Arn"}}}}},
	})
	want(t, "connector metadata", get(r.resource(t, "ReaderToItemsPolicy", "AWS::IAM::ManagedPolicy"), "Metadata", "aws:sam:connectors", "ReaderToItems", "Destination", "Type"), "AWS::Serverless::SimpleTable")

	want(t, "an explicit role by name", r.props(t, "WriterToOutputsPolicyDestination0", "AWS::IAM::ManagedPolicy")["Roles"], []any{map[string]any{"Ref": "WriterRole"}})
	want(t, "queue write", get(r.props(t, "WriterToOutputsPolicyDestination0", "AWS::IAM::ManagedPolicy"), "PolicyDocument", "Statement", 0, "Action", 1), "sqs:SendMessage")
	want(t, "topic write", get(r.props(t, "WriterToOutputsPolicyDestination1", "AWS::IAM::ManagedPolicy"), "PolicyDocument", "Statement", 0), map[string]any{
		"Effect": "Allow", "Action": []any{"sns:Publish"}, "Resource": []any{map[string]any{"Ref": "Alerts"}},
	})

	want(t, "a topic invokes the reader", r.props(t, "AlertsToReaderWriteLambdaPermission", tPermission), map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": map[string]any{"Fn::GetAtt": []any{"Reader", "Arn"}},
		"Principal": "sns.amazonaws.com", "SourceArn": map[string]any{"Ref": "Alerts"},
	})
	qp := r.props(t, "NightlyToJobsQueuePolicy", "AWS::SQS::QueuePolicy")
	want(t, "queue policy queues", qp["Queues"], []any{map[string]any{"Ref": "Jobs"}})
	want(t, "queue policy principal", get(qp, "PolicyDocument", "Statement", 0, "Principal", "Service"), "events.amazonaws.com")
	want(t, "queue policy source", get(qp, "PolicyDocument", "Statement", 0, "Condition", "ArnEquals", "aws:SourceArn"), map[string]any{"Fn::GetAtt": []any{"Nightly", "Arn"}})

	if _, ok := r.resource(t, "Alerts", tTopic)["Connectors"]; ok {
		t.Error("the Connectors attribute is left on the topic")
	}
	r.wantWarning(t, "ReaderToElsewhere", "AWS::Kinesis::Stream")
}

func checkDeploymentPreference(t *testing.T, r *result) {
	app := "sam-app-ServerlessDeploymentApplication-" + strings.ToUpper(hashOf("sam-app", "ServerlessDeploymentApplication"))
	want(t, "recorded preference", get(r.resource(t, "Base", tFunction), "Metadata", "Virga", "DeploymentPreference"),
		`{"Hooks":{"PreTraffic":{"Ref":"PreHook"}},"Type":"Linear10PercentEvery1Minute"}`)
	want(t, "a disabled one is recorded too", get(r.resource(t, "PreHook", tFunction), "Metadata", "Virga", "DeploymentPreference"), `{"Enabled":false}`)
	want(t, "the application in a Sub", get(r.props(t, "PreHookRole", tRole), "Policies", 0, "PolicyDocument", "Statement", 0, "Resource"),
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:" + app + "/*"})
	want(t, "the application's Ref", r.output(t, "Application", nil), app)
	r.wantWarning(t, "Base", "DeploymentPreference is recorded only")
	for _, w := range r.warnings {
		if strings.HasPrefix(w, "PreHook:") {
			t.Errorf("a disabled preference warns: %s", w)
		}
	}
}

func checkUsagePlan(t *testing.T, r *result) {
	want(t, "per-API plan", r.props(t, "ProductsUsagePlan", tUsagePlan), map[string]any{
		"ApiStages":     []any{map[string]any{"ApiId": map[string]any{"Ref": "Products"}, "Stage": map[string]any{"Ref": "Productsv1Stage"}}},
		"UsagePlanName": "products",
		"Quota":         map[string]any{"Limit": 1000, "Period": "DAY"},
		"Throttle":      map[string]any{"BurstLimit": 20, "RateLimit": 10},
	})
	want(t, "per-API key", r.props(t, "ProductsApiKey", tAPIKey), map[string]any{
		"Enabled":   true,
		"StageKeys": []any{map[string]any{"RestApiId": map[string]any{"Ref": "Products"}, "StageName": map[string]any{"Ref": "Productsv1Stage"}}},
	})
	want(t, "per-API plan key", r.props(t, "ProductsUsagePlanKey", tUsagePlanKey), map[string]any{
		"KeyId": map[string]any{"Ref": "ProductsApiKey"}, "KeyType": "API_KEY", "UsagePlanId": map[string]any{"Ref": "ProductsUsagePlan"},
	})
	r.dependsOn(t, "ProductsUsagePlan", "Products", "Productsv1Stage")
	r.dependsOn(t, "ProductsApiKey", "ProductsUsagePlan")
	r.dependsOn(t, "ProductsUsagePlanKey", "ProductsApiKey", "ProductsUsagePlan")

	// Orders and Reports (through Globals) share one plan; Open has none.
	want(t, "shared plan", r.props(t, "ServerlessUsagePlan", tUsagePlan), map[string]any{
		"ApiStages": []any{
			map[string]any{"ApiId": map[string]any{"Ref": "Orders"}, "Stage": map[string]any{"Ref": "Ordersv2Stage"}},
			map[string]any{"ApiId": map[string]any{"Ref": "Reports"}, "Stage": map[string]any{"Ref": "Reportsv3Stage"}},
		},
		"Description": "shared by orders and reports",
	})
	want(t, "shared key stages", get(r.props(t, "ServerlessApiKey", tAPIKey), "StageKeys"), []any{
		map[string]any{"RestApiId": map[string]any{"Ref": "Orders"}, "StageName": map[string]any{"Ref": "Ordersv2Stage"}},
		map[string]any{"RestApiId": map[string]any{"Ref": "Reports"}, "StageName": map[string]any{"Ref": "Reportsv3Stage"}},
	})
	r.dependsOn(t, "ServerlessUsagePlan", "Orders", "Reports")
	for _, w := range r.warnings {
		if strings.Contains(w, "UsagePlan") {
			t.Errorf("warning: %s", w)
		}
	}
	// ApiKeyRequired from Globals puts every operation but Open's under
	// the API key scheme.
	want(t, "key required", get(r.props(t, "Reports", tRestAPI), "Body", "paths", "/reports", "get", "security"),
		[]any{map[string]any{"api_key": []any{}}})
	if sec := get(r.props(t, "Open", tRestAPI), "Body", "paths", "/open", "get", "security"); sec != nil {
		t.Errorf("Open's operation: security %s", indent(sec))
	}
}

// TestFunctionPropagateTags follows AWS's translator: a function's
// PropagateTags puts its tags, in place of SAM's lambda:createdBy, on
// the function and every resource generated for it that has Tags in
// SAM's model (its role, an event's schedule role, an SNS event's
// subscription queue, its destination queue, the implicit REST API and
// its stage), adds them to the implicit HTTP API's, and leaves the
// others (mappings, permissions, rules, schedules, subscriptions,
// versions, aliases, URLs) untagged.
func TestFunctionPropagateTags(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    PropagateTags: true
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      Handler: app.handler
      Runtime: python3.12
      Tags: {team: a, app: b}
      AutoPublishAlias: live
      FunctionUrlConfig: {AuthType: NONE}
      EventInvokeConfig:
        DestinationConfig:
          OnFailure: {Type: SQS}
      Events:
        Every:
          Type: ScheduleV2
          Properties: {ScheduleExpression: rate(1 hour)}
        Old:
          Type: Schedule
          Properties: {Schedule: rate(1 hour)}
        Note:
          Type: SNS
          Properties: {Topic: !Ref Topic, SqsSubscription: true}
        Web:
          Type: Api
          Properties: {Path: /go, Method: post}
        Http:
          Type: HttpApi
  Kept:
    Type: AWS::Serverless::Function
    Properties:
      PropagateTags: false
      CodeUri: s3://b/k.zip
      Handler: app.handler
      Runtime: python3.12
      Tags: {team: c}
      Events:
        Old:
          Type: Schedule
          Properties: {Schedule: rate(1 hour)}
`))
	tags := []any{map[string]any{"Key": "app", "Value": "b"}, map[string]any{"Key": "team", "Value": "a"}}
	for id, typ := range map[string]string{"Fn": "AWS::Lambda::Function", "FnRole": tRole, "FnEveryRole": tRole,
		"FnNoteQueue": "AWS::SQS::Queue", "FnEventInvokeConfigOnFailureQueue": "AWS::SQS::Queue",
		"ServerlessRestApi": "AWS::ApiGateway::RestApi", "ServerlessRestApiProdStage": "AWS::ApiGateway::Stage"} {
		want(t, id+" tags", r.props(t, id, typ)["Tags"], tags)
	}
	httpTags := map[string]any{"httpapi:createdBy": "SAM", "team": "a", "app": "b"}
	want(t, "HTTP API tags", r.props(t, "ServerlessHttpApi", "AWS::ApiGatewayV2::Api")["Tags"], httpTags)
	want(t, "HTTP API stage tags", r.props(t, "ServerlessHttpApiApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage")["Tags"], httpTags)
	for id, typ := range map[string]string{"FnEvery": "AWS::Scheduler::Schedule", "FnOld": "AWS::Events::Rule",
		"FnNote": "AWS::SNS::Subscription", "FnNoteEventSourceMapping": tESM, "FnOldPermission": "AWS::Lambda::Permission",
		"FnAliaslive": "AWS::Lambda::Alias", "FnUrl": "AWS::Lambda::Url", "FnNoteQueuePolicy": "AWS::SQS::QueuePolicy"} {
		if tg, ok := r.props(t, id, typ)["Tags"]; ok {
			t.Errorf("%s has tags %v", id, tg)
		}
	}
	samTag := map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}
	want(t, "unpropagated function's tags", r.props(t, "Kept", "AWS::Lambda::Function")["Tags"], []any{samTag, map[string]any{"Key": "team", "Value": "c"}})
	want(t, "unpropagated role's tags", r.props(t, "KeptRole", tRole)["Tags"], []any{samTag, map[string]any{"Key": "team", "Value": "c"}})
	if len(r.warnings) > 0 {
		t.Errorf("warnings: %v", r.warnings)
	}
}

// TestPermissionPathTrailingSlash: an API event's permission names its
// path without a trailing slash, which API Gateway drops from the
// resource's path (the method's ARN has none), as SAM writes it; the
// root path stays "/".
func TestPermissionPathTrailingSlash(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      Handler: app.handler
      Runtime: python3.12
      Events:
        Items:
          Type: Api
          Properties: {Path: /items/, Method: get}
        Root:
          Type: Api
          Properties: {Path: /, Method: get}
        Http:
          Type: HttpApi
          Properties: {Path: "/h/{id}/", Method: get}
`))
	for id, want := range map[string]string{
		"FnItemsPermissionProd": "/${__Stage__}/GET/items",
		"FnRootPermissionProd":  "/${__Stage__}/GET/",
		"FnHttpPermission":      "/${__Stage__}/GET/h/*",
	} {
		arn, _ := get(r.props(t, id, "AWS::Lambda::Permission"), "SourceArn", "Fn::Sub", 0).(string)
		if !strings.HasSuffix(arn, want) {
			t.Errorf("%s SourceArn %s, want it to end %s", id, arn, want)
		}
	}
}
