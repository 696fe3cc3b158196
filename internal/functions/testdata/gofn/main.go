// Command gofn is the Go function of the package's tests, built with
// aws-lambda-go: the payload's "action" picks what it does, and INIT_*
// variables make its initialization fail.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Action string `json:"action"`
	Ms     int    `json:"ms"`
	MB     int    `json:"mb"`
	Lines  int    `json:"lines"`
	Text   string `json:"text"`
}

var keep [][]byte

func handler(ctx context.Context, raw json.RawMessage) (any, error) {
	var r request
	json.Unmarshal(raw, &r)
	switch r.Action {
	case "sleep":
		time.Sleep(time.Duration(r.Ms) * time.Millisecond)
		return map[string]int{"slept": r.Ms}, nil
	case "error":
		return nil, errors.New("handled failure")
	case "panic":
		panic("boom")
	case "exit":
		os.Exit(2)
	case "alloc":
		for i := 0; i < r.MB; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = byte(j)
			}
			keep = append(keep, b)
		}
		return map[string]int{"allocated": r.MB}, nil
	case "print":
		for i := 0; i < r.Lines; i++ {
			fmt.Printf("%s %d\n", r.Text, i)
		}
		fmt.Print("no newline at the end")
		return map[string]int{"printed": r.Lines}, nil
	case "big":
		return strings.Repeat("a", r.MB<<20), nil
	case "env":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		wd, _ := os.Getwd()
		return map[string]any{
			"env": env, "requestId": lc.AwsRequestID, "arn": lc.InvokedFunctionArn,
			"remainingMs": time.Until(deadline).Milliseconds(), "pid": os.Getpid(), "wd": wd,
			"gomaxprocs": runtime.GOMAXPROCS(0),
		}, nil
	}
	return raw, nil
}

func main() {
	fmt.Println("init: starting")
	if ms, err := strconv.Atoi(os.Getenv("INIT_SLEEP_MS")); err == nil {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	if os.Getenv("INIT_EXIT") != "" {
		fmt.Println("init: giving up")
		os.Exit(1)
	}
	lambda.Start(handler)
}
