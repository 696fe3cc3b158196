package pipes

import (
	"slices"
	"testing"
)

func TestPartialFailure(t *testing.T) {
	t.Parallel()
	events := [][]byte{
		[]byte(`{"messageId":"m1","body":"a"}`),
		[]byte(`{"messageId":"m2","body":"b"}`),
		[]byte(`{"sequenceNumber":"495","data":"eA=="}`),
		[]byte(`{"eventName":"INSERT","dynamodb":{"SequenceNumber":"000000000000000000007"}}`),
	}
	for _, c := range []struct {
		answer string
		want   []bool
	}{
		{`{"batchItemFailures":[]}`, nil},
		{`{"ok":true}`, nil},
		{`"done"`, nil},
		{`{"batchItemFailures":[{"itemIdentifier":"m2"}]}`, []bool{true, false, true, true}},
		{`{"batchItemFailures":[{"itemIdentifier":"495"},{"itemIdentifier":"000000000000000000007"}]}`, []bool{true, true, false, false}},
		{`{"batchItemFailures":[{"itemIdentifier":"unknown"}]}`, []bool{false, false, false, false}},
		{`{"batchItemFailures":[{"itemIdentifier":""}]}`, []bool{false, false, false, false}},
		{`{"batchItemFailures":[{}]}`, []bool{false, false, false, false}},
	} {
		if got := partialFailure([]byte(c.answer), events); !slices.Equal(got, c.want) {
			t.Errorf("partialFailure(%s) = %v, want %v", c.answer, got, c.want)
		}
	}
}

func TestJSONArrayAndSplitResult(t *testing.T) {
	t.Parallel()
	if got := string(jsonArray([][]byte{[]byte(`{"a":1}`), []byte(`plain text`), []byte(`3`)})); got != `[{"a":1},"plain text",3]` {
		t.Errorf("jsonArray: %s", got)
	}
	for _, c := range []struct {
		out  string
		want int
	}{{``, 0}, {`null`, 0}, {`[]`, 0}, {`[1,{"a":2}]`, 2}, {`{"a":1}`, 1}, {`"s"`, 1}} {
		if got := splitResult([]byte(c.out)); len(got) != c.want {
			t.Errorf("splitResult(%s) = %q, want %d events", c.out, got, c.want)
		}
	}
}
