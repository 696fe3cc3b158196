package logs

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/wildcard"
)

// Filter patterns, as CloudWatch Logs' documentation defines them:
//
//	ERROR Exception          every term must appear
//	"connection refused"     a quoted phrase is one term
//	?ERROR ?WARN             any one of the ?-terms
//	ERROR -Retrying          a -term must not appear
//	{ $.level = "error" && $.latency > 100 }
//	                         JSON: =, !=, <, <=, >, >= on fields, && and ||,
//	                         parentheses, IS NULL, IS TRUE, IS FALSE, NOT EXISTS,
//	                         * wildcards; "$.field = *" matches any value
//
// Matching is case-sensitive. An empty pattern matches every event.
// Regular expressions (%...%) and space-delimited patterns ([ip, user,
// ...]) are in filter_delimited.go. A JSON pattern compares a string
// field with a regular expression as { $.message = %refused|timed out% },
// a space-delimited one a field as [ip=%^10\.%, ...].

// maxPatternRegexes is how many regular expressions one JSON or
// space-delimited pattern may hold: "There is a limit of 2 regex for each
// filter pattern when creating a delimited or JSON filter pattern".
const maxPatternRegexes = 2

var errTooManyRegexes = fmt.Errorf("more than %d regular expressions in one pattern", maxPatternRegexes)

// FilterPattern is a parsed filter pattern.
type FilterPattern struct {
	all, any, none []string
	json           jsonExpr
	regex          *regexp.Regexp
	delimited      *delimitedPattern
}

// ParseFilterPattern parses a filter pattern.
func ParseFilterPattern(s string) (*FilterPattern, error) {
	s = strings.TrimSpace(s)
	p := &FilterPattern{}
	switch {
	case s == "":
		return p, nil
	case strings.HasPrefix(s, "{"):
		if !strings.HasSuffix(s, "}") {
			return nil, errors.New("unterminated JSON pattern")
		}
		jp := &jsonParser{toks: tokenizeJSONPattern(s[1 : len(s)-1])}
		regexes := 0
		for _, t := range jp.toks {
			if strings.HasPrefix(t, "%") {
				regexes++
			}
		}
		if regexes > maxPatternRegexes {
			return nil, errTooManyRegexes
		}
		e, err := jp.or()
		if err != nil {
			return nil, err
		}
		if jp.i != len(jp.toks) {
			return nil, fmt.Errorf("unexpected %q", jp.toks[jp.i])
		}
		p.json = e
		return p, nil
	case strings.HasPrefix(s, "["):
		d, err := parseDelimitedPattern(s)
		if err != nil {
			return nil, err
		}
		if d.regexes() > maxPatternRegexes {
			return nil, errTooManyRegexes
		}
		p.delimited = d
		return p, nil
	case len(s) >= 2 && s[0] == '%' && s[len(s)-1] == '%':
		re, err := parseRegexPattern(s)
		if err != nil {
			return nil, err
		}
		p.regex = re
		return p, nil
	}
	for _, t := range splitTerms(s) {
		switch {
		case strings.HasPrefix(t, "?") && len(t) > 1:
			p.any = append(p.any, unquote(t[1:]))
		case strings.HasPrefix(t, "-") && len(t) > 1:
			p.none = append(p.none, unquote(t[1:]))
		default:
			p.all = append(p.all, unquote(t))
		}
	}
	return p, nil
}

// splitTerms splits on spaces outside double quotes.
func splitTerms(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func unquote(t string) string {
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return t[1 : len(t)-1]
	}
	return t
}

