package xray

import "testing"

func TestFilterMatches(t *testing.T) {
	facts := &traceFacts{responseTime: 6, duration: 7, fault: true, status: 502, url: "https://example.com/orders/1",
		method: "POST", users: []string{"alice"}, services: []string{"front", "DynamoDB"},
		annotations: map[string][]any{"team": {"blue"}, "count": {float64(3)}, "vip": {true}}}
	checkMatches(t, facts, map[string]bool{
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
	})
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

// TestFilterServiceScope: service("name") { filter } applies the filter
// to that service's own segments, as in AWS's documented example
// service("mydomain.com") { fault OR error }.
func TestFilterServiceScope(t *testing.T) {
	const id = "1-581cf771-a006649127e371903a2de979"
	recs := []*segmentRecord{
		{ID: "1", Doc: `{"name":"front","id":"0000000000000001","trace_id":"` + id + `","start_time":10,"end_time":12,
			"http":{"request":{"method":"GET","url":"https://front/"},"response":{"status":200}},
			"subsegments":[{"name":"back","id":"0000000000000002","namespace":"remote","start_time":10.5,"end_time":11}]}`},
		{ID: "3", Doc: `{"name":"back","id":"0000000000000003","parent_id":"0000000000000002","trace_id":"` + id + `","start_time":10.5,"end_time":11,"fault":true,
			"http":{"request":{"method":"POST","url":"https://back/orders"},"response":{"status":500}},
			"subsegments":[{"name":"DynamoDB","id":"0000000000000004","namespace":"aws","start_time":10.6,"end_time":10.7,"throttle":true}]}`},
	}
	facts := newTrace(id, recs).facts()
	checkMatches(t, facts, map[string]bool{
		`service("back") { fault OR error }`:               true,
		`service("front") { fault OR error }`:              false,
		`service("front") {ok}`:                            true,
		`service("back") { http.status = 500 }`:            true,
		`service("front") { http.status = 500 }`:           false,
		`service("back") { responsetime = 0.5 }`:           true,
		`service("back") { http.url CONTAINS "orders" }`:   true,
		`service("DynamoDB") { throttle }`:                 true,
		`service("DynamoDB") { fault }`:                    false,
		`service() { fault }`:                              true,
		`service("nowhere") { ok }`:                        false,
		`fault AND service("front") { !fault }`:            true,
		`service("back") { fault } OR service("x") { ok }`: true,
	})
	for _, expr := range []string{`service("a") {`, `service("a") { fault`, `service("a") }`, `service("a") {}`, `{ fault }`} {
		if _, err := parseFilter(expr); err == nil {
			t.Errorf("parseFilter(%q) accepted", expr)
		}
	}
}

// checkMatches parses each expression and checks its verdict on facts.
func checkMatches(t *testing.T, facts *traceFacts, cases map[string]bool) {
	t.Helper()
	for expr, want := range cases {
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
