package functions

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/functions/bootstraps"
	"github.com/virga/virga/internal/functions/runtimeapi"
	"github.com/virga/virga/internal/functions/sandbox"
)

// envState is where an environment is in its pool.
type envState uint8

const (
	envBusy envState = iota // starting, or serving an invocation
	envIdle                 // warm, waiting in the pool
	envDead                 // ended or being ended
)

// environment is one execution environment: a runtime process, its
// Runtime API and its log capture.
type environment struct {
	pool   *pool
	id     string
	stream string
	api    *runtimeapi.Server
	proc   process
	out    *output
	logs   *logQueue

	started      time.Time
	initDuration time.Duration
	// initType is AWS_LAMBDA_INITIALIZATION_TYPE: on-demand, or
	// provisioned-concurrency for an environment started ahead of
	// invocations (which it keeps for life: see pool.provision).
	initType    string
	provisioned bool
	// phase is the phase of the environment's init: init, or invoke when
	// it retries a failed init within the invocation (retryOf, until the
	// launch has taken over its log stream). retry is set when the init
	// failed and is to be retried so.
	phase   string
	retryOf *environment
	retry   bool
	// ready and detach tell the built-in extensions (Spec.ParamsSecrets)
	// that the environment's init is over, and that it has ended.
	ready, detach func()

	// The log queue closes when both the output has ended (the process
	// and its pipe are gone) and the environment is out of service (no
	// one will write its END and REPORT lines any more).
	pending   atomic.Int32
	closeOnce sync.Once
	// shutReason is the SHUTDOWN event's reason when the environment
	// is closed (extensions.go); empty is spindown, or failure once the
	// runtime ended. Set before close.
	shutReason string
	// rt reports the runtime's end when the process is the extensions'
	// launcher (extensions.go); nil otherwise.
	rt *runtimeWatch

	// Guarded by pool.mu.
	state    envState
	lastUsed time.Time
}

// Error types and messages of the environment itself, as AWS words them.
const (
	typeExitError         = "Runtime.ExitError"
	typeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	typeOutOfMemory       = "Runtime.OutOfMemory"
	typeResponseTooLarge  = "Function.ResponseSizeTooLarge"
	typeTimedOut          = "Sandbox.Timedout"
	timeFormat            = "2006-01-02T15:04:05.000Z"
)

// errorDoc is the error document of an environment failure.
func errorDoc(typ, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, typ})
	return b
}

// start makes a new environment for spec's pool and waits for its
// runtime to initialize, as the cold start of inv, or, when inv is nil,
// ahead of any invocation for provisioned concurrency. When the
// environment cannot start, the Result says why (as AWS answers) and the
// environment is gone.
//
// An on-demand init that fails with an error or times out (after 10 s:
// see initLimit) is retried once within the invocation, as Lambda does
// (a "suppressed init"), the retry bounded by the function's timeout:
// the log stream shows the failed init's INIT_REPORT (Phase: init), the
// retry's output and its own INIT_REPORT (Phase: invoke), then the
// invocation's START, END and REPORT, whose Duration is the retry's and
// which has no Init Duration. A retry that succeeds is part of the
// invocation too (see invoke): in its Duration, and within its timeout.
func (p *pool) start(ctx context.Context, inv *Invocation) (*environment, *Result, error) {
	m := p.m
	spec := &p.spec
	// Preparing what the runtime ships (an image, the AWS SDK) is not the
	// function's init: it happens before Init Duration starts counting.
	switch {
	case spec.Image != nil:
		m.pullImage(ctx, spec)
	case p.rt.kind == kindPython:
		m.pythonSDK.ensure(m.python.path)
	case p.rt.kind == kindNode:
		if err := m.nodeSDK.ensure(ctx, spec); err != nil {
			m.log.Warn("providing the AWS SDK for JavaScript", "function", spec.FunctionName, "err", err)
		}
	}
	first := p.newEnvironment(inv, nil)
	e, res, err := first.launch(ctx, inv)
	if first.retry {
		return p.newEnvironment(inv, first).launch(ctx, inv)
	}
	return e, res, err
}

