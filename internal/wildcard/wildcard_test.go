package wildcard

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestMatch covers each caller's syntax: EC2 filters (Question|Escape),
// ELBv2 rule conditions (Question, FoldCase for hosts), IAM-style
// policies (Question, FoldCase for actions) and ECR tag patterns (none).
func TestMatch(t *testing.T) {
	t.Parallel()
	const (
		ec2    = Question | Escape
		host   = Question | FoldCase
		path   = Question
		action = Question | FoldCase
		ecr    = Flags(0)
	)
	tests := []struct {
		pattern, s string
		f          Flags
		want       bool
	}{
		// '*' everywhere: any run, none included.
		{"", "", ecr, true},
		{"", "a", ecr, false},
		{"*", "", ecr, true},
		{"*", "anything at all", ecr, true},
		{"prod*", "prod", ecr, true},
		{"prod*", "prod-1", ecr, true},
		{"prod*", "dev-prod", ecr, false},
		{"*prod*", "dev-prod-1", ecr, true},
		{"a*b*c", "abc", ecr, true},
		{"a*b*c", "aXbYc", ecr, true},
		{"a*b*c", "acb", ecr, false},
		{"**", "x", ecr, true},
		{"*a*a*a*a*b", strings.Repeat("a", 40), ecr, false},
		{"*a*a*a*a*b", strings.Repeat("a", 40) + "b", ecr, true},
		// ECR: '?', '[' and '\' are themselves; '/' is not special.
		{"v1.?", "v1.2", ecr, false},
		{"v1.?", "v1.?", ecr, true},
		{"[a]*", "[a]1", ecr, true},
		{`a\*`, `a\b`, ecr, true},
		{"a*c", "a/b/c", ecr, true},
		// EC2: '?' is one character; '\' escapes; case counts.
		{"i-?", "i-1", ec2, true},
		{"i-?", "i-", ec2, false},
		{"i-?", "i-12", ec2, false},
		{`\*amazon\?\\`, `*amazon?\`, ec2, true},
		{`\*amazon\?\\`, `xamazony\`, ec2, false},
		{`\a`, "a", ec2, true},
		{`web\`, `web\`, ec2, true},
		{`*\*`, "a*", ec2, true},
		{`*\*`, "a", ec2, false},
		{"Web*", "web-1", ec2, false},
		// A character is a code point.
		{"caf?", "café", ec2, true},
		{"?", "é", ec2, true},
		{"??", "é", ec2, false},
		{"\xff", "\xff", ecr, true},
		{"\xff", "\uFFFD", ecr, false},
		{"?", "\xff", path, true},
		// ELBv2: hosts fold case, paths do not.
		{"*.Example.COM", "api.example.com", host, true},
		{"?.example.com", "a.example.com", host, true},
		{"?.example.com", "ab.example.com", host, false},
		{"/Img/*", "/img/a.png", path, false},
		{"/img/*", "/img/a/b.png", path, true},
		{"ÉTÉ", "été", host, true},
		// Policies: actions fold case, resources do not.
		{"execute-api:*", "Execute-API:Invoke", action, true},
		{"arn:aws:execute-api:*:*:abc/*/GET/*", "arn:aws:execute-api:us-east-1:123:abc/prod/GET/pets", path, true},
		{"arn:aws:execute-api:*:*:abc/*/GET/*", "arn:aws:execute-api:us-east-1:123:abc/prod/get/pets", path, false},
		{"arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-1", path, true},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.s, tt.f); got != tt.want {
			t.Errorf("Match(%q, %q, %03b) = %v, want %v", tt.pattern, tt.s, tt.f, got, tt.want)
		}
	}
}

// TestMatchWork: patterns that make a backtracking matcher take
// exponential time take Match time linear in the subject. Work is
// counted in iterations, not timed.
func TestMatchWork(t *testing.T) {
	t.Parallel()
	for _, n := range []int{100, 1000, 10000} {
		s := strings.Repeat("a", n)
		for _, p := range []string{"*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*b", "a*a*a*a*a*?b"} {
			steps := 0
			if match(p, s, Question, &steps) {
				t.Errorf("%s matched %d a's", p, n)
			}
			if limit := 2*n + len(p); steps > limit {
				t.Errorf("%s against %d a's: %d steps, want at most %d", p, n, steps, limit)
			}
		}
	}
}

// reference is Match by way of a regular expression built from the
// pattern, for patterns and subjects that are valid UTF-8.
func reference(t *testing.T, pattern, s string, f Flags) bool {
	var b strings.Builder
	b.WriteString("(?s)")
	if f&FoldCase != 0 {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	rs := []rune(pattern)
	for k := 0; k < len(rs); k++ {
		switch c := rs[k]; {
		case c == '*':
			b.WriteString(".*")
		case c == '?' && f&Question != 0:
			b.WriteString(".")
		case c == '\\' && f&Escape != 0 && k+1 < len(rs):
			k++
			b.WriteString(regexp.QuoteMeta(string(rs[k])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		t.Fatalf("reference for %q: %v", pattern, err)
	}
	return re.MatchString(s)
}

// FuzzMatch checks Match against the regular expression reference, and
// that it never panics and stays within O(len(pattern)·len(s)) steps on
// any input, valid UTF-8 or not.
func FuzzMatch(f *testing.F) {
	seeds := []struct {
		pattern, s string
		flags      uint8
	}{
		{"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
		{`\*amazon\?\\`, `*amazon?\`, uint8(Question | Escape)},
		{"*.Example.COM", "api.example.com", uint8(Question | FoldCase)},
		{"caf?", "café", uint8(Question)},
		{`web\`, `web\`, uint8(Escape)},
		{"\xff*", "\xff\xfe", uint8(Question)},
		{"K*", "\u212a", uint8(FoldCase)},
		{"prod*", "prod-1", 0},
		{"\x80", "\xe1", uint8(Question)},
		{"*", "*0000000", uint8(Question)},
		{"***?", "", uint8(Question)},
		{"arn:*:GET/*", "arn:aws:execute-api:x/prod/GET/a/b", uint8(Question)},
	}
	for _, sd := range seeds {
		f.Add(sd.pattern, sd.s, sd.flags)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, flags uint8) {
		// AWS caps patterns at a few hundred characters; longer inputs
		// only spend the fuzzer's time on the O(len(pattern)·len(s))
		// worst case the step bound already checks.
		if len(pattern) > 512 || len(s) > 2048 {
			return
		}
		fl := Flags(flags) & (Question | Escape | FoldCase)
		steps := 0
		got := match(pattern, s, fl, &steps)
		if limit := (len(pattern) + 1) * (len(s) + 1); steps > limit {
			t.Errorf("Match(%q, %q, %03b): %d steps, over %d", pattern, s, fl, steps, limit)
		}
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		if want := reference(t, pattern, s, fl); got != want {
			t.Errorf("Match(%q, %q, %03b) = %v, reference says %v", pattern, s, fl, got, want)
		}
	})
}
