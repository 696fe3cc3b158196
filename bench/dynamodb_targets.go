package main

import (
	"context"
	"fmt"
	"github.com/virga/virga/internal/e2e"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/virga/virga/internal/config"
)

// The DynamoDB targets' names, as they appear in the table and in -only.
const (
	ceilingName      = "ceiling"
	constName        = "const"
	virgaDiskName    = "virga-disk"
	virgaMemName     = "virga-mem"
	virgaFsyncName   = "virga-fsync"
	dynaliteDiskName = "dynalite-disk"
	dynaliteMemName  = "dynalite-mem"
)

// ddbTargetNames are the targets of every workload, in the order the table
// prints them.
var ddbTargetNames = []string{ceilingName, constName, virgaDiskName, virgaFsyncName, virgaMemName, dynaliteDiskName, dynaliteMemName}

// ddbTarget is one running server and how to call it.
type ddbTarget struct {
	callFor func(workload string) callFunc
	// serverCPU is set when the server runs in a process of its own.
	serverCPU func() time.Duration
}

// startDDBTargets starts the servers named in need, each with its own
// client and transport, and loads the data set into those that store it.
// stop ends whatever was started, also when err is not nil; notes say
// which targets could not run and why.
func startDDBTargets(ctx context.Context, concurrency []int, need map[string]bool) (targets map[string]*ddbTarget, stop func(), notes []string, err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	targets = map[string]*ddbTarget{}
	newHTTPClient := func() *http.Client {
		tr := newTransport(concurrency)
		stops = append(stops, tr.CloseIdleConnections)
		return &http.Client{Transport: e2e.ReadOnlyBodies{Next: tr}}
	}
	progress := func(name string, t0 time.Time) {
		fmt.Fprintf(os.Stderr, "  %s: table created and %d items loaded in %.1fs\n", name, ddbItems, time.Since(t0).Seconds())
	}

	// virga in memory also provides the bytes the const server answers.
	var answers map[string]*recorded
	if need[virgaMemName] || need[constName] {
		t0 := time.Now()
		endpoint, shutdown, err := startVirga(config.AuthAccept, "")
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", virgaMemName, err)
		}
		stops = append(stops, shutdown)
		hc := newHTTPClient()
		c := newDDBClient(endpoint, hc)
		if err := setUpTable(ctx, c); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", virgaMemName, err)
		}
		progress(virgaMemName, t0)
		if answers, err = recordAnswers(ctx, endpoint, hc); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", virgaMemName, err)
		}
		targets[virgaMemName] = &ddbTarget{callFor: ddbCalls{c}.callFor}
	}
	if need[constName] {
		endpoint, shutdown, err := serve(constHandler(answers))
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", constName, err)
		}
		stops = append(stops, shutdown)
		c := newDDBClient(endpoint, newHTTPClient())
		if err := (ddbCalls{c}).check(ctx); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", constName, err)
		}
		targets[constName] = &ddbTarget{callFor: ddbCalls{c}.callFor}
	}
	if need[ceilingName] {
		endpoint, shutdown, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("ok"))
		}))
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", ceilingName, err)
		}
		stops = append(stops, shutdown)
		call := ceilingCall(newHTTPClient(), endpoint+"/")
		if err := call(ctx, nil); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", ceilingName, err)
		}
		targets[ceilingName] = &ddbTarget{callFor: func(string) callFunc { return call }}
	}
	for _, v := range []struct {
		name  string
		fsync bool
	}{{virgaDiskName, false}, {virgaFsyncName, true}} {
		if !need[v.name] {
			continue
		}
		t0 := time.Now()
		dir, err := os.MkdirTemp("", "virga-bench-")
		if err != nil {
			return nil, stop, notes, err
		}
		stops = append(stops, func() { os.RemoveAll(dir) })
		if inMemoryFS(dir) {
			notes = append(notes, fmt.Sprintf("%s's data directory %s is on a tmpfs: its syncs cost nothing; set TMPDIR to a disk.", v.name, dir))
		}
		endpoint, shutdown, err := startVirga(config.AuthAccept, filepath.Join(dir, "data"), v.fsync)
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", v.name, err)
		}
		stops = append(stops, shutdown)
		c := newDDBClient(endpoint, newHTTPClient())
		if err := setUpTable(ctx, c); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", v.name, err)
		}
		progress(v.name, t0)
		targets[v.name] = &ddbTarget{callFor: ddbCalls{c}.callFor}
	}
	if need[dynaliteDiskName] || need[dynaliteMemName] {
		cli, note := dynaliteCLI()
		if note != "" {
			notes = append(notes, note+"; the dynalite rows are left out.")
		}
		for _, name := range []string{dynaliteDiskName, dynaliteMemName} {
			if !need[name] || cli == "" {
				continue
			}
			t0 := time.Now()
			var args []string
			if name == dynaliteDiskName {
				dir, err := os.MkdirTemp("", "dynalite-bench-")
				if err != nil {
					return nil, stop, notes, err
				}
				stops = append(stops, func() { os.RemoveAll(dir) })
				args = []string{"--path", dir}
			}
			endpoint, pid, shutdown, err := startDynalite(ctx, cli, args...)
			if shutdown != nil {
				stops = append(stops, shutdown)
			}
			if err != nil {
				return nil, stop, notes, fmt.Errorf("starting %s: %w", name, err)
			}
			c := newDDBClient(endpoint, newHTTPClient())
			if err := setUpTable(ctx, c); err != nil {
				return nil, stop, notes, fmt.Errorf("%s: %w", name, err)
			}
			progress(name, t0)
			targets[name] = &ddbTarget{callFor: ddbCalls{c}.callFor, serverCPU: processCPUOf(pid)}
		}
	}
	return targets, stop, notes, nil
}

