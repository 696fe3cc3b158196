package cloudwatch

import (
	"errors"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

func TestCheckDashboardBody(t *testing.T) {
	for _, c := range []struct {
		body string
		want string // a finding's path and message, or "" for a valid body
	}{
		{`{"widgets": []}`, ""},
		{`{"widgets": [{"type": "text", "properties": {"markdown": "hi"}}], "start": "-PT6H"}`, ""},
		{`{"widgets": [`, `"dataPath": "",
    "message": "Should be valid JSON"`},
		{`{"widgets": []} {}`, `"message": "Should be valid JSON"`},
		{`"widgets"`, `"message": "Should be object"`},
		{`{}`, `"message": "Should have required property 'widgets'"`},
		{`{"widgets": "all"}`, `"dataPath": "/widgets",
    "message": "Should be array"`},
		{`{"widgets": [{}, null, "x"]}`, `"dataPath": "/widgets/2"`},
	} {
		err := checkDashboardBody(c.body)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.body, err)
			}
			continue
		}
		var e *apierr.Error
		if !errors.As(err, &e) || e.Code != "DashboardInvalidInputError" || !strings.Contains(e.Message, c.want) ||
			!strings.HasPrefix(e.Message, "The dashboard body is invalid, there are ") {
			t.Errorf("%s: %v, want a finding %s", c.body, err, c.want)
		}
	}
}

func TestCheckDashboardName(t *testing.T) {
	for name, ok := range map[string]bool{"app-dashboard_1": true, "": false, "a b": false, "a.b": false,
		strings.Repeat("d", maxDashboardName): true, strings.Repeat("d", maxDashboardName+1): false} {
		if err := checkDashboardName(name); (err == nil) != ok {
			t.Errorf("%q: %v", name, err)
		}
	}
}

// FuzzCheckDashboardBody: any body is either accepted or refused with
// InvalidParameterInput, never a panic or another error.
func FuzzCheckDashboardBody(f *testing.F) {
	for _, s := range []string{`{"widgets": []}`, `{"widgets": [1, {}]}`, `[]`, `{`, `{"widgets": {"a": 1}}`, `null`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		err := checkDashboardBody(body)
		var e *apierr.Error
		if err != nil && (!errors.As(err, &e) || e.Code != "DashboardInvalidInputError") {
			t.Fatalf("%q: %v", body, err)
		}
	})
}
