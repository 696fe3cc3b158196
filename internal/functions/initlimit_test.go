package functions

import (
	"testing"
	"time"
)

// TestInitLimit: an on-demand init has the init phase's limit, its
// retry within the invocation the function's timeout, and a
// provisioned one the longer of 130 s and the function's timeout.
func TestInitLimit(t *testing.T) {
	t.Parallel()
	m := &Pools{opts: Options{InitTimeout: DefaultInitTimeout}}
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		phase   string
		inv     *Invocation
		want    time.Duration
	}{
		{"on-demand", 900 * time.Second, phaseInit, &Invocation{}, 10 * time.Second},
		{"retry", 60 * time.Second, phaseInvoke, &Invocation{}, 60 * time.Second},
		{"provisioned short timeout", 3 * time.Second, phaseInit, nil, 130 * time.Second},
		{"provisioned default timeout", 0, phaseInit, nil, 130 * time.Second},
		{"provisioned long timeout", 600 * time.Second, phaseInit, nil, 600 * time.Second},
	} {
		e := &environment{pool: &pool{m: m, spec: Spec{Timeout: tc.timeout}}, phase: tc.phase}
		if got := e.initLimit(tc.inv); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
