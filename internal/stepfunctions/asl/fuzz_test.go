package asl

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
		`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.a","IsPresent":true}],"Next":"S"}]},"S":{"Type":"Succeed"}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"x","States":{"x":{"Type":"Pass","End":true}}},"End":true}}}`,
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]}],"Parameters":{"a.$":"States.Format('{}',$.x)"},"End":true}}}`,
		`{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2024-01-01T00:00:00Z","End":true}}}`,
		`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input %}","Assign":{"a":"{% 1 %}"},"End":true}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailurePercentage":5,"ToleratedFailureCountPath":"$.n","ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"b","Prefix.$":"$.p"},"WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSON"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"x","States":{"x":{"Type":"Pass","End":true}}},"End":true}}}`,
		`{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":"{% 1 %}","ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Arguments":{"Bucket":"b"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"x","States":{"x":{"Type":"Pass","End":true}}},"End":true}}}`,
		`[]`, `{`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, def string) {
		m, err := Parse(def)
		if err == nil && m == nil {
			t.Fatal("nil machine without error")
		}
	})
}

func FuzzPath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b[0]", "$['x y'][*]", "$..name", "$.a[1:3]", "$$.Map.Item.Value", "$.a.*", "$.[0]", "$.a.[1]", "$[", "$['"} {
		f.Add(s)
	}
	doc := map[string]any{"a": map[string]any{"b": []any{"x", map[string]any{"name": 1}}}}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := ParsePath(src)
		if err != nil {
			return
		}
		p.Get(doc)
		if p.IsReference() {
			p.Set(doc, 1)
		}
		_ = p.canonical()
	})
}

func FuzzIntrinsic(f *testing.F) {
	for _, s := range []string{
		"States.Format('a {} b', $.x)", "States.Array(1, 'two', States.UUID())", "States.ArrayRange(1, 10, 2)",
		"States.Hash($.x, 'MD5')", "States.Format('\\{\\}')", "States.JsonMerge($.o, $.o, false)", "States.Nope(", "States.Array('",
		"States.MathRandom(-9000000000000000000, 9000000000000000000)", "States.MathRandom(0, 1e300)",
		"States.ArrayRange(9223372036854774784, 9223372036854774784, 4096)",
	} {
		f.Add(s)
	}
	env := &testEnv{}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := parseIntrinsic(src)
		if err != nil {
			return
		}
		x := &evalContext{env: env, input: map[string]any{"x": "s", "o": map[string]any{}}, ctx: map[string]any{}}
		c.eval(x)
	})
}

// FuzzDefinesFunction checks that the scan for function definitions ends
// on any input, and finds every "function(" a compiled expression holds
// outside its strings (the library is the judge of what parses).
func FuzzDefinesFunction(f *testing.F) {
	for _, s := range []string{"function($x){$x}", "λ($x){1}", "'function(' & $x", `"\"" & function($a){1}`, "/* x", "`a", "$f := function($x){ $f($x) }"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		needsWorker(src)
	})
}

func FuzzItems(f *testing.F) {
	for _, s := range []string{"id,name\n1,a\n2,\"b, c\"\n", "\"unclosed\n", `[{"id":1},2,"x"]`, "{\"a\":1}\n[2]\n", "", "a|b\n1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		for _, ir := range []*ItemReader{{InputType: "CSV", Delimiter: ','}, {InputType: "CSV", Delimiter: '|', Headers: []string{"x"}},
			{InputType: "JSON"}, {InputType: "JSONL"}} {
			items, err := parseItems(ir, []byte(data))
			if err == nil && items == nil && ir.InputType != "JSONL" {
				t.Errorf("%s: no items and no error", ir.InputType)
			}
		}
	})
}
