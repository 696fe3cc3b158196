package eventsource

import (
	"encoding/json"

	"github.com/virga/virga/internal/eventpattern"
)

// CompileFilter compiles one filter pattern, in EventBridge's pattern
// language.
func CompileFilter(pattern string) (*eventpattern.Pattern, error) {
	return eventpattern.Compile([]byte(pattern), eventpattern.EventBridge)
}

// CompileFilters compiles filter patterns, leaving out those that do not
// compile (they were refused when the filters were given).
func CompileFilters(patterns []string) []*eventpattern.Pattern {
	var ps []*eventpattern.Pattern
	for _, pattern := range patterns {
		if p, err := CompileFilter(pattern); err == nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// MatchesAny reports whether a record passes filters: any filter
// matching is enough, and no filters pass everything. A "body" string
// that is JSON is matched as JSON, as SQS sources are filtered.
func MatchesAny(filters []*eventpattern.Pattern, record map[string]any) bool {
	if len(filters) == 0 {
		return true
	}
	doc := record
	if body, ok := record["body"].(string); ok {
		var parsed any
		if json.Unmarshal([]byte(body), &parsed) == nil {
			doc = make(map[string]any, len(record))
			for k, v := range record {
				doc[k] = v
			}
			doc["body"] = parsed
		}
	}
	event, err := json.Marshal(doc)
	if err != nil {
		return false
	}
	for _, p := range filters {
		if p.Match(event) {
			return true
		}
	}
	return false
}

// RecordDoc is an event record as filters see it.
func RecordDoc(record any) map[string]any {
	b, _ := json.Marshal(record)
	var doc map[string]any
	json.Unmarshal(b, &doc)
	return doc
}

// StreamFilterDoc is a stream record as filters see it: a DynamoDB
// record whole; of a Kinesis record only its data, decoded, under
// "data", when it is JSON (Kinesis sources filter on the data key only).
func StreamFilterDoc(kinesis bool, r *StreamRecord) map[string]any {
	if !kinesis {
		var doc map[string]any
		json.Unmarshal(r.JSON, &doc)
		return doc
	}
	var data any
	if json.Unmarshal(r.Data, &data) != nil {
		return map[string]any{}
	}
	return map[string]any{"data": data}
}
