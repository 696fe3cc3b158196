package asl

import (
	"errors"
	"strings"
	"testing"
)

// failOdd fails the child of an odd number item with Boom.
func failOdd(c *TaskCall) (any, error) {
	n, _ := integer(c.Input)
	if n%2 == 1 {
		return nil, &Failure{Name: "Boom", Cause: "odd"}
	}
	return map[string]any{"n": c.Input}, nil
}

func thresholdMachine(fields string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map",` + fields + `
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
			"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},
		"End":true}}}`
}

// TestDistributedMapToleratedFailures: the Map Run fails with
// States.ExceedToleratedFailureThreshold only when its failed children
// exceed ToleratedFailureCount or ToleratedFailurePercentage (either,
// when both are given); otherwise the state succeeds, its output
// holding each succeeded child's output and each failed child's
// execution result unchanged (Status FAILED, Error, Cause).
func TestDistributedMapToleratedFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fields, input string
		fail          bool
	}{
		{``, `[2,4]`, false},
		{``, `[1,2]`, true},
		{`"ToleratedFailureCount":1,`, `[1,2,4]`, false},
		{`"ToleratedFailureCount":1,`, `[1,3,4]`, true},
		{`"ToleratedFailureCount":0,`, `[1,2]`, true},
		{`"ToleratedFailurePercentage":50,`, `[1,2]`, false},
		{`"ToleratedFailurePercentage":49.5,`, `[1,2]`, true},
		{`"ToleratedFailurePercentage":100,`, `[1,3]`, false},
		{`"ToleratedFailurePercentage":100,"ToleratedFailureCount":1,`, `[1,3]`, true},
		{`"ToleratedFailureCountPath":"$.n","ItemsPath":"$.items",`, `{"n":2,"items":[1,3,4]}`, false},
		{`"ToleratedFailureCountPath":"$.n","ItemsPath":"$.items",`, `{"n":1,"items":[1,3,4]}`, true},
		{`"ToleratedFailurePercentagePath":"$.p","ItemsPath":"$.items",`, `{"p":34,"items":[1,2,4]}`, false},
	} {
		out, err, _ := runDistributed(t, thresholdMachine(tc.fields), tc.input, failOdd)
		var f *Failure
		if tc.fail {
			if !errors.As(err, &f) || f.Name != ErrExceedToleratedFailureThreshold {
				t.Errorf("%s %s: error %v, output %s", tc.fields, tc.input, err, out)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", tc.fields, tc.input, err)
		}
	}
	out, err, _ := runDistributed(t, thresholdMachine(`"ToleratedFailureCount":1,`), `[1,2]`, failOdd)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := mustDecode(t, out).([]any)
	if len(list) != 2 || Encode(list[1]) != `{"n":2}` {
		t.Fatalf("output %s", out)
	}
	rec, _ := list[0].(map[string]any)
	for k, want := range map[string]string{"Status": "FAILED", "Error": "Boom", "Cause": "odd", "Input": "1",
		"StateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:sm/uuid-1",
		"ExecutionArn":    "arn:aws:states:us-east-1:000000000000:execution:sm/uuid-1:uuid-1",
		"RedriveStatus":   "REDRIVABLE_BY_MAP_RUN", "StartDate": "2024-01-02T03:04:05.000Z"} {
		if rec[k] != want {
			t.Errorf("failed item's %s = %v, want %q (%s)", k, rec[k], want, out)
		}
	}
	// A path to a value that is no count fails the state.
	_, err, _ = runDistributed(t, thresholdMachine(`"ToleratedFailureCountPath":"$.n","ItemsPath":"$.items",`), `{"n":-1,"items":[2]}`, failOdd)
	var f *Failure
	if !errors.As(err, &f) || f.Name != ErrRuntime {
		t.Errorf("negative ToleratedFailureCountPath: %v", err)
	}
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestDistributedMapResultWriter: with a ResultWriter the Map Run
// writes its children's results to S3, SUCCEEDED_0.json and
// FAILED_0.json (each child's execution result) and manifest.json
// listing them, under Prefix/<Map Run UUID>/, and the state's output is
// the Map Run's ARN and the manifest's location. The results are
// written when the Map Run fails too.
func TestDistributedMapResultWriter(t *testing.T) {
	t.Parallel()
	def := thresholdMachine(`"Label":"lbl","ToleratedFailurePercentage":50,
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix.$":"$.prefix"}},"ItemsPath":"$.items",`)
	out, err, env := runDistributed(t, def, `{"prefix":"runs","items":[1,2,4]}`, failOdd)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"MapRunArn":"arn:aws:states:us-east-1:000000000000:mapRun:sm/lbl:uuid-1","ResultWriterDetails":{"Bucket":"out","Key":"runs/uuid-1/manifest.json"}}`
	if out != want {
		t.Errorf("output %s, want %s", out, want)
	}
	manifest := mustDecode(t, env.objects["out/runs/uuid-1/manifest.json"]).(map[string]any)
	if manifest["DestinationBucket"] != "out" || manifest["MapRunArn"] != "arn:aws:states:us-east-1:000000000000:mapRun:sm/lbl:uuid-1" {
		t.Errorf("manifest %s", Encode(manifest))
	}
	files := manifest["ResultFiles"].(map[string]any)
	if Encode(files["PENDING"]) != `[]` {
		t.Errorf("PENDING %s", Encode(files["PENDING"]))
	}
	for status, n := range map[string]int{"SUCCEEDED": 2, "FAILED": 1} {
		list := files[status].([]any)
		if len(list) != 1 {
			t.Fatalf("%s files %s", status, Encode(list))
		}
		file := list[0].(map[string]any)
		key := file["Key"].(string)
		if key != "runs/uuid-1/"+status+"_0.json" {
			t.Errorf("%s key %s", status, key)
		}
		body := env.objects["out/"+key]
		if Encode(file["Size"]) != Encode(num(float64(len(body)))) {
			t.Errorf("%s size %v, body %d bytes", status, file["Size"], len(body))
		}
		recs := mustDecode(t, body).([]any)
		if len(recs) != n {
			t.Fatalf("%s holds %s", status, body)
		}
		rec := recs[0].(map[string]any)
		if rec["Status"] != status || rec["InputDetails"] == nil || rec["Name"] != "uuid-1" {
			t.Errorf("%s record %s", status, Encode(rec))
		}
		if status == "SUCCEEDED" && (rec["Output"] != `{"n":2}` || rec["RedriveStatus"] != "NOT_REDRIVABLE") {
			t.Errorf("succeeded record %s", Encode(rec))
		}
		if status == "FAILED" && (rec["Error"] != "Boom" || rec["Output"] != nil) {
			t.Errorf("failed record %s", Encode(rec))
		}
	}
	// Over the threshold: the state fails, the results are written.
	_, err, env = runDistributed(t, def, `{"prefix":"runs/","items":[1,3,4]}`, failOdd)
	var f *Failure
	if !errors.As(err, &f) || f.Name != ErrExceedToleratedFailureThreshold {
		t.Errorf("error %v", err)
	}
	if !strings.Contains(env.objects["out/runs/uuid-1/FAILED_0.json"], `"Boom"`) || env.objects["out/runs/uuid-1/manifest.json"] == "" {
		t.Errorf("objects %v", env.objects)
	}
	// A bucket that cannot be written fails the state.
	_, err, _ = runDistributed(t, def, `{"prefix":"p","items":[2]}`, failOdd)
	if err != nil {
		t.Fatal(err)
	}
	bad := thresholdMachine(`"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"missing"}},`)
	_, err, _ = runDistributed(t, bad, `[2]`, failOdd)
	if !errors.As(err, &f) || f.Name != ErrResultWriterFailed {
		t.Errorf("missing bucket: %v", err)
	}
}

