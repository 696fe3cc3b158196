package functions

import (
	"strconv"
	"strings"
	"time"
)

// Lambda's own log lines, in the function's LogFormat. Text is START,
// END and REPORT, and a line for a crash or a timeout. JSON is the
// records Lambda writes instead ("Configuring JSON and plain text log
// formats"), each at the system log level of the event mapping in
// "Log-level filtering": platform.start and platform.report at INFO,
// platform.initStart, platform.initRuntimeDone, platform.initReport (of
// an init, on demand or ahead for provisioned concurrency) and platform.runtimeDone at DEBUG, or at WARN when
// their phase failed. A failure's text line has no record of its own:
// the records' status and errorType carry it.

const (
	initOnDemand = "on-demand"
	// initProvisioned is the initialization type of an environment
	// started ahead of invocations for a provisioned concurrency
	// configuration.
	initProvisioned = "provisioned-concurrency"
	phaseInit       = "init"
	// phaseInvoke is the phase of an init retried within an invocation
	// after the init phase's failed.
	phaseInvoke = "invoke"
)

// platformEvent writes a platform record to the log (JSON format) and
// hands it to the telemetry subscribers.
func (e *environment) platformEvent(at time.Time, level logLevel, typ string, record any) {
	if e.out.cfg.json {
		e.out.event(at, level, typ, record)
	}
	if t := e.out.tel.Load(); t != nil {
		t.emit(at, typ, record)
	}
}

// platformRecords reports whether platform records are wanted: the
// JSON log format, or telemetry to deliver.
func (e *environment) platformRecords() bool {
	return e.out.cfg.json || e.out.tel.Load() != nil
}

// logInitStart marks the start of the environment's init: in text, the
// INIT_START line naming the runtime version, which Lambda writes to the
// log stream but not to an invocation's tail ("Identifying runtime
// version changes"), once per environment: an init retried within the
// invocation has none; the platform.initStart record for JSON and
// telemetry. A container image has no managed runtime to name.
func (e *environment) logInitStart(at time.Time) {
	var version, arn string
	if spec := &e.pool.spec; spec.Image == nil && spec.Runtime != "" {
		version, arn = runtimeVersionName(spec.Runtime), RuntimeVersionARN(spec.Region, spec.Runtime)
	}
	if !e.out.cfg.json && version != "" && e.phase == phaseInit {
		e.out.streamOnly(at, "INIT_START Runtime Version: "+version+"\tRuntime Version ARN: "+arn)
	}
	if !e.platformRecords() {
		return
	}
	e.platformEvent(at, levelDebug, "platform.initStart", initStartRecord{
		InitializationType: e.initType, Phase: e.phase, RuntimeVersion: version, RuntimeVersionArn: arn,
		FunctionName: e.pool.spec.FunctionName, FunctionVersion: e.pool.version,
	})
}

// logInitDone reports the end of the init, which took d: in text, an
// INIT_REPORT line when the init failed (a successful one shows as the
// REPORT line's Init Duration), as Lambda writes
// "INIT_REPORT Init Duration: 154.03 ms<TAB>Phase: init<TAB>Status: error<TAB>Error Type: Runtime.ExitError",
// with "Phase: invoke" for the init retried within the invocation;
// for JSON and telemetry, the records. The init's telemetry backlog
// ends with it.
func (e *environment) logInitDone(at time.Time, d time.Duration, status, errorType string) {
	if !e.out.cfg.json && status != statusSuccess {
		e.out.platform(at, "INIT_REPORT Init Duration: "+msText(d)+"\tPhase: "+e.phase+statusText(status, errorType))
	}
	if !e.platformRecords() {
		return
	}
	level := phaseLevel(status)
	e.platformEvent(at, level, "platform.initRuntimeDone", initRuntimeDoneRecord{
		InitializationType: e.initType, Phase: e.phase, Status: status, ErrorType: errorType,
	})
	e.platformEvent(at, level, "platform.initReport", initReportRecord{
		InitializationType: e.initType, Phase: e.phase, Status: status, ErrorType: errorType,
		Metrics: initReportMetrics{DurationMs: millis(d)},
	})
	if t := e.out.tel.Load(); t != nil {
		t.endInit()
		if !t.active() { // no one subscribed: nothing more to emit
			e.out.tel.CompareAndSwap(t, nil)
		}
	}
}

