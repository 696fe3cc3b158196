package stepfunctions

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/stepfunctions/asl"
)

// SDKOperation finds the in-process service and operation an AWS SDK
// integration names (arn:aws:states:::aws-sdk:SERVICE:apiAction): the
// service by its AWS SDK identifier (dynamodb, sfn, eventbridge), the
// action by the operation's name in camel case. ok is false when virga
// has no such service or operation.
type SDKOperation func(sdkService, action string) (service string, op *awsproto.Operation, ok bool)

// sdkErrorServices are the names AWS SDK integrations give a service in
// their error names (ServiceName.ErrorName, both in Pascal case), by the
// service's SDK identifier, where capitalizing the identifier's first
// letter does not give it: "DynamoDb.TransactionCanceledException".
var sdkErrorServices = map[string]string{
	"dynamodb":                "DynamoDb",
	"sqs":                     "Sqs",
	"sns":                     "Sns",
	"sfn":                     "Sfn",
	"ssm":                     "Ssm",
	"sts":                     "Sts",
	"iam":                     "Iam",
	"ecs":                     "Ecs",
	"ecr":                     "Ecr",
	"ses":                     "Ses",
	"sesv2":                   "SesV2",
	"eventbridge":             "EventBridge",
	"cloudwatch":              "CloudWatch",
	"cloudwatchlogs":          "CloudWatchLogs",
	"secretsmanager":          "SecretsManager",
	"apigateway":              "ApiGateway",
	"apigatewayv2":            "ApiGatewayV2",
	"cognitoidentityprovider": "CognitoIdentityProvider",
	"elasticloadbalancingv2":  "ElasticLoadBalancingV2",
	"acmpca":                  "AcmPca",
	"xray":                    "XRay",
}

// sdkErrorName is the error an AWS SDK integration's failure is named
// by: the service's name and the error's, in Pascal case, with the
// error ending in Exception even where the service's own code does not
// (S3's NoSuchKey is S3.NoSuchKeyException), as the developer guide
// asks workflows to spell them.
func sdkErrorName(sdkService, code string) string {
	if i := strings.LastIndexAny(code, "#."); i >= 0 {
		code = code[i+1:]
	}
	if !strings.HasSuffix(code, "Exception") {
		code += "Exception"
	}
	return sdkServiceName(sdkService) + "." + code
}

// sdkServiceName is a service's name in Pascal case, as AWS SDK
// integrations' errors name it.
func sdkServiceName(sdkService string) string {
	if name, ok := sdkErrorServices[sdkService]; ok || sdkService == "" {
		return name
	}
	return strings.ToUpper(sdkService[:1]) + sdkService[1:]
}

// callSDK runs an AWS SDK integration's API action with the task's
// parameters, in process (as the execution's role when roles are
// enforced), and returns the action's output as the service answers it.
func (x *execEnv) callSDK(ctx context.Context, c *asl.TaskCall, target string) (any, error) {
	sdkService, action, _ := strings.Cut(target, ":")
	if x.s.sdk == nil || x.s.call == nil {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "No AWS SDK integrations in this virga"}
	}
	service, op, ok := x.s.sdk(sdkService, action)
	if !ok {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: fmt.Sprintf("The resource %s is not supported by virga", c.Resource)}
	}
	var params map[string]any
	switch in := c.Input.(type) {
	case nil:
		params = map[string]any{}
	case map[string]any:
		params = in
	default:
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "The parameters of " + c.Resource + " must be a JSON object"}
	}
	// Members are named in Pascal case both ways, whatever the
	// service's own case: "Parameters in Step Functions are expressed in
	// PascalCase, even if the native service API is in camelCase."
	out, err := x.callIntegration(ctx, service, op.Name, awsproto.ModelInput(op, params))
	if err != nil {
		if ae := apierr.As(err); ae != nil {
			return nil, &asl.Failure{Name: sdkErrorName(sdkService, ae.Code),
				Cause: fmt.Sprintf("%s (Service: %s, Status Code: %d, Request ID: %s)", ae.Message,
					sdkServiceName(sdkService), ae.Status, x.s.ids.UUID())}
		}
		return nil, &asl.Failure{Name: sdkErrorName(sdkService, "SdkClientException"), Cause: err.Error()}
	}
	if out = awsproto.PascalOutput(op, out); out == nil {
		out = map[string]any{}
	}
	return out, nil
}