// TestDistributedMapWriterConfig: WriterConfig's Transformation formats
// the results: COMPACT the children's outputs, FLATTEN an output that
// is an array spliced in, NONE the execution results; alone, it formats
// the state's output.
func TestDistributedMapWriterConfig(t *testing.T) {
	t.Parallel()
	pairs := func(c *TaskCall) (any, error) { return []any{c.Input, c.Input}, nil }
	for tr, want := range map[string]string{"FLATTEN": `[2,2,4,4]`, "COMPACT": `[[2,2],[4,4]]`} {
		def := thresholdMachine(`"ResultWriter":{"WriterConfig":{"Transformation":"` + tr + `","OutputType":"JSON"}},`)
		out, err, _ := runDistributed(t, def, `[2,4]`, pairs)
		if err != nil || out != want {
			t.Errorf("%s: output %s (%v), want %s", tr, out, err, want)
		}
	}
	def := thresholdMachine(`"ResultWriter":{"WriterConfig":{"Transformation":"NONE","OutputType":"JSON"}},`)
	out, err, _ := runDistributed(t, def, `[2]`, pairs)
	if err != nil || !strings.Contains(out, `"Output":"[2,2]"`) || !strings.Contains(out, `"Status":"SUCCEEDED"`) {
		t.Errorf("NONE: output %s (%v)", out, err)
	}
	def = thresholdMachine(`"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out"},
		"WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSON"}},`)
	_, err, env := runDistributed(t, def, `[2,4]`, pairs)
	if err != nil || env.objects["out/uuid-1/SUCCEEDED_0.json"] != `[2,2,4,4]` {
		t.Errorf("FLATTEN to S3: %v %v", err, env.objects)
	}
}

