package stepfunctions

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/virga/virga/internal/awsproto/jsoncodec"
)

// Logs is CloudWatch Logs as state machines log to it.
type Logs interface {
	// OpenStream creates a log stream in an existing group; the group is
	// not created. A stream that exists already is no error.
	OpenStream(group, stream string) error
	// Write appends one event to a stream OpenStream made.
	Write(group, stream string, at time.Time, message string) error
	// CloseStream flushes a stream no longer written to and forgets it.
	CloseStream(group, stream string)
}

// logTarget is where and what an execution logs, from its state
// machine's (or version's) LoggingConfiguration when it started.
type logTarget struct {
	Level string `json:"level"`
	Data  bool   `json:"data,omitempty"`
	Group string `json:"group"`
}

// errorEvents are the event types logged at level ERROR, and fatalEvents
// those logged at FATAL, as the "Log levels" table of the developer
// guide lists them; ALL logs every event, OFF none.
var (
	fatalEvents = map[string]bool{"ExecutionAborted": true, "ExecutionFailed": true, "ExecutionTimedOut": true}
	errorEvents = map[string]bool{
		"ExecutionAborted": true, "ExecutionFailed": true, "ExecutionTimedOut": true, "FailStateEntered": true,
		"LambdaFunctionFailed": true, "LambdaFunctionScheduleFailed": true, "LambdaFunctionStartFailed": true,
		"LambdaFunctionTimedOut": true, "MapIterationAborted": true, "MapIterationFailed": true,
		"MapStateAborted": true, "MapStateFailed": true, "ParallelStateAborted": true, "ParallelStateFailed": true,
		"TaskFailed": true, "TaskStartFailed": true, "TaskStateAborted": true, "TaskSubmitFailed": true,
		"TaskTimedOut": true, "WaitStateAborted": true,
	}
)

// logs answers whether the level logs events of type typ.
func (t *logTarget) logs(typ string) bool {
	switch t.Level {
	case "ALL":
		return true
	case "ERROR":
		return errorEvents[typ]
	case "FATAL":
		return fatalEvents[typ]
	}
	return false
}

// Errors of a LoggingConfiguration. AWS answers the first for a log
// group ARN without its ":*" qualifier (its wording, as recorded from
// CreateStateMachine); the wording of the others is virga's, under the
// same code and prefix.
var (
	errLogQualifier    = ErrInvalidLoggingConfiguration.WithMessage("Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier.")
	errLogDestinations = ErrInvalidLoggingConfiguration.WithMessage("Invalid Logging Configuration: Must specify exactly one Log Destination.")
	errLogGroupARN     = ErrInvalidLoggingConfiguration.WithMessage("Invalid Logging Configuration: The Log Group ARN is not valid.")
)

// checkLogging validates a LoggingConfiguration as AWS does: a level
// other than OFF needs exactly one destination ("Limited to size 1.
// Required, if your log level is not set to OFF"), and a destination's
// logGroupArn is a log group's ARN ending in ":*" ("The ARN must end
// with :*"). The group need not exist: Step Functions delivers its logs
// through CloudWatch Logs' log deliveries, whose permissions the
// developer guide grants on every resource; records for a group that
// does not exist are dropped.
func checkLogging(lc *LoggingConfiguration) error {
	if lc == nil {
		return nil
	}
	level := "OFF"
	if lc.Level != nil {
		level = string(*lc.Level)
	}
	if len(lc.Destinations) > 1 || level != "OFF" && len(lc.Destinations) != 1 {
		return errLogDestinations
	}
	for _, d := range lc.Destinations {
		if d.CloudWatchLogsLogGroup == nil || d.CloudWatchLogsLogGroup.LogGroupArn == nil {
			return errLogDestinations
		}
		if _, err := logGroupName(*d.CloudWatchLogsLogGroup.LogGroupArn); err != nil {
			return err
		}
	}
	return nil
}

// logGroupName is the group a destination ARN names:
// arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME:*.
func logGroupName(arn string) (string, error) {
	if !strings.HasSuffix(arn, ":*") {
		return "", errLogQualifier
	}
	parts := strings.SplitN(strings.TrimSuffix(arn, ":*"), ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" || parts[6] == "" {
		return "", errLogGroupARN
	}
	return parts[6], nil
}

// logTargetOf is where an execution of a machine (or version) with the
// LoggingConfiguration raw logs; nil when it logs nothing.
func logTargetOf(raw json.RawMessage) *logTarget {
	if len(raw) == 0 {
		return nil
	}
	var lc LoggingConfiguration
	if json.Unmarshal(raw, &lc) != nil || lc.Level == nil || *lc.Level == "OFF" || len(lc.Destinations) != 1 ||
		lc.Destinations[0].CloudWatchLogsLogGroup == nil {
		return nil
	}
	group, err := logGroupName(deref(lc.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn))
	if err != nil {
		return nil
	}
	return &logTarget{Level: string(*lc.Level), Data: deref(lc.IncludeExecutionData), Group: group}
}

