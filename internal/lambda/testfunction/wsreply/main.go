// Command wsreply is a WebSocket API's function, written with
// aws-lambda-go and aws-sdk-go-v2, that replies to the client whose
// message it got through the API Gateway Management API at
// https://{requestContext.domainName}/{requestContext.stage}, as AWS's
// examples do. It loads its configuration as any SDK client does (so the
// CA bundle is AWS_CA_BUNDLE's) and signs the PostToConnection request
// for execute-api with the SDK's signer: the request the
// apigatewaymanagementapi client sends, made without that client.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

func handler(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := ev.RequestContext
	if rc.EventType != "MESSAGE" {
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	endpoint := "https://" + rc.DomainName + "/" + rc.Stage
	data := []byte("go replied")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/@connections/"+url.PathEscape(rc.ConnectionID), bytes.NewReader(data))
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	sum := sha256.Sum256(data)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", cfg.Region, time.Now()); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	res, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("PostToConnection: %d %s", res.StatusCode, body)
	}
	return events.APIGatewayProxyResponse{StatusCode: 200}, nil
}

func main() { lambda.Start(handler) }
