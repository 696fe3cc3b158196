package pipes

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Input templates (EnrichmentParameters.InputTemplate and
// TargetParameters.InputTemplate) are text with placeholders: <$.path>,
// a JSON path into the event, and the reserved variables
// <aws.pipes.pipe-arn>, <aws.pipes.pipe-name>, <aws.pipes.source-arn>,
// <aws.pipes.enrichment-arn>, <aws.pipes.target-arn>,
// <aws.pipes.event.ingestion-time>, <aws.pipes.event> and
// <aws.pipes.event.json>. Any other text between angle brackets is kept
// as it is.
//
// A template that is JSON (it begins with { or [) is rendered so that
// the result stays JSON, as Pipes does: a placeholder inside a quoted
// string is replaced by its value's text, escaped; one outside quotes by
// the value as JSON (a string quoted, a missing value null). Any other
// template is text: each placeholder is replaced by its value's text.
//
// JSON paths are the subset Pipes documents: $ followed by .name steps
// (letters, digits, _, - and /) and [n] or [*] indexes. A path that
// reaches into a string that holds JSON (an SQS message's body, a
// Kinesis record's base64 data) reads the JSON inside, as Pipes'
// implicit body parsing does; <$.body> and <$.data> themselves, outside
// quotes in a JSON template, are the JSON they hold.

// template is a parsed input template.
type template struct {
	json  bool
	parts []part
}

// part is literal text, or a placeholder (a path or a reserved
// variable) and whether it stands inside a JSON string.
type part struct {
	text     string
	path     []step
	variable string
	quoted   bool
}

// step is one step of a JSON path: a member name, an index, or every
// element (all).
type step struct {
	name  string
	index int
	all   bool
}

// Reserved variables.
const (
	varPipeARN       = "aws.pipes.pipe-arn"
	varPipeName      = "aws.pipes.pipe-name"
	varSourceARN     = "aws.pipes.source-arn"
	varEnrichmentARN = "aws.pipes.enrichment-arn"
	varTargetARN     = "aws.pipes.target-arn"
	varIngestionTime = "aws.pipes.event.ingestion-time"
	varEvent         = "aws.pipes.event"
	varEventJSON     = "aws.pipes.event.json"
)

var reserved = map[string]bool{varPipeARN: true, varPipeName: true, varSourceARN: true, varEnrichmentARN: true,
	varTargetARN: true, varIngestionTime: true, varEvent: true, varEventJSON: true}

// parseTemplate parses an input template. It fails on a placeholder
// whose path is not one Pipes can evaluate.
func parseTemplate(src string) (*template, error) {
	t := &template{json: strings.HasPrefix(strings.TrimSpace(src), "{") || strings.HasPrefix(strings.TrimSpace(src), "[")}
	inString, escaped := false, false
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c == '<' {
			if end := strings.IndexByte(src[i+1:], '>'); end >= 0 {
				name := src[i+1 : i+1+end]
				switch {
				case reserved[name]:
					flush()
					t.parts = append(t.parts, part{variable: name, quoted: inString})
					i += end + 2
					continue
				case strings.HasPrefix(name, "$"):
					path, err := parsePath(name)
					if err != nil {
						return nil, err
					}
					flush()
					t.parts = append(t.parts, part{path: path, quoted: inString})
					i += end + 2
					continue
				}
			}
		}
		if t.json {
			switch {
			case escaped:
				escaped = false
			case c == '\\' && inString:
				escaped = true
			case c == '"':
				inString = !inString
			}
		}
		lit.WriteByte(c)
		i++
	}
	flush()
	return t, nil
}

