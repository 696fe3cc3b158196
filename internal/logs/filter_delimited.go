package logs

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/wildcard"
)

// Two further forms of filter pattern, as CloudWatch Logs' documentation
// defines them:
//
//	%ERROR|WARN%               a regular expression, searched for in the
//	                           message (the whole pattern, between % signs)
//	[ip, user, ..., status=5*, bytes>1000]
//	                           space-delimited: the message is cut into
//	                           fields at spaces and tabs ("quoted" and
//	                           [bracketed] fields are one field each), and
//	                           fields are matched by position; ... stands for
//	                           any number of fields; conditions are =, != with
//	                           * wildcards or a %regular expression%, and
//	                           =, !=, <, <=, >, >= on numbers, joined with
//	                           && and || per field

// regexSymbols are the characters besides letters and digits a filter
// pattern's regular expression may hold: the symbols ":_#=@/;,-" and
// the operators "^$?[]{}|\*+." the documentation lists, and the space,
// which it does not list but phrases need. Parentheses are not
// supported, nor multibyte characters ("%something!% is rejected").
const regexSymbols = ":_#=@/;,-^$?[]{}|\\*+. "

// parseRegexPattern compiles %regex%.
func parseRegexPattern(s string) (*regexp.Regexp, error) {
	body := s[1 : len(s)-1]
	if body == "" {
		return nil, errors.New("empty regular expression")
	}
	for _, r := range body {
		ok := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(regexSymbols, r))
		if !ok {
			return nil, fmt.Errorf("%q is not allowed in a filter pattern's regular expression", r)
		}
	}
	return regexp.Compile(body)
}

// parseRegexOperand compiles the %regex% a JSON or space-delimited
// comparison with op compares against.
func parseRegexOperand(op, v string) (*regexp.Regexp, error) {
	if op != "=" && op != "!=" || len(v) < 2 || v[len(v)-1] != '%' {
		return nil, errors.New("a regular expression needs = or != and a closing %")
	}
	return parseRegexPattern(v)
}

// delimitedPattern is a parsed [field, ...] pattern.
type delimitedPattern struct {
	fields []delimitedField
}

// delimitedField is one position of a space-delimited pattern: the
// ellipsis, or a named field with conditions (any, in alternatives, all
// of whose conditions must hold; none means any value).
type delimitedField struct {
	ellipsis bool
	name     string // the field's name, reported in extractedFields
	any      [][]fieldCond
}

// regexes counts the pattern's regular expressions.
func (p *delimitedPattern) regexes() int {
	n := 0
	for _, f := range p.fields {
		for _, all := range f.any {
			for _, c := range all {
				if c.re != nil {
					n++
				}
			}
		}
	}
	return n
}

// fieldCond is one condition on a field's value.
type fieldCond struct {
	op    string // = != < <= > >=
	value string
	re    *regexp.Regexp // = %regex% and != %regex%, searched for in the value
}

// parseDelimitedPattern parses [field, field=value, ...].
func parseDelimitedPattern(s string) (*delimitedPattern, error) {
	if !strings.HasSuffix(s, "]") {
		return nil, errors.New("unterminated space-delimited pattern")
	}
	body := strings.TrimSpace(s[1 : len(s)-1])
	if body == "" {
		return nil, errors.New("empty space-delimited pattern")
	}
	p := &delimitedPattern{}
	for _, part := range splitOutsideQuotes(body, ",") {
		part = strings.TrimSpace(part)
		if part == "..." {
			p.fields = append(p.fields, delimitedField{ellipsis: true})
			continue
		}
		var f delimitedField
		for _, alt := range splitOutsideQuotes(part, "||") {
			var all []fieldCond
			for _, c := range splitOutsideQuotes(alt, "&&") {
				cond, named, err := parseFieldCond(strings.TrimSpace(c))
				if err != nil {
					return nil, err
				}
				if f.name == "" {
					f.name = fieldName(c)
				}
				if named {
					all = append(all, cond)
				}
			}
			if len(all) > 0 {
				f.any = append(f.any, all)
			}
		}
		p.fields = append(p.fields, f)
	}
	return p, nil
}

// parseFieldCond parses name, or name OP value; named is false for a bare
// name (a field without condition).
func parseFieldCond(s string) (c fieldCond, named bool, err error) {
	i := strings.IndexAny(s, "=!<>")
	if i < 0 {
		if !validFieldName(s) {
			return c, false, fmt.Errorf("bad field name %q", s)
		}
		return c, false, nil
	}
	name, rest := strings.TrimSpace(s[:i]), s[i:]
	if !validFieldName(name) {
		return c, false, fmt.Errorf("bad field name %q", name)
	}
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			c.op = op
			c.value = strings.TrimSpace(rest[len(op):])
			break
		}
	}
	if c.op == "" || c.value == "" {
		return c, false, fmt.Errorf("bad condition %q", s)
	}
	if c.value[0] == '%' {
		c.re, err = parseRegexOperand(c.op, c.value)
		return c, err == nil, err
	}
	if len(c.value) >= 2 && c.value[0] == '"' && c.value[len(c.value)-1] == '"' {
		c.value = c.value[1 : len(c.value)-1]
	}
	if c.op != "=" && c.op != "!=" {
		if _, err := strconv.ParseFloat(c.value, 64); err != nil {
			return c, false, fmt.Errorf("%s needs a number, got %q", c.op, c.value)
		}
	}
	return c, true, nil
}

