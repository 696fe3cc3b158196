package asl

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A JSONata expression that defines functions can call them without end,
// and the JSONata library bounds neither its recursion nor the Go stack
// it grows: a Go stack overflow is fatal to the process, and cannot be
// recovered. Such expressions are therefore evaluated in a worker
// process — this same binary, started again with workerEnv set — whose
// death fails only the evaluation, with States.QueryEvaluationError.
// So are expressions that use the range operator, whose every use may
// allocate 10,000,000 items: a worker's memory is bounded. Expressions
// with neither, nearly all of them, are evaluated in process: without a
// function definition the library's recursion is bounded by the
// expression and the data, and without a range so is what it allocates
// ($pad is bounded by a state's payload).
//
// The protocol is one JSON request per line on the worker's stdin and
// one JSON answer per line on its stdout. Workers are kept for the next
// evaluation (at most maxIdleWorkers of them), die with virga
// (Pdeathsig, and EOF on stdin), and are killed when an evaluation uses
// more than workerTimeout of CPU time, or waits longer than
// workerMaxWait. The bound is CPU time, not time on the clock: on a busy
// machine a worker may wait for a CPU far longer than it computes, and
// an expression that needs a second of work must not fail for that.

const (
	workerEnv      = "VIRGA_ASL_JSONATA_WORKER"
	maxIdleWorkers = 4
	workerTimeout  = 10 * time.Second
	// workerMaxWait bounds an evaluation's time on the clock, whatever
	// CPU time it used (a worker that blocks, or a machine without
	// /proc, where CPU time cannot be read).
	workerMaxWait = 2 * time.Minute
	// clockTicks is the unit of the CPU times in /proc/PID/stat
	// (sysconf(_SC_CLK_TCK), 100 on Linux).
	clockTicks = 100
	// workerMaxStack bounds a worker goroutine's stack: a runaway
	// recursion ends the worker after this much, not Go's default 1 GB.
	workerMaxStack = 64 << 20
	// workerMaxMemory is how much address space a worker may map
	// beyond what it had at its start.
	workerMaxMemory = 2 << 30
)

func init() {
	if os.Getenv(workerEnv) == "1" {
		os.Exit(serveJSONata(os.Stdin, os.Stdout))
	}
}

// workerRequest is an expression and what it sees.
type workerRequest struct {
	Src  string         `json:"src"`
	Vars map[string]any `json:"vars"`
}

// workerAnswer is the expression's value, that it had none, or its
// error.
type workerAnswer struct {
	Value     json.RawMessage `json:"value,omitempty"`
	Undefined bool            `json:"undefined,omitempty"`
	Error     string          `json:"error,omitempty"`
}

// limitWorkerMemory bounds the worker's address space to what it has
// mapped at its start plus workerMaxMemory: an expression that builds
// ever larger values ($f := function($s){ $f($s & $s) }) then ends the
// worker (the Go runtime dies out of memory) instead of taking the
// machine's memory. A worker that cannot read its size runs unbounded.
func limitWorkerMemory() {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return
	}
	var pages uint64
	if _, err := fmt.Sscan(string(raw), &pages); err != nil {
		return
	}
	limit := pages*uint64(os.Getpagesize()) + workerMaxMemory
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit})
	// The collector works harder as the heap nears the bound, so an
	// expression whose live values fit (JSONata's largest range) is not
	// ended by garbage the collector had not yet reached: a starved
	// collector on a busy machine let the heap overshoot the bound.
	debug.SetMemoryLimit(workerMaxMemory / 2)
}

// serveJSONata is a worker's life: it evaluates requests until its
// input ends, and returns its exit status.
func serveJSONata(in io.Reader, out io.Writer) int {
	debug.SetMaxStack(workerMaxStack)
	limitWorkerMemory()
	r := bufio.NewReader(in)
	w := bufio.NewWriter(out)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			return 0
		}
		// Numbers decode to float64, the library's numbers, as
		// toJSONata made them.
		var req workerRequest
		var a workerAnswer
		if err := json.Unmarshal(line, &req); err != nil {
			a.Error = "bad request: " + err.Error()
		} else {
			v, err := evalJSONataVars(req.Src, req.Vars, workerRandom{})
			switch {
			case errors.Is(err, errUndefined):
				a.Undefined = true
			case err != nil:
				a.Error = failureCause(err)
			default:
				a.Value, err = json.Marshal(v)
				if err != nil {
					a.Error = err.Error()
				}
			}
		}
		b, _ := json.Marshal(a)
		w.Write(b)
		w.WriteByte('\n')
		if err := w.Flush(); err != nil {
			return 1
		}
	}
}

func failureCause(err error) string {
	var f *Failure
	if errors.As(err, &f) {
		return f.Cause
	}
	return err.Error()
}

// workerRandom gives a worker's $random and $uuid their randomness.
type workerRandom struct{}

func (workerRandom) UUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (workerRandom) RandomInt(n int64, _ *int64) int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:])>>1) % n
}

// jsonataWorker is a running worker process.
type jsonataWorker struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

var idleWorkers struct {
	sync.Mutex
	list []*jsonataWorker
}

