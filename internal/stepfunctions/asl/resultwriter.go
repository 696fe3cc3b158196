package asl

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Tolerated is a Distributed Map state's failure threshold. A Map Run
// fails when its failed child workflow executions exceed Count (when
// HasCount) or Percentage percent of its items (when HasPercentage);
// with neither, a single failure fails it.
type Tolerated struct {
	Count                     int64
	Percentage                float64
	HasCount, HasPercentage   bool
	CountPath, PercentagePath *Path
}

// ResultWriter is a Distributed Map state's ResultWriter: where in S3
// (arn:aws:states:::s3:putObject, Parameters or Arguments Bucket and
// Prefix) the Map Run's results go, and how they are formatted
// (WriterConfig).
type ResultWriter struct {
	Params *template // JSONPath
	Args   *jvalue   // JSONata
	// S3 is set when Resource and Parameters (or Arguments) are given;
	// without them WriterConfig only formats the state's output.
	S3 bool
	// Transformation is NONE, COMPACT or FLATTEN: NONE when exporting
	// to S3 without a WriterConfig.
	Transformation string
}

// ErrResultWriterFailed fails a Distributed Map state whose
// ResultWriter cannot write its results.
const ErrResultWriterFailed = "States.ResultWriterFailed"

// tolerated parses ToleratedFailureCount, ToleratedFailurePercentage
// and their Path forms (JSONPath states only): a count is a
// non-negative integer, a percentage a number from 0 to 100.
func (p *parser) tolerated(s *State, d map[string]any, loc string) {
	tf := &s.Tolerated
	if _, ok := d["ToleratedFailureCount"]; ok && s.jfields["ToleratedFailureCount"] == nil {
		n, ok := integer(d["ToleratedFailureCount"])
		if !ok || n < 0 {
			p.schema(loc+"/ToleratedFailureCount", "The value for the field 'ToleratedFailureCount' must be a non-negative integer")
		}
		tf.Count, tf.HasCount = n, true
	}
	if v, ok := d["ToleratedFailurePercentage"]; ok && s.jfields["ToleratedFailurePercentage"] == nil {
		f, ok := number(v)
		if !ok || f < 0 || f > 100 {
			p.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be a number from 0 to 100")
		}
		tf.Percentage, tf.HasPercentage = f, true
	}
	for _, f := range []string{"ToleratedFailureCountPath", "ToleratedFailurePercentagePath"} {
		if _, ok := d[f]; ok && s.JSONata {
			p.schema(loc+"/"+f, "The field %q is not supported with QueryLanguage JSONata", f)
		}
	}
	tf.CountPath = p.refPath(d, "ToleratedFailureCountPath", loc)
	tf.PercentagePath = p.refPath(d, "ToleratedFailurePercentagePath", loc)
	if tf.CountPath != nil && (tf.HasCount || s.jfields["ToleratedFailureCount"] != nil) {
		p.schema(loc, "Only one of these fields may be given: [ToleratedFailureCount, ToleratedFailureCountPath]")
	}
	if tf.PercentagePath != nil && (tf.HasPercentage || s.jfields["ToleratedFailurePercentage"] != nil) {
		p.schema(loc, "Only one of these fields may be given: [ToleratedFailurePercentage, ToleratedFailurePercentagePath]")
	}
}

// resultWriter parses a Distributed Map state's ResultWriter: Resource
// arn:aws:states:::s3:putObject with Parameters (Arguments in JSONata)
// Bucket and Prefix, WriterConfig, or both.
func (p *parser) resultWriter(s *State, d map[string]any, loc string) {
	v, ok := d["ResultWriter"]
	if !ok {
		return
	}
	loc += "/ResultWriter"
	r, ok := v.(map[string]any)
	if !ok || len(r) == 0 {
		p.schema(loc, "The value for the field 'ResultWriter' must be a non-empty object")
		return
	}
	rw := &ResultWriter{}
	_, hasRes := r["Resource"]
	params := "Parameters"
	if s.JSONata {
		params = "Arguments"
	}
	_, hasParams := r[params]
	if hasRes || hasParams {
		if res, _ := r["Resource"].(string); res != "arn:aws:states:::s3:putObject" {
			p.schema(loc+"/Resource", "The value for the field 'Resource' must be arn:aws:states:::s3:putObject")
		}
		if !hasParams {
			p.schema(loc, "These fields are required: [%s]", params)
		}
		rw.S3 = true
		if s.JSONata {
			rw.Args = p.compileField(r, "Arguments", loc)
		} else {
			rw.Params = p.template(r, "Parameters", loc)
		}
		rw.Transformation = "NONE"
	}
	other := "Arguments"
	if s.JSONata {
		other = "Parameters"
	}
	if _, ok := r[other]; ok {
		p.schema(loc+"/"+other, "The field %q is not supported here", other)
	}
	if c, ok := r["WriterConfig"]; ok {
		cfg, _ := c.(map[string]any)
		switch tr := cfg["Transformation"]; tr {
		case "NONE", "COMPACT", "FLATTEN":
			rw.Transformation = tr.(string)
		default:
			p.schema(loc+"/WriterConfig/Transformation", "The value for the field 'Transformation' must be one of NONE, COMPACT, FLATTEN")
		}
		switch cfg["OutputType"] {
		case "JSON":
		case "JSONL":
			p.schema(loc+"/WriterConfig/OutputType", "The OutputType JSONL is not supported by virga")
		default:
			p.schema(loc+"/WriterConfig/OutputType", "The value for the field 'OutputType' must be one of JSON, JSONL")
		}
	} else if !rw.S3 {
		p.schema(loc, "These fields are required: [Resource, %s] or [WriterConfig]", params)
	}
	s.ResultWriter = rw
}

