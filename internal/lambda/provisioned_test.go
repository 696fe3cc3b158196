package lambda

import "testing"

// TestProvisionedOneConfigurationPerVersion: a version has one provisioned
// concurrency configuration, on itself or on one alias, however it is
// reached (Put, or UpdateAlias moving a configured alias), and an alias
// that routes to a second version cannot be configured.
func TestProvisionedOneConfigurationPerVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("pc")
	for _, mb := range []int{256, 512, 1024} {
		f.ok(201, nil, "POST", "/2015-03-31/functions/pc/versions", map[string]any{})
		f.ok(200, nil, "PUT", "/2015-03-31/functions/pc/configuration", map[string]any{"MemorySize": mb})
	}
	for name, v := range map[string]string{"blue": "1", "canary": "1", "green": "3", "plain": "3"} {
		f.ok(201, nil, "POST", "/2015-03-31/functions/pc/aliases", map[string]any{"Name": name, "FunctionVersion": v})
	}
	put := func(q string, n int) {
		t.Helper()
		f.ok(202, nil, "PUT", "/2019-09-30/functions/pc/provisioned-concurrency?Qualifier="+q, map[string]any{"ProvisionedConcurrentExecutions": n})
	}
	const already = "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
	put("blue", 2)
	put("2", 1)
	put("green", 1)
	// Two aliases cannot configure one version.
	if msg := f.fails("ResourceConflictException", 409, "PUT", "/2019-09-30/functions/pc/provisioned-concurrency?Qualifier=canary",
		map[string]any{"ProvisionedConcurrentExecutions": 1}); msg != already {
		t.Errorf("second alias of version 1: %q", msg)
	}
	// A configured alias cannot move onto a version configured directly,
	// nor onto one another configured alias points at.
	for _, v := range []string{"2", "3"} {
		if msg := f.fails("ResourceConflictException", 409, "PUT", "/2015-03-31/functions/pc/aliases/blue",
			map[string]any{"FunctionVersion": v}); msg != already {
			t.Errorf("blue onto version %s: %q", v, msg)
		}
	}
	// An alias without a configuration moves freely, and a configured
	// one onto a version without any.
	f.ok(200, nil, "PUT", "/2015-03-31/functions/pc/aliases/plain", map[string]any{"FunctionVersion": "2"})
	f.ok(204, nil, "DELETE", "/2019-09-30/functions/pc/provisioned-concurrency?Qualifier=2", nil)
	f.ok(200, nil, "PUT", "/2015-03-31/functions/pc/aliases/blue", map[string]any{"FunctionVersion": "2"})

	// Routing may be added to a configured alias, but an alias with
	// weights cannot be configured.
	f.ok(200, nil, "PUT", "/2015-03-31/functions/pc/aliases/blue",
		map[string]any{"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"1": 0.1}}})
	f.ok(200, nil, "PUT", "/2015-03-31/functions/pc/aliases/canary",
		map[string]any{"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 0.1}}})
	if msg := f.fails("InvalidParameterValueException", 400, "PUT", "/2019-09-30/functions/pc/provisioned-concurrency?Qualifier=canary",
		map[string]any{"ProvisionedConcurrentExecutions": 1}); msg != "Alias with weights can not be used with Provisioned Concurrency" {
		t.Errorf("weighted alias: %q", msg)
	}
}