// newEnvironment is an environment for inv (nil: provisioned
// concurrency) about to start. With failed, it retries failed's init
// within inv: it writes to failed's log stream, and its init is of the
// invoke phase.
func (p *pool) newEnvironment(inv *Invocation, failed *environment) *environment {
	m := p.m
	started := m.clock.Now()
	id := m.ids.Hex(16)
	e := &environment{
		pool:     p,
		id:       id,
		stream:   started.UTC().Format("2006/01/02") + "/[" + p.version + "]" + id,
		started:  started,
		initType: initOnDemand,
		phase:    phaseInit,
	}
	if inv == nil {
		e.initType, e.provisioned = initProvisioned, true
	}
	if failed != nil {
		e.stream, e.phase, e.retryOf = failed.stream, phaseInvoke, failed
	}
	e.pending.Store(2)
	return e
}

// launch starts e's runtime and waits for its init, as start describes.
func (e *environment) launch(ctx context.Context, inv *Invocation) (*environment, *Result, error) {
	p := e.pool
	m := p.m
	spec := &p.spec
	started, id := e.started, e.id
	var err error
	if e.api, err = runtimeapi.New(); err != nil {
		return nil, nil, &RuntimeError{Type: TypeService, Message: "starting the Runtime API: " + err.Error()}
	}
	r, w, err := os.Pipe()
	if err != nil {
		e.api.Close()
		return nil, nil, &RuntimeError{Type: TypeService, Message: "creating the output pipe: " + err.Error()}
	}
	// External extensions write to a pipe of their own, so that their
	// lines are the Telemetry API's extension type; the parent's end
	// closes when start returns (the process has its own by then).
	var xr, xw *os.File
	if spec.Image == nil && len(p.extensions) > 0 {
		if xr, xw, err = os.Pipe(); err != nil {
			r.Close()
			w.Close()
			e.api.Close()
			return nil, nil, &RuntimeError{Type: TypeService, Message: "creating the extensions' output pipe: " + err.Error()}
		}
		defer xw.Close()
	}
	if e.retryOf != nil { // the failed init's stream and tail go on
		e.logs = e.retryOf.logs // shared by failInit
		e.out = newOutput(r, xr, m.clock.Now, e.logs, m.opts.MaxLogBytes, newLogConfig(spec))
		e.out.continueInit(e.retryOf.out)
		e.retryOf = nil
	} else {
		e.logs = newLogQueue(p.openStream(e.stream), &m.liveLogs)
		e.out = newOutput(r, xr, m.clock.Now, e.logs, m.opts.MaxLogBytes, newLogConfig(spec))
	}
	if spec.Image == nil {
		// The Telemetry and Logs APIs (telemetry.go): with external
		// extensions, the init's events are kept for those that
		// subscribe during it.
		e.api.SetObserver(e)
		if len(p.extensions) > 0 {
			e.out.tel.Store(newTelemetry(true))
		}
		// The SDK packages that no scan of the code found (names the
		// running code makes) are installed when the bootstrap asks.
		if p.rt.kind == kindNode {
			e.api.SetSDKProvider(m.nodeSDK)
		}
	}
	e.logInitStart(started)

	// With extensions (extensions.go): the runtime starts when gate
	// closes, once allIn says every extension registered; extExits
	// names those that ended.
	var gate *os.File
	var allIn <-chan struct{}
	var extExits <-chan string
	if spec.Image != nil {
		if res, err := e.startContainer(ctx, inv, w, started); res != nil || err != nil {
			return nil, res, err
		}
	} else {
		cfg := &sandbox.Config{
			ID:          id,
			CodeDir:     spec.CodeDir,
			LayerDirs:   spec.LayerDirs,
			MemoryMB:    orInt(spec.MemoryMB, 128),
			EphemeralMB: orInt(spec.EphemeralMB, 512),
			Output:      w,
		}
		interp := ""
		switch p.rt.kind {
		case kindProvided, kindGo:
			cfg.RuntimeDir = m.emptyRuntimeDir
		case kindPython:
			cfg.RuntimeDir = m.pythonDir
			interp = m.python.path
		case kindNode:
			cfg.RuntimeDir = m.nodeDir
			interp = m.node.path
		case kindRuby:
			cfg.RuntimeDir = m.rubyDir
			interp = m.ruby.path
		case kindJava:
			cfg.RuntimeDir = m.javaDir
			interp = m.java.path
		}
		layout := m.host.Layout(cfg)
		caFile, caBundle := m.opts.CAFile, m.opts.CABundleFile
		if layout.TaskRoot == "/var/task" { // a sandbox, with a view of its own
			cfg.Files = map[string]string{"/etc/hosts": m.hosts.path}
			if caFile != "" {
				cfg.Files[sandboxCAFile], caFile = caFile, sandboxCAFile
			}
			if caBundle != "" {
				cfg.Files[sandboxCABundle], caBundle = caBundle, sandboxCABundle
			}
			cfg.Links = langLinks(p.rt.kind, interp)
		}
		fail := func(typ, msg string) (*environment, *Result, error) {
			w.Close()
			msg = requestPrefix(inv) + "Error: " + msg
			return nil, e.failInit(inv, errorDoc(typ, msg), msg+"\n"+typ, started, statusError, typ), nil
		}
		switch p.rt.kind {
		case kindProvided, kindGo:
			path, msg := entrypointError(spec, p.rt, layout.TaskRoot, layout.OptDir)
			if msg != "" {
				return fail(typeInvalidEntrypoint, msg)
			}
			cfg.Path = path
		case kindPython:
			cfg.Path, cfg.Args = interp, pythonArgs(layout.RuntimeDir+"/"+bootstraps.PythonFile, layout.OptDir)
		case kindNode:
			cfg.Path, cfg.Args = interp, nodeArgs(layout.RuntimeDir+"/"+bootstraps.NodeFile, layout, spec.LayerDirs)
		case kindRuby:
			cfg.Path, cfg.Args = interp, rubyArgs(p.rt, layout.RuntimeDir+"/"+bootstraps.RubyFile)
		case kindJava:
			cfg.Path, cfg.Args = interp, javaArgs(p.rt, cfg.MemoryMB, e.initType, layout.RuntimeDir, layout.OptDir)
		}
		var creds Credentials
		if spec.Credentials != nil {
			if creds, err = spec.Credentials(ctx); err != nil {
				w.Close()
				e.discard()
				return nil, nil, &RuntimeError{Type: TypeService, Message: "getting the execution role's credentials: " + err.Error()}
			}
		}
		cfg.Env = environ(spec, p.rt, envPaths{
			taskRoot: layout.TaskRoot, runtimeDir: layout.RuntimeDir, optDir: layout.OptDir,
			interpreterDir: interpreterDir(interp), xrayDaemon: m.opts.XRayDaemon,
			caFile: caFile, caBundle: caBundle,
		}, e.api.Addr(), p.group, e.stream, e.initType, creds)
		if layout.TmpDir != "/tmp" {
			cfg.Env = append(cfg.Env, "TMPDIR="+layout.TmpDir)
		}

		if len(p.extensions) > 0 {
			e.rt = newRuntimeWatch()
			e.api.SetFunction(functionInfo(spec, p.version))
			allIn = e.api.ExpectExtensions(p.extensions)
			var ends []*os.File
			if gate, extExits, ends, err = e.launchExtensions(cfg, layout.OptDir, xw); err != nil {
				w.Close()
				e.discard()
				return nil, nil, &RuntimeError{Type: TypeService, Message: "starting the extensions: " + err.Error()}
			}
			defer gate.Close()
			defer func() {
				for _, f := range ends {
					f.Close()
				}
			}()
		}
		proc, err := m.host.Start(cfg)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) && pe.Op == "fork/exec" {
				return fail(typeInvalidEntrypoint, "fork/exec "+displayPath(pe.Path, layout.TaskRoot, layout.OptDir)+": "+pe.Err.Error())
			}
			w.Close()
			e.discard()
			return nil, nil, &RuntimeError{Type: TypeService, Message: "starting the runtime: " + err.Error()}
		}
		e.proc = proc
		w.Close()
		if spec.ParamsSecrets {
			e.attachParamsSecrets(spec, creds)
		}
	}
	go e.watch()

	// Init: until the runtime's first /next, within its limit.
	limit := e.initLimit(inv)
	timer := time.NewTimer(limit)
	defer timer.Stop()
	initError := func(ev runtimeapi.Event) *Result {
		if !e.graceful() { // else failInit resets it: SHUTDOWN failure
			e.kill()
			<-e.proc.Done()
		}
		doc := ev.Body
		if !json.Valid(doc) {
			doc = errorDoc(orString(ev.ErrorType, "Runtime.Unknown"), string(ev.Body))
		}
		return e.failInit(inv, doc, "", started, statusError, orString(ev.ErrorType, errorTypeOf(doc, "Runtime.Unknown")))
	}
	for {
		select {
		case <-allIn:
			gate.Close()
			allIn = nil
		case name := <-extExits:
			e.kill()
			<-e.proc.Done()
			msg := requestPrefix(inv) + "Error: extension " + name + " exited before the init completed"
			return nil, e.failInit(inv, errorDoc(typeExtensionCrash, msg), msg+"\n"+typeExtensionCrash, started, statusError, typeExtensionCrash), nil
		case ev := <-e.api.Events():
			switch ev.Kind {
			case runtimeapi.EventReady:
				e.api.CloseSubscriptions()
				e.initDuration = m.clock.Now().Sub(started)
				if e.ready != nil {
					e.ready()
				}
				return e, nil, nil
			case runtimeapi.EventInitError:
				return nil, initError(ev), nil
			}
		case <-e.runtimeEnded():
			// A runtime that reports its init error and exits at once can
			// be seen exiting first; the report, made before the runtime
			// was answered, is already waiting and wins.
			select {
			case ev := <-e.api.Events():
				if ev.Kind == runtimeapi.EventInitError {
					return nil, initError(ev), nil
				}
			default:
			}
			typ, msg := e.exitError(inv)
			return nil, e.failInit(inv, errorDoc(typ, msg), msg+"\n"+typ, started, statusError, typ), nil
		case <-timer.C:
			e.kill()
			<-e.proc.Done()
			msg := m.clock.Now().UTC().Format(timeFormat) + " "
			if inv != nil {
				msg += inv.RequestID + " "
			}
			msg += "Task timed out after " + seconds(limit) + " seconds"
			return nil, e.failInit(inv, timeoutDoc(msg), msg, started, statusTimeout, ""), nil
		}
	}
}