func startWorker() (*jsonataWorker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = []string{workerEnv + "=1", "GOTRACEBACK=none"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &jsonataWorker{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

func (w *jsonataWorker) kill() {
	w.cmd.Process.Kill()
	w.in.Close()
	w.cmd.Wait()
}

// evalIsolated evaluates an expression in a worker.
func evalIsolated(src string, vars map[string]any) (any, error) {
	idleWorkers.Lock()
	var w *jsonataWorker
	if n := len(idleWorkers.list); n > 0 {
		w = idleWorkers.list[n-1]
		idleWorkers.list = idleWorkers.list[:n-1]
	}
	idleWorkers.Unlock()
	if w == nil {
		var err error
		if w, err = startWorker(); err != nil {
			return nil, &Failure{Name: ErrQueryEvaluation, Cause: "could not start the evaluation: " + err.Error()}
		}
	}
	req, err := json.Marshal(workerRequest{Src: src, Vars: vars})
	if err != nil {
		w.release()
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: err.Error()}
	}
	stop, killed := make(chan struct{}), make(chan bool, 1)
	go w.watch(stop, killed, workerTimeout, workerMaxWait)
	var line []byte
	if _, err = w.in.Write(append(req, '\n')); err == nil {
		line, err = w.out.ReadBytes('\n')
	}
	close(stop)
	timedOut := <-killed
	if err != nil {
		w.kill()
		if timedOut {
			return nil, &Failure{Name: ErrQueryEvaluation, Cause: fmt.Sprintf("The JSONata expression '%s' took longer than %s to evaluate", src, workerTimeout)}
		}
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: fmt.Sprintf("The JSONata expression '%s' could not be evaluated: it recursed too deeply or used too much memory", src)}
	}
	if timedOut {
		w.kill() // answered as it was killed: keep the answer, not the worker
	} else {
		w.release()
	}
	var a workerAnswer
	if err := json.Unmarshal(line, &a); err != nil {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: err.Error()}
	}
	switch {
	case a.Error != "":
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: a.Error}
	case a.Undefined:
		return nil, errUndefined
	}
	v, err := Decode(a.Value)
	if err != nil {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: err.Error()}
	}
	return v, nil
}

// watch kills w once the evaluation under way has used budget of CPU
// time or waited maxWait, unless stop is closed first; it sends on
// killed whether it killed w.
func (w *jsonataWorker) watch(stop <-chan struct{}, killed chan<- bool, budget, maxWait time.Duration) {
	start := time.Now()
	cpu0, ok := w.cpuTime()
	wait := budget
	for {
		t := time.NewTimer(wait)
		select {
		case <-stop:
			t.Stop()
			killed <- false
			return
		case <-t.C:
		}
		used := time.Since(start)
		if cpu, ok2 := w.cpuTime(); ok && ok2 {
			used = cpu - cpu0
		}
		if used >= budget || time.Since(start) >= maxWait {
			w.cmd.Process.Kill()
			killed <- true
			return
		}
		// No sooner than the remaining CPU time could run out.
		wait = max(budget-used, 10*time.Millisecond)
	}
}

// cpuTime is the CPU time w has used, user and system, as Linux's
// /proc/PID/stat gives it; false where it cannot be read.
func (w *jsonataWorker) cpuTime() (time.Duration, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", w.cmd.Process.Pid))
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// fields are counted after its closing one. utime and stime are
	// fields 14 and 15.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

// release keeps w for the next evaluation, or stops it.
func (w *jsonataWorker) release() {
	idleWorkers.Lock()
	if len(idleWorkers.list) < maxIdleWorkers {
		idleWorkers.list = append(idleWorkers.list, w)
		w = nil
	}
	idleWorkers.Unlock()
	if w != nil {
		w.kill()
	}
}

// needsWorker reports whether a JSONata expression may define a
// function ("function(" or "λ(") or use the range operator ("..", which
// may allocate 10,000,000 items each time), outside string literals,
// quoted names and comments. It may say yes when there is none; it
// never says no when there is one.
func needsWorker(src string) bool {
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'', '`':
			// A literal or a quoted name, with backslash escapes.
			for i++; i < len(src) && src[i] != c; i++ {
				if src[i] == '\\' && c != '`' {
					i++
				}
			}
		case '/':
			if i+1 < len(src) && src[i+1] == '*' {
				end := indexFrom(src, "*/", i+2)
				if end < 0 {
					return false
				}
				i = end + 1
			}
		case '.':
			if i+1 < len(src) && src[i+1] == '.' {
				return true
			}
		case 'f':
			if hasWordAt(src, i, "function") {
				return true
			}
		default:
			if c >= 0x80 && hasWordAt(src, i, "λ") {
				return true
			}
		}
	}
	return false
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// hasWordAt reports whether s holds word at i, not preceded by a name
// character.
func hasWordAt(s string, i int, word string) bool {
	if i+len(word) > len(s) || s[i:i+len(word)] != word {
		return false
	}
	if i > 0 {
		p := s[i-1]
		if p == '_' || p == '$' || p >= '0' && p <= '9' || p >= 'a' && p <= 'z' || p >= 'A' && p <= 'Z' {
			return false
		}
	}
	return true
}