// check makes one call of each workload's kind.
func (d ddbCalls) check(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, w := range []string{workGet, workQuery, workPut} {
		if err := d.callFor(w)(ctx, rng); err != nil {
			return fmt.Errorf("%s: %w", w, err)
		}
	}
	return nil
}

// recordAnswers keeps virga's whole answers to one GetItem, PutItem and
// Query, by X-Amz-Target.
func recordAnswers(ctx context.Context, endpoint string, hc *http.Client) (map[string]*recorded, error) {
	rec := &recorder{next: hc}
	d := ddbCalls{newDDBClient(endpoint, rec)}
	answers := map[string]*recorded{}
	rng := rand.New(rand.NewPCG(1, 2))
	for w, op := range map[string]string{workGet: "GetItem", workPut: "PutItem", workQuery: "Query"} {
		if err := d.callFor(w)(ctx, rng); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		answers["DynamoDB_20120810."+op] = rec.last
	}
	return answers, nil
}

// constHandler answers each operation with the bytes virga answered it
// with once: what is left is the SDK client's own cost and net/http's.
func constHandler(answers map[string]*recorded) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		ans := answers[r.Header.Get("X-Amz-Target")]
		if ans == nil {
			http.Error(w, "not an operation the const server knows", http.StatusBadRequest)
			return
		}
		h := w.Header()
		for k, v := range ans.header {
			h[k] = v
		}
		w.WriteHeader(ans.status)
		w.Write(ans.body)
	})
}

// serve runs h on a free loopback port.
func serve(h http.Handler) (endpoint string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// dynaliteCLI finds dynalite's cli.js under bench/node_modules, installing
// it from bench/package-lock.json when it is missing. It returns "" and a
// note saying why when dynalite cannot run.
func dynaliteCLI() (cli, note string) {
	if _, err := exec.LookPath("node"); err != nil {
		return "", "node is not installed"
	}
	dir := benchDir()
	cli = filepath.Join(dir, "node_modules", "dynalite", "cli.js")
	if _, err := os.Stat(cli); err == nil {
		return cli, ""
	}
	fmt.Fprintf(os.Stderr, "  installing dynalite: npm ci --prefix %s\n", dir)
	cmd := exec.Command("npm", "ci", "--prefix", dir, "--no-audit", "--no-fund")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Sprintf("installing dynalite failed (npm ci --prefix %s: %v)", dir, err)
	}
	if _, err := os.Stat(cli); err != nil {
		return "", fmt.Sprintf("npm ci did not install %s", cli)
	}
	return cli, ""
}

// benchDir is this package's directory: where `go run ./bench` was
// built from, else ./bench.
func benchDir() string {
	if _, file, _, ok := runtime.Caller(0); ok {
		if _, err := os.Stat(file); err == nil {
			return filepath.Dir(file)
		}
	}
	return "bench"
}

// startDynalite runs `node cli.js` on a free loopback port and waits until
// it answers ListTables. dynalite cannot be told port 0, so the port is
// one the kernel just handed out and took back.
func startDynalite(ctx context.Context, cli string, args ...string) (endpoint string, pid int, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	cmd := exec.Command("node", append([]string{cli, "--host", "127.0.0.1", "--port", fmt.Sprint(addr.Port), "--createTableMs", "0"}, args...)...)
	cmd.Stderr = os.Stderr
	dieWithParent(cmd)
	if err := startLasting(cmd); err != nil {
		return "", 0, nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		cmd.Process.Kill()
		<-exited
	}
	endpoint = fmt.Sprintf("http://%s", addr)
	c := newDDBClient(endpoint, &http.Client{Timeout: time.Second})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err = c.ListTables(ctx, &dynamodb.ListTablesInput{}); err == nil {
			return endpoint, cmd.Process.Pid, stop, nil
		}
		select {
		case e := <-exited:
			exited <- e
			return "", 0, stop, fmt.Errorf("dynalite exited: %v", e)
		default:
		}
		if time.Now().After(deadline) {
			return "", 0, stop, fmt.Errorf("dynalite did not answer within 30s: %w", err)
		}
	}
}
