package cloudwatch

import (
	"strings"
	"testing"
)

func TestAlarmRule(t *testing.T) {
	t.Parallel()
	states := map[string]string{"cpu": "ALARM", "disk": "OK", "deploy": "INSUFFICIENT_DATA", "my alarm": "ALARM"}
	st := func(n string) string { return states[n] }
	cases := []struct {
		rule   string
		want   bool
		alarms string
	}{
		{"TRUE", true, ""},
		{"FALSE", false, ""},
		{"ALARM(cpu)", true, "cpu"},
		{`ALARM("cpu") AND OK(disk)`, true, "cpu,disk"},
		{"ALARM(cpu) AND NOT INSUFFICIENT_DATA(deploy)", false, "cpu,deploy"},
		{"ALARM(disk) OR ALARM(cpu) AND OK(disk)", true, "disk,cpu"},
		{"(ALARM(disk) OR ALARM(cpu)) AND NOT OK(disk)", false, "disk,cpu"},
		{`ALARM("my alarm")`, true, "my alarm"},
		{"ALARM(arn:aws:cloudwatch:us-east-1:000000000000:alarm:cpu)", true, "cpu"},
		{"NOT NOT TRUE", true, ""},
		{"ALARM(missing)", false, "missing"},
		{"OK(cpu) OR OK(cpu)", false, "cpu"},
	}
	for _, c := range cases {
		r, err := parseAlarmRule(c.rule, "000000000000", "us-east-1")
		if err != nil {
			t.Errorf("%q: %v", c.rule, err)
			continue
		}
		if got := r.expr.eval(st); got != c.want {
			t.Errorf("%q = %v, want %v", c.rule, got, c.want)
		}
		if got := strings.Join(r.alarms, ","); got != c.alarms {
			t.Errorf("%q names %q, want %q", c.rule, got, c.alarms)
		}
	}
	for _, bad := range []string{"", "ALARM", "ALARM()", "ALARM(cpu", "ALARM(cpu) AND", "alarm(cpu)", "ALARM(cpu) ALARM(disk)",
		`ALARM("cpu)`, "(TRUE", "TRUE)", "ALARM(arn:aws:cloudwatch:eu-west-1:000000000000:alarm:cpu)", "MAYBE(cpu)",
		strings.Repeat("(", 200) + "TRUE" + strings.Repeat(")", 200)} {
		if _, err := parseAlarmRule(bad, "000000000000", "us-east-1"); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	var many []string
	for i := 0; i <= maxRuleAlarms; i++ {
		many = append(many, "ALARM(a"+strings.Repeat("x", i)+")")
	}
	if _, err := parseAlarmRule(strings.Join(many, " OR "), "000000000000", "us-east-1"); err == nil {
		t.Error("a rule naming 101 alarms parsed")
	}
}

// FuzzAlarmRule parses arbitrary rules: nothing may panic, and a rule
// that parses evaluates.
func FuzzAlarmRule(f *testing.F) {
	for _, s := range []string{
		"TRUE", "ALARM(cpu) AND NOT OK(\"disk\")", "(ALARM(a) OR INSUFFICIENT_DATA(b)) AND FALSE",
		"ALARM(arn:aws:cloudwatch:us-east-1:000000000000:alarm:x)", "NOT (", "ALARM(\"", "OK(a)) OR",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		r, err := parseAlarmRule(rule, "000000000000", "us-east-1")
		if err != nil {
			return
		}
		r.expr.eval(func(string) string { return "ALARM" })
		if len(r.alarms) > maxRuleAlarms {
			t.Fatalf("%q names %d alarms", rule, len(r.alarms))
		}
	})
}