// initLimit is how long e's init may take: for an on-demand init, the
// init phase's 10 s ("The Init phase is limited to 10 seconds. If all
// three tasks do not complete within 10 seconds, Lambda retries the Init
// phase at the time of the first function invocation with the
// configured function timeout."); for that retry, the function's
// timeout; ahead of invocations (provisioned concurrency), the longer
// of provisionedInitLimit and the function's timeout.
func (e *environment) initLimit(inv *Invocation) time.Duration {
	switch {
	case e.phase == phaseInvoke:
		return e.pool.spec.timeout()
	case inv != nil:
		return e.pool.m.opts.InitTimeout
	}
	return max(provisionedInitLimit, e.pool.spec.timeout())
}

// provisionedInitLimit bounds the init of an environment made ahead of
// invocations: "For provisioned concurrency and SnapStart functions,
// ... the time limit is 130 seconds or the configured function timeout
// (maximum 900 seconds), whichever is higher."
const provisionedInitLimit = 130 * time.Second

// requestPrefix is "RequestId: ID " for inv, or nothing for an
// environment's init ahead of invocations.
func requestPrefix(inv *Invocation) string {
	if inv == nil {
		return ""
	}
	return "RequestId: " + inv.RequestID + " "
}

// exitError words a runtime's exit as AWS does: a runtime that exits
// with status 0 (Python's sys.exit(), Node's process.exit()) gave no
// reason.
func (e *environment) exitError(inv *Invocation) (typ, msg string) {
	ex := e.runtimeExit()
	msg = requestPrefix(inv) + "Error: Runtime exited with error: " + ex.Status
	if ex.OOM {
		return typeOutOfMemory, msg
	}
	if ex.Code == 0 {
		msg = requestPrefix(inv) + "Error: " + exitedWithoutReason
	}
	return typeExitError, msg
}