// fieldName is the name a field condition (name, or name OP value)
// is about.
func fieldName(c string) string {
	c = strings.TrimSpace(c)
	if i := strings.IndexAny(c, "=!<>"); i >= 0 {
		c = c[:i]
	}
	return strings.TrimSpace(c)
}

func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// splitOutsideQuotes splits s at sep where sep is not inside double
// quotes or a =%regular expression% (which may hold commas and |).
func splitOutsideQuotes(s, sep string) []string {
	var out []string
	var inside byte // the " or % that opened what i is inside, or 0
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case inside != 0:
			if s[i] == inside {
				inside = 0
			}
		case s[i] == '"' || s[i] == '%' && strings.HasSuffix(strings.TrimRight(s[:i], " "), "="):
			inside = s[i]
		case strings.HasPrefix(s[i:], sep):
			out = append(out, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, s[start:])
}

// messageFields cuts a message into the fields a space-delimited pattern
// matches: runs of spaces and tabs separate them; a field in double
// quotes or square brackets is one field, without them.
func messageFields(msg string) []string {
	var out []string
	for i := 0; i < len(msg); {
		switch c := msg[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '"' || c == '[':
			end := byte('"')
			if c == '[' {
				end = ']'
			}
			j := strings.IndexByte(msg[i+1:], end)
			if j < 0 {
				out = append(out, msg[i:])
				return out
			}
			out = append(out, msg[i+1:i+1+j])
			i += j + 2
		default:
			j := i
			for j < len(msg) && !strings.ContainsRune(" \t\r\n", rune(msg[j])) {
				j++
			}
			out = append(out, msg[i:j])
			i = j
		}
	}
	return out
}

// match reports whether a message's fields match the pattern.
func (p *delimitedPattern) match(msg string) bool {
	return matchFields(p.fields, messageFields(msg))
}

// extract returns the message's value of each named field, as
// subscription filters report them (extractedFields), or nil when the
// message does not match. With several ellipses, each takes as few
// values as it can.
func (p *delimitedPattern) extract(msg string) map[string]string {
	vals := messageFields(msg)
	tab := matchTable(p.fields, vals)
	if !tab[0][0] {
		return nil
	}
	out := map[string]string{}
	j := 0
	for i, f := range p.fields {
		if f.ellipsis {
			for !tab[i+1][j] {
				j++
			}
			continue
		}
		out[f.name] = vals[j]
		j++
	}
	return out
}

// matchTable is matchFields' table kept whole: t[i][j] holds whether
// pat[i:] matches vals[j:].
func matchTable(pat []delimitedField, vals []string) [][]bool {
	t := make([][]bool, len(pat)+1)
	t[len(pat)] = make([]bool, len(vals)+1)
	t[len(pat)][len(vals)] = true
	for i := len(pat) - 1; i >= 0; i-- {
		ok, next := t[i+1], make([]bool, len(vals)+1)
		if pat[i].ellipsis {
			found := false
			for j := len(vals); j >= 0; j-- {
				found = found || ok[j]
				next[j] = found
			}
		} else {
			for j := len(vals) - 1; j >= 0; j-- {
				next[j] = ok[j+1] && pat[i].matches(vals[j])
			}
		}
		t[i] = next
	}
	return t
}

// matchFields reports whether vals match pat, where an ellipsis takes any
// number of values: a table over (pattern position, value position), so
// that patterns with several ellipses stay linear in each dimension.
func matchFields(pat []delimitedField, vals []string) bool {
	// ok[j] holds whether pat[i:] matches vals[j:], for the i at hand,
	// computed from the last pattern position backwards.
	ok := make([]bool, len(vals)+1)
	ok[len(vals)] = true
	for i := len(pat) - 1; i >= 0; i-- {
		next := make([]bool, len(vals)+1)
		if pat[i].ellipsis {
			// pat[i:] matches vals[j:] if pat[i+1:] matches some vals[k:], k >= j.
			found := false
			for j := len(vals); j >= 0; j-- {
				found = found || ok[j]
				next[j] = found
			}
		} else {
			for j := len(vals) - 1; j >= 0; j-- {
				next[j] = ok[j+1] && pat[i].matches(vals[j])
			}
		}
		ok = next
	}
	return ok[0]
}

func (f delimitedField) matches(v string) bool {
	if len(f.any) == 0 {
		return true
	}
	for _, all := range f.any {
		ok := true
		for _, c := range all {
			if !c.holds(v) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (c fieldCond) holds(v string) bool {
	if c.re != nil {
		return c.re.MatchString(v) == (c.op == "=")
	}
	want, wantErr := strconv.ParseFloat(c.value, 64)
	got, gotErr := strconv.ParseFloat(v, 64)
	numeric := wantErr == nil && gotErr == nil
	switch c.op {
	case "=", "!=":
		eq := false
		if numeric {
			eq = got == want
		} else {
			eq = wildcard.Match(c.value, v, 0)
		}
		return eq == (c.op == "=")
	}
	if !numeric {
		return false
	}
	switch c.op {
	case "<":
		return got < want
	case "<=":
		return got <= want
	case ">":
		return got > want
	case ">=":
		return got >= want
	}
	return false
}
