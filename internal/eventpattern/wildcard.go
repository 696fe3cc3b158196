package eventpattern

import (
	"strconv"
	"strings"
)

// wildcard is a compiled {"wildcard": "..."} value: literal parts that a
// '*' separates. A pattern without '*' has one part and must equal the
// value; "a*" has parts "a" and "".
type wildcard struct {
	parts []string
}

// parseWildcard compiles an EventBridge wildcard. AWS's rules: '*' matches
// any run of characters, including none; two '*' in a row are refused;
// "\*" is a literal asterisk and "\\" a literal backslash; a backslash
// before anything else is refused. AWS reports positions as byte offsets
// counted from an opening quote it puts before the value, so the first
// character of the value is at position 1.
func parseWildcard(s string) (wildcard, string) {
	var w wildcard
	var part strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return wildcard{}, "Consecutive wildcard characters at pos " + strconv.Itoa(i+1)
			}
			w.parts = append(w.parts, part.String())
			part.Reset()
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				part.WriteByte(s[i+1])
				i++
				continue
			}
			return wildcard{}, "Invalid escape character at pos " + strconv.Itoa(i+1)
		default:
			part.WriteByte(s[i])
		}
	}
	w.parts = append(w.parts, part.String())
	return w, ""
}

// match reports whether s matches the wildcard. The first part anchors
// the start, the last anchors the end, and the parts between are found
// leftmost-first, which is enough because '*' is the only metacharacter.
func (w wildcard) match(s string) bool {
	if len(w.parts) == 1 {
		return s == w.parts[0]
	}
	first, last := w.parts[0], w.parts[len(w.parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	middle := s[len(first) : len(s)-len(last)]
	for _, p := range w.parts[1 : len(w.parts)-1] {
		i := strings.Index(middle, p)
		if i < 0 {
			return false
		}
		middle = middle[i+len(p):]
	}
	return true
}
