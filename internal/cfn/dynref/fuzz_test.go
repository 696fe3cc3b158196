package dynref

import (
	"strings"
	"testing"
)

// FuzzFind checks that the references Find returns are where it says,
// parse again to themselves, and that their fields come from the text.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"{{resolve:ssm:/a}}", "x{{resolve:ssm:/a:2}}y{{resolve:secretsmanager:s:SecretString:k}}",
		"{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:1:secret:n-abcdef:SecretString:k::v}}",
		"{{resolve:ssm-secure:/p}}", "{{resolve:", "}}{{", "{{resolve:ssm:{{resolve:ssm:/a}}}}", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		refs, spans, err := Find(s)
		if err != nil {
			return
		}
		if len(refs) != len(spans) {
			t.Fatalf("%d references, %d spans", len(refs), len(spans))
		}
		last := 0
		for i, r := range refs {
			sp := spans[i]
			if sp[0] < last || sp[1] > len(s) || s[sp[0]:sp[1]] != r.Text {
				t.Fatalf("%q: reference %d %q at %v", s, i, r.Text, sp)
			}
			last = sp[1]
			again, err := Parse(r.Text)
			if err != nil || again != r {
				t.Fatalf("%q reparsed to %+v, %v", r.Text, again, err)
			}
			for _, field := range []string{r.Name, r.SecretID, r.JSONKey, r.VersionStage, r.VersionID} {
				if !strings.Contains(r.Text, field) {
					t.Fatalf("%q: field %q is not in the text", r.Text, field)
				}
			}
		}
	})
}