// logRecord is one history event as Step Functions writes it to
// CloudWatch Logs: its numbers as strings, its details as the
// GetExecutionHistory event's details member, in this order (as
// recorded from AWS's log events).
type logRecord struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Details        json.RawMessage `json:"details"`
	PreviousID     string          `json:"previous_event_id"`
	EventTimestamp string          `json:"event_timestamp"`
	ExecutionARN   string          `json:"execution_arn"`
	RedriveCount   string          `json:"redrive_count"`
}

// maxLoggedData is how much escaped input or output a record carries:
// "If escaped input or escaped output sent to CloudWatch Logs exceeds
// 248KB, it will be truncated"; inputDetails/outputDetails then say
// truncated.
const maxLoggedData = 248 * 1024

// logMessage is the record of ev, an event of the execution e: with
// withData false, input, output and parameters are left out as
// GetExecutionHistory leaves them out with includeExecutionData false.
func logMessage(region string, e *execution, ev event, withData bool) string {
	h := ev.shape(region, withData)
	details := []byte("{}")
	hv := reflect.ValueOf(h)
	for i := 0; i < hv.NumField(); i++ {
		f := hv.Field(i)
		if strings.HasSuffix(hv.Type().Field(i).Name, "EventDetails") && !f.IsNil() {
			truncateData(f.Elem())
			details = jsoncodec.Marshal(nil, f.Interface())
			break
		}
	}
	// The record spells <, > and & as they are, not as \u003c and so on.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(logRecord{ID: strconv.FormatInt(ev.ID, 10), Type: ev.Type, Details: details,
		PreviousID: strconv.FormatInt(ev.Prev, 10), EventTimestamp: strconv.FormatInt(ev.Time.UnixMilli(), 10),
		ExecutionARN: e.ARN, RedriveCount: strconv.FormatInt(int64(e.RedriveCount), 10)})
	return strings.TrimSuffix(buf.String(), "\n")
}

// truncateData cuts an event's Input or Output past maxLoggedData and
// marks its InputDetails or OutputDetails truncated.
func truncateData(d reflect.Value) {
	for _, name := range []string{"Input", "Output"} {
		f := d.FieldByName(name)
		if !f.IsValid() || f.IsNil() {
			continue
		}
		s := f.Elem().String()
		esc, _ := json.Marshal(s)
		if len(esc)-2 <= maxLoggedData {
			continue
		}
		cut := maxLoggedData * len(s) / (len(esc) - 2)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		f.Set(reflect.ValueOf(ptr(s[:cut])))
		if det := d.FieldByName(name + "Details"); det.IsValid() {
			det.Set(reflect.ValueOf(&HistoryEventExecutionDataDetails{Truncated: ptr(true)}))
		}
	}
}

// logStreamName is the stream an event goes to. AWS's streams are named
// states/MACHINE/DATE/ID, as recorded from its log groups
// ("states/NAME/2024-04-24-11-50/00000000"); how it cuts them in time is
// not documented: virga starts one stream per machine every 10 minutes.
func logStreamName(machine string, at time.Time) string {
	at = at.UTC().Truncate(10 * time.Minute)
	return "states/" + machine + "/" + at.Format("2006-01-02-15-04") + "/00000000"
}

// writeLog sends ev to the execution's log group if its level logs it;
// r.mu is held. Delivery is best effort, as AWS's is: a failure is
// logged and the execution goes on.
func (s *Service) writeLog(e *execution, ev event) {
	t := e.Log
	if t == nil || s.logs == nil || !t.logs(ev.Type) {
		return
	}
	stream := logStreamName(e.Machine, ev.Time)
	// A machine writes to one stream of a group at a time: the one
	// before is closed when the next begins.
	key := t.Group + "\x00" + e.Machine
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if cur, ok := s.logStreams[key]; !ok || cur != stream {
		if ok {
			s.logs.CloseStream(t.Group, cur)
			delete(s.logStreams, key)
		}
		if err := s.logs.OpenStream(t.Group, stream); err != nil {
			s.log.Debug("stepfunctions: log stream", "group", t.Group, "stream", stream, "err", err)
			return
		}
		s.logStreams[key] = stream
	}
	if err := s.logs.Write(t.Group, stream, ev.Time, logMessage(s.region, e, ev, t.Data)); err != nil {
		s.log.Debug("stepfunctions: writing a log record", "group", t.Group, "err", err)
		s.logs.CloseStream(t.Group, stream)
		delete(s.logStreams, key)
	}
}
