package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestFunctionFromArtifact creates a function from a package uploaded to
// virga's artifact store, as virga deploy does.
func TestFunctionFromArtifact(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	zip := zipOf(t, zipEntry{name: "app.py", body: []byte("def handler(event, context):\n    return {'from': 'artifact'}\n")})
	sum := sha256.Sum256(zip)
	key := hex.EncodeToString(sum[:]) + ".zip"
	req, _ := http.NewRequest(http.MethodPut, env.Endpoint+"/_virga/artifacts/"+key, bytes.NewReader(zip))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("PUT artifact: %v %v", res, err)
	}
	res.Body.Close()
	bad, _ := http.NewRequest(http.MethodPut, env.Endpoint+"/_virga/artifacts/"+key, bytes.NewReader([]byte("other")))
	if res, err := http.DefaultClient.Do(bad); err != nil || res.StatusCode != http.StatusBadRequest {
		t.Errorf("a body that is not the name's: %v %v", res, err)
	}
	ctx := context.Background()
	_, err = lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("packaged"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{S3Bucket: aws.String("virga-artifacts"), S3Key: aws.String(key)}})
	if err != nil {
		t.Fatal(err)
	}
	if out := invokeJSON(t, lc, "packaged", map[string]any{}); string(out.Payload) != `{"from": "artifact"}` {
		t.Errorf("invoke: %s", out.Payload)
	}
	_, err = lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("missing"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{S3Bucket: aws.String("virga-artifacts"), S3Key: aws.String("00" + key[2:])}})
	wantLambdaError(t, "a missing artifact", err, "InvalidParameterValueException", "")
}
