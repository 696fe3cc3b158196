// Command ecsapp is the container the ECS end-to-end tests run: an HTTP
// server that answers with its environment, its task metadata and the
// identity its task role's credentials have at virga, reads and
// writes files, takes memory and exits on request.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// hold keeps /alloc's memory reachable.
var hold [][]byte

func main() {
	// "ecsapp exit N" exits at once with N: a health check's or an
	// init container's command.
	if len(os.Args) == 3 && os.Args[1] == "exit" {
		code, _ := strconv.Atoi(os.Args[2])
		os.Exit(code)
	}
	// PORT moves the server, so that two containers of a task can run.
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	fmt.Println("ecsapp listening on " + port)
	http.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		json.NewEncoder(w).Encode(env)
	})
	// /metadata?path=/task fetches ECS_CONTAINER_METADATA_URI_V4+path.
	http.HandleFunc("/metadata", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(os.Getenv("ECS_CONTAINER_METADATA_URI_V4") + r.URL.Query().Get("path"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	// /whoami calls STS GetCallerIdentity with the SDK's default chain:
	// the container credentials, at AWS_ENDPOINT_URL.
	// /queues calls SQS ListQueues the same way: with IAM policies
	// enforced, as the task role; it answers the error's text.
	http.HandleFunc("/queues", func(w http.ResponseWriter, r *http.Request) {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err == nil {
			if _, err = sqs.NewFromConfig(cfg).ListQueues(r.Context(), &sqs.ListQueuesInput{}); err == nil {
				fmt.Fprint(w, "ok")
				return
			}
		}
		http.Error(w, err.Error(), http.StatusForbidden)
	})
	http.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err == nil {
			var out *sts.GetCallerIdentityOutput
			if out, err = sts.NewFromConfig(cfg).GetCallerIdentity(r.Context(), &sts.GetCallerIdentityInput{}); err == nil {
				fmt.Fprint(w, *out.Arn)
				return
			}
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
	})
	// /alloc?mb=N takes and touches N MiB and keeps it.
	http.HandleFunc("/alloc", func(w http.ResponseWriter, r *http.Request) {
		mb, _ := strconv.Atoi(r.URL.Query().Get("mb"))
		for i := 0; i < mb; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = 1
			}
			hold = append(hold, b)
		}
		fmt.Fprintf(w, "holding %d MiB\n", len(hold))
	})
	// /file?path=P answers the file's contents; PUT writes the request
	// body to it, answering the error's text with 500 when it cannot
	// (a read-only mount or root file system).
	http.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Query().Get("path")
		if r.Method == http.MethodPut {
			b, _ := io.ReadAll(r.Body)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Write(b)
	})
	http.HandleFunc("/exit", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		os.Exit(code)
	})
	// SIGTERM (StopTask) shuts the server down and exits 0.
	srv := &http.Server{Addr: ":" + port}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM)
		<-stop
		fmt.Println("ecsapp stopping")
		srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
