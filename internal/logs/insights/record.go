package insights

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Record is one log event as a query sees it.
type Record struct {
	Timestamp int64 // epoch ms
	Ingestion int64 // epoch ms
	Message   string
	Stream    string
	// Log is the group as @log shows it: account-id:log-group-name.
	Log string
	// Ptr is the event's @ptr, which GetLogRecord reads back.
	Ptr string
}

// maxJSONFields is how many fields Logs Insights extracts from one JSON
// log event: "a maximum of 100 log event fields".
const maxJSONFields = 100

// Discover returns the fields Logs Insights finds in a message: those of
// Lambda's START, END, REPORT and XRAY lines, and those of the first JSON
// object in it, nested names joined with dots ("a.b", and "a.0.b" for
// arrays). A JSON key that starts with @ gets another @ in front.
func Discover(msg string) map[string]Value {
	out := map[string]Value{}
	lambdaFields(msg, out)
	if i := strings.IndexByte(msg, '{'); i >= 0 {
		dec := json.NewDecoder(strings.NewReader(msg[i:]))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			if obj, ok := v.(map[string]any); ok {
				flatten("", obj, out)
			}
		}
	}
	return out
}

func flatten(prefix string, v any, out map[string]Value) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			} else if strings.HasPrefix(k, "@") {
				name = "@" + k
			}
			flatten(name, x, out)
		}
	case []any:
		for i, x := range t {
			flatten(prefix+"."+strconv.Itoa(i), x, out)
		}
	default:
		if len(out) >= maxJSONFields {
			return
		}
		if _, taken := out[prefix]; taken {
			return
		}
		switch x := t.(type) {
		case json.Number:
			if f, err := x.Float64(); err == nil {
				out[prefix] = Num(f)
			}
		case string:
			out[prefix] = Str(x)
		case bool:
			out[prefix] = Str(strconv.FormatBool(x))
		}
	}
}

// lambdaFields reads Lambda's platform lines. Memory sizes are reported
// in bytes, a megabyte counting 1,000,000 of them, as Logs Insights
// reports them.
func lambdaFields(msg string, out map[string]Value) {
	kind, rest, ok := strings.Cut(msg, " ")
	if !ok {
		return
	}
	switch kind {
	case "START", "END", "REPORT":
		rest, ok = strings.CutPrefix(rest, "RequestId: ")
		if !ok {
			return
		}
		out["@type"] = Str(kind)
		id := rest
		if i := strings.IndexAny(rest, " \t\n"); i >= 0 {
			id = rest[:i]
		}
		out["@requestId"] = Str(id)
		if kind != "REPORT" {
			return
		}
		for _, part := range strings.Split(rest, "\t") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), ": ")
			if !ok {
				continue
			}
			num, unit, _ := strings.Cut(v, " ")
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				continue
			}
			if unit == "MB" {
				f *= 1e6
			}
			switch k {
			case "Duration":
				out["@duration"] = Num(f)
			case "Billed Duration":
				out["@billedDuration"] = Num(f)
			case "Memory Size":
				out["@memorySize"] = Num(f)
			case "Max Memory Used":
				out["@maxMemoryUsed"] = Num(f)
			case "Init Duration":
				out["@initDuration"] = Num(f)
			}
		}
	case "XRAY":
		for _, part := range strings.Split(rest, "\t") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), ": ")
			if !ok {
				continue
			}
			switch k {
			case "TraceId":
				out["@xrayTraceId"] = Str(v)
			case "SegmentId":
				out["@xraySegmentId"] = Str(v)
			}
		}
	}
}

// Row is a record on its way through a query, or a row that stats made.
type Row struct {
	rec  *Record
	disc map[string]Value // discovered fields, found on first use
	set  map[string]Value // fields that fields, parse and stats assigned
	seq  int              // arrival order, which breaks ties in sorts
}

// Get returns a field's value, Null when the row has no such field.
func (r *Row) Get(name string) Value {
	if v, ok := r.set[name]; ok {
		return v
	}
	if r.rec == nil {
		return Value{}
	}
	switch name {
	case "@timestamp":
		return TimeMs(r.rec.Timestamp)
	case "@message":
		return Str(r.rec.Message)
	case "@logStream":
		return Str(r.rec.Stream)
	case "@log":
		return Str(r.rec.Log)
	case "@ingestionTime":
		return TimeMs(r.rec.Ingestion)
	case "@ptr":
		return Str(r.rec.Ptr)
	}
	if r.disc == nil {
		r.disc = Discover(r.rec.Message)
	}
	return r.disc[name]
}

func (r *Row) assign(name string, v Value) {
	if r.set == nil {
		r.set = map[string]Value{}
	}
	r.set[name] = v
}

func (r *Row) timestamp() int64 {
	if r.rec != nil {
		return r.rec.Timestamp
	}
	t, _ := timeOf(r.Get("@timestamp"))
	return t
}
