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
)

// logInitStart marks the start of the environment's init: the
// INIT_START line naming the runtime version, which Lambda writes to the
// log stream but not to an invocation's tail ("Identifying runtime
// version changes"), or the platform.initStart record. A container image
// has no managed runtime to name.
func (e *environment) logInitStart(at time.Time) {
	var version, arn string
	if spec := &e.pool.spec; spec.Image == nil && spec.Runtime != "" {
		version, arn = runtimeVersionName(spec.Runtime), RuntimeVersionARN(spec.Region, spec.Runtime)
	}
	if !e.out.cfg.json {
		if version != "" {
			e.out.streamOnly(at, "INIT_START Runtime Version: "+version+"\tRuntime Version ARN: "+arn)
		}
		return
	}
	e.out.event(at, levelDebug, "platform.initStart", initStartRecord{
		InitializationType: e.initType, Phase: phaseInit, RuntimeVersion: version, RuntimeVersionArn: arn,
		FunctionName: e.pool.spec.FunctionName, FunctionVersion: e.pool.version,
	})
}

// logInitDone reports the end of the init, which took d: in text, an
// INIT_REPORT line when the init failed (a successful one shows as the
// REPORT line's Init Duration), as Lambda writes
// "INIT_REPORT Init Duration: 154.03 ms<TAB>Phase: init<TAB>Status: error<TAB>Error Type: Runtime.ExitError".
func (e *environment) logInitDone(at time.Time, d time.Duration, status, errorType string) {
	if !e.out.cfg.json {
		if status != statusSuccess {
			e.out.platform(at, "INIT_REPORT Init Duration: "+msText(d)+"\tPhase: "+phaseInit+statusText(status, errorType))
		}
		return
	}
	level := phaseLevel(status)
	e.out.event(at, level, "platform.initRuntimeDone", initRuntimeDoneRecord{
		InitializationType: e.initType, Phase: phaseInit, Status: status, ErrorType: errorType,
	})
	e.out.event(at, level, "platform.initReport", initReportRecord{
		InitializationType: e.initType, Phase: phaseInit, Status: status, ErrorType: errorType,
		Metrics: initReportMetrics{DurationMs: millis(d)},
	})
}

// logStart writes an invocation's START line or platform.start record.
func (e *environment) logStart(at time.Time, inv *Invocation) {
	if !e.out.cfg.json {
		e.out.platform(at, "START RequestId: "+inv.RequestID+" Version: "+e.pool.version)
		return
	}
	e.out.event(at, levelInfo, "platform.start", startRecord{
		RequestID: inv.RequestID, FunctionArn: invokedARN(&e.pool.spec, inv), Version: e.pool.version,
	})
}

// logFault writes the text line of a crash or a timeout (text only).
func (e *environment) logFault(at time.Time, line string) {
	if !e.out.cfg.json {
		e.out.platform(at, line)
	}
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

// msText is a duration as Lambda's text lines give it: "1503.25".
func msText(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + " ms"
}

// report writes an invocation's END and REPORT lines, or its
// platform.runtimeDone and platform.report records. fault is whether
// Lambda itself ended the invocation (the runtime crashed, or it timed
// out): its REPORT line then ends with the status, "Status: timeout" or
// "Status: error<TAB>Error Type: Runtime.OutOfMemory"; an error the
// function reported, or an init that failed (INIT_REPORT says so), does
// not.
func (e *environment) report(at time.Time, inv *Invocation, res *Result, status, errorType string, fault bool) {
	memory := orInt(e.pool.spec.MemoryMB, 128)
	if e.out.cfg.json {
		produced := 0
		if status == statusSuccess {
			produced = len(res.Payload)
		}
		e.out.event(at, phaseLevel(status), "platform.runtimeDone", runtimeDoneRecord{
			RequestID: inv.RequestID, Status: status, ErrorType: errorType,
			Metrics: runtimeDoneMetrics{DurationMs: millis(res.Duration), ProducedBytes: produced},
		})
		m := reportMetrics{
			DurationMs: millis(res.Duration), BilledDurationMs: billedMS(res),
			MemorySizeMB: memory, MaxMemoryUsedMB: res.MaxMemoryUsedMB,
		}
		if res.InitDuration > 0 {
			init := millis(res.InitDuration)
			m.InitDurationMs = &init
		}
		e.out.event(at, levelInfo, "platform.report", reportRecord{
			RequestID: inv.RequestID, Metrics: m, Status: status, ErrorType: errorType,
		})
		return
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
