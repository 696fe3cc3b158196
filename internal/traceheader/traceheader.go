package traceheader

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Field returns the value of a header's field key ("" when it has none).
func Field(header, key string) string {
	for part := range strings.SplitSeq(header, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && k == key {
			return v
		}
	}
	return ""
}

// With returns header with field key set to value: replaced where the
// header has it, appended otherwise; an empty value removes the field.
// The other fields keep their order.
func With(header, key, value string) string {
	var out []string
	found := false
	for part := range strings.SplitSeq(header, ";") {
		p := strings.TrimSpace(part)
		if p == "" {
			continue
		}
		if k, _, _ := strings.Cut(p, "="); k == key {
			if !found && value != "" {
				out = append(out, key+"="+value)
			}
			found = true
			continue
		}
		out = append(out, p)
	}
	if !found && value != "" {
		out = append(out, key+"="+value)
	}
	return strings.Join(out, ";")
}

// NewRoot is a new trace id, 1-{epoch seconds, 8 hex digits}-{random},
// random being 24 hex digits.
func NewRoot(now time.Time, random string) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	sec := now.Unix()
	for i := 7; i >= 0; i-- {
		b[i] = digits[sec&15]
		sec >>= 4
	}
	return "1-" + string(b[:]) + "-" + random
}

// ValidRoot reports whether s has a trace id's shape: "1-", 8 hex digits,
// "-", 24 hex digits.
func ValidRoot(s string) bool {
	if len(s) != 35 || s[:2] != "1-" || s[10] != '-' {
		return false
	}
	for i, c := range s {
		if i < 2 || i == 10 {
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Lineage is the Lineage field of a trace header: a count for each
// function a chain of requests has invoked, in the order they joined it.
type Lineage []Entry

// Entry is one function's count in a Lineage.
type Entry struct {
	// Version is the entry's format version ("" when it has none).
	Version string
	// Hash names the function.
	Hash string
	// Count is how many times the function ran before in the chain.
	Count int
}

// Limits of what ParseLineage accepts: a header is at most a few hundred
// bytes, so a lineage of more entries, longer hashes or larger counts is
// not one Lambda wrote.
const (
	maxEntries = 64
	maxHashLen = 32
	// MaxCount is the largest count an entry holds; counting saturates
	// there.
	MaxCount = 65535
)

var errLineage = errors.New("traceheader: malformed Lineage")

// ParseLineage reads a Lineage field's value. The separator may come
// percent-encoded (%7C), as botocore sends it. An empty value is an
// empty lineage.
func ParseLineage(v string) (Lineage, error) {
	if v == "" {
		return nil, nil
	}
	v = strings.ReplaceAll(strings.ReplaceAll(v, "%7C", "|"), "%7c", "|")
	parts := strings.Split(v, "|")
	if len(parts) > maxEntries {
		return nil, errLineage
	}
	l := make(Lineage, 0, len(parts))
	for _, p := range parts {
		f := strings.Split(p, ":")
		var e Entry
		switch len(f) {
		case 2:
			e.Hash = f[0]
		case 3:
			if !isDigits(f[0]) || len(f[0]) > 3 {
				return nil, errLineage
			}
			e.Version, e.Hash = f[0], f[1]
		default:
			return nil, errLineage
		}
		if e.Hash == "" || len(e.Hash) > maxHashLen || !isAlnum(e.Hash) {
			return nil, errLineage
		}
		c := f[len(f)-1]
		if !isDigits(c) || len(c) > 5 {
			return nil, errLineage
		}
		n, _ := strconv.Atoi(c)
		if n > MaxCount {
			return nil, errLineage
		}
		e.Count = n
		l = append(l, e)
	}
	return l, nil
}

// String formats the lineage as a Lineage field's value.
func (l Lineage) String() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('|')
		}
		if e.Version != "" {
			b.WriteString(e.Version)
			b.WriteByte(':')
		}
		b.WriteString(e.Hash)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Count))
	}
	return b.String()
}

// Count returns the count of the function hash names, and whether the
// lineage has it.
func (l Lineage) Count(hash string) (int, bool) {
	for _, e := range l {
		if e.Hash == hash {
			return e.Count, true
		}
	}
	return 0, false
}

// Set returns a copy of the lineage with hash's count set to n (capped
// at MaxCount), its entry appended if it had none.
func (l Lineage) Set(hash string, n int) Lineage {
	n = min(max(n, 0), MaxCount)
	out := make(Lineage, 0, len(l)+1)
	found := false
	for _, e := range l {
		if e.Hash == hash {
			e.Count, found = n, true
		}
		out = append(out, e)
	}
	if !found {
		out = append(out, Entry{Hash: hash, Count: n})
	}
	return out
}

// Merge returns the lineage of a request caused by several chains at
// once (a batch of queue messages): every function of either, with the
// larger of its counts.
func (l Lineage) Merge(o Lineage) Lineage {
	out := append(Lineage(nil), l...)
	for _, e := range o {
		if n, ok := out.Count(e.Hash); !ok || e.Count > n {
			if ok {
				out = out.Set(e.Hash, e.Count)
			} else {
				out = append(out, e)
			}
		}
	}
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

type contextKey struct{}

// NewContext returns ctx carrying a trace header, for work done outside
// the API call that caused it (a notification delivered from an outbox)
// that must still carry the call's trace on.
func NewContext(ctx context.Context, header string) context.Context {
	return context.WithValue(ctx, contextKey{}, header)
}

// FromContext returns the trace header NewContext put in ctx, if any.
func FromContext(ctx context.Context) (string, bool) {
	h, ok := ctx.Value(contextKey{}).(string)
	return h, ok && h != ""
}

// SamplingRequest is what an X-Ray sampling rule matches a request on,
// when a service decides itself whether to trace it (its header carries
// no Sampled decision).
type SamplingRequest struct {
	// ServiceName is the name the service's segment takes (a function's
	// name); ServiceType its origin (AWS::Lambda::Function).
	ServiceName, ServiceType string
	// Host, HTTPMethod and URLPath are the request's, where it is an HTTP
	// request.
	Host, HTTPMethod, URLPath string
	// ResourceARN is the ARN of the resource the request is for.
	ResourceARN string
}
