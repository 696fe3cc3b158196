// Command testfunction is a Lambda function, written with
// github.com/aws/aws-lambda-go as users write theirs, that virga's
// end-to-end tests build, deploy and invoke. The event says what to do:
//
//	{"op":"echo", ...}                  returns the event
//	{"op":"env","names":["A","B"]}      returns those environment variables and the context's fields
//	{"op":"fail","message":"m"}         returns an error (errorType errorString)
//	{"op":"log","message":"m"}          prints m and returns "logged"
//	{"op":"read","path":"/opt/x"}       returns the file's content
//	{"op":"sleep","ms":200}             sleeps, then returns "slept"
//	{"op":"sts"}                        calls STS GetCallerIdentity with the function's credentials and endpoint
//	{"op":"mark","table":"t","id":"x"}  puts the item {"pk": "x"} into DynamoDB table t
//	{"op":"args"}                       returns the process's arguments and working directory
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type event struct {
	Op      string   `json:"op"`
	Names   []string `json:"names"`
	Message string   `json:"message"`
	Path    string   `json:"path"`
	MS      int      `json:"ms"`
	Table   string   `json:"table"`
	ID      string   `json:"id"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var e event
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	switch e.Op {
	case "echo", "":
		return raw, nil
	case "env":
		vars := map[string]string{}
		for _, n := range e.Names {
			vars[n] = os.Getenv(n)
		}
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		return map[string]any{
			"env":             vars,
			"functionName":    lambdacontext.FunctionName,
			"functionVersion": lambdacontext.FunctionVersion,
			"memoryLimitInMB": lambdacontext.MemoryLimitInMB,
			"requestId":       lc.AwsRequestID,
			"invokedArn":      lc.InvokedFunctionArn,
			"msToDeadline":    time.Until(deadline).Milliseconds(),
		}, nil
	case "fail":
		return nil, errors.New(e.Message)
	case "log":
		fmt.Println(e.Message)
		return "logged", nil
	case "read":
		b, err := os.ReadFile(e.Path)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case "sleep":
		time.Sleep(time.Duration(e.MS) * time.Millisecond)
		return "slept", nil
	case "sts":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, err
		}
		return map[string]string{"Arn": *out.Arn, "Account": *out.Account}, nil
	case "args":
		wd, _ := os.Getwd()
		return map[string]any{"args": os.Args, "wd": wd}, nil
	case "mark":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		_, err = dynamodb.NewFromConfig(cfg).PutItem(ctx, &dynamodb.PutItemInput{
			TableName: &e.Table,
			Item:      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: e.ID}},
		})
		if err != nil {
			return nil, err
		}
		return "marked", nil
	}
	return nil, fmt.Errorf("unknown op %q", e.Op)
}

func main() { lambda.Start(handle) }
