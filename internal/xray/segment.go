package xray

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// maxDocumentSize: "A segment document can be up to 64 kB" (X-Ray segment
// documents).
const maxDocumentSize = 64 * 1024

// maxNameLength: a segment's name is "a string of up to 200 characters"
// (X-Ray segment documents).
const maxNameLength = 200

// The error codes of UnprocessedTraceSegments entries. AWS's API reference
// does not list the codes it uses; these name what was wrong.
const (
	codeInvalidDocument = "InvalidSegment"
	codeTooLarge        = "SegmentTooLarge"
)

// segment is the part of a segment document virga reads: the fields
// summaries, filters and graphs are made of. The document itself is kept
// as it was sent.
type segment struct {
	Name        string         `json:"name"`
	ID          string         `json:"id"`
	TraceID     string         `json:"trace_id"`
	StartTime   *float64       `json:"start_time"`
	EndTime     *float64       `json:"end_time"`
	InProgress  bool           `json:"in_progress"`
	Type        string         `json:"type"`
	ParentID    string         `json:"parent_id"`
	Origin      string         `json:"origin"`
	Namespace   string         `json:"namespace"`
	Inferred    bool           `json:"inferred"`
	User        string         `json:"user"`
	Error       bool           `json:"error"`
	Fault       bool           `json:"fault"`
	Throttle    bool           `json:"throttle"`
	HTTP        *segmentHTTP   `json:"http"`
	AWS         map[string]any `json:"aws"`
	Annotations map[string]any `json:"annotations"`
	Subsegments []*segment     `json:"subsegments"`
}

// segmentHTTP is a segment's http object.
type segmentHTTP struct {
	Request *struct {
		Method    string `json:"method"`
		URL       string `json:"url"`
		UserAgent string `json:"user_agent"`
		ClientIP  string `json:"client_ip"`
	} `json:"request"`
	Response *struct {
		Status *float64 `json:"status"`
	} `json:"response"`
}

// start and end are the segment's times; end is start for a segment in
// progress.
func (s *segment) start() float64 { return *s.StartTime }

func (s *segment) end() float64 {
	if s.EndTime == nil {
		return *s.StartTime
	}
	return *s.EndTime
}

// duration is the segment's response time in seconds.
func (s *segment) duration() float64 { return s.end() - s.start() }

// status is the HTTP status the segment records, or 0.
func (s *segment) status() int {
	if s.HTTP == nil || s.HTTP.Response == nil || s.HTTP.Response.Status == nil {
		return 0
	}
	return int(*s.HTTP.Response.Status)
}

// isSubsegment reports whether the document is a subsegment sent on its
// own ("type": "subsegment").
func (s *segment) isSubsegment() bool { return s.Type == "subsegment" }

// parseSegment reads and checks a segment document as PutTraceSegments
// and the daemon receive it: the fields AWS requires (name, id, trace_id,
// start_time, and end_time or in_progress), and for a subsegment sent on
// its own, type and parent_id. It returns the segment's id (when it could
// be read) with the error, for UnprocessedTraceSegments.
func parseSegment(doc []byte) (*segment, string, error) {
	if len(doc) > maxDocumentSize {
		return nil, idOf(doc), unprocessed(codeTooLarge, "Segment document exceeds the maximum size of %d bytes", maxDocumentSize)
	}
	var s segment
	if err := json.Unmarshal(doc, &s); err != nil {
		return nil, idOf(doc), unprocessed(codeInvalidDocument, "Invalid segment document: %s", jsonProblem(err))
	}
	if err := s.check(true); err != nil {
		return nil, s.ID, err
	}
	return &s, s.ID, nil
}

// check validates a segment or subsegment; top is true for a document's
// outermost object.
func (s *segment) check(top bool) error {
	switch {
	case s.Name == "":
		return unprocessed(codeInvalidDocument, "Segment is missing required field: name")
	case len([]rune(s.Name)) > maxNameLength:
		return unprocessed(codeInvalidDocument, "Segment name is longer than %d characters", maxNameLength)
	case s.ID == "":
		return unprocessed(codeInvalidDocument, "Segment is missing required field: id")
	case !isHex(s.ID, 16):
		return unprocessed(codeInvalidDocument, "Segment id must be 16 hexadecimal digits: %s", s.ID)
	case s.StartTime == nil:
		return unprocessed(codeInvalidDocument, "Segment is missing required field: start_time")
	case !validTime(*s.StartTime):
		return unprocessed(codeInvalidDocument, "Segment start_time is not a time in epoch seconds")
	case s.EndTime == nil && !s.InProgress:
		return unprocessed(codeInvalidDocument, "Segment must have either end_time or in_progress")
	case s.EndTime != nil && s.InProgress:
		return unprocessed(codeInvalidDocument, "Segment cannot have both end_time and in_progress")
	case s.EndTime != nil && !validTime(*s.EndTime):
		return unprocessed(codeInvalidDocument, "Segment end_time is not a time in epoch seconds")
	case s.EndTime != nil && *s.EndTime < *s.StartTime:
		return unprocessed(codeInvalidDocument, "Segment end_time is before its start_time")
	}
	if top {
		if s.TraceID == "" {
			return unprocessed(codeInvalidDocument, "Segment is missing required field: trace_id")
		}
		if !ValidTraceID(s.TraceID) {
			return unprocessed(codeInvalidDocument, "Invalid trace_id: %s", s.TraceID)
		}
		if s.isSubsegment() && s.ParentID == "" {
			return unprocessed(codeInvalidDocument, "Subsegment sent separately is missing required field: parent_id")
		}
	}
	if s.ParentID != "" && !isHex(s.ParentID, 16) {
		return unprocessed(codeInvalidDocument, "Segment parent_id must be 16 hexadecimal digits: %s", s.ParentID)
	}
	for _, sub := range s.Subsegments {
		if sub == nil {
			return unprocessed(codeInvalidDocument, "Subsegment is not an object")
		}
		if err := sub.check(false); err != nil {
			return err
		}
	}
	return nil
}

// ValidTraceID checks a trace id's form: the version 1, the request's
// epoch time in 8 hexadecimal digits and a 96-bit identifier in 24:
// 1-58406520-a006649127e371903a2de979.
func ValidTraceID(id string) bool {
	return len(id) == 35 && id[:2] == "1-" && id[10] == '-' && isHex(id[2:10], 8) && isHex(id[11:], 24)
}

// traceTime is the time in a trace id.
func traceTime(id string) time.Time {
	var sec int64
	for _, c := range id[2:10] {
		sec = sec*16 + int64(hexVal(byte(c)))
	}
	return time.Unix(sec, 0)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// validTime accepts epoch seconds from 1970 into the far future.
func validTime(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0) && f > 0 && f < 1e11
}

// idOf finds the id of a document that could not be read whole.
func idOf(doc []byte) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(doc, &v) == nil {
		if s, ok := v.ID.(string); ok {
			return s
		}
	}
	return ""
}

// jsonProblem words a decoding error without Go's type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asType(err, &te); ok {
		return fmt.Sprintf("field %s has the wrong type", te.Field)
	}
	msg := err.Error()
	return strings.TrimPrefix(msg, "json: ")
}

// unprocessedError is why a segment document was refused.
type unprocessedError struct{ code, msg string }

func (e *unprocessedError) Error() string { return e.msg }

func unprocessed(code, format string, args ...any) error {
	return &unprocessedError{code: code, msg: fmt.Sprintf(format, args...)}
}
