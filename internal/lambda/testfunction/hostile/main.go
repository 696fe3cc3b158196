// Command hostile is a Lambda function, written with
// github.com/aws/aws-lambda-go, that misbehaves on request: virga's
// end-to-end tests use it to prove that a timeout, a crash, an
// out-of-memory kill, a failed init, an oversized response, a flood of
// output or a fork bomb each end as AWS ends them, and that the next
// invocation is unaffected.
//
// Its init (the code before the runtime's first request) does what
// HOSTILE_INIT says, or, when HOSTILE_INIT_URL is set, what a GET of that
// URL answers, so that a test can break and mend the init of one
// function version without changing its configuration:
//
//	ok (or empty)   nothing
//	panic           panics (exit status 2)
//	exit            exits with status 5
//	error           reports an init error through the Runtime API, then exits
//
// The event says what the handler does:
//
//	{"op":"whoami"}                     the environment's log stream, pid, version, code marker and context
//	{"op":"sleep","ms":200}             sleeps, then as whoami
//	{"op":"spin"}                       loops forever
//	{"op":"exit","code":3}              exits the process
//	{"op":"alloc","mb":512}             allocates and touches that much memory, then as whoami
//	{"op":"respond","bytes":N}          returns a JSON string of N characters (N+2 bytes)
//	{"op":"output","mb":100,"line":L}   writes that much output in lines of L bytes, then as whoami
//	{"op":"log","message":"m"}          prints m, then as whoami
//	{"op":"forkbomb"}                   starts a shell fork bomb, then prints its cgroup's peak process count forever
//	{"op":"probe"}                      reports the sandbox it runs in: pid, cgroup limits
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op      string `json:"op"`
	Message string `json:"message"`
	MS      int    `json:"ms"`
	Code    int    `json:"code"`
	MB      int    `json:"mb"`
	Bytes   int    `json:"bytes"`
	Line    int    `json:"line"`
}

// whoami is what most operations answer: enough for a test to tell
// environments, versions and code apart.
type whoami struct {
	Stream     string `json:"stream"`
	Pid        int    `json:"pid"`
	Version    string `json:"version"`
	Code       string `json:"code"`
	InvokedArn string `json:"invokedArn"`
	RequestID  string `json:"requestId"`
}

func identify(ctx context.Context) whoami {
	lc, _ := lambdacontext.FromContext(ctx)
	w := whoami{
		Stream:  os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME"),
		Pid:     os.Getpid(),
		Version: os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
	}
	if lc != nil {
		w.InvokedArn, w.RequestID = lc.InvokedFunctionArn, lc.AwsRequestID
	}
	if b, err := os.ReadFile(filepath.Join(os.Getenv("LAMBDA_TASK_ROOT"), "version.txt")); err == nil {
		w.Code = strings.TrimSpace(string(b))
	}
	return w
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var e event
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	switch e.Op {
	case "whoami", "":
		return identify(ctx), nil
	case "sleep":
		time.Sleep(time.Duration(e.MS) * time.Millisecond)
		return identify(ctx), nil
	case "spin":
		n := 0
		for {
			n++
		}
	case "exit":
		os.Exit(e.Code)
	case "alloc":
		var hold [][]byte
		for range e.MB {
			b := make([]byte, 1<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1 // touch every page: the memory must be resident
			}
			hold = append(hold, b)
		}
		w := identify(ctx)
		w.Code = strconv.Itoa(len(hold)) + " MB held"
		return w, nil
	case "respond":
		return strings.Repeat("x", e.Bytes), nil
	case "output":
		line := max(e.Line, 1)
		buf := bytes.Repeat([]byte("y"), line)
		buf[line-1] = '\n'
		out := bufio.NewWriterSize(os.Stdout, 1<<20)
		for written := 0; written < e.MB<<20; written += line {
			if _, err := out.Write(buf); err != nil {
				return nil, err
			}
		}
		if err := out.Flush(); err != nil {
			return nil, err
		}
		return identify(ctx), nil
	case "log":
		fmt.Println(e.Message)
		return identify(ctx), nil
	case "forkbomb":
		// The cgroup, so that a test can see it emptied, then the bomb;
		// then each new peak of the cgroup's process count, until the
		// invocation's timeout ends the environment.
		dir, _ := cgroupDir("pids")
		fmt.Println("hostile: cgroup " + dir)
		cmd := exec.Command("/bin/sh", "-c", "f(){ f|f & }; f")
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		most := 0
		for {
			if n, err := strconv.Atoi(readTrimmed(filepath.Join(dir, "pids.current"))); err == nil && n > most {
				most = n
				fmt.Printf("hostile: %d pids\n", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	case "probe":
		return probe(), nil
	}
	return nil, fmt.Errorf("unknown op %q", e.Op)
}

// probe reports the isolation the function runs with: its pid (1 in a
// PID namespace of its own) and the memory and pids limits of its cgroup
// (empty when unknown).
func probe() map[string]string {
	out := map[string]string{"pid": strconv.Itoa(os.Getpid()), "taskRoot": os.Getenv("LAMBDA_TASK_ROOT")}
	b, _ := os.ReadFile("/proc/self/cgroup")
	out["cgroup"] = string(b)
	if dir, v2 := cgroupDir("memory"); dir != "" {
		limit := "memory.limit_in_bytes"
		if v2 {
			limit = "memory.max"
		}
		out["memoryLimit"] = readTrimmed(filepath.Join(dir, limit))
	}
	if dir, _ := cgroupDir("pids"); dir != "" {
		out["pidsMax"] = readTrimmed(filepath.Join(dir, "pids.max"))
	}
	return out
}

// cgroupDir is the directory of the process's cgroup for a controller,
// where the host mounts cgroups (v1: /sys/fs/cgroup/CONTROLLER, v2:
// /sys/fs/cgroup), and whether it is v2; "" when unknown.
func cgroupDir(controller string) (string, bool) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	v2 := ""
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2 = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == controller {
				return filepath.Join("/sys/fs/cgroup", controller, parts[2]), false
			}
		}
	}
	if v2 != "" {
		return filepath.Join("/sys/fs/cgroup", v2), true
	}
	return "", false
}

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// initMode is what the init should do.
func initMode() string {
	url := os.Getenv("HOSTILE_INIT_URL")
	if url == "" {
		return os.Getenv("HOSTILE_INIT")
	}
	res, err := http.Get(url)
	if err != nil {
		panic("hostile: asking " + url + " how to init: " + err.Error())
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return strings.TrimSpace(string(b))
}

// misbehaveInInit fails the init as asked.
func misbehaveInInit() {
	switch mode := initMode(); mode {
	case "", "ok":
	case "panic":
		panic("hostile: init broke")
	case "exit":
		fmt.Println("hostile: exiting during init")
		os.Exit(5)
	case "error":
		doc := `{"errorMessage":"hostile: init broke","errorType":"HostileInitError","stackTrace":[]}`
		req, err := http.NewRequest("POST", "http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime/init/error", strings.NewReader(doc))
		if err != nil {
			panic(err)
		}
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.HostileInitError")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		os.Exit(1)
	default:
		panic("hostile: unknown init mode " + strconv.Quote(mode))
	}
}

func main() {
	misbehaveInInit()
	lambda.Start(handle)
}
