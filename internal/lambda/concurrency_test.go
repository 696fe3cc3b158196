package lambda

import (
	"sync"
	"testing"

	"github.com/virga/virga/internal/functions"
)

// TestProvisionedConcurrencyAccounting shows one accounting of the
// account's concurrency: provisioned concurrency counts towards its
// function's reservation and comes out of the unreserved pool, the shared
// pool is what GetAccountSettings reports, and invocations are throttled
// exactly where those numbers say.
func TestProvisionedConcurrencyAccounting(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withAccountConcurrency(110))
	for _, name := range []string{"pc", "reserved", "other"} {
		f.create(name)
		f.ok(201, nil, "POST", "/2015-03-31/functions/"+name+"/versions", map[string]any{})
	}
	f.ok(201, nil, "POST", "/2015-03-31/functions/pc/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"})
	f.ok(200, nil, "PUT", "/2017-10-31/functions/reserved/concurrency", map[string]any{"ReservedConcurrentExecutions": 4})
	f.ok(202, nil, "PUT", "/2019-09-30/functions/pc/provisioned-concurrency?Qualifier=live", map[string]any{"ProvisionedConcurrentExecutions": 5})
	f.ok(202, nil, "PUT", "/2019-09-30/functions/reserved/provisioned-concurrency?Qualifier=1", map[string]any{"ProvisionedConcurrentExecutions": 3})

	// 110 - 4 reserved - 5 provisioned without a reservation.
	var settings GetAccountSettingsResponse
	f.ok(200, &settings, "GET", "/2016-08-19/account-settings/", nil)
	if got := *settings.AccountLimit.UnreservedConcurrentExecutions; got != 101 {
		t.Fatalf("UnreservedConcurrentExecutions %d, want 101", got)
	}

	release := make(chan struct{})
	started := make(chan string, 200)
	f.fns.setHandler(func(spec *functions.Spec, inv *functions.Invocation) (*functions.Result, error) {
		started <- spec.FunctionName
		<-release
		return &functions.Result{Payload: []byte(`{}`)}, nil
	})
	var wg sync.WaitGroup
	defer wg.Wait()
	var once sync.Once
	stop := func() { once.Do(func() { close(release) }) }
	defer stop()
	invoke := func(target string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.do("POST", "/2015-03-31/functions/"+target+"/invocations", []byte(`{}`))
		}()
		<-started
	}
	throttled := func(target, reason string) {
		t.Helper()
		r := f.do("POST", "/2015-03-31/functions/"+target+"/invocations", []byte(`{}`))
		var body struct{ Reason string }
		r.json(t, &body)
		if r.Status != 429 || body.Reason != reason {
			t.Fatalf("%s: HTTP %d %s, want 429 %s", target, r.Status, r.Body, reason)
		}
	}

	// A function without a reservation has the shared 101, not the 106
	// left unreserved.
	for range 101 {
		invoke("other")
	}
	throttled("other", reasonAccount)
	// pc:live still runs on its 5 provisioned environments, and no more:
	// the shared pool is in use.
	for range 5 {
		invoke("pc:live")
	}
	throttled("pc:live", reasonAccount)
	throttled("pc", reasonAccount)
	// Of the 4 reserved, 3 are provisioned for version 1: $LATEST has 1.
	invoke("reserved")
	throttled("reserved", reasonReserved)
	for range 3 {
		invoke("reserved:1")
	}
	throttled("reserved:1", reasonReserved)

	stop()
	wg.Wait()
	want := map[string]int{"other:$LATEST": 101, "pc:1": 106, "reserved:$LATEST": 1, "reserved:1": 4}
	for _, c := range f.fns.invocations() {
		key := c.Spec.FunctionName + ":" + c.Spec.Version
		if c.Spec.Version == "" {
			key = c.Spec.FunctionName + ":$LATEST"
		}
		if c.Spec.Concurrency != want[key] {
			t.Fatalf("%s ran with Concurrency %d, want %d", key, c.Spec.Concurrency, want[key])
		}
	}
}

// TestReservedConcurrencyCountsProvisioned: a reservation may not be
// smaller than the function's provisioned concurrency, and the account's
// minimum counts the provisioned concurrency of functions without one.
func TestReservedConcurrencyCountsProvisioned(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withAccountConcurrency(110))
	for _, name := range []string{"pc", "other"} {
		f.create(name)
		f.ok(201, nil, "POST", "/2015-03-31/functions/"+name+"/versions", map[string]any{})
	}
	f.ok(201, nil, "POST", "/2015-03-31/functions/pc/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"})
	f.ok(202, nil, "PUT", "/2019-09-30/functions/pc/provisioned-concurrency?Qualifier=live", map[string]any{"ProvisionedConcurrentExecutions": 3})
	msg := f.fails("InvalidParameterValueException", 400, "PUT", "/2017-10-31/functions/pc/concurrency", map[string]any{"ReservedConcurrentExecutions": 2})
	if msg != errReservedBelowProvisioned {
		t.Errorf("reservation below provisioned: %q", msg)
	}
	// Shared pool: 110 - 3 provisioned = 107. Reserving 8 for other
	// leaves 99: refused, though 102 would be left unreserved.
	msg = f.fails("InvalidParameterValueException", 400, "PUT", "/2017-10-31/functions/other/concurrency", map[string]any{"ReservedConcurrentExecutions": 8})
	if msg != "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]." {
		t.Errorf("account minimum: %q", msg)
	}
	f.ok(200, nil, "PUT", "/2017-10-31/functions/other/concurrency", map[string]any{"ReservedConcurrentExecutions": 7})
	// pc's 3 provisioned move from the shared pool into its reservation:
	// reserving 3 leaves the shared pool at 100.
	f.ok(200, nil, "PUT", "/2017-10-31/functions/pc/concurrency", map[string]any{"ReservedConcurrentExecutions": 3})
	var settings GetAccountSettingsResponse
	f.ok(200, &settings, "GET", "/2016-08-19/account-settings/", nil)
	if got := *settings.AccountLimit.UnreservedConcurrentExecutions; got != 100 {
		t.Fatalf("UnreservedConcurrentExecutions %d, want 100", got)
	}
}
