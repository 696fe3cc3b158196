// Package accesslog writes API Gateway's access logs: for a stage whose
// access log settings name a CloudWatch Logs group, one line per request,
// the settings' format with each $context variable replaced by the
// request's value, as REST APIs and HTTP APIs both do.
//
// It owns the format (Render) and the destination (GroupName, Stream);
// what the variables are worth is each API Gateway package's to say, and
// where the lines go is the Sink that internal/app wires to CloudWatch
// Logs. It keeps no state.
package accesslog

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"time"
)

// Sink receives access log lines: each one is an event in the stream of
// the group.
type Sink interface {
	Write(group, stream string, at time.Time, line string) error
}

// contextPrefix starts each variable of a format.
const contextPrefix = "$context."

// empty is what a variable without a value becomes in the line, as in
// AWS's access logs.
const empty = "-"

// Render is the line the format gives a request: each $context.NAME
// (NAME being letters, digits, underscores and dots, without a trailing
// dot) is replaced by value(NAME), or by "-" when that is empty; the
// rest is copied as written.
func Render(format string, value func(name string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(format, contextPrefix)
		if i < 0 {
			b.WriteString(format)
			return b.String()
		}
		b.WriteString(format[:i])
		rest := format[i+len(contextPrefix):]
		n := 0
		for n < len(rest) && isNameByte(rest[n]) {
			n++
		}
		name := strings.TrimRight(rest[:n], ".")
		if name == "" {
			b.WriteString(contextPrefix)
			format = rest
			continue
		}
		if v := value(name); v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(empty)
		}
		format = rest[len(name):]
	}
}

func isNameByte(c byte) bool {
	return c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// GroupName is the name of the log group a destination ARN names
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, with or without the
// ":*" that Fn::GetAtt's Arn of a log group ends with); false for any
// other destination (a Firehose stream, which virga does not have).
func GroupName(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
		return "", false
	}
	name := strings.TrimSuffix(parts[6], ":*")
	return name, name != ""
}

// Stream is the log stream a stage's access logs go to: 32 hex digits,
// as AWS names them, the same for every request to the stage.
func Stream(apiID, stage string) string {
	sum := md5.Sum([]byte(apiID + "/" + stage))
	return hex.EncodeToString(sum[:])
}

// RequestTime is $context.requestTime: the time in Common Log Format,
// 02/Jan/2006:15:04:05 +0000.
func RequestTime(t time.Time) string {
	return t.UTC().Format("02/Jan/2006:15:04:05 +0000")
}