// parsePath parses a JSON path of Pipes' subset.
func parsePath(p string) ([]step, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("invalid JSON path %q", p)
	}
	var steps []step
	rest := p[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			n := 1
			for n < len(rest) && isNameByte(rest[n]) {
				n++
			}
			if n == 1 {
				return nil, fmt.Errorf("invalid JSON path %q", p)
			}
			steps = append(steps, step{name: rest[1:n]})
			rest = rest[n:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("invalid JSON path %q", p)
			}
			in := rest[1:end]
			if in == "*" {
				steps = append(steps, step{all: true})
			} else {
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 || strings.HasPrefix(in, "+") {
					return nil, fmt.Errorf("invalid JSON path %q", p)
				}
				steps = append(steps, step{index: n, name: ""})
			}
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("invalid JSON path %q", p)
		}
	}
	return steps, nil
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// evalPath evaluates a path on a decoded event; ok is false when the
// path reaches nothing.
func evalPath(v any, steps []step) (any, bool) {
	for i, s := range steps {
		v = implicit(v)
		switch {
		case s.all:
			arr, ok := v.([]any)
			if !ok {
				return nil, false
			}
			out := make([]any, 0, len(arr))
			for _, e := range arr {
				if r, ok := evalPath(e, steps[i+1:]); ok {
					out = append(out, r)
				}
			}
			return out, true
		case s.name != "":
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s.name]; !ok {
				return nil, false
			}
		default:
			arr, ok := v.([]any)
			if !ok || s.index >= len(arr) {
				return nil, false
			}
			v = arr[s.index]
		}
	}
	return v, true
}

// implicit is the JSON a string holds, directly or base64-encoded (a
// Kinesis record's data), or v itself.
func implicit(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var doc any
	if json.Unmarshal([]byte(s), &doc) == nil {
		if _, isStr := doc.(string); !isStr {
			return doc
		}
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) > 0 {
		if json.Unmarshal(b, &doc) == nil {
			if _, isStr := doc.(string); !isStr {
				return doc
			}
		}
	}
	return v
}

// templateContext is what the reserved variables name.
type templateContext struct {
	pipeARN, pipeName, sourceARN, enrichmentARN, targetARN string
	ingested                                               time.Time
}

// render applies the template to one event (its JSON).
func (t *template) render(event []byte, c templateContext) []byte {
	var doc any
	json.Unmarshal(event, &doc)
	var out bytes.Buffer
	for _, p := range t.parts {
		if p.path == nil && p.variable == "" {
			out.WriteString(p.text)
			continue
		}
		var v any
		found := true
		raw := false
		switch p.variable {
		case varPipeARN:
			v = c.pipeARN
		case varPipeName:
			v = c.pipeName
		case varSourceARN:
			v = c.sourceARN
		case varEnrichmentARN:
			v = c.enrichmentARN
		case varTargetARN:
			v = c.targetARN
		case varIngestionTime:
			v = c.ingested.UTC().Format(time.RFC3339Nano)
		case varEvent:
			v = string(event)
		case varEventJSON:
			v, raw = decodedEvent(doc), true
		default:
			v, found = evalPath(doc, p.path)
			if found && t.json && !p.quoted && isBodyPath(p.path) {
				// "To have the target receive the original source data
				// without generating invalid JSON, wrap the source body
				// data Input Transformer in JSON": {"data": <$.data>}
				// gets the JSON the body or data holds.
				v = implicit(v)
			}
		}
		writeValue(&out, v, found, t.json && !p.quoted && !raw, t.json && p.quoted, raw)
	}
	return out.Bytes()
}

// writeValue writes a placeholder's value: as JSON (asJSON), as the
// text of a JSON string (escape), raw JSON (raw) or as text.
func writeValue(out *bytes.Buffer, v any, found, asJSON, escape, raw bool) {
	if !found {
		if asJSON || raw {
			out.WriteString("null")
		}
		return
	}
	if asJSON || raw {
		b, _ := json.Marshal(v)
		out.Write(b)
		return
	}
	text, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		text = string(b)
	}
	if escape {
		b, _ := json.Marshal(text)
		out.Write(b[1 : len(b)-1])
		return
	}
	out.WriteString(text)
}

// isBodyPath reports whether a path names a record's body data: an SQS
// message's body or a Kinesis record's data.
func isBodyPath(steps []step) bool {
	return len(steps) == 1 && (steps[0].name == "body" || steps[0].name == "data")
}

// decodedEvent is the event with its encoded fields (an SQS body, a
// Kinesis record's data) decoded when they hold JSON.
func decodedEvent(doc any) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k == "body" || k == "data" {
			v = implicit(v)
		}
		out[k] = v
	}
	return out
}

// dynamic resolves a target parameter that may be a JSON path into the
// event ("$.body.groupId"): the whole value must be a path. A path that
// reaches nothing gives "".
func dynamic(value string, event []byte) string {
	if !strings.HasPrefix(value, "$") {
		return value
	}
	steps, err := parsePath(value)
	if err != nil {
		return value
	}
	var doc any
	json.Unmarshal(event, &doc)
	v, ok := evalPath(doc, steps)
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
