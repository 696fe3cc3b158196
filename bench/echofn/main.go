// Command echofn is the Lambda function of the bench's Lambda rows, built
// as `bootstrap` for provided.al2023: it returns its event unchanged.
// Run with the single argument "exit", it exits at once instead, so that
// the same static binary measures the fork+exec floor of a cold start.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "exit" {
		return
	}
	lambda.Start(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
		return event, nil
	})
}
