package xray

import (
	"encoding/json"
	"math"
	"slices"
	"time"
)

// trace is a trace's segments, read for summaries, filters and graphs.
type trace struct {
	id   string
	recs []*segmentRecord
	segs []*segment // parallel to recs; nil where a stored document no longer parses
}

func newTrace(id string, recs []*segmentRecord) *trace {
	t := &trace{id: id, recs: recs, segs: make([]*segment, len(recs))}
	for i, r := range recs {
		var s segment
		if json.Unmarshal([]byte(r.Doc), &s) == nil && s.StartTime != nil {
			t.segs[i] = &s
		}
	}
	return t
}

// traceFacts are what filter expressions and summaries see of a trace.
type traceFacts struct {
	duration, responseTime           float64
	fault, error, throttle, partial  bool
	status                           int
	url, method, userAgent, clientIP string
	users                            []string
	services                         []string
	byService                        map[string]*traceFacts
	ownEntry                         bool // a service's entry is its own segment
	annotations                      map[string][]any
	root                             *segment
	start                            float64
}

// root is the trace's entry point: the earliest segment that has no
// parent.
func (t *trace) root() *segment {
	var root *segment
	for _, s := range t.segs {
		if s == nil || s.ParentID != "" || s.isSubsegment() {
			continue
		}
		if root == nil || s.start() < root.start() {
			root = s
		}
	}
	if root == nil {
		for _, s := range t.segs {
			if s != nil && (root == nil || s.start() < root.start()) {
				root = s
			}
		}
	}
	return root
}

// facts gathers a trace's facts. The duration runs from the root
// segment's start to the end of the last segment that completed, as
// BatchGetTraces documents Duration. Each service's own segments (its
// segments, and the subsegments inferred for a downstream service) get
// facts of their own, which service("name") { filter } reads.
func (t *trace) facts() *traceFacts {
	f := &traceFacts{annotations: map[string][]any{}, byService: map[string]*traceFacts{}}
	f.root = t.root()
	if f.root == nil {
		return f
	}
	f.start = f.root.start()
	last := f.start
	for _, s := range t.segs {
		if s == nil {
			continue
		}
		if !s.isSubsegment() {
			f.service(s.Name).addSegment(s, true)
		}
		walk(s, func(x *segment) {
			if x.EndTime != nil && *x.EndTime > last {
				last = *x.EndTime
			}
			f.fold(x)
			if (x != s || s.isSubsegment()) && inferredNamespace(x.Namespace) {
				f.service(x.Name).addSegment(x, false)
			}
		})
	}
	f.duration = round3(last - f.start)
	f.setEntry(f.root)
	return f
}

// service is the facts of the named service's own segments, added to
// the trace's services when first asked for.
func (f *traceFacts) service(name string) *traceFacts {
	sf := f.byService[name]
	if sf == nil {
		sf = &traceFacts{annotations: map[string][]any{}}
		f.byService[name] = sf
		f.services = append(f.services, name)
	}
	return sf
}

// addSegment folds a service's segment (with its subsegments) into the
// service's facts: its first segment gives the response time, status
// and request, the service's own (not a caller's subsegment inferred
// for it) before any other, and the duration spans them all.
func (f *traceFacts) addSegment(s *segment, own bool) {
	end := s.end()
	if f.root == nil {
		f.start = s.start()
	} else {
		end = max(end, f.start+f.duration)
		f.start = min(f.start, s.start())
	}
	if f.root == nil || own && !f.ownEntry {
		f.setEntry(s)
		f.ownEntry = own
	}
	walk(s, f.fold)
	f.duration = round3(end - f.start)
}

// fold adds one segment's flags, users and annotations, not those of its
// subsegments.
func (f *traceFacts) fold(x *segment) {
	f.fault = f.fault || x.Fault
	f.error = f.error || x.Error
	f.throttle = f.throttle || x.Throttle
	f.partial = f.partial || x.InProgress
	if x.User != "" && !slices.Contains(f.users, x.User) {
		f.users = append(f.users, x.User)
	}
	for k, v := range x.Annotations {
		f.annotations[k] = append(f.annotations[k], v)
	}
}

