// Command lambdaext is an external Lambda extension for the end-to-end
// tests: it registers for INVOKE and SHUTDOWN through the Extensions
// API, prints the register answer, each INVOKE's request id and the
// SHUTDOWN's reason to stdout (the function's log stream), and exits
// after SHUTDOWN. With LAMBDAEXT_SLEEP_MS set (the function's
// variables are the extension's), it takes that long over each INVOKE
// and prints "[lambdaext] INVOKE done ID" when it has.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2020-01-01/extension/"
	req, _ := http.NewRequest("POST", base+"register", bytes.NewReader([]byte(`{"events":["INVOKE","SHUTDOWN"]}`)))
	req.Header.Set("Lambda-Extension-Name", filepath.Base(os.Args[0]))
	req.Header.Set("Lambda-Extension-Accept-Feature", "accountId")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println("[lambdaext] register:", err)
		os.Exit(1)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("[lambdaext] registered %d %s\n", resp.StatusCode, body)
	id := resp.Header.Get("Lambda-Extension-Identifier")
	for {
		req, _ := http.NewRequest("GET", base+"event/next", nil)
		req.Header.Set("Lambda-Extension-Identifier", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println("[lambdaext] next:", err)
			os.Exit(1)
		}
		var ev struct {
			EventType      string `json:"eventType"`
			RequestID      string `json:"requestId"`
			ShutdownReason string `json:"shutdownReason"`
		}
		json.NewDecoder(resp.Body).Decode(&ev)
		resp.Body.Close()
		switch ev.EventType {
		case "INVOKE":
			fmt.Println("[lambdaext] INVOKE " + ev.RequestID)
			if ms, err := strconv.Atoi(os.Getenv("LAMBDAEXT_SLEEP_MS")); err == nil {
				time.Sleep(time.Duration(ms) * time.Millisecond)
				fmt.Println("[lambdaext] INVOKE done " + ev.RequestID)
			}
		case "SHUTDOWN":
			fmt.Println("[lambdaext] SHUTDOWN " + ev.ShutdownReason)
			os.Exit(0)
		default:
			fmt.Printf("[lambdaext] unexpected %d %+v\n", resp.StatusCode, ev)
			os.Exit(1)
		}
	}
}
