// Command apigwfn is the Lambda function of the bench's API Gateway rows,
// built as `bootstrap` for provided.al2023. It decodes the proxy event it
// is given, payload format 1.0 (a REST API's) or 2.0 (an HTTP API's or a
// function URL's), and answers a proxy response whose body is the path the
// event carries, so that the bench can check each answer came from the
// function through the route it meant to take.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// event is what the function reads of either payload format.
type event struct {
	Path    string `json:"path"`    // payload format 1.0
	RawPath string `json:"rawPath"` // payload format 2.0
}

func main() {
	lambda.Start(func(_ context.Context, ev event) (events.APIGatewayProxyResponse, error) {
		path := ev.RawPath
		if path == "" {
			path = ev.Path
		}
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: path}, nil
	})
}