// exitedWithoutReason is AWS's error for a runtime that ended without
// an error status, before it answered.
const exitedWithoutReason = "Runtime exited without providing a reason"

func timeoutDoc(msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
	}{msg})
	return b
}

// failInit logs and returns the Result of an invocation whose
// environment could not start (the init's status and error type); the
// environment is gone. Without an invocation (provisioned concurrency)
// there is no START, END or REPORT: the Result only carries the error.
func (e *environment) failInit(inv *Invocation, doc []byte, logLine string, started time.Time, status, errorType string) *Result {
	m := e.pool.m
	now := m.clock.Now()
	init := now.Sub(started)
	if e.proc != nil {
		e.out.flush() // the init output comes before START
	}
	e.logInitDone(now, init, status, errorType)
	// An on-demand init's error or timeout is retried within the
	// invocation (see start), which logs the failure then.
	e.retry = inv != nil && e.phase == phaseInit
	if inv == nil || e.retry {
		if e.retry {
			e.logs.share() // the retry's, before this environment lets go
		} else if logLine != "" {
			e.logFault(now, logLine)
		}
		if e.proc == nil {
			e.discard()
		} else {
			e.failed()
		}
		return &Result{Payload: doc, FunctionError: "Unhandled", InitDuration: init}
	}
	e.out.begin(inv.Tail)
	e.logStart(now, inv)
	if logLine != "" {
		e.logFault(now, logLine)
	}
	res := &Result{Payload: doc, FunctionError: "Unhandled", ErrorType: orString(errorType, typeTimedOut), InitDuration: init}
	// A retried init is the invocation's own time: its REPORT has no Init
	// Duration, and ends with the status, as a crashed invocation's does.
	retried := e.phase == phaseInvoke
	if retried {
		res.Duration, res.InitDuration = init, 0
	}
	if e.proc != nil {
		res.MaxMemoryUsedMB = e.maxMemoryMB()
	}
	e.logRuntimeDone(now, inv, res, status, errorType, nil)
	e.report(now, inv, res, status, errorType, retried)
	res.LogTail = e.out.end()
	if e.proc == nil {
		e.discard()
	} else {
		e.failed()
	}
	return res
}