// setEntry takes the response time, status and request of the segment
// that entered the trace (or the service).
func (f *traceFacts) setEntry(s *segment) {
	f.root = s
	if s.EndTime != nil {
		f.responseTime = round3(s.duration())
	}
	f.status = s.status()
	if h := s.HTTP; h != nil && h.Request != nil {
		f.url, f.method, f.userAgent, f.clientIP = h.Request.URL, h.Request.Method, h.Request.UserAgent, h.Request.ClientIP
	}
}

// walk calls f with s and each of its subsegments, depth first.
func walk(s *segment, f func(*segment)) {
	f(s)
	for _, sub := range s.Subsegments {
		if sub != nil {
			walk(sub, f)
		}
	}
}

// inferredNamespace reports whether a subsegment's namespace stands for a
// downstream service: "aws" for AWS SDK calls, "remote" for other
// downstream calls.
func inferredNamespace(ns string) bool { return ns == "aws" || ns == "remote" }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// eventTime is when the trace's entry point started.
func (f *traceFacts) eventTime() time.Time {
	sec, frac := math.Modf(f.start)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// serviceID is a segment's service as summaries name it.
func serviceID(s *segment) ServiceId {
	id := ServiceId{Name: ptr(s.Name), Names: []string{s.Name}}
	if s.Origin != "" {
		id.Type = ptr(s.Origin)
	}
	return id
}

// summary is the trace's TraceSummary.
func (t *trace) summary(f *traceFacts) TraceSummary {
	sum := TraceSummary{
		Id:           ptr(t.id),
		Duration:     ptr(f.duration),
		ResponseTime: ptr(f.responseTime),
		HasFault:     ptr(f.fault),
		HasError:     ptr(f.error),
		HasThrottle:  ptr(f.throttle),
		IsPartial:    ptr(f.partial),
		Revision:     ptr(int32(len(t.recs))),
		Annotations:  map[string][]ValueWithServiceIds{},
	}
	if f.root != nil {
		sum.EntryPoint = ptr(serviceID(f.root))
		sum.MatchedEventTime = ptr(f.eventTime())
		if f.status != 0 || f.url != "" {
			h := &Http{}
			if f.status != 0 {
				h.HttpStatus = ptr(int32(f.status))
			}
			h.HttpURL, h.HttpMethod, h.UserAgent, h.ClientIp = optional(f.url), optional(f.method), optional(f.userAgent), optional(f.clientIP)
			sum.Http = h
		}
	}
	seen := map[string]bool{}
	for _, s := range t.segs {
		if s == nil || s.isSubsegment() {
			continue
		}
		if !seen[s.Name+"\x00"+s.Origin] {
			seen[s.Name+"\x00"+s.Origin] = true
			sum.ServiceIds = append(sum.ServiceIds, serviceID(s))
		}
		if arn, ok := s.AWS["function_arn"].(string); ok {
			sum.ResourceARNs = append(sum.ResourceARNs, ResourceARNDetail{ARN: ptr(arn)})
		}
		walk(s, func(x *segment) {
			for k, v := range x.Annotations {
				sum.Annotations[k] = append(sum.Annotations[k], ValueWithServiceIds{
					AnnotationValue: annotationValue(v), ServiceIds: []ServiceId{serviceID(s)}})
			}
			if x.User != "" {
				sum.Users = append(sum.Users, TraceUser{UserName: ptr(x.User), ServiceIds: []ServiceId{serviceID(s)}})
			}
		})
	}
	return sum
}

func annotationValue(v any) *AnnotationValue {
	switch v := v.(type) {
	case string:
		return &AnnotationValue{StringValue: ptr(v)}
	case float64:
		return &AnnotationValue{NumberValue: ptr(v)}
	case bool:
		return &AnnotationValue{BooleanValue: ptr(v)}
	}
	return &AnnotationValue{}
}

// output is the trace as BatchGetTraces returns it, its segments in the
// order they started.
func (t *trace) output() Trace {
	f := t.facts()
	out := Trace{Id: ptr(t.id), Duration: ptr(f.duration), LimitExceeded: ptr(false)}
	idx := make([]int, len(t.recs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		sa, sb := t.segs[a], t.segs[b]
		if sa == nil || sb == nil {
			return 0
		}
		switch {
		case sa.start() < sb.start():
			return -1
		case sa.start() > sb.start():
			return 1
		}
		return 0
	})
	for _, i := range idx {
		out.Segments = append(out.Segments, Segment{Id: ptr(t.recs[i].ID), Document: ptr(t.recs[i].Doc)})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
