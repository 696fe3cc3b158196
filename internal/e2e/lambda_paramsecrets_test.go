package e2e_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// extensionClientPy calls the AWS Parameters and Secrets Lambda
// Extension's API with the standard library only, as the extension's
// documentation shows, and returns the status and the body.
// A call made during the init (at import) is kept and answered for the
// path "init".
const extensionClientPy = `import os, urllib.request, urllib.error

def get(path, token='session'):
    port = os.environ.get('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', '2773')
    req = urllib.request.Request('http://localhost:' + port + path)
    if token == 'session':
        req.add_header('X-Aws-Parameters-Secrets-Token', os.environ['AWS_SESSION_TOKEN'])
    elif token:
        req.add_header('X-Aws-Parameters-Secrets-Token', token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return {'status': r.status, 'body': r.read().decode()}
    except urllib.error.HTTPError as e:
        return {'status': e.code, 'body': e.read().decode()}

AT_INIT = get('/systemsmanager/parameters/get?name=%2Fapp%2Fdb-host')

def handler(event, context):
    if event['path'] == 'init':
        return AT_INIT
    return get(event['path'], event.get('token', 'session'))
`

func TestLambdaParametersAndSecretsExtension(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "python3")
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	sm := ssm.NewFromConfig(env.Config)
	sec := secretsmanager.NewFromConfig(env.Config)
	if _, err := sm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db-host"), Value: aws.String("db-1"), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	if _, err := sm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/password"), Value: aws.String("hunter2"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/api-key"), SecretString: aws.String(`{"key":"s3cr3t"}`)}); err != nil {
		t.Fatal(err)
	}
	// A free port rather than 2773, which another virga on this machine
	// may hold: the variable is the extension's documented way to move it.
	port := strconv.Itoa(int(freePort(t)))
	const layer = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11"
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("uses-extension"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(lambdaRole), Layers: []string{layer},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": port}},
		Code:        &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(extensionClientPy)})},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("uses-extension")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Layers) != 1 || aws.ToString(got.Layers[0].Arn) != layer {
		t.Errorf("Layers = %+v, want the extension's", got.Layers)
	}

	call := func(t *testing.T, event map[string]string) (int, string) {
		t.Helper()
		out := invokeJSON(t, c, "uses-extension", event)
		var res struct {
			Status int
			Body   string
		}
		if out.FunctionError != nil || json.Unmarshal(out.Payload, &res) != nil {
			t.Fatalf("the function failed: %s", out.Payload)
		}
		return res.Status, res.Body
	}

	t.Run("not during the init", func(t *testing.T) {
		// "The extension can only be invoked during the INVOKE phase of
		// the Lambda operation and not during the INIT phase."
		if status, body := call(t, map[string]string{"path": "init"}); status != 400 || !strings.Contains(body, "not ready to serve traffic") {
			t.Errorf("GET during the init: %d %s", status, body)
		}
	})
	t.Run("parameter", func(t *testing.T) {
		status, body := call(t, map[string]string{"path": "/systemsmanager/parameters/get?name=%2Fapp%2Fdb-host"})
		var doc struct {
			Parameter struct {
				Name, Type, Value, ARN string
				Version                int
			}
		}
		if status != 200 || json.Unmarshal([]byte(body), &doc) != nil || doc.Parameter.Value != "db-1" || doc.Parameter.Type != "String" ||
			doc.Parameter.Name != "/app/db-host" || doc.Parameter.Version != 1 || doc.Parameter.ARN != "arn:aws:ssm:us-east-1:"+testAccount+":parameter/app/db-host" {
			t.Errorf("GET parameter: %d %s", status, body)
		}
	})
	t.Run("secure string, decrypted", func(t *testing.T) {
		status, body := call(t, map[string]string{"path": "/systemsmanager/parameters/get/?name=%2Fapp%2Fpassword&withDecryption=true"})
		if status != 200 || !strings.Contains(body, `"Value":"hunter2"`) || !strings.Contains(body, `"Type":"SecureString"`) {
			t.Errorf("GET secure parameter: %d %s", status, body)
		}
	})
	t.Run("secret", func(t *testing.T) {
		status, body := call(t, map[string]string{"path": "/secretsmanager/get?secretId=app%2Fapi-key"})
		var doc struct{ Name, SecretString, ARN string }
		if status != 200 || json.Unmarshal([]byte(body), &doc) != nil || doc.SecretString != `{"key":"s3cr3t"}` || doc.Name != "app/api-key" ||
			!strings.HasPrefix(doc.ARN, "arn:aws:secretsmanager:us-east-1:"+testAccount+":secret:app/api-key-") {
			t.Errorf("GET secret: %d %s", status, body)
		}
	})
	t.Run("token", func(t *testing.T) {
		for _, token := range []string{"", "not-the-session-token"} {
			if status, body := call(t, map[string]string{"path": "/secretsmanager/get?secretId=app%2Fapi-key", "token": token}); status != 401 || strings.Contains(body, "s3cr3t") {
				t.Errorf("token %q: %d %s", token, status, body)
			}
		}
	})
	t.Run("missing parameter", func(t *testing.T) {
		status, body := call(t, map[string]string{"path": "/systemsmanager/parameters/get?name=%2Fapp%2Fnothing"})
		if status != 400 || !strings.Contains(body, "ParameterNotFound") {
			t.Errorf("GET missing parameter: %d %s", status, body)
		}
		status, body = call(t, map[string]string{"path": "/secretsmanager/get?secretId=nothing"})
		if status != 400 || !strings.Contains(body, "ResourceNotFoundException") {
			t.Errorf("GET missing secret: %d %s", status, body)
		}
	})
	t.Run("cached for the TTL", func(t *testing.T) {
		if _, err := sm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db-host"), Value: aws.String("db-2"), Overwrite: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if status, body := call(t, map[string]string{"path": "/systemsmanager/parameters/get?name=%2Fapp%2Fdb-host"}); status != 200 || !strings.Contains(body, `"Value":"db-1"`) {
			t.Errorf("within the TTL the cached value is answered: %d %s", status, body)
		}
		if status, body := call(t, map[string]string{"path": "/systemsmanager/parameters/get?name=%2Fapp%2Fdb-host&version=2"}); status != 200 || !strings.Contains(body, `"Value":"db-2"`) {
			t.Errorf("version 2: %d %s", status, body)
		}
	})
}

