package lambda

import (
	"strings"
	"testing"
	"time"
)

// An invocation record carries the request and response payloads as they
// were: characters JSON lets through unescaped (<, >, &) stay so.
func TestInvocationRecordKeepsPayloadCharacters(t *testing.T) {
	t.Parallel()
	e := &asyncInvocation{ID: "req-1", Payload: []byte(`{"html":"<p>a & b</p>"}`)}
	o := outcome{condition: conditionRetriesExhausted, attempts: 3, statusCode: 200, executedVersion: "$LATEST",
		functionError: "Unhandled", response: []byte(`{"errorMessage":"bad","trace":["at <anonymous>"]}`)}
	got := string(invocationRecordFor(e, "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST", o,
		time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)))
	for _, want := range []string{`"requestPayload":{"html":"<p>a & b</p>"}`, `"trace":["at <anonymous>"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("record lacks %s:\n%s", want, got)
		}
	}
	if strings.HasSuffix(got, "\n") {
		t.Errorf("record ends with a newline: %q", got)
	}
}
