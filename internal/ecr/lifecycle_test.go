package ecr

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseLifecyclePolicy(t *testing.T) {
	t.Parallel()
	rule := func(p int, sel string) string {
		return fmt.Sprintf(`{"rulePriority":%d,"selection":%s,"action":{"type":"expire"}}`, p, sel)
	}
	policy := func(rules ...string) string { return `{"rules":[` + strings.Join(rules, ",") + `]}` }
	untagged := `{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14}`
	prod := `{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":3}`
	anySel := `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":100}`
	for _, tc := range []struct {
		name, text, err string
	}{
		{"valid", policy(rule(1, untagged), rule(2, prod), rule(10, anySel)), ""},
		{"not JSON", `{"rules":`, "not valid JSON"},
		{"no rules", `{"rules":[]}`, "no rules"},
		{"duplicate priority", policy(rule(1, untagged), rule(1, prod)), "more than one rule"},
		{"any not last", policy(rule(5, anySel), rule(6, prod)), "highest rulePriority"},
		{"two untagged", policy(rule(1, untagged), rule(2, untagged)), "only one rule"},
		{"tagged without prefixes", policy(rule(1, `{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1}`)), "needs a tagPrefixList"},
		{"untagged with prefixes", policy(rule(1, `{"tagStatus":"untagged","tagPrefixList":["x"],"countType":"imageCountMoreThan","countNumber":1}`)), "cannot have"},
		{"days without unit", policy(rule(1, `{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":1}`)), "countUnit days"},
		{"unit with a count", policy(rule(1, `{"tagStatus":"untagged","countType":"imageCountMoreThan","countUnit":"days","countNumber":1}`)), "countUnit is only"},
		{"four wildcards", policy(rule(1, `{"tagStatus":"tagged","tagPatternList":["*test*1*2*3","test*1*2*3*"],"countType":"imageCountMoreThan","countNumber":1}`)), ""},
		{"five wildcards", policy(rule(1, `{"tagStatus":"tagged","tagPatternList":["test*1*2*3*4*5*6"],"countType":"imageCountMoreThan","countNumber":1}`)), "more than 4 wildcards"},
		{"zero count", policy(rule(1, `{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":0}`)), "positive integer"},
	} {
		_, err := parseLifecyclePolicy(tc.text)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
}

// TestLifecycleExpired follows the user guide's evaluation rules: rules
// apply by priority, an image matched by a higher-priority rule is never
// expired by a lower one but still counts for it, older images go first.
func TestLifecycleExpired(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	day := func(d int) int64 { return now.AddDate(0, 0, -d).UnixMilli() }
	images := []*image{
		{Digest: "prod-new", Tags: []string{"prod-3"}, Pushed: day(1)},
		{Digest: "prod-mid", Tags: []string{"prod-2", "stable"}, Pushed: day(5)},
		{Digest: "prod-old", Tags: []string{"prod-1"}, Pushed: day(30)},
		{Digest: "dev-new", Tags: []string{"dev-2"}, Pushed: day(2)},
		{Digest: "dev-old", Tags: []string{"dev-1"}, Pushed: day(20)},
		{Digest: "untagged-new", Pushed: day(3)},
		{Digest: "untagged-old", Pushed: day(40)},
	}
	rules, err := parseLifecyclePolicy(`{"rules":[
		{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}},
		{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},
		{"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":4},"action":{"type":"expire"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	got := expired(rules, images, now)
	slices.Sort(got)
	// Rule 1 keeps two prod images and expires prod-old. Rule 2 expires
	// untagged-old. Rule 3 counts all seven, youngest first (prod-new,
	// dev-new, untagged-new, prod-mid | dev-old, prod-old, untagged-old)
	// and may expire only what the first two did not match: dev-old.
	want := []string{"dev-old", "prod-old", "untagged-old"}
	if !slices.Equal(got, want) {
		t.Errorf("expired %v, want %v", got, want)
	}
	patterns, _ := parseLifecyclePolicy(`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["prod-*","*able"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`)
	if got := expired(patterns, images, now); len(got) != 0 {
		t.Errorf("a pattern list only prod-mid matches expired %v", got)
	}
	// Only * is special in a tag pattern: ? is itself.
	rules, err = parseLifecyclePolicy(`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["v1.*-rc?"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !rules[0].matches(&image{Tags: []string{"v1.2-rc?"}}) || rules[0].matches(&image{Tags: []string{"v1.2-rc1"}}) {
		t.Errorf("the tag pattern v1.*-rc? treats ? as a wildcard")
	}
}
