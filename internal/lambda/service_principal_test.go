package lambda

import "testing"

// TestConditionsHoldArnLike: ArnLike and ArnEquals compare the six parts
// of an ARN separately, as IAM does, so a '*' in one part does not reach
// across a colon into the next; StringLike compares the whole string.
func TestConditionsHoldArnLike(t *testing.T) {
	t.Parallel()
	const rule = "arn:aws:events:us-east-1:123456789012:rule/nightly"
	tests := []struct {
		op, want, arn string
		hold          bool
	}{
		{"ArnLike", "arn:aws:events:*:123456789012:rule/*", rule, true},
		{"ArnLike", "arn:aws:events:us-east-1:123456789012:rule/nightl?", rule, true},
		{"ArnLike", "arn:aws:events:*:123456789012:rule/*", "arn:aws:events:us-east-1:999:123456789012:rule/x", false},
		{"StringLike", "arn:aws:events:*:123456789012:rule/*", "arn:aws:events:us-east-1:999:123456789012:rule/x", true},
		{"ArnLike", "arn:aws:events:us-east-1:*", rule, true},
		{"ArnLike", "*", rule, true},
		{"ArnEquals", "arn:aws:events:us-east-1:123456789012:rule/*", rule, true},
		{"ArnEquals", "arn:aws:events:us-east-1:123456789012:rule/other", rule, false},
		{"StringEquals", "arn:aws:events:us-east-1:123456789012:rule/*", rule, false},
	}
	for _, tc := range tests {
		conds := map[string]map[string]any{tc.op: {"AWS:SourceArn": tc.want}}
		if got := conditionsHold(conds, tc.arn, "123456789012"); got != tc.hold {
			t.Errorf("%s %q against %q = %v, want %v", tc.op, tc.want, tc.arn, got, tc.hold)
		}
	}
}
