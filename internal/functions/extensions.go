package functions

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/virga/virga/internal/functions/runtimeapi"
	"github.com/virga/virga/internal/functions/sandbox"
)

// External extensions: the executables a function's layers put under
// /opt/extensions run in the environment beside the runtime, started
// before it, and speak the Extensions API on AWS_LAMBDA_RUNTIME_API
// (package runtimeapi).

// shutdownLimit bounds the Shutdown phase when extensions are
// registered: "2,000 ms for functions with one or more registered
// external extensions".
const shutdownLimit = 2000 * time.Millisecond

// typeExtensionCrash is the init error of an extension that ended
// before the environment's init completed.
const typeExtensionCrash = "Extension.Crash"

// findExtensions lists the executable files of the layers' extensions
// directories, by name (a later layer's file wins, as in /opt).
func findExtensions(layerDirs []string) []string {
	found := map[string]bool{}
	for _, dir := range layerDirs {
		entries, err := os.ReadDir(filepath.Join(dir, "extensions"))
		if err != nil {
			continue
		}
		for _, de := range entries {
			info, err := os.Stat(filepath.Join(dir, "extensions", de.Name()))
			if err != nil {
				continue
			}
			found[de.Name()] = info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
		}
	}
	var names []string
	for n, ok := range found {
		if ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// extensionLauncher is the shell the environment's process starts as
// when there are extensions: it starts each extension (its path in the
// arguments), its stdout and stderr on file descriptor 5, reporting on
// file descriptor 4 "index status" when one ends, then waits for file descriptor 3 to close (every extension has
// registered) and starts the runtime, passing it SIGTERM, and reports
// "runtime status" on file descriptor 4 when it ends. It stays, for
// the extensions, so that they outlive a runtime that crashed and get
// SHUTDOWN with reason failure; a SIGTERM does not end its waits. All of them live in the environment's
// sandbox and end with it.
const extensionLauncher = `n=$1; shift; i=0
while [ "$i" -lt "$n" ]; do
  x=$1; shift
  ( "$x" 3<&- 4>&- >&5 2>&5 5>&-; echo "$i $?" >&4 ) 3<&- &
  i=$((i + 1))
done
read -r _ <&3
exec 3<&-
exec 5>&-
"$@" 4>&- &
rt=$!
trap 'kill -TERM "$rt" 2>/dev/null' TERM
while :; do
  wait "$rt"; s=$?
  kill -0 "$rt" 2>/dev/null || break
done
echo "runtime $s" >&4
exec 4>&-
until wait; do :; done
`

// runtimeWatch is how the environment learns that the runtime ended
// when the process it started is the extensions' launcher.
type runtimeWatch struct {
	done   chan struct{}
	once   sync.Once
	status string // the wait status as Go words it; "" when unknown
	code   int    // the exit code, -1 for a signal
}

func newRuntimeWatch() *runtimeWatch { return &runtimeWatch{done: make(chan struct{})} }

// end records that the runtime ended with the shell's status (128 plus
// the signal for one that a signal ended), or with "" when the launcher
// ended first.
func (w *runtimeWatch) end(shellStatus string) {
	w.once.Do(func() {
		if n, err := strconv.Atoi(shellStatus); err == nil {
			if n > 128 {
				w.status, w.code = "signal: "+syscall.Signal(n-128).String(), -1
			} else {
				w.status, w.code = "exit status "+strconv.Itoa(n), n
			}
		}
		close(w.done)
	})
}

// runtimeEnded is closed when the runtime's process has ended.
func (e *environment) runtimeEnded() <-chan struct{} {
	if e.rt != nil {
		return e.rt.done
	}
	return e.proc.Done()
}

// oomReporter is a process that can tell, while it lives, whether the
// kernel killed one of its processes for want of memory.
type oomReporter interface{ OOMKilled() bool }

// runtimeExit is how the runtime ended, once runtimeEnded is closed.
func (e *environment) runtimeExit() sandbox.Exit {
	if e.rt == nil || e.rt.status == "" {
		<-e.proc.Done()
		return e.proc.Exit()
	}
	ex := sandbox.Exit{Status: e.rt.status, Code: e.rt.code}
	if r, ok := e.proc.(oomReporter); ok {
		ex.OOM = r.OOMKilled()
	}
	return ex
}

// watchRuntime takes an idle environment whose runtime ended out of its
// pool (closed, its extensions get SHUTDOWN with reason failure).
func (e *environment) watchRuntime() {
	select {
	case <-e.rt.done:
		e.pool.ended(e)
	case <-e.proc.Done():
	}
}

// launchExtensions wraps cfg so that its process starts the pool's
// extensions first, writing to output. The runtime waits until gate is
// closed; exits delivers the names of extensions whose process ended.
// The caller closes the parent's ends it is given after the process
// started.
func (e *environment) launchExtensions(cfg *sandbox.Config, optDir string, output *os.File) (gate *os.File, exits <-chan string, parentEnds []*os.File, err error) {
	names := e.pool.extensions
	gr, gw, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	rr, rw, err := os.Pipe()
	if err != nil {
		gr.Close()
		gw.Close()
		return nil, nil, nil, err
	}
	args := []string{"-c", extensionLauncher, "extensions", strconv.Itoa(len(names))}
	for _, n := range names {
		args = append(args, optDir+"/extensions/"+n)
	}
	args = append(args, cfg.Path)
	cfg.Path, cfg.Args = "/bin/sh", append(args, cfg.Args...)
	cfg.ExtraFiles = []*os.File{gr, rw, output}
	ch := make(chan string, len(names))
	go func() {
		defer rr.Close()
		sc := bufio.NewScanner(rr)
		for sc.Scan() {
			idx, status, _ := strings.Cut(sc.Text(), " ")
			if idx == "runtime" {
				e.rt.end(status)
				continue
			}
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 || i >= len(names) {
				continue
			}
			e.api.ExtensionExited(names[i])
			ch <- names[i]
		}
	}()
	return gw, ch, []*os.File{gr, rw}, nil
}

// functionInfo is what the Extensions API's register answer tells of
// the function.
func functionInfo(spec *Spec, version string) runtimeapi.FunctionInfo {
	account := ""
	if parts := strings.Split(spec.ARN, ":"); len(parts) > 4 {
		account = parts[4]
	}
	return runtimeapi.FunctionInfo{FunctionName: spec.FunctionName, FunctionVersion: version,
		Handler: spec.Handler, AccountID: account}
}

// The runtime's part of the Shutdown phase with external extensions:
// "Lambda reserves up to 300 ms (500 ms for a runtime with an internal
// extension) for the runtime process to perform a graceful shutdown",
// the rest of shutdownLimit going to the external extensions.
const (
	runtimeGrace         = 300 * time.Millisecond
	runtimeGraceInternal = 500 * time.Millisecond
)

// graceful reports whether closing the environment runs a Shutdown
// phase: it has external extensions and is not dead already.
func (e *environment) graceful() bool {
	return len(e.pool.extensions) > 0 && e.proc != nil && e.api.State() != runtimeapi.StateClosed
}

// reset ends the environment after an invocation timed out: with
// external extensions the Shutdown phase (reason) runs when it is
// closed, as AWS resets an environment; otherwise it is killed now.
func (e *environment) reset(reason string) {
	if e.graceful() {
		e.shutReason = reason
		return
	}
	e.kill()
}

// failed closes an environment whose init failed; with external
// extensions they are sent SHUTDOWN with reason failure.
func (e *environment) failed() {
	if e.shutReason == "" {
		e.shutReason = runtimeapi.ShutdownFailure
	}
	e.close()
}

// terminator is a process that can be asked to end (SIGTERM).
type terminator interface{ Terminate() }

// shutdown is the environment's Shutdown phase with external
// extensions, in AWS's order: the runtime is sent SIGTERM and has its
// grace (300 ms, 500 ms with an internal extension) to end; then those
// extensions subscribed to SHUTDOWN get the event (reason, deadlineMs
// shutdownLimit after the phase began) and have until they ask for
// their next event or the deadline has passed; then everything is
// killed. The extensions' launcher (extensionLauncher) passes SIGTERM
// to the runtime and keeps the extensions through its end.
func (e *environment) shutdown(reason string) {
	grace := runtimeGrace
	if e.api.HasInternalExtensions() {
		grace = runtimeGraceInternal
	}
	if t := e.out.tel.Load(); t != nil {
		// What the subscribers are due goes out before SHUTDOWN, on
		// which extensions flush what they hold and exit.
		t.close(telemetryDrainLimit)
	}
	deadline := time.Now().Add(shutdownLimit)
	timer := time.NewTimer(grace)
	if t, ok := e.proc.(terminator); ok {
		t.Terminate()
		select {
		case <-e.runtimeEnded():
		case <-timer.C:
		}
	}
	timer.Reset(time.Until(deadline))
	select {
	case <-e.api.Shutdown(reason, deadline):
	case <-e.proc.Done():
	case <-timer.C:
	}
	timer.Stop()
	e.kill()
	e.done()
}

// Subscribed starts delivering telemetry to an extension's subscription
// (runtimeapi.Observer), and tells the platform subscribers.
func (e *environment) Subscribed(sub runtimeapi.Subscription) {
	t := e.out.tel.Load()
	if t == nil {
		t = newTelemetry(false)
		if !e.out.tel.CompareAndSwap(nil, t) {
			t = e.out.tel.Load()
		}
	}
	t.subscribe(sub)
	typ := "platform.telemetrySubscription"
	if sub.API == runtimeapi.LogsAPI {
		typ = "platform.logsSubscription"
	}
	t.emit(e.pool.m.clock.Now(), typ, subscriptionRecord{Name: sub.Extension, State: "Subscribed", Types: sub.Types})
}

// ExtensionRegistered emits platform.extension (runtimeapi.Observer).
func (e *environment) ExtensionRegistered(name string, events []string) {
	if t := e.out.tel.Load(); t != nil {
		t.emit(e.pool.m.clock.Now(), "platform.extension", extensionRecord{Name: name, State: "Ready", Events: append([]string{}, events...)})
	}
}

var _ runtimeapi.Observer = (*environment)(nil)
