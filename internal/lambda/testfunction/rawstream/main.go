// Command rawstream is a custom runtime (the bootstrap of a provided
// function) that speaks the Lambda Runtime API itself, with nothing but
// net/http, and streams every response: a chunked POST with
// Lambda-Runtime-Function-Response-Mode: streaming, one piece per word of
// the event's "words", each flushed before the next. An event with
// "fail" ends the stream with the error trailers.
package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"time"
)

type event struct {
	Words []string `json:"words"`
	Fail  string   `json:"fail"`
	Ms    int      `json:"ms"` // pause between words
}

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		res, err := http.Get(base + "next")
		if err != nil {
			os.Exit(1)
		}
		id := res.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var ev event
		json.NewDecoder(res.Body).Decode(&ev)
		res.Body.Close()
		respond(base+id+"/response", ev)
	}
}

func respond(url string, ev event) {
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", url, pr)
	req.Header.Set("Lambda-Runtime-Function-Response-Mode", "streaming")
	req.Header.Set("Content-Type", "text/plain")
	req.Trailer = http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
	go func() {
		for _, w := range ev.Words {
			pw.Write([]byte(w))
			time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
		}
		if ev.Fail != "" {
			doc, _ := json.Marshal(map[string]string{"errorType": "Runtime.StreamFailure", "errorMessage": ev.Fail})
			req.Trailer.Set("Lambda-Runtime-Function-Error-Type", "Runtime.StreamFailure")
			req.Trailer.Set("Lambda-Runtime-Function-Error-Body", base64.StdEncoding.EncodeToString(doc))
		}
		pw.Close()
	}()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		os.Exit(1)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
}
