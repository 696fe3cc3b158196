package sns

import (
	"encoding/json"
	"strings"
)

// A Publish with MessageStructure "json" sends a different text to each
// protocol: Message is a JSON object whose "default" member is the text
// for every protocol without a member of its own.
//
//	{"default": "short", "sqs": "{\"full\": true}", "email": "Dear ..."}
//
// AWS's rules: the object must parse and hold no key twice; "default" is
// required and must be a string; members whose value is not a string are
// ignored, as are keys that name no protocol.

// Messages with MessageStructure "json" that AWS refuses.
var (
	errStructureParse     = invalidParameter("Message Structure - JSON message body failed to parse")
	errStructureNoDefault = invalidParameter("Message Structure - No default entry in JSON message body")
)

// parseMessageStructure returns the texts of a MessageStructure "json"
// message by key ("default" and protocols).
func parseMessageStructure(msg string) (map[string]string, error) {
	dec := json.NewDecoder(strings.NewReader(msg))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errStructureParse
	}
	out := map[string]string{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errStructureParse
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errStructureParse
		}
		if seen[key] {
			return nil, errStructureParse
		}
		seen[key] = true
		var s string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			out[key] = s
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errStructureParse
	}
	if strings.TrimSpace(msg[dec.InputOffset():]) != "" {
		return nil, errStructureParse
	}
	if _, ok := out["default"]; !ok {
		return nil, errStructureNoDefault
	}
	return out, nil
}
