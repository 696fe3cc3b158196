package lambda

import "testing"

type accountSettings struct {
	AccountLimit struct {
		TotalCodeSize, CodeSizeUnzipped, CodeSizeZipped      int64
		ConcurrentExecutions, UnreservedConcurrentExecutions int
	}
	AccountUsage struct{ TotalCodeSize, FunctionCount int64 }
}

func TestFunctionConcurrencyAndAccountSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.create("a")
	f.create("b")
	var s accountSettings
	f.ok(200, &s, "GET", "/2016-08-19/account-settings/", nil)
	if s.AccountLimit.ConcurrentExecutions != 1000 || s.AccountLimit.UnreservedConcurrentExecutions != 1000 ||
		s.AccountLimit.CodeSizeUnzipped != 262144000 || s.AccountLimit.CodeSizeZipped != 52428800 || s.AccountLimit.TotalCodeSize != 80530636800 ||
		s.AccountUsage.FunctionCount != 2 || s.AccountUsage.TotalCodeSize != 2*a.CodeSize {
		t.Errorf("GetAccountSettings = %+v", s)
	}
	var got struct{ ReservedConcurrentExecutions *int }
	f.ok(200, &got, "GET", "/2019-09-30/functions/a/concurrency", nil)
	if got.ReservedConcurrentExecutions != nil {
		t.Errorf("GetFunctionConcurrency without a reservation = %v", *got.ReservedConcurrentExecutions)
	}
	f.ok(200, &got, "PUT", "/2017-10-31/functions/a/concurrency", map[string]any{"ReservedConcurrentExecutions": 400})
	if got.ReservedConcurrentExecutions == nil || *got.ReservedConcurrentExecutions != 400 {
		t.Errorf("PutFunctionConcurrency = %+v", got)
	}
	f.ok(200, nil, "PUT", "/2017-10-31/functions/a/concurrency", map[string]any{"ReservedConcurrentExecutions": 500})
	f.ok(200, &got, "GET", "/2019-09-30/functions/a/concurrency", nil)
	if *got.ReservedConcurrentExecutions != 500 {
		t.Errorf("GetFunctionConcurrency = %d", *got.ReservedConcurrentExecutions)
	}
	var fn struct {
		Concurrency struct{ ReservedConcurrentExecutions int }
	}
	f.ok(200, &fn, "GET", "/2015-03-31/functions/a", nil)
	if fn.Concurrency.ReservedConcurrentExecutions != 500 {
		t.Errorf("GetFunction Concurrency = %+v", fn.Concurrency)
	}
	f.ok(200, &s, "GET", "/2016-08-19/account-settings/", nil)
	if s.AccountLimit.UnreservedConcurrentExecutions != 500 {
		t.Errorf("unreserved = %d, want 500", s.AccountLimit.UnreservedConcurrentExecutions)
	}
	// 100 stay unreserved.
	msg := f.fails("InvalidParameterValueException", 400, "PUT", "/2017-10-31/functions/b/concurrency", map[string]any{"ReservedConcurrentExecutions": 401})
	if msg != "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]." {
		t.Errorf("message %q", msg)
	}
	f.ok(200, nil, "PUT", "/2017-10-31/functions/b/concurrency", map[string]any{"ReservedConcurrentExecutions": 400})
	f.ok(204, nil, "DELETE", "/2017-10-31/functions/a/concurrency", nil)
	f.ok(204, nil, "DELETE", "/2017-10-31/functions/a/concurrency", nil)
	f.ok(200, &s, "GET", "/2016-08-19/account-settings/", nil)
	if s.AccountLimit.UnreservedConcurrentExecutions != 600 {
		t.Errorf("unreserved = %d, want 600", s.AccountLimit.UnreservedConcurrentExecutions)
	}
	f.fails("ValidationException", 400, "PUT", "/2017-10-31/functions/a/concurrency", map[string]any{"ReservedConcurrentExecutions": -1})
	f.fails("ResourceNotFoundException", 404, "GET", "/2019-09-30/functions/none/concurrency", nil)
	f.fails("InvalidParameterValueException", 400, "PUT", "/2017-10-31/functions/a:1/concurrency", map[string]any{"ReservedConcurrentExecutions": 1})

	// Reservations survive a restart.
	f.start()
	f.ok(200, &s, "GET", "/2016-08-19/account-settings/", nil)
	if s.AccountLimit.UnreservedConcurrentExecutions != 600 {
		t.Errorf("after restart, unreserved = %d", s.AccountLimit.UnreservedConcurrentExecutions)
	}
}

func TestSmallAccountCannotReserve(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withAccountConcurrency(10))
	f.create("a")
	msg := f.fails("InvalidParameterValueException", 400, "PUT", "/2017-10-31/functions/a/concurrency", map[string]any{"ReservedConcurrentExecutions": 1})
	if msg != "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [10]." {
		t.Errorf("message %q", msg)
	}
}
