package apigateway

import "testing"

func TestRestAPIPolicyEvaluation(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/pets/42"
	cases := []struct {
		name, doc string
		want      decision
	}{
		{"allow exact", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}]}`, allow},
		{"allow wildcard stage", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123defg/*/GET/*"}]}`, allow},
		{"allow everything", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, allow},
		{"action lists and case", `{"Statement":[{"Effect":"Allow","Action":["s3:Get*","EXECUTE-API:*"],"Resource":["x","arn:aws:execute-api:*"]}]}`, allow},
		{"other method", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/POST/*"}]}`, implicitDeny},
		{"question mark", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/pets/4?"}]}`, allow},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/*/GET/pets/*"}]}`, explicitDeny},
		{"deny elsewhere", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/*/DELETE/*"}]}`, allow},
		{"not resource", `{"Statement":[{"Effect":"Deny","Action":"*","NotResource":"arn:aws:execute-api:*:*:*/*/GET/*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`, allow},
		{"not action", `{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`, allow},
		{"other action", `{"Statement":[{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}]}`, implicitDeny},
	}
	for _, c := range cases {
		p, err := parsePolicy([]byte(c.doc))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := p.evaluate(arn); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	for _, bad := range []string{`{}`, `{"Statement":[]}`, `{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`, `[1]`, `{"Statement":[{"Effect":"Allow","Action":{"a":1}}]}`} {
		if _, err := parsePolicy([]byte(bad)); err == nil {
			t.Errorf("parsePolicy(%s) accepted it", bad)
		}
	}
}

// TestExpandPolicy: a saved resource policy has its short resources,
// execute-api:/..., as the API's full ARNs, in Resource and NotResource
// and one statement or several; others are kept as written.
func TestExpandPolicy(t *testing.T) {
	s := &Service{region: "eu-west-1", account: "123456789012"}
	const arn = "arn:aws:execute-api:eu-west-1:123456789012:abc/"
	for in, want := range map[string]string{
		`{"Statement":{"Effect":"Allow","Resource":"execute-api:/*"}}`: `{"Statement":{"Effect":"Allow","Resource":"` + arn + `*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Resource":["execute-api:/prod/GET/x","arn:aws:execute-api:*:*:other/*"]},{"Effect":"Allow","NotResource":"execute-api:/*/POST/*"}]}`: `{"Statement":[{"Effect":"Deny","Resource":["` + arn + `prod/GET/x","arn:aws:execute-api:*:*:other/*"]},{"Effect":"Allow","NotResource":"` + arn + `*/POST/*"}],"Version":"2012-10-17"}`,
		`{"Statement":[{"Effect":"Allow","Resource":"arn:aws:execute-api:*:*:abc/*"}]}`:                                                                                                              `{"Statement":[{"Effect":"Allow","Resource":"arn:aws:execute-api:*:*:abc/*"}]}`,
		`not json execute-api:/`: `not json execute-api:/`,
		``:                       ``,
	} {
		if got := s.expandPolicy(in, "abc"); got != want {
			t.Errorf("expandPolicy(%s)\n got: %s\nwant: %s", in, got, want)
		}
	}
}