// runSettings are a Map Run's threshold and ResultWriter destination,
// resolved against the state's input when the state starts.
type runSettings struct {
	count, pct       float64
	hasCount, hasPct bool
	bucket, prefix   string
}

// exceeded reports whether failed of n child executions exceed the
// threshold.
func (r *runSettings) exceeded(failed, n int) bool {
	if failed == 0 {
		return false
	}
	if !r.hasCount && !r.hasPct {
		return true
	}
	if r.hasCount && float64(failed) > r.count {
		return true
	}
	return r.hasPct && float64(failed)*100/float64(n) > r.pct
}

// settings resolves a JSONPath Distributed Map state's threshold
// (ToleratedFailure*Path) and ResultWriter Parameters.
func (t *thread) settings(s *State, x *evalContext, in any) (*runSettings, error) {
	tf := s.Tolerated
	rs := &runSettings{count: float64(tf.Count), pct: tf.Percentage, hasCount: tf.HasCount, hasPct: tf.HasPercentage}
	if tf.CountPath != nil {
		v, err := x.resolve(tf.CountPath)
		if err != nil {
			return nil, err
		}
		n, ok := integer(v)
		if !ok || n < 0 {
			return nil, &Failure{Name: ErrRuntime, Cause: "The ToleratedFailureCountPath field refers to a value that is not a non-negative integer"}
		}
		rs.count, rs.hasCount = float64(n), true
	}
	if tf.PercentagePath != nil {
		v, err := x.resolve(tf.PercentagePath)
		if err != nil {
			return nil, err
		}
		f, ok := number(v)
		if !ok || f < 0 || f > 100 {
			return nil, &Failure{Name: ErrRuntime, Cause: "The ToleratedFailurePercentagePath field refers to a value that is not a number from 0 to 100"}
		}
		rs.pct, rs.hasPct = f, true
	}
	if rw := s.ResultWriter; rw != nil && rw.S3 {
		var params any
		if rw.Params != nil {
			v, err := rw.Params.apply(x, in)
			if err != nil {
				return nil, err
			}
			params = v
		}
		if err := rs.destination(params); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// settingsJ resolves a JSONata Distributed Map state's threshold
// expressions and ResultWriter Arguments.
func (t *thread) settingsJ(s *State, jc *jctx) (*runSettings, error) {
	tf := s.Tolerated
	rs := &runSettings{count: float64(tf.Count), pct: tf.Percentage, hasCount: tf.HasCount, hasPct: tf.HasPercentage}
	if j := s.jfields["ToleratedFailureCount"]; j != nil {
		v, err := j.eval(jc)
		if err != nil {
			return nil, err
		}
		n, ok := integer(v)
		if !ok || n < 0 {
			return nil, &Failure{Name: ErrQueryEvaluation, Cause: "ToleratedFailureCount must evaluate to a non-negative integer"}
		}
		rs.count, rs.hasCount = float64(n), true
	}
	if j := s.jfields["ToleratedFailurePercentage"]; j != nil {
		v, err := j.eval(jc)
		if err != nil {
			return nil, err
		}
		f, ok := number(v)
		if !ok || f < 0 || f > 100 {
			return nil, &Failure{Name: ErrQueryEvaluation, Cause: "ToleratedFailurePercentage must evaluate to a number from 0 to 100"}
		}
		rs.pct, rs.hasPct = f, true
	}
	if rw := s.ResultWriter; rw != nil && rw.S3 {
		var params any
		if rw.Args != nil {
			v, err := rw.Args.eval(jc)
			if err != nil {
				return nil, err
			}
			params = v
		}
		if err := rs.destination(params); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// destination reads Bucket and Prefix from a ResultWriter's Parameters.
func (rs *runSettings) destination(params any) error {
	m, _ := params.(map[string]any)
	rs.bucket, _ = m["Bucket"].(string)
	rs.prefix, _ = m["Prefix"].(string)
	if rs.bucket == "" {
		return &Failure{Name: ErrResultWriterFailed, Cause: "The ResultWriter's Parameters must give Bucket"}
	}
	return nil
}

// childRecord is a child workflow execution's result as a Map Run
// reports it (the Transformation NONE form): its ARN, name, input,
// status and dates, with Output for one that succeeded and Error and
// Cause for one that failed.
func childRecord(machineArn, name string, input, output any, err error, start, stop time.Time) map[string]any {
	rec := map[string]any{
		"ExecutionArn":    strings.Replace(machineArn, ":stateMachine:", ":execution:", 1) + ":" + name,
		"Input":           Encode(input),
		"InputDetails":    map[string]any{"Included": true},
		"Name":            name,
		"RedriveCount":    num(0),
		"StartDate":       start.UTC().Format(recordTime),
		"StateMachineArn": machineArn,
		"StopDate":        stop.UTC().Format(recordTime),
	}
	if err == nil {
		rec["Status"] = "SUCCEEDED"
		rec["Output"] = Encode(output)
		rec["OutputDetails"] = map[string]any{"Included": true}
		rec["RedriveStatus"] = "NOT_REDRIVABLE"
		rec["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
		return rec
	}
	rec["Status"] = "FAILED"
	rec["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
	name2, cause := ErrRuntime, err.Error()
	if f, ok := err.(*Failure); ok {
		name2, cause = f.Name, f.Cause
	}
	rec["Error"] = name2
	rec["Cause"] = cause
	return rec
}

// recordTime is how a child record's dates are written.
const recordTime = "2006-01-02T15:04:05.000Z"

// succeeded reports whether a child record is of a child that
// succeeded.
func succeeded(rec any) bool {
	m, _ := rec.(map[string]any)
	return m["Status"] == "SUCCEEDED"
}

// transform formats child records as Transformation says: NONE keeps
// them, COMPACT takes a succeeded child's output, FLATTEN also splices
// an output that is an array into the list. A failed child's record is
// always kept whole.
func transform(records []any, how string) []any {
	if how == "NONE" {
		return records
	}
	out := make([]any, 0, len(records))
	for _, r := range records {
		if !succeeded(r) {
			out = append(out, r)
			continue
		}
		s, _ := r.(map[string]any)["Output"].(string)
		v, err := Decode([]byte(s))
		if err != nil {
			out = append(out, r)
			continue
		}
		if list, ok := v.([]any); ok && how == "FLATTEN" {
			out = append(out, list...)
			continue
		}
		out = append(out, v)
	}
	return out
}

// writeResults exports a Map Run's child records to S3: a file for
// each status that has records (SUCCEEDED_0.json, FAILED_0.json) and
// manifest.json listing them, under Prefix/UUID/ where UUID ends the
// Map Run's ARN. It returns the state's output: the Map Run's ARN and
// the manifest's location (ResultWriterDetails).
func (t *thread) writeResults(ctx context.Context, rs *runSettings, mapRunArn, id string, records []any, how string) (any, error) {
	dir := id + "/"
	if rs.prefix != "" {
		dir = strings.TrimSuffix(rs.prefix, "/") + "/" + dir
	}
	var ok, failed []any
	for _, r := range records {
		if succeeded(r) {
			ok = append(ok, r)
		} else {
			failed = append(failed, r)
		}
	}
	files := map[string]any{"SUCCEEDED": []any{}, "FAILED": []any{}, "PENDING": []any{}}
	for _, g := range []struct {
		status string
		list   []any
	}{{"SUCCEEDED", transform(ok, how)}, {"FAILED", failed}} {
		if len(g.list) == 0 {
			continue
		}
		key := dir + g.status + "_0.json"
		data := []byte(Encode(g.list))
		if err := t.put(ctx, rs.bucket, key, data); err != nil {
			return nil, err
		}
		files[g.status] = []any{map[string]any{"Key": key, "Size": num(float64(len(data)))}}
	}
	manifest := map[string]any{"DestinationBucket": rs.bucket, "MapRunArn": mapRunArn, "ResultFiles": files}
	key := dir + "manifest.json"
	if err := t.put(ctx, rs.bucket, key, []byte(Encode(manifest))); err != nil {
		return nil, err
	}
	return map[string]any{"MapRunArn": mapRunArn, "ResultWriterDetails": map[string]any{"Bucket": rs.bucket, "Key": key}}, nil
}

func (t *thread) put(ctx context.Context, bucket, key string, data []byte) error {
	if err := t.r.env.WriteObject(ctx, bucket, key, data); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Failure{Name: ErrResultWriterFailed, Cause: fmt.Sprintf("Could not write s3://%s/%s: %v", bucket, key, err)}
	}
	return nil
}
