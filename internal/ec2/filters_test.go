package ec2

import "testing"

// TestFilterWildcards: filter values take * for any characters and ? for
// one, a backslash makes the character after it literal ("\*amazon\?\\"
// is the string *amazon?\), and case counts, as EC2 documents.
func TestFilterWildcards(t *testing.T) {
	t.Parallel()
	tags := map[string]string{"Name": `*amazon?\`, "env": "Prod-1"}
	none := func(string) ([]string, bool) { return nil, false }
	for _, c := range []struct {
		name, value string
		want        bool
	}{
		{"tag:Name", `\*amazon\?\\`, true},
		{"tag:Name", `?amazon??`, true},
		{"tag:Name", `\*amazon\?`, false},
		{"tag:Name", `\?amazon*`, false},
		{"tag:env", "Prod-?", true},
		{"tag:env", "prod-*", false},
		{"tag-key", "e*", true},
		{"tag-value", "*-1", true},
	} {
		got, err := matches([]Filter{{Name: &c.name, Values: []string{c.value}}}, tags, none)
		if err != nil || got != c.want {
			t.Errorf("%s=%s: %v, %v, want %v", c.name, c.value, got, err, c.want)
		}
	}
}
