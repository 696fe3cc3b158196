package policy

import (
	"reflect"
	"testing"
)

func TestStatementPositions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc  string
		start, end []Position
	}{
		// IAM's documented simulate-custom-policy answer for this document.
		{"single statement", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`,
			[]Position{{1, 38}}, []Position{{1, 167}}},
		{"array on lines", "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\", \"Action\": \"s3:Delete*\", \"Resource\": \"*\"\n    }\n  ]\n}",
			[]Position{{3, 6}, {4, 6}}, []Position{{3, 59}, {6, 6}}},
		{"last Statement key wins", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"},"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			[]Position{{1, 74}}, []Position{{1, 119}}},
	} {
		p := must(t, tc.doc)
		var start, end []Position
		for _, s := range p.Statements {
			start, end = append(start, s.Start), append(end, s.End)
		}
		if !reflect.DeepEqual(start, tc.start) || !reflect.DeepEqual(end, tc.end) {
			t.Errorf("%s: positions %v–%v, want %v–%v", tc.name, start, end, tc.start, tc.end)
		}
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	allow := must(t, `{"Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	deny := must(t, `{"Statement":{"Effect":"Deny","Action":"dynamodb:DeleteTable","Resource":"*"}}`)
	boundary := must(t, `{"Statement":{"Effect":"Allow","Action":"dynamodb:Get*","Resource":"*"}}`)
	req := func(action string, ctx map[string][]string) Request {
		return Request{Action: action, Resource: "*", Context: ctx}
	}
	later := map[string][]string{"aws:currenttime": {"2019-04-25T11:00:00Z"}}
	for _, tc := range []struct {
		name     string
		in       Input
		allowed  bool
		explicit bool
		matched  []*Statement
		missing  []string
		bound    bool
	}{
		{"allowed", Input{Request: req("dynamodb:CreateBackup", later), Identity: []*Policy{allow, deny}},
			true, false, []*Statement{&allow.Statements[0]}, nil, true},
		{"condition false", Input{Request: req("dynamodb:CreateBackup", map[string][]string{"aws:currenttime": {"2014-01-01T00:00:00Z"}}), Identity: []*Policy{allow}},
			false, false, nil, nil, true},
		{"key missing", Input{Request: req("dynamodb:CreateBackup", map[string][]string{}), Identity: []*Policy{allow}},
			false, false, nil, []string{"aws:CurrentTime"}, true},
		{"explicit deny", Input{Request: req("dynamodb:DeleteTable", later), Identity: []*Policy{allow, deny}},
			false, true, []*Statement{&deny.Statements[0]}, nil, true},
		{"boundary refuses", Input{Request: req("dynamodb:CreateBackup", later), Identity: []*Policy{allow}, Boundary: boundary},
			false, false, nil, nil, false},
	} {
		x := Explain(&tc.in)
		var matched []*Statement
		for _, m := range x.Matched {
			matched = append(matched, m.Statement)
		}
		if x.Allowed != tc.allowed || x.Explicit != tc.explicit || !reflect.DeepEqual(matched, tc.matched) ||
			!reflect.DeepEqual(x.Missing, tc.missing) || x.BoundaryAllows != tc.bound {
			t.Errorf("%s: got allowed=%v explicit=%v matched=%v missing=%v boundary=%v", tc.name,
				x.Allowed, x.Explicit, matched, x.Missing, x.BoundaryAllows)
		}
	}
}
