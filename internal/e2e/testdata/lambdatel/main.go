// Command lambdatel is an external Lambda extension for the end-to-end
// tests of the Telemetry and Logs APIs. It registers for INVOKE and
// SHUTDOWN, listens for telemetry at sandbox.localdomain (127.0.0.1 when
// that name does not resolve), subscribes, and forwards each batch it
// receives, as it came, to the test's collector at LAMBDATEL_SINK (a
// POST to SINK/batch), then SHUTDOWN's reason (a POST to
// SINK/shutdown/REASON). It prints one line, "[lambdatel] listening",
// once it listens (the Telemetry API's extension type). The function's
// variables are its:
//
//	LAMBDATEL_SINK    the collector's http://host:port
//	LAMBDATEL_API     "logs" for the Logs API, else the Telemetry API
//	LAMBDATEL_SCHEMA  the schemaVersion (none when empty, for the Logs API)
//	LAMBDATEL_TYPES   the types, comma-separated
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	sink := os.Getenv("LAMBDATEL_SINK")
	report := func(path string, body []byte) {
		resp, err := http.Post(sink+path, "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}
	fail := func(what string, err error) {
		report("/error", []byte(what+": "+err.Error()))
		os.Exit(1)
	}
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API")
	req, _ := http.NewRequest("POST", base+"/2020-01-01/extension/register", strings.NewReader(`{"events":["INVOKE","SHUTDOWN"]}`))
	req.Header.Set("Lambda-Extension-Name", filepath.Base(os.Args[0]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail("register", err)
	}
	resp.Body.Close()
	id := resp.Header.Get("Lambda-Extension-Identifier")

	host := "sandbox.localdomain"
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		host = "127.0.0.1"
		if ln, err = net.Listen("tcp", host+":0"); err != nil {
			fail("listen", err)
		}
	}
	fmt.Println("[lambdatel] listening")
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		report("/batch", body)
	}))

	sub := map[string]any{
		"types":       strings.Split(os.Getenv("LAMBDATEL_TYPES"), ","),
		"buffering":   map[string]int{"timeoutMs": 25},
		"destination": map[string]string{"protocol": "HTTP", "URI": "http://" + host + ":" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/telemetry"},
	}
	if v := os.Getenv("LAMBDATEL_SCHEMA"); v != "" {
		sub["schemaVersion"] = v
	}
	path := "/2022-07-01/telemetry"
	if os.Getenv("LAMBDATEL_API") == "logs" {
		path = "/2020-08-15/logs"
	}
	body, _ := json.Marshal(sub)
	req, _ = http.NewRequest("PUT", base+path, bytes.NewReader(body))
	req.Header.Set("Lambda-Extension-Identifier", id)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		fail("subscribe", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	report("/subscribed/"+strconv.Itoa(resp.StatusCode), answer)

	for {
		req, _ := http.NewRequest("GET", base+"/2020-01-01/extension/event/next", nil)
		req.Header.Set("Lambda-Extension-Identifier", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fail("next", err)
		}
		var ev struct {
			EventType      string `json:"eventType"`
			ShutdownReason string `json:"shutdownReason"`
			DeadlineMs     int64  `json:"deadlineMs"`
		}
		json.NewDecoder(resp.Body).Decode(&ev)
		resp.Body.Close()
		if ev.EventType == "SHUTDOWN" {
			report("/shutdown/"+ev.ShutdownReason, []byte(strconv.FormatInt(ev.DeadlineMs, 10)))
			os.Exit(0)
		}
	}
}
