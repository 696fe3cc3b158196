package xray

import "testing"

func TestFilterMatches(t *testing.T) {
	facts := &traceFacts{responseTime: 6, duration: 7, fault: true, status: 502, url: "https://example.com/orders/1",
		method: "POST", users: []string{"alice"}, services: []string{"front", "DynamoDB"},
		annotations: map[string][]any{"team": {"blue"}, "count": {float64(3)}, "vip": {true}}}
	for expr, want := range map[string]bool{
		`fault`:                                 true,
		`FAULT`:                                 true,
		`error`:                                 false,
		`ok`:                                    false,
		`!error`:                                true,
		`NOT error`:                             true,
		`fault = false`:                         false,
		`fault != false`:                        true,
		`responsetime > 5`:                      true,
		`responsetime >= 6 AND duration <= 7`:   true,
		`duration < 7`:                          false,
		`http.status = 502`:                     true,
		`http.status != 502`:                    false,
		`http.url CONTAINS "orders"`:            true,
		`http.url BEGINSWITH "https://"`:        true,
		`http.url endswith "/2"`:                false,
		`http.method = "POST"`:                  true,
		`user = "alice"`:                        true,
		`service("front")`:                      true,
		`service("back")`:                       false,
		`service()`:                             true,
		`annotation.team = "blue"`:              true,
		`annotation.team != "blue"`:             false,
		`annotation.count > 2`:                  true,
		`annotation.vip = true`:                 true,
		`annotation.vip = false`:                false,
		`annotation.team`:                       true,
		`annotation.other`:                      false,
		`error OR fault`:                        true,
		`error || fault && http.status = 500`:   false,
		`(error OR fault) AND service("front")`: true,
		`service("back") OR (fault AND !error)`: true,
	} {
		f, err := parseFilter(expr)
		if err != nil {
			t.Errorf("parseFilter(%q): %v", expr, err)
			continue
		}
		if got := f.match(facts); got != want {
			t.Errorf("%q matched %v; want %v", expr, got, want)
		}
	}
}

func TestFilterRefuses(t *testing.T) {
	for _, expr := range []string{
		`responsetime >`, `responsetime > "5"`, `http.url > "a"`, `http.url = 5`, `fault = 1`,
		`(fault`, `fault)`, `fault AND`, `nosuchkeyword`, `service(front)`, `service("a"`, `"unterminated`,
		`annotation. = "a"`, `annotation.a = `, `fault & error`, `responsetime > 5 5`,
	} {
		if _, err := parseFilter(expr); err == nil {
			t.Errorf("parseFilter(%q) accepted", expr)
		}
	}
	if f, err := parseFilter("   "); f != nil || err != nil {
		t.Errorf("an empty expression = %v, %v; want none", f, err)
	}
}
