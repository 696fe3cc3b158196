package firehose

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

// answers is a Lambda whose invocations answer in turn from a list.
type answers struct {
	calls int
	out   []func(payload []byte) ([]byte, string, error)
}

func (a *answers) InvokeSync(_ context.Context, _ string, payload []byte) ([]byte, string, error) {
	f := a.out[min(a.calls, len(a.out)-1)]
	a.calls++
	return f(payload)
}

type fixedIDs struct{}

func (fixedIDs) UUID() string { return "00000000-0000-0000-0000-000000000000" }

// TestTransformFailures: what Firehose writes under ErrorOutputPrefix
// when the function fails, answers what cannot be read, or leaves a
// record out; and that a failed invocation is tried NumberOfRetries
// times more.
func TestTransformFailures(t *testing.T) {
	t.Parallel()
	fnErr := func([]byte) ([]byte, string, error) {
		return []byte(`{"errorMessage":"boom","errorType":"Exception"}`), "Unhandled", nil
	}
	invokeErr := func([]byte) ([]byte, string, error) { return nil, "", errors.New("no such function") }
	okFirst := func(payload []byte) ([]byte, string, error) {
		var ev transformEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, "", err
		}
		out, _ := json.Marshal(map[string]any{"records": []transformRecord{{RecordID: ev.Records[0].RecordID, Result: "Ok", Data: []byte("A")}}})
		return out, "", nil
	}
	for _, c := range []struct {
		name     string
		out      []func([]byte) ([]byte, string, error)
		calls    int
		ok       string
		codes    []string
		attempts int
	}{
		{"function error", []func([]byte) ([]byte, string, error){fnErr}, 3, "", []string{"Lambda.FunctionError", "Lambda.FunctionError"}, 3},
		{"invoke error then ok", []func([]byte) ([]byte, string, error){invokeErr, okFirst}, 2, "A", []string{"Lambda.MissingRecordId"}, 2},
		{"not JSON", []func([]byte) ([]byte, string, error){func([]byte) ([]byte, string, error) { return []byte("nope"), "", nil }}, 1, "",
			[]string{"Lambda.JsonProcessingException", "Lambda.JsonProcessingException"}, 1},
	} {
		fns := &answers{out: c.out}
		s := New(Deps{Functions: fns, Clock: clock.NewFake(time.UnixMilli(5000)), IDs: fixedIDs{}, Account: "000000000000", Region: "us-east-1"})
		p := &processor{function: "arn:aws:lambda:us-east-1:000000000000:function:f", retries: 2, size: mib}
		ok, failed := s.transform(context.Background(), &deliveryStream{Name: "s"}, p, []taken{{1000, []byte("a")}, {2000, []byte("b")}})
		if fns.calls != c.calls || string(ok) != c.ok {
			t.Errorf("%s: %d calls, delivered %q; want %d, %q", c.name, fns.calls, ok, c.calls, c.ok)
		}
		lines := strings.Split(strings.TrimSuffix(string(failed), "\n"), "\n")
		if len(lines) != len(c.codes) {
			t.Fatalf("%s: failed %q", c.name, failed)
		}
		for i, l := range lines {
			var r failedRecord
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatal(err)
			}
			if r.ErrorCode != c.codes[i] || r.AttemptsMade != c.attempts || r.AttemptEndingTimestamp != 5000 || r.LambdaARN != p.function {
				t.Errorf("%s: failed record %s", c.name, l)
			}
		}
	}
}

// TestProcessorOf: a Lambda processor's parameters and their defaults;
// what is refused.
func TestProcessorOf(t *testing.T) {
	t.Parallel()
	lambda := ProcessorType("Lambda")
	param := func(n, v string) ProcessorParameter {
		name := ProcessorParameterName(n)
		return ProcessorParameter{ParameterName: &name, ParameterValue: &v}
	}
	conf := func(enabled bool, ps ...ProcessorParameter) *ProcessingConfiguration {
		return &ProcessingConfiguration{Enabled: &enabled, Processors: []Processor{{Type: &lambda, Parameters: ps}}}
	}
	arn := param("LambdaArn", "arn:aws:lambda:us-east-1:000000000000:function:f")
	if p, err := processorOf(conf(false, arn)); p != nil || err != nil {
		t.Errorf("disabled: %+v %v", p, err)
	}
	if p, err := processorOf(conf(true, arn)); err != nil || p.retries != 3 || p.size != mib {
		t.Errorf("defaults: %+v %v", p, err)
	}
	if p, err := processorOf(conf(true, arn, param("NumberOfRetries", "0"), param("BufferSizeInMBs", "0.5"))); err != nil || p.retries != 0 || p.size != mib/2 {
		t.Errorf("given: %+v %v", p, err)
	}
	for _, c := range []*ProcessingConfiguration{
		conf(true),
		conf(true, arn, param("NumberOfRetries", "x")),
		conf(true, arn, param("BufferSizeInMBs", "4")),
		conf(true, arn, param("BufferIntervalInSeconds", "901")),
		conf(true, arn, param("BufferIntervalInSeconds", "-1")),
		conf(true, arn, param("Delimiter", ",")),
	} {
		if _, err := processorOf(c); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%+v: %v, want InvalidArgumentException", c.Processors[0].Parameters, err)
		}
	}
}