// logStart writes an invocation's START line or platform.start record.
func (e *environment) logStart(at time.Time, inv *Invocation) {
	if !e.out.cfg.json {
		e.out.platform(at, "START RequestId: "+inv.RequestID+" Version: "+e.pool.version)
	}
	if e.platformRecords() {
		e.platformEvent(at, levelInfo, "platform.start", startRecord{
			RequestID: inv.RequestID, FunctionArn: invokedARN(&e.pool.spec, inv), Version: e.pool.version,
		})
	}
}

// logFault writes the text line of a crash or a timeout (text only),
// which the Logs API sends as platform.fault.
func (e *environment) logFault(at time.Time, line string) {
	if !e.out.cfg.json {
		e.out.platform(at, line)
	}
	if t := e.out.tel.Load(); t != nil {
		t.emit(at, "platform.fault", line)
	}
}

// logRuntimeDone writes platform.runtimeDone (JSON and telemetry only)
// when the runtime has answered (or failed, or timed out), before the
// extensions are done with the invocation: res.Duration is the
// runtime's. spans are responseLatency and responseDuration, when the
// runtime answered.
func (e *environment) logRuntimeDone(at time.Time, inv *Invocation, res *Result, status, errorType string, spans []span) {
	if !e.platformRecords() {
		return
	}
	e.out.flush() // the function's output comes first
	produced := 0
	if status == statusSuccess {
		produced = len(res.Payload)
	}
	e.platformEvent(at, phaseLevel(status), "platform.runtimeDone", runtimeDoneRecord{
		RequestID: inv.RequestID, Status: status, ErrorType: errorType,
		Metrics: runtimeDoneMetrics{DurationMs: millis(res.Duration), ProducedBytes: produced},
		Spans:   spans,
	})
}

// statusText is the "<TAB>Status: ..." an INIT_REPORT or REPORT line of
// a failed phase ends with: "timeout", or "error" and the error type.
func statusText(status, errorType string) string {
	t := "\tStatus: " + status
	if errorType != "" {
		t += "\tError Type: " + errorType
	}
	return t
}

// msText is a duration as Lambda's text lines give it: "1503.25 ms".
func msText(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + " ms"
}

// report writes an invocation's END and REPORT lines, or its
// platform.report record. fault is whether Lambda itself ended the
// invocation (the runtime crashed, or it timed out): its REPORT line
// then ends with the status, "Status: timeout" or
// "Status: error<TAB>Error Type: Runtime.OutOfMemory"; an error the
// function reported, or an init that failed (INIT_REPORT says so), does
// not.
func (e *environment) report(at time.Time, inv *Invocation, res *Result, status, errorType string, fault bool) {
	memory := orInt(e.pool.spec.MemoryMB, 128)
	if e.platformRecords() {
		m := reportMetrics{
			DurationMs: millis(res.Duration), BilledDurationMs: billedMS(res),
			MemorySizeMB: memory, MaxMemoryUsedMB: res.MaxMemoryUsedMB,
		}
		if res.InitDuration > 0 {
			init := millis(res.InitDuration)
			m.InitDurationMs = &init
		}
		if t := e.out.tel.Load(); t != nil {
			t.emit(at, "platform.end", requestIDRecord{RequestID: inv.RequestID})
		}
		e.platformEvent(at, levelInfo, "platform.report", reportRecord{
			RequestID: inv.RequestID, Metrics: m, Status: status, ErrorType: errorType,
		})
		if e.out.cfg.json {
			return
		}
	}
	e.out.platform(at, "END RequestId: "+inv.RequestID)
	line := "REPORT RequestId: " + inv.RequestID +
		"\tDuration: " + msText(res.Duration) +
		"\tBilled Duration: " + strconv.FormatInt(billedMS(res), 10) + " ms" +
		"\tMemory Size: " + strconv.Itoa(memory) + " MB" +
		"\tMax Memory Used: " + strconv.Itoa(res.MaxMemoryUsedMB) + " MB\t"
	if res.InitDuration > 0 {
		line += "Init Duration: " + msText(res.InitDuration) + "\t"
	}
	if fault && status != statusSuccess {
		line = strings.TrimSuffix(line, "\t") + statusText(status, errorType)
	}
	e.out.platform(at, line)
}
