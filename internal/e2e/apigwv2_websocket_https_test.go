package e2e_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/net/websocket"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// The "simple websockets chat app" reply, unmodified, in each runtime:
// the function builds the API Gateway Management API's endpoint from
// its event, https://{domainName}/{stage}, and posts to the connection
// whose message it got.
const (
	wsReplyPython = `import boto3

def handler(event, context):
    rc = event['requestContext']
    if rc['eventType'] == 'MESSAGE':
        gw = boto3.client('apigatewaymanagementapi', endpoint_url=f"https://{rc['domainName']}/{rc['stage']}")
        gw.post_to_connection(ConnectionId=rc['connectionId'], Data=b'python replied')
    return {'statusCode': 200}
`
	wsReplyNode = `import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";

export const handler = async (event) => {
  const { domainName, stage, connectionId, eventType } = event.requestContext;
  if (eventType === "MESSAGE") {
    const client = new ApiGatewayManagementApiClient({ endpoint: "https://" + domainName + "/" + stage });
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "node replied" }));
  }
  return { statusCode: 200 };
};
`
)

// TestAPIGWv2WebSocketFunctionsReplyOverHTTPS: Python (boto3), Node (SDK
// v3) and Go (aws-sdk-go-v2) functions reply to a WebSocket client
// through https://{requestContext.domainName}/{requestContext.stage}, as
// on AWS: the name resolves in their sandbox, and they trust virga's
// certificate authority. A client of the test trusts it too, for the
// Go SDK over https://127.0.0.1:PORT.
func TestAPIGWv2WebSocketFunctionsReplyOverHTTPS(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	testenv.Tool(t, "npm")
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "wspy", wsReplyPython, 30)
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("wsnode"), Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"),
		Role: aws.String(lambdaRole), Timeout: aws.Int32(30),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "index.mjs", body: []byte(wsReplyNode)})},
	}); err != nil {
		t.Fatal(err)
	}
	createGoFunction(t, lc, "wsgo", wsReplyZip(t))

	c := apigatewayv2.NewFromConfig(env.Config)
	api := mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: gwtypes.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")}))(t)
	id := aws.ToString(api.ApiId)
	for key, fn := range map[string]string{"$connect": "wspy", "python": "wspy", "node": "wsnode", "go": "wsgo"} {
		integ := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id,
			IntegrationType: gwtypes.IntegrationTypeAwsProxy,
			IntegrationUri:  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + functionARN(fn) + "/invocations")}))(t)
		mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String(key),
			Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}))(t)
	}
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)}))(t)

	ws, err := wsConnect(t, env, id, "prod", "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"python", "node", "go"} {
		if err := websocket.Message.Send(ws, `{"action":"`+lang+`"}`); err != nil {
			t.Fatal(err)
		}
		if got := wsReceive(t, ws); got != lang+" replied" {
			t.Fatalf("%s: received %q", lang, got)
		}
	}

	// The Go SDK over HTTPS, trusting the CA file virga names.
	u, _ := url.Parse(env.Endpoint)
	ca, err := os.Open(env.App.CAPath())
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithCustomCABundle(ca),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	if err != nil {
		t.Fatal(err)
	}
	secure := apigatewayv2.NewFromConfig(cfg, func(o *apigatewayv2.Options) { o.BaseEndpoint = aws.String("https://127.0.0.1:" + u.Port()) })
	got := mustGW(secure.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: &id}))(t)
	if aws.ToString(got.Name) != "chat" {
		t.Fatalf("GetApi over https: %+v", got)
	}

	// A wss:// client, by the API's host name, trusting the CA as
	// GET /_virga/ca.pem serves it.
	res, err := http.Get(env.Endpoint + "/_virga/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	pem, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if file, _ := os.ReadFile(env.App.CAPath()); res.StatusCode != http.StatusOK || string(pem) != string(file) {
		t.Fatalf("GET /_virga/ca.pem: %d\n%s", res.StatusCode, pem)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	wcfg, err := websocket.NewConfig("wss://"+id+".execute-api.localhost:"+u.Port()+"/prod", "https://localhost")
	if err != nil {
		t.Fatal(err)
	}
	nc, err := tls.Dial("tcp", u.Host, &tls.Config{RootCAs: roots, ServerName: id + ".execute-api.localhost"})
	if err != nil {
		t.Fatal(err)
	}
	wss, err := websocket.NewClient(wcfg, nc)
	if err != nil {
		t.Fatal(err)
	}
	defer wss.Close()
	websocket.Message.Send(wss, `{"action":"python"}`)
	if got := wsReceive(t, wss); got != "python replied" {
		t.Fatalf("wss: received %q", got)
	}
}

// wsReplyZip is internal/lambda/testfunction/wsreply as a
// provided.al2023 function's bootstrap.
func wsReplyZip(t testing.TB) []byte {
	t.Helper()
	return zipOf(t, zipEntry{name: "bootstrap", body: wsReplyBinary(t), mode: 0o755})
}

// TestAPIGWv2WebSocketImageFunctionReplies: a container image function
// replies at https://{domainName}/{stage} too: its container's
// /etc/hosts names the API, and virga's authority is bound into it at
// the path AWS_CA_BUNDLE names.
func TestAPIGWv2WebSocketImageFunctionReplies(t *testing.T) {
	testenv.Containers(t)
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	repos := ecr.NewFromConfig(env.Config)
	repo := createRepo(t, repos, "wsreply")
	tok, err := repos.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	img := functionImage(t, wsReplyBinary(t), "v1")
	ref, err := name.ParseReference(*repo.RepositoryUri+":v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithTransport(registryTransport(env)), remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
		t.Fatal(err)
	}
	c := apigatewayv2.NewFromConfig(env.Config)
	// The API first: its name is in the container's /etc/hosts when
	// the function's first environment starts.
	api := mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: gwtypes.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")}))(t)
	id := aws.ToString(api.ApiId)
	lc := lambdaClient(t, env)
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("wsimg"), PackageType: lambdatypes.PackageTypeImage,
		Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ImageUri: aws.String(*repo.RepositoryUri + ":v1")}, Timeout: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	if err := lambda.NewFunctionActiveV2Waiter(lc).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("wsimg")}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	integ := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + functionARN("wsimg") + "/invocations")}))(t)
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)}))(t)
	ws, err := wsConnect(t, env, id, "prod", "", true)
	if err != nil {
		t.Fatal(err)
	}
	websocket.Message.Send(ws, "hello")
	if got := wsReceive(t, ws); got != "go replied" {
		t.Fatalf("received %q", got)
	}
}

// wsReplyBinary builds internal/lambda/testfunction/wsreply, static.
func wsReplyBinary(t testing.TB) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, "github.com/virga/virga/internal/lambda/testfunction/wsreply")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the function: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