// billedMS is the duration billed for res: whole milliseconds, rounded
// up, of the invocation and, on a cold start, the init before it. (Since
// August 2025 Lambda bills the init of every on-demand environment, and
// the REPORT line's Billed Duration counts it; an environment started
// ahead for provisioned concurrency reports no Init Duration here.)
func billedMS(res *Result) int64 {
	return max(1, int64(math.Ceil(float64(res.Duration+res.InitDuration)/float64(time.Millisecond))))
}

// maxMemoryMB is the environment's peak memory in whole MB (rounded up),
// at most its memory size (a cgroup's peak counts a page or two past the
// limit before the OOM kill).
func (e *environment) maxMemoryMB() int {
	b := e.proc.PeakMemoryBytes()
	return min(int((b+1<<20-1)>>20), orInt(e.pool.spec.MemoryMB, 128))
}

// timeout is the function's time limit: Lambda's default is 3 seconds.
func (s *Spec) timeout() time.Duration {
	if s.Timeout <= 0 {
		return 3 * time.Second
	}
	return s.Timeout
}

// seconds formats a timeout as AWS does: "3.00".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64)
}

// outcome is how an invocation ended for its environment.
type outcome uint8

const (
	outcomeHealthy  outcome = iota // the environment serves on
	outcomeDead                    // the environment is gone
	outcomeRetry                   // gone before the runtime received the invocation
	outcomeAnswered                // answered; the extensions are still at work (invokeEarly)
)