// TestDistributedMapResultWriterDefinitionErrors: the thresholds and
// ResultWriter belong to a Map state in DISTRIBUTED mode and are
// checked when the state machine is created.
func TestDistributedMapResultWriterDefinitionErrors(t *testing.T) {
	t.Parallel()
	inline := `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	if _, err := Parse(inline); err == nil || !strings.Contains(err.Error(), "only supported for a Map state in DISTRIBUTED mode") {
		t.Errorf("inline Map: %v", err)
	}
	for _, tc := range []struct{ fields, want string }{
		{`"ToleratedFailurePercentage":101,`, "ToleratedFailurePercentage"},
		{`"ToleratedFailureCount":-1,`, "ToleratedFailureCount"},
		{`"ToleratedFailureCount":1.5,`, "ToleratedFailureCount"},
		{`"ToleratedFailureCount":1,"ToleratedFailureCountPath":"$.n",`, "Only one of these fields"},
		{`"ToleratedFailurePercentagePath":"not a path",`, "ReferencePath"},
		{`"ResultWriter":{},`, "ResultWriter"},
		{`"ResultWriter":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b"}},`, "arn:aws:states:::s3:putObject"},
		{`"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject"},`, "Parameters"},
		{`"ResultWriter":{"WriterConfig":{"Transformation":"SHRINK","OutputType":"JSON"}},`, "Transformation"},
		{`"ResultWriter":{"WriterConfig":{"Transformation":"NONE","OutputType":"JSONL"}},`, "JSONL"},
	} {
		if _, err := Parse(thresholdMachine(tc.fields)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.fields, err, tc.want)
		}
	}
}

// TestDistributedMapResultWriterJSONata: a JSONata state's thresholds
// may be expressions and its ResultWriter takes Arguments.
func TestDistributedMapResultWriterJSONata(t *testing.T) {
	t.Parallel()
	def := `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.items %}",
		"ToleratedFailureCount":"{% $states.input.n %}",
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Arguments":{"Bucket":"out","Prefix":"{% 'p' & $states.input.n %}"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
			"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}},
		"End":true}}}`
	out, err, env := runDistributed(t, def, `{"n":1,"items":[1,2]}`, failOdd)
	if err != nil || !strings.Contains(out, `"Key":"p1/uuid-1/manifest.json"`) || env.objects["out/p1/uuid-1/FAILED_0.json"] == "" {
		t.Errorf("output %s (%v)", out, err)
	}
	_, err, _ = runDistributed(t, def, `{"n":0,"items":[1,2]}`, failOdd)
	var f *Failure
	if !errors.As(err, &f) || f.Name != ErrExceedToleratedFailureThreshold {
		t.Errorf("n=0: %v", err)
	}
	if _, err := Parse(strings.Replace(def, `"ToleratedFailureCount":"{% $states.input.n %}"`, `"ToleratedFailureCountPath":"$.n"`, 1)); err == nil {
		t.Errorf("Parse accepted ToleratedFailureCountPath in a JSONata state")
	}
}
