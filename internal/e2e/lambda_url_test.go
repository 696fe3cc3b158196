package e2e_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

func TestFunctionURLConfig(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	ctx := context.Background()
	createPythonFunction(t, lc, "web", `def handler(event, context):
    return {'statusCode': 200, 'body': 'hi'}
`, 3)
	created, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: lambdatypes.FunctionUrlAuthTypeNone,
		Cors: &lambdatypes.Cors{AllowOrigins: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^http://[a-z0-9]{32}\.lambda-url\.localhost:\d+/$`).MatchString(aws.ToString(created.FunctionUrl)) ||
		aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:web" || created.InvokeMode != lambdatypes.InvokeModeBuffered {
		t.Errorf("CreateFunctionUrlConfig: %+v", created)
	}
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	wantLambdaError(t, "second URL", err, "ResourceConflictException", "")
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), Qualifier: aws.String("1"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	wantLambdaError(t, "a version's URL", err, "InvalidParameterValueException", "")
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), Qualifier: aws.String("live"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	wantLambdaError(t, "a missing alias's URL", err, "ResourceNotFoundException", "")

	upd, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("web"), Cors: &lambdatypes.Cors{AllowOrigins: []string{"https://example.com"}, MaxAge: aws.Int32(60)}})
	if err != nil || aws.ToString(upd.FunctionUrl) != aws.ToString(created.FunctionUrl) || upd.Cors.AllowOrigins[0] != "https://example.com" {
		t.Errorf("UpdateFunctionUrlConfig: %+v %v", upd, err)
	}
	got, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")})
	if err != nil || aws.ToInt32(got.Cors.MaxAge) != 60 || got.AuthType != lambdatypes.FunctionUrlAuthTypeNone {
		t.Errorf("GetFunctionUrlConfig: %+v %v", got, err)
	}
	list, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("web")})
	if err != nil || len(list.FunctionUrlConfigs) != 1 {
		t.Errorf("ListFunctionUrlConfigs: %+v %v", list, err)
	}
	if _, err := lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")})
	wantLambdaError(t, "deleted URL", err, "ResourceNotFoundException", "The resource you requested does not exist.")
}