// invoke runs inv in the environment, which must be ready. With early
// set (the pool has external extensions), the Result goes there as soon
// as the runtime has answered if extensions are still at work on the
// INVOKE event; invoke returns when they are done (see invokeEarly).
func (e *environment) invoke(inv *Invocation, cold bool, early chan<- *Result) (*Result, outcome) {
	m := e.pool.m
	spec := &e.pool.spec
	if cold {
		e.out.flush() // the init output comes before START
		e.logInitDone(e.started.Add(e.initDuration), e.initDuration, statusSuccess, "")
	}
	start := m.clock.Now()
	timeout := spec.timeout()
	e.out.begin(inv.Tail)
	e.logStart(start, inv)
	res := &Result{}
	limit := timeout // what is left of it
	switch {
	case cold && e.phase == phaseInvoke:
		// An init retried within the invocation is part of it: its time
		// counts in the Duration (the REPORT has no Init Duration) and
		// against the function's timeout, which limits the whole invoke
		// phase.
		start = e.started
		limit = max(timeout-e.initDuration, 0)
	case cold:
		res.InitDuration = e.initDuration
	}
	state := outcomeHealthy
	err := e.api.Dispatch(&runtimeapi.Invocation{
		RequestID:       inv.RequestID,
		Payload:         inv.Payload,
		Deadline:        time.Now().Add(limit),
		FunctionARN:     invokedARN(spec, inv),
		TraceID:         inv.TraceID,
		ClientContext:   inv.ClientContext,
		CognitoIdentity: inv.CognitoIdentity,
		Streaming:       inv.Stream != nil,
	})
	var logLine string
	status, errorType := statusSuccess, ""
	var streamed streamSink
	var began time.Time // when a streamed response began
	answered := false   // the runtime gave a response or an error
	if err != nil {
		state = outcomeRetry
	} else {
		timer := time.NewTimer(limit)
		events := e.api.Events()
	wait:
		for {
			select {
			case ev := <-events:
				switch ev.Kind {
				case runtimeapi.EventResponse:
					res.Payload = ev.Body
				case runtimeapi.EventError:
					res.FunctionError = "Unhandled"
					res.Payload = ev.Body
					if !json.Valid(ev.Body) {
						res.Payload = errorDoc(orString(ev.ErrorType, "Runtime.Unknown"), string(ev.Body))
					}
					status, errorType = statusError, orString(ev.ErrorType, errorTypeOf(res.Payload, "Runtime.Unknown"))
				case runtimeapi.EventResponseTooLarge:
					res.FunctionError = "Unhandled"
					status, errorType = statusError, typeResponseTooLarge
					res.Payload = errorDoc(typeResponseTooLarge, "Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(runtimeapi.MaxResponseBytes)+" bytes).")
				case runtimeapi.EventStreamStart:
					began = m.clock.Now()
					res.Streamed, res.ContentType = true, ev.ContentType
					streamed.begin(inv.Stream, ev.ContentType)
					continue
				case runtimeapi.EventStreamChunk:
					streamed.write(ev.Body)
					continue
				case runtimeapi.EventStreamEnd:
					res.Payload = streamed.body
					switch {
					case ev.ErrorType != "":
						res.FunctionError = "Unhandled"
						res.Payload = ev.Body
						if !json.Valid(ev.Body) {
							res.Payload = errorDoc(ev.ErrorType, string(ev.Body))
						}
						status, errorType = statusError, ev.ErrorType
					case streamed.tooLarge:
						res.FunctionError = "Unhandled"
						status, errorType = statusError, typeResponseTooLarge
						res.Payload = errorDoc(typeResponseTooLarge, "Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(runtimeapi.MaxResponseBytes)+" bytes).")
					}
				default:
					continue // stray: the runtime cannot report init events now
				}
				answered = true
				break wait
			case <-e.runtimeEnded():
				// A runtime that reports the invocation's outcome and
				// exits at once (aws-lambda-go after a panic) can be seen
				// exiting first; the report, made before the runtime was
				// answered, is already waiting and wins.
				if len(events) > 0 {
					continue
				}
				if !cold && !e.api.Delivered(inv.RequestID) {
					state = outcomeRetry
					break wait
				}
				state = outcomeDead
				typ, msg := e.exitError(inv)
				res.FunctionError = "Unhandled"
				res.Payload = errorDoc(typ, msg)
				logLine = msg + "\n" + typ
				status, errorType = statusError, typ
				break wait
			case <-timer.C:
				state = outcomeDead
				// Read the peak while the cgroup is there: killing removes
				// it, and REPORT would say "Max Memory Used: 0 MB".
				e.maxMemoryMB()
				e.reset(runtimeapi.ShutdownTimeout)
				now := m.clock.Now()
				msg := now.UTC().Format(timeFormat) + " " + inv.RequestID + " Task timed out after " + seconds(timeout) + " seconds"
				res.FunctionError = "Unhandled"
				res.Payload = timeoutDoc(msg)
				errorType = typeTimedOut
				logLine = msg
				status = statusTimeout
				break wait
			}
		}
		if res.FunctionError != "" {
			res.ErrorType = orString(errorType, errorTypeOf(res.Payload, "Runtime.Unknown"))
		}
		if state != outcomeRetry {
			e.runtimeDone(start, began, answered, inv, res, status, errorType)
		}
		if state == outcomeHealthy {
			// The invocation ends when every extension subscribed to
			// INVOKE has asked for its next event, within the timeout;
			// the caller has its answer as soon as the runtime gave it.
			if done := e.api.ExtensionsDone(); !closed(done) {
				if early != nil && !inv.Tail {
					answer := *res
					answer.Duration = m.clock.Now().Sub(start)
					answer.MaxMemoryUsedMB = e.maxMemoryMB()
					early <- &answer
				}
				select {
				case <-done:
				case <-e.runtimeEnded():
					state = outcomeDead
				case <-timer.C:
					e.maxMemoryMB()
					e.reset(runtimeapi.ShutdownTimeout)
					state = outcomeDead
				}
			}
		}
		timer.Stop()
	}
	end := m.clock.Now()
	res.Duration = end.Sub(start)
	if state == outcomeRetry {
		// Nothing of this invocation ran: its log lines are withdrawn by
		// not finishing them; the retry logs afresh.
		e.out.end()
		return nil, outcomeRetry
	}
	e.out.flush()
	if logLine != "" {
		e.logFault(end, logLine)
	}
	if status == statusTimeout {
		errorType = "" // REPORT says "Status: timeout" without a type
	}
	res.MaxMemoryUsedMB = e.maxMemoryMB()
	e.report(end, inv, res, status, errorType, logLine != "")
	res.LogTail = e.out.end()
	return res, state
}