func TestLambdaAWSPublishedLayers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	create := func(layer string) error {
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("with-aws-layer"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
			Role: aws.String(lambdaRole), Layers: []string{layer},
			Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte("def handler(e, c):\n    return 1\n")})},
		})
		return err
	}
	// Powertools' Python and TypeScript layers virga builds
	// (lambda_powertools_test.go); others of their accounts it has no copy
	// of.
	for _, layer := range []string{
		"arn:aws:lambda:us-east-1:017000801446:layer:SomeOtherLayer:7",
		"arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsJavaV2:20",
	} {
		e := expectAPIError(t, create(layer), "InvalidParameterValueException", 400)
		if !strings.Contains(e.Message, layer) || !strings.Contains(e.Message, "published by AWS") {
			t.Errorf("%s: %s", layer, e.Message)
		}
	}
	e := expectAPIError(t, create("arn:aws:lambda:eu-central-1:187925254637:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:12"), "InvalidParameterValueException", 400)
	if e.Message != "Layers are not in the same region as the function. Layers are expected to be in region us-east-1." {
		t.Errorf("another region's extension: %s", e.Message)
	}
	if err := create("arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:12"); err != nil {
		t.Errorf("the arm64 extension: %v", err)
	}
}

// TestLambdaParametersAndSecretsExtensionIAM: the extension calls SSM
// and Secrets Manager with the function's credentials, so with --auth
// iam its execution role must allow them, as on AWS ("Using the
// extension requires the same IAM permissions as making the calls").
func TestLambdaParametersAndSecretsExtensionIAM(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "python3")
	env := e2e.Start(t, iamMode)
	c := lambdaClient(t, env)
	ctx := context.Background()
	if _, err := ssm.NewFromConfig(env.Config).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db-host"), Value: aws.String("db-1"), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	if _, err := secretsmanager.NewFromConfig(env.Config).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/api-key"), SecretString: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	role := serviceRole(t, env, "reads-parameters", "lambda.amazonaws.com", allow("ssm:GetParameter", "arn:aws:ssm:us-east-1:"+testAccount+":parameter/app/*"))
	port := strconv.Itoa(int(freePort(t)))
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("uses-extension"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(role), Layers: []string{"arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11"},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": port}},
		Code:        &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(extensionClientPy)})},
	}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/systemsmanager/parameters/get?name=%2Fapp%2Fdb-host": `"Value":"db-1"`,
		"/secretsmanager/get?secretId=app%2Fapi-key":           "is not authorized to perform: secretsmanager:GetSecretValue",
	} {
		out := invokeJSON(t, c, "uses-extension", map[string]string{"path": path})
		var res struct {
			Status int
			Body   string
		}
		if out.FunctionError != nil || json.Unmarshal(out.Payload, &res) != nil || !strings.Contains(res.Body, want) {
			t.Errorf("GET %s: %s", path, out.Payload)
		}
		if strings.Contains(want, "not authorized") && (res.Status != 400 || !strings.Contains(res.Body, "AccessDeniedException") ||
			!strings.Contains(res.Body, "assumed-role/reads-parameters/uses-extension")) {
			t.Errorf("GET %s without permission: %d %s", path, res.Status, res.Body)
		}
	}
}
