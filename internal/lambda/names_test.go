package lambda

import (
	"testing"
)

func TestParseTarget(t *testing.T) {
	t.Parallel()
	s := &Service{account: testAccount, region: testRegion}
	q := func(v string) *string { return &v }
	for _, tc := range []struct {
		name      string
		qualifier *string
		want      target
		err       string
	}{
		{name: "f", want: target{Name: "f"}},
		{name: "f:1", want: target{Name: "f", Qualifier: "1"}},
		{name: "f", qualifier: q("$LATEST"), want: target{Name: "f", Qualifier: "$LATEST"}},
		{name: "f:live", qualifier: q("live"), want: target{Name: "f", Qualifier: "live"}},
		{name: "000000000000:function:f", want: target{Name: "f"}},
		{name: "000000000000:function:f:2", want: target{Name: "f", Qualifier: "2"}},
		{name: "arn:aws:lambda:us-east-1:000000000000:function:f", want: target{Name: "f"}},
		{name: "arn:aws:lambda:us-east-1:000000000000:function:f:prod", want: target{Name: "f", Qualifier: "prod"}},
		{name: "f:1", qualifier: q("2"), err: "InvalidParameterValueException: The derived qualifier from the function name does not match the specified qualifier."},
		{name: "arn:aws:lambda:eu-west-1:000000000000:function:f", err: "ResourceNotFoundException: Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"},
		{name: "111111111111:function:f", err: "lambda: arn:aws:lambda:us-east-1:111111111111:function:f is in another account"},
		{name: "111111111111:function:f:2", err: "lambda: arn:aws:lambda:us-east-1:111111111111:function:f:2 is in another account"},
		{name: "arn:aws:lambda:us-east-1:111111111111:function:f", qualifier: q("live"),
			err: "lambda: arn:aws:lambda:us-east-1:111111111111:function:f:live is in another account"},
		{name: "f:", err: "InvalidParameterValueException: Invalid function name: f:"},
		{name: "a:b:c", err: "InvalidParameterValueException: Invalid function name: a:b:c"},
	} {
		got, err := s.parseTarget(tc.name, tc.qualifier)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("parseTarget(%q) error = %v, want %s", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseTarget(%q, %v) = %+v, %v; want %+v", tc.name, tc.qualifier, got, err, tc.want)
		}
	}
	for arn, want := range map[string]bool{
		"arn:aws:lambda:us-east-1:000000000000:layer:l:3":  true,
		"arn:aws:lambda:us-east-1:000000000000:layer:l:":   false,
		"arn:aws:lambda:us-east-1:000000000000:layer:l:x":  false,
		"arn:aws:lambda:us-west-2:000000000000:layer:l:3":  false,
		"arn:aws:lambda:us-east-1:000000000000:function:f": false,
	} {
		name, n, ok := s.parseLayerVersionARN(arn)
		if ok != want || ok && (name != "l" || n != 3) {
			t.Errorf("parseLayerVersionARN(%s) = %s %d %v", arn, name, n, ok)
		}
	}
}