// runtimeDone reports the runtime's part of the invocation, which
// began at start: until now, with the response (when answered) that
// began at began (when streamed) or now.
func (e *environment) runtimeDone(start, began time.Time, answered bool, inv *Invocation, res *Result, status, errorType string) {
	if !e.platformRecords() {
		return
	}
	now := e.pool.m.clock.Now()
	var spans []span
	switch {
	case status == statusTimeout:
		errorType = "" // a timeout's record has no type
	case answered:
		if began.IsZero() {
			began = now
		}
		spans = []span{newSpan("responseLatency", start, began), newSpan("responseDuration", began, now)}
	}
	done := *res
	done.Duration = now.Sub(start)
	e.logRuntimeDone(now, inv, &done, status, errorType, spans)
}

// streamSink takes a streamed response: to the invocation's
// ResponseStream, or collected up to the buffered response limit.
type streamSink struct {
	to       ResponseStream
	failed   bool // the ResponseStream refused a write
	body     []byte
	tooLarge bool
}

func (s *streamSink) begin(to ResponseStream, contentType string) {
	s.to = to
	if to != nil {
		to.Begin(contentType)
	}
}

func (s *streamSink) write(p []byte) {
	switch {
	case s.to != nil:
		if !s.failed && s.to.Write(p) != nil {
			s.failed = true
		}
	case s.tooLarge:
	case len(s.body)+len(p) > runtimeapi.MaxResponseBytes:
		s.tooLarge, s.body = true, nil
	default:
		s.body = append(s.body, p...)
	}
}

