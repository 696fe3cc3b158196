package app

import (
	"context"
	"encoding/json"
	"github.com/virga/virga/internal/artifacts"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/virga/virga/internal/cfn/providers"
	"github.com/virga/virga/internal/console"
	"github.com/virga/virga/internal/ecs"
	"github.com/virga/virga/internal/lambda"
	"github.com/virga/virga/internal/metrics"
	"github.com/virga/virga/internal/ses"
	"github.com/virga/virga/internal/version"
)

// internalHandler serves virga's own endpoints:
//
//	GET /_virga/health  version, uptime, and each service's state, once per
//	                    service under the name App.Service knows it by
//	                    (apigatewayv2, sesv2) (200 when up)
//	GET /_virga/info    the effective configuration, without secrets
//	GET /_virga/ca.pem  the certificate of virga's certificate authority,
//	                    for clients to trust its HTTPS (package localtls)
//	GET /_virga/metrics Prometheus metrics (see package metrics)
//	GET, DELETE /_virga/ses/messages  the messages SES accepted (see package ses)
//	GET /_virga/cognito-idp/{pool}/users
//	                    a user pool's users and the confirmation codes
//	                    SignUp issued, which virga does not send
//	GET /_virga/ecs/... ECS tasks' metadata (v4) and role credentials,
//	                    which containers reach through their callback
//	PUT /_virga/cloudformation/custom-resource-response/TOKEN
//	                    a custom resource's response object (see
//	                    providers.ResponseURLs)
//	PUT /_virga/cloudformation/wait-condition/TOKEN
//	                    a wait condition handle's signal (see
//	                    providers.WaitHandles)
//	GET /_virga/console/ the web console and its JSON API (see package
//	                    console), to loopback clients unless
//	                    --console-remote
func (a *App) internalHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_virga/health", func(w http.ResponseWriter, r *http.Request) {
		type service struct {
			Name     string `json:"name"`
			Protocol string `json:"protocol"`
			State    string `json:"state"`
		}
		out := struct {
			Status        string    `json:"status"`
			Version       string    `json:"version"`
			Started       time.Time `json:"started"`
			UptimeSeconds float64   `json:"uptimeSeconds"`
			Store         string    `json:"store"`
			Services      []service `json:"services"`
		}{
			Status:        "ok",
			Version:       version.Version,
			Started:       a.started.UTC(),
			UptimeSeconds: a.clock.Now().Sub(a.started).Seconds(),
			Store:         "pebble",
		}
		switch {
		case a.cfg.StoreIsSQL():
			out.Store = "postgres"
		case a.cfg.InMemory:
			out.Store = "pebble (in memory)"
		}
		for _, s := range a.services {
			out.Services = append(out.Services, service{Name: inProcessName(s), Protocol: s.Protocol.Name(), State: "running"})
		}
		writeJSON(w, out)
	})
	mux.HandleFunc("GET /_virga/info", func(w http.ResponseWriter, r *http.Request) {
		// The configuration as its flags are written: a duration as
		// "10s", not as nanoseconds.
		var cfg map[string]any
		b, _ := json.Marshal(a.cfg)
		json.Unmarshal(b, &cfg)
		cfg["shutdownTimeout"] = a.cfg.ShutdownTimeout.String()
		cfg["store"] = a.cfg.StoreRedacted()
		writeJSON(w, struct {
			Version string         `json:"version"`
			Config  map[string]any `json:"config"`
		}{version.Version, cfg})
	})
	if a.tls != nil {
		mux.HandleFunc("GET /_virga/ca.pem", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-pem-file")
			http.ServeFile(w, r, a.tls.CAPath())
		})
	}
	if a.metrics != nil {
		mux.Handle("GET "+metrics.Path, a.metrics.Handler())
	}
	if a.userPools != nil {
		mux.HandleFunc("GET /_virga/cognito-idp/{pool}/users", func(w http.ResponseWriter, r *http.Request) {
			users, err := a.userPools.Codes(r.PathValue("pool"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusNotFound)
				return
			}
			writeJSON(w, users)
		})
	}
	if a.taskEndpoints != nil {
		mux.Handle(ecs.EndpointPath, a.taskEndpoints)
	}
	if a.customResponses != nil {
		mux.Handle(providers.ResponsePath, a.customResponses)
	}
	if a.waitHandles != nil {
		mux.Handle(providers.WaitHandlePath, a.waitHandles)
	}
	if a.codeHandler != nil {
		mux.Handle("GET "+lambda.CodePath, a.codeHandler)
	}
	if a.email != nil {
		mux.Handle(ses.MailboxPath, a.email.MailboxHandler())
	}
	if a.artifacts != nil {
		mux.Handle(artifacts.Path, a.artifacts.Handler())
	}
	mux.Handle(console.Path, a.console())
	if a.cfg.Pprof {
		// pprof.Index serves named profiles (heap, goroutine, allocs)
		// only under /debug/pprof/; under virga's prefix it would answer
		// its index page for each of them, so they are served by name.
		mux.HandleFunc(pprofPath, func(w http.ResponseWriter, r *http.Request) {
			if name := strings.TrimPrefix(r.URL.Path, pprofPath); name != "" {
				pprof.Handler(name).ServeHTTP(w, r)
				return
			}
			pprof.Index(w, r)
		})
		mux.HandleFunc(pprofPath+"cmdline", pprof.Cmdline)
		mux.HandleFunc(pprofPath+"profile", pprof.Profile)
		mux.HandleFunc(pprofPath+"symbol", pprof.Symbol)
		mux.HandleFunc(pprofPath+"trace", pprof.Trace)
	}
	return mux
}

// pprofPath is where --pprof serves Go's profiler.
const pprofPath = "/_virga/debug/pprof/"

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

// console builds the web console, reading each service through its
// operations in process.
func (a *App) console() *console.Console {
	svc := func(name string) console.Service {
		if a.Service(name) == nil {
			return nil
		}
		return inProcessService{a: a, name: name}
	}
	return console.New(console.Options{
		Services: console.Services{
			Lambda:         svc("lambda"),
			DynamoDB:       svc("dynamodb"),
			SQS:            svc("sqs"),
			SNS:            svc("sns"),
			Events:         svc("events"),
			StepFunctions:  svc("states"),
			CloudFormation: svc("cloudformation"),
			Logs:           svc("logs"),
			XRay:           svc("xray"),
			ECS:            svc("ecs"),
			ELBv2:          svc("elasticloadbalancing"),
		},
		Remote: a.cfg.ConsoleRemote,
		Token:  a.consoleToken,
		Clock:  a.clock,
		Logger: a.log,
	})
}

// inProcessService runs one service's operations in process.
type inProcessService struct {
	a    *App
	name string
}

func (s inProcessService) Call(ctx context.Context, op string, input map[string]any) (map[string]any, error) {
	return s.a.call(ctx, s.name, op, input)
}