// Match reports whether a message matches.
func (p *FilterPattern) Match(msg string) bool {
	if p.regex != nil {
		return p.regex.MatchString(msg)
	}
	if p.delimited != nil {
		return p.delimited.match(msg)
	}
	if p.json != nil {
		var doc any
		if json.Unmarshal([]byte(msg), &doc) != nil {
			return false
		}
		return p.json.eval(doc)
	}
	for _, t := range p.all {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range p.none {
		if strings.Contains(msg, t) {
			return false
		}
	}
	if len(p.any) > 0 {
		for _, t := range p.any {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}
	return true
}

// ExtractedFields returns the named fields of a message matched by a
// space-delimited pattern, by name, as subscription filters deliver them;
// nil for other patterns and for messages that do not match.
func (p *FilterPattern) ExtractedFields(msg string) map[string]string {
	if p.delimited == nil {
		return nil
	}
	return p.delimited.extract(msg)
}

type jsonExpr interface{ eval(doc any) bool }

type jsonAnd struct{ l, r jsonExpr }
type jsonOr struct{ l, r jsonExpr }
type jsonCmp struct {
	path  []string
	op    string // = != < <= > >= null notexists is (IS TRUE/FALSE)
	value string
	isStr bool
	re    *regexp.Regexp // = %regex% and != %regex% on string values
}

func (e jsonAnd) eval(d any) bool { return e.l.eval(d) && e.r.eval(d) }
func (e jsonOr) eval(d any) bool  { return e.l.eval(d) || e.r.eval(d) }

func (e jsonCmp) eval(d any) bool {
	v, found := lookupJSON(d, e.path)
	switch e.op {
	case "notexists":
		return !found
	case "null":
		return found && v == nil
	case "is":
		b, ok := v.(bool)
		return found && ok && strconv.FormatBool(b) == e.value
	}
	if !found {
		return false
	}
	if e.op == "=" && e.value == "*" {
		return true // "$.field = *" says only that the field exists
	}
	switch x := v.(type) {
	case string:
		if e.re != nil {
			return e.re.MatchString(x) == (e.op == "=")
		}
		if e.op != "=" && e.op != "!=" {
			return false
		}
		// '*' is the only wildcard in a JSON string value: it spans any
		// run of characters, '/' included, and '?' and '[' are literal.
		return wildcard.Match(e.value, x, 0) == (e.op == "=")
	case float64:
		want, err := strconv.ParseFloat(e.value, 64)
		if err != nil || e.isStr {
			return e.op == "!="
		}
		switch e.op {
		case "=":
			return x == want
		case "!=":
			return x != want
		case "<":
			return x < want
		case "<=":
			return x <= want
		case ">":
			return x > want
		case ">=":
			return x >= want
		}
	case bool:
		b := strconv.FormatBool(x)
		if e.op == "=" {
			return b == e.value
		}
		if e.op == "!=" {
			return b != e.value
		}
	}
	return false
}

// lookupJSON follows $.a.b[0] in a decoded document.
func lookupJSON(d any, p []string) (any, bool) {
	cur := d
	for _, seg := range p {
		if i, err := strconv.Atoi(seg); err == nil {
			arr, ok := cur.([]any)
			if !ok || i < 0 || i >= len(arr) {
				return nil, false
			}
			cur = arr[i]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func tokenizeJSONPattern(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case strings.HasPrefix(s[i:], "&&") || strings.HasPrefix(s[i:], "||") ||
			strings.HasPrefix(s[i:], "!=") || strings.HasPrefix(s[i:], "<=") || strings.HasPrefix(s[i:], ">="):
			toks = append(toks, s[i:i+2])
			i += 2
		case c == '=' || c == '<' || c == '>':
			toks = append(toks, string(c))
			i++
		case c == '%':
			// A regular expression runs to the next %, spaces and all.
			j := strings.IndexByte(s[i+1:], '%')
			if j < 0 {
				toks = append(toks, s[i:])
				return toks
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				j++
			}
			toks = append(toks, s[i:min(j+1, len(s))])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t()=<>!&|", rune(s[j])) {
				j++
			}
			if j == i {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

// parseSelector splits a JSON selector ($.a.b[0]) into its path.
func parseSelector(sel string) ([]string, error) {
	var segs []string
	for _, part := range strings.Split(strings.TrimPrefix(strings.TrimPrefix(sel, "$"), "."), ".") {
		for part != "" {
			if i := strings.IndexByte(part, '['); i >= 0 {
				if i > 0 {
					segs = append(segs, part[:i])
				}
				j := strings.IndexByte(part, ']')
				if j < i {
					return nil, errors.New("bad index")
				}
				segs = append(segs, part[i+1:j])
				part = part[j+1:]
				continue
			}
			segs = append(segs, part)
			part = ""
		}
	}
	return segs, nil
}

type jsonParser struct {
	toks []string
	i    int
}

func (p *jsonParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *jsonParser) next() string {
	t := p.peek()
	p.i++
	return t
}

func (p *jsonParser) or() (jsonExpr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek() == "||" {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = jsonOr{l, r}
	}
	return l, nil
}

func (p *jsonParser) and() (jsonExpr, error) {
	l, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.peek() == "&&" {
		p.next()
		r, err := p.primary()
		if err != nil {
			return nil, err
		}
		l = jsonAnd{l, r}
	}
	return l, nil
}

func (p *jsonParser) primary() (jsonExpr, error) {
	if p.peek() == "(" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, errors.New("missing )")
		}
		return e, nil
	}
	sel := p.next()
	if !strings.HasPrefix(sel, "$") {
		return nil, fmt.Errorf("expected a $ selector, got %q", sel)
	}
	segs, err := parseSelector(sel)
	if err != nil {
		return nil, err
	}
	op := p.next()
	switch strings.ToUpper(op) {
	case "IS":
		switch w := strings.ToUpper(p.next()); w {
		case "NULL":
			return jsonCmp{path: segs, op: "null"}, nil
		case "TRUE", "FALSE":
			return jsonCmp{path: segs, op: "is", value: strings.ToLower(w)}, nil
		}
		return nil, errors.New("expected NULL, TRUE or FALSE")
	case "NOT":
		if strings.ToUpper(p.next()) != "EXISTS" {
			return nil, errors.New("expected EXISTS")
		}
		return jsonCmp{path: segs, op: "notexists"}, nil
	case "=", "!=", "<", "<=", ">", ">=":
	default:
		return nil, fmt.Errorf("unexpected operator %q", op)
	}
	v := p.next()
	if v == "" {
		return nil, errors.New("missing value")
	}
	c := jsonCmp{path: segs, op: op, value: v}
	if v[0] == '%' {
		if c.re, err = parseRegexOperand(op, v); err != nil {
			return nil, err
		}
		return c, nil
	}
	if len(v) >= 2 && v[0] == '"' {
		c.value, c.isStr = v[1:len(v)-1], true
	}
	return c, nil
}