// kill ends the environment's processes; watch cleans up.
func (e *environment) kill() {
	if e.proc != nil {
		e.proc.Kill()
	}
	e.api.Close()
}

// close takes the environment out of service for good: it is killed,
// and its log stream closes once its output has drained.
func (e *environment) close() {
	e.closeOnce.Do(func() {
		if e.graceful() {
			reason := e.shutReason
			if reason == "" && closed(e.runtimeEnded()) {
				reason = runtimeapi.ShutdownFailure // the runtime crashed
			}
			go e.shutdown(orString(reason, runtimeapi.ShutdownSpindown))
			return
		}
		e.kill()
		e.done()
	})
}

// closed reports whether ch is closed, without waiting.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// done is called by each of the two parties the log queue waits for.
func (e *environment) done() {
	if e.pending.Add(-1) == 0 {
		e.logs.close()
	}
}

// watch waits for the process to end, then takes the environment out of
// its pool if it was idle there, and releases what it held.
func (e *environment) watch() {
	if e.rt != nil {
		go e.watchRuntime()
	}
	<-e.proc.Done()
	if e.rt != nil {
		e.rt.end("")
	}
	e.pool.ended(e)
	e.api.Close()
	if t := e.out.tel.Load(); t != nil {
		t.close(0) // its listeners are gone
	}
	if e.detach != nil {
		e.detach()
	}
	<-e.out.eof
	e.done()
}

// attachParamsSecrets has Options.ParamsSecrets serve the AWS Parameters
// and Secrets Lambda Extension's API to the environment. A failure is
// logged (the function runs on, and its calls to the API fail, as they
// do on AWS when the extension cannot start).
func (e *environment) attachParamsSecrets(spec *Spec, creds Credentials) {
	m := e.pool.m
	if m.opts.ParamsSecrets == nil {
		m.log.Warn("the AWS Parameters and Secrets Lambda Extension is not available", "function", spec.FunctionName)
		return
	}
	ready, detach, err := m.opts.ParamsSecrets.Attach(ExtensionAttachment{
		FunctionName: spec.FunctionName, Env: spec.Env, Credentials: creds,
		Region: spec.Region, Endpoint: spec.Endpoint,
	})
	if err != nil {
		m.log.Warn("starting the AWS Parameters and Secrets Lambda Extension", "function", spec.FunctionName, "err", err)
		e.logs.push(m.clock.Now(), "[AWS Parameters and Secrets Lambda Extension] ERROR "+err.Error())
		return
	}
	e.ready, e.detach = ready, detach
}

// discard releases an environment whose process never started.
func (e *environment) discard() {
	e.api.Close()
	if e.out != nil {
		go func() {
			<-e.out.eof
			e.logs.close()
		}()
	}
}

// runtimeDirs installs the bootstraps under workDir, and makes the empty
// runtime directory of custom runtimes (AWS's /var/runtime exists for
// them too).
func runtimeDirs(workDir string) (dirs bootstraps.Dirs, empty string, err error) {
	dir := filepath.Join(workDir, "runtime")
	if dirs, err = bootstraps.Install(dir); err != nil {
		return bootstraps.Dirs{}, "", err
	}
	empty = filepath.Join(dir, "provided")
	return dirs, empty, os.MkdirAll(empty, 0o755)
}

// invokedARN is the ARN the runtime reports as the invoked function's.
func invokedARN(spec *Spec, inv *Invocation) string {
	if inv.InvokedARN != "" {
		return inv.InvokedARN
	}
	return spec.ARN
}
