package functions

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// The log formats of LoggingConfig's LogFormat.
const (
	// LogFormatText is Lambda's plain text: START, END and REPORT lines
	// and the runtime's own text lines.
	LogFormatText = "Text"
	// LogFormatJSON makes Lambda's lines JSON records ("Configuring JSON
	// and plain text log formats") and has the runtimes log JSON objects;
	// both are then filtered by level ("Log-level filtering").
	LogFormatJSON = "JSON"
)

// logLevel is a Lambda log level, from the most detail to the least.
type logLevel int8

const (
	levelTrace logLevel = iota
	levelDebug
	levelInfo
	levelWarn
	levelError
	levelFatal
)

// parseLevel reads a level name as Lambda does in a log record's "level":
// in any case. Python's WARNING and CRITICAL are WARN and FATAL.
func parseLevel(s string) (logLevel, bool) {
	switch strings.ToUpper(s) {
	case "TRACE":
		return levelTrace, true
	case "DEBUG":
		return levelDebug, true
	case "INFO":
		return levelInfo, true
	case "WARN", "WARNING":
		return levelWarn, true
	case "ERROR":
		return levelError, true
	case "FATAL", "CRITICAL":
		return levelFatal, true
	}
	return 0, false
}

// logConfig is how an environment's output is logged: Spec's LogFormat
// and levels, with Lambda's defaults (INFO for both levels).
type logConfig struct {
	json        bool
	app, system logLevel
}

func newLogConfig(spec *Spec) logConfig {
	c := logConfig{json: spec.LogFormat == LogFormatJSON, app: levelInfo, system: levelInfo}
	if l, ok := parseLevel(spec.ApplicationLogLevel); ok {
		c.app = l
	}
	if l, ok := parseLevel(spec.SystemLogLevel); ok {
		c.system = l
	}
	return c
}

// keepLine reports whether a line of the function's output is logged.
// In JSON format Lambda filters application logs by level: a line that
// is a JSON object with a known "level" has that level, any other line
// (print, process.stdout.write, a level it does not know) is INFO
// ("Log-level filtering").
func (c logConfig) keepLine(line []byte) bool {
	if !c.json || c.app == levelTrace {
		return true
	}
	return lineLevel(line) >= c.app
}

func lineLevel(line []byte) logLevel {
	line = bytes.TrimSpace(line)
	if len(line) < 2 || line[0] != '{' || !bytes.Contains(line, []byte(`"level"`)) {
		return levelInfo
	}
	var rec struct {
		Level json.RawMessage `json:"level"`
	}
	if json.Unmarshal(line, &rec) != nil {
		return levelInfo
	}
	var name string
	if json.Unmarshal(rec.Level, &name) != nil {
		return levelInfo
	}
	if l, ok := parseLevel(name); ok {
		return l
	}
	return levelInfo
}

// Lambda's system log records in JSON format: the Telemetry API's event
// shapes ({"time", "type", "record"}), their members in the order Lambda
// writes them.
type platformEvent struct {
	Time   string `json:"time"`
	Type   string `json:"type"`
	Record any    `json:"record"`
}

// Invocation statuses of platform.runtimeDone and platform.report, and of
// the init records.
const (
	statusSuccess = "success"
	statusError   = "error"
	statusTimeout = "timeout"
)

type initStartRecord struct {
	InitializationType string `json:"initializationType"`
	Phase              string `json:"phase"`
	RuntimeVersion     string `json:"runtimeVersion,omitempty"`
	RuntimeVersionArn  string `json:"runtimeVersionArn,omitempty"`
	FunctionName       string `json:"functionName"`
	FunctionVersion    string `json:"functionVersion"`
}

type initRuntimeDoneRecord struct {
	InitializationType string `json:"initializationType"`
	Phase              string `json:"phase"`
	Status             string `json:"status"`
	ErrorType          string `json:"errorType,omitempty"`
}

type initReportRecord struct {
	InitializationType string            `json:"initializationType"`
	Phase              string            `json:"phase"`
	Status             string            `json:"status"`
	ErrorType          string            `json:"errorType,omitempty"`
	Metrics            initReportMetrics `json:"metrics"`
}

type initReportMetrics struct {
	DurationMs float64 `json:"durationMs"`
}

type startRecord struct {
	RequestID   string `json:"requestId"`
	FunctionArn string `json:"functionArn"`
	Version     string `json:"version"`
}

type runtimeDoneRecord struct {
	RequestID string             `json:"requestId"`
	Status    string             `json:"status"`
	ErrorType string             `json:"errorType,omitempty"`
	Spans     []span             `json:"spans,omitempty"`
	Metrics   runtimeDoneMetrics `json:"metrics"`
}

// span is a unit of an invocation's work in platform.runtimeDone:
// responseLatency (until the response began) and responseDuration (its
// transfer).
type span struct {
	Name       string  `json:"name"`
	Start      string  `json:"start"`
	DurationMs float64 `json:"durationMs"`
}

func newSpan(name string, from, to time.Time) span {
	return span{Name: name, Start: from.UTC().Format(timeFormat), DurationMs: millis(to.Sub(from))}
}

type runtimeDoneMetrics struct {
	DurationMs    float64 `json:"durationMs"`
	ProducedBytes int     `json:"producedBytes"`
}

type reportRecord struct {
	RequestID string        `json:"requestId"`
	Metrics   reportMetrics `json:"metrics"`
	Status    string        `json:"status"`
	ErrorType string        `json:"errorType,omitempty"`
}

type reportMetrics struct {
	DurationMs       float64  `json:"durationMs"`
	BilledDurationMs int64    `json:"billedDurationMs"`
	MemorySizeMB     int      `json:"memorySizeMB"`
	MaxMemoryUsedMB  int      `json:"maxMemoryUsedMB"`
	InitDurationMs   *float64 `json:"initDurationMs,omitempty"`
}

// platformJSON renders one system log record.
func platformJSON(at time.Time, typ string, record any) string {
	b, _ := json.Marshal(platformEvent{Time: at.UTC().Format(timeFormat), Type: typ, Record: record})
	return string(b)
}

// millis is a duration in milliseconds, to the microsecond, as the
// records' durationMs members give it.
func millis(d time.Duration) float64 {
	return math.Round(float64(d.Microseconds())) / 1000
}

// phaseLevel is the system log level of the init and runtimeDone
// records: DEBUG when the phase succeeded, WARN otherwise.
// platform.start and platform.report are INFO, which is why Lambda's
// default (INFO) logs "start" and "report" messages.
func phaseLevel(status string) logLevel {
	if status == statusSuccess {
		return levelDebug
	}
	return levelWarn
}

// errorTypeOf is an error document's errorType, or fallback.
func errorTypeOf(doc []byte, fallback string) string {
	var d struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(doc, &d) == nil && d.ErrorType != "" {
		return d.ErrorType
	}
	return fallback
}
