// Command hello-container is the image of the README's container tour.
// As an ECS task it serves HTTP on :8080 and answers with the task it
// runs in; as a Lambda container image function (AWS_LAMBDA_RUNTIME_API
// set) it answers each event with {"hello": EVENT} through the Lambda
// Runtime API.
package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

func main() {
	if api := os.Getenv("AWS_LAMBDA_RUNTIME_API"); api != "" {
		lambda("http://" + api + "/2018-06-01/runtime/invocation/")
		return
	}
	host, _ := os.Hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from task %s\n", host)
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}

// lambda serves invocations one after another, as a custom runtime does.
func lambda(base string) {
	for {
		res, err := http.Get(base + "next")
		if err != nil {
			log.Fatal(err)
		}
		event, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			log.Fatal(err)
		}
		id := res.Header.Get("Lambda-Runtime-Aws-Request-Id")
		out := append(append([]byte(`{"hello":`), event...), '}')
		post, err := http.Post(base+id+"/response", "application/json", bytes.NewReader(out))
		if err != nil {
			log.Fatal(err)
		}
		post.Body.Close()
	}
}
