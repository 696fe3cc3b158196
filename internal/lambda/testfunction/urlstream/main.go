// Command urlstream is a function for a URL in RESPONSE_STREAM mode,
// written with aws-lambda-go's LambdaFunctionURLStreamingResponse as
// sam init's Go response streaming application is: the library posts
// its response chunked, without Lambda-Runtime-Function-Response-Mode.
// It answers 201 with a custom header, writes "first", waits the
// query's ms milliseconds (1500 by default), then writes "second".
package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handler(req *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
	wait := 1500 * time.Millisecond
	if ms, err := strconv.Atoi(req.QueryStringParameters["ms"]); err == nil {
		wait = time.Duration(ms) * time.Millisecond
	}
	r, w := io.Pipe()
	go func() {
		defer w.Close()
		fmt.Fprintln(w, "first")
		time.Sleep(wait)
		fmt.Fprintln(w, "second")
	}()
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: 201,
		Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Custom-Header": "streamed"},
		Body:       r,
	}, nil
}

func main() {
	lambda.Start(handler)
}
