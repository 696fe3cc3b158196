package apigateway

import "testing"

// TestValidJSON checks the draft 4 keywords models use against documents
// that satisfy and break them.
func TestValidJSON(t *testing.T) {
	t.Parallel()
	models := map[string]string{
		"Color": `{"type": "string", "enum": ["green", "red", "blue"]}`,
	}
	resolve := func(ref string) (any, bool) {
		s, ok := models[modelRef(ref)]
		if !ok {
			return nil, false
		}
		v, err := decodeNumbers([]byte(s))
		return v, err == nil
	}
	vehicle := `{"type": "object", "required": ["make", "model", "year"], "properties": {
		"make": {"type": "string", "minLength": 1}, "model": {"type": "string"},
		"year": {"type": "integer", "minimum": 2010}, "color": {"$ref": "#/definitions/Color"},
		"tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2, "uniqueItems": true}},
		"additionalProperties": false}`
	for _, c := range []struct {
		schema, doc string
		want        bool
	}{
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020}`, true},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2009}`, false},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020.5}`, false},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020.0}`, true},
		{vehicle, `{"make": "MINI", "model": "Countryman"}`, false},
		{vehicle, `{"make": "", "model": "Countryman", "year": 2020}`, false},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020, "color": "red"}`, true},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020, "color": "pink"}`, false},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020, "wheels": 4}`, false},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020, "tags": ["a", "b"]}`, true},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020, "tags": ["a", "a"]}`, false},
		{vehicle, `{"make": "MINI", "model": "Countryman", "year": 2020, "tags": ["a", 1]}`, false},
		{vehicle, `[]`, false},
		{`{"type": ["string", "null"], "maxLength": 3, "pattern": "^[a-z]+$"}`, `null`, true},
		{`{"type": ["string", "null"], "maxLength": 3, "pattern": "^[a-z]+$"}`, `"abcd"`, false},
		{`{"type": ["string", "null"], "maxLength": 3, "pattern": "^[a-z]+$"}`, `"AB"`, false},
		{`{"type": "number", "maximum": 10, "exclusiveMaximum": true, "multipleOf": 0.5}`, `9.5`, true},
		{`{"type": "number", "maximum": 10, "exclusiveMaximum": true}`, `10`, false},
		{`{"type": "number", "multipleOf": 0.5}`, `9.25`, false},
		{`{"oneOf": [{"type": "integer"}, {"type": "number"}]}`, `1`, false},
		{`{"oneOf": [{"type": "integer"}, {"type": "string"}]}`, `1`, true},
		{`{"anyOf": [{"type": "integer"}, {"type": "string"}]}`, `true`, false},
		{`{"not": {"type": "string"}}`, `"x"`, false},
		{`{"allOf": [{"minProperties": 1}, {"maxProperties": 1}]}`, `{"a": 1}`, true},
		{`{"dependencies": {"card": ["billing"]}}`, `{"card": 1}`, false},
		{`{"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false}`, `{"x-a": "1"}`, true},
		{`{"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false}`, `{"y": "1"}`, false},
		{`{"$ref": "#/definitions/Missing"}`, `1`, false},
		{`{"format": "email"}`, `"not an email"`, true},
	} {
		schema, err := decodeNumbers([]byte(c.schema))
		if err != nil {
			t.Fatalf("%s: %v", c.schema, err)
		}
		doc, err := decodeNumbers([]byte(c.doc))
		if err != nil {
			t.Fatalf("%s: %v", c.doc, err)
		}
		if got := validJSON(schema, doc, resolve); got != c.want {
			t.Errorf("%s against %s: %v, want %v", c.doc, c.schema, got, c.want)
		}
	}
}

// TestValidSchema checks which schemas CreateModel accepts as draft 4.
func TestValidSchema(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		schema string
		want   bool
	}{
		{`{}`, true},
		{`{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"}`, true},
		{`{"type": ["string", "null"], "x-unknown": 1, "format": "date"}`, true},
		{`{"type": "object", "required": ["a"], "properties": {"a": {"type": "array", "items": {"$ref": "#/definitions/B"}}},
		   "definitions": {"B": {"enum": [1, "x"]}}, "additionalProperties": false, "dependencies": {"a": ["b"]}}`, true},
		{`{"minLength": 0, "maxItems": 3, "multipleOf": 0.5, "pattern": "^[a-z]+$", "anyOf": [{}, {"not": {}}]}`, true},
		{`[]`, false},
		{`"object"`, false},
		{`{"type": "thing"}`, false},
		{`{"type": []}`, false},
		{`{"type": ["string", "string"]}`, false},
		{`{"required": []}`, false},
		{`{"required": "a"}`, false},
		{`{"required": ["a", "a"]}`, false},
		{`{"enum": []}`, false},
		{`{"properties": {"a": "string"}}`, false},
		{`{"properties": []}`, false},
		{`{"items": [1]}`, false},
		{`{"minLength": -1}`, false},
		{`{"maxItems": 1.5}`, false},
		{`{"multipleOf": 0}`, false},
		{`{"minimum": "1"}`, false},
		{`{"exclusiveMinimum": "yes"}`, false},
		{`{"pattern": "("}`, false},
		{`{"allOf": []}`, false},
		{`{"additionalProperties": "no"}`, false},
		{`{"$ref": 1}`, false},
	} {
		doc, err := decodeNumbers([]byte(c.schema))
		if err != nil {
			t.Fatalf("%s: %v", c.schema, err)
		}
		if got := validSchema(doc); got != c.want {
			t.Errorf("validSchema(%s) = %v; want %v", c.schema, got, c.want)
		}
	}
}

// FuzzCheckModel feeds CreateModel's check arbitrary schemas: it must
// answer, never panic, and accept only JSON objects.
func FuzzCheckModel(f *testing.F) {
	for _, m := range defaultModels {
		f.Add(m.Schema)
	}
	f.Add(`{"type": ["string", 1], "required": [1], "items": [{}, 2], "dependencies": {"a": [1]}}`)
	f.Add(`{"properties": {"a": {"properties": {"b": {"patternProperties": {"(": {}}}}}}}`)
	f.Fuzz(func(t *testing.T, schema string) {
		err := checkModel(&model{Name: "M", ContentType: "application/json", Schema: schema})
		if err == nil && schema != "" {
			if _, ok := mustDecode(schema).(map[string]any); !ok {
				t.Fatalf("accepted a schema that is not an object: %q", schema)
			}
		}
	})
}

func mustDecode(s string) any {
	v, _ := decodeNumbers([]byte(s))
	return v
}
