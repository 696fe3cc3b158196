package cloudwatch

import (
	"fmt"
	"strings"
	"unicode"
)

// SEARCH expressions ("CloudWatch search expression syntax", User
// Guide): SEARCH('{Namespace, DimensionName, ...} SearchTerm',
// 'Statistic', Period).
//
// The metric schema in braces keeps the metrics of that namespace whose
// dimension names are exactly those listed. The SearchTerm is words,
// "exact strings" and Property=value designators (MetricName,
// Namespace or a dimension name), joined by AND (or nothing), OR and
// NOT, with parentheses. A word matches when its tokens appear, in
// order and next to each other, among the tokens of the metric's
// namespace, name, dimension names or values; tokens are lowercase and
// split at non-alphanumeric characters, at lowercase-to-uppercase
// changes and where digits start, and the whole name without its
// non-alphanumeric characters is a token too. An exact string must
// equal one of them, with \ escaping " \ ( ). Unlike AWS, composite
// tokens are matched without regard to case.

// maxSearchLength is "The maximum search expression query size is 1024
// characters."
const maxSearchLength = 1024

// maxSearchSeries: a search expression "can return up to 500 time series".
const maxSearchSeries = 500

// searchQuery is a parsed search expression.
type searchQuery struct {
	namespace string
	dims      []string // nil without a schema
	schema    bool
	term      searchNode // nil without a SearchTerm
}

type searchNode interface{ match(sr *series) bool }

type searchAnd []searchNode
type searchOr []searchNode
type searchNot struct{ x searchNode }

// searchWord is a partial (exact false) or exact match, on one property
// (prop set) or on all.
type searchWord struct {
	prop  string
	text  string
	exact bool
}

func (a searchAnd) match(sr *series) bool {
	for _, n := range a {
		if !n.match(sr) {
			return false
		}
	}
	return true
}

func (o searchOr) match(sr *series) bool {
	for _, n := range o {
		if n.match(sr) {
			return true
		}
	}
	return false
}

func (n searchNot) match(sr *series) bool { return !n.x.match(sr) }

func (w searchWord) match(sr *series) bool {
	var props []string
	switch w.prop {
	case "":
		props = append(props, sr.Namespace, sr.Name)
		for _, d := range sr.Dims {
			props = append(props, d.Name, d.Value)
		}
	case "MetricName":
		props = []string{sr.Name}
	case "Namespace":
		props = []string{sr.Namespace}
	default:
		for _, d := range sr.Dims {
			if d.Name == w.prop {
				props = append(props, d.Value)
			}
		}
	}
	for _, p := range props {
		if w.exact && p == w.text || !w.exact && partialMatch(w.text, p) {
			return true
		}
	}
	return false
}

// searchTokens splits s as search does, without the whole-name token.
func searchTokens(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsDigit(r) && !unicode.IsDigit(prev):
				flush()
			case unicode.IsLetter(r) && unicode.IsDigit(prev):
				flush()
			case unicode.IsUpper(r) && unicode.IsLower(prev):
				flush()
			case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush() // SDBFailure: sdb, failure
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// partialMatch reports whether the term's tokens appear consecutively
// among the name's, or the term is the name's whole-name token.
func partialMatch(term, name string) bool {
	tt, nt := searchTokens(term), searchTokens(name)
	if len(tt) == 0 {
		return false
	}
	if strings.Join(tt, "") == strings.Join(nt, "") {
		return true
	}
	for i := 0; i+len(tt) <= len(nt); i++ {
		ok := true
		for j, t := range tt {
			if nt[i+j] != t {
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

func (q *searchQuery) match(sr *series) bool {
	if q.schema {
		if sr.Namespace != q.namespace || len(sr.Dims) != len(q.dims) {
			return false
		}
		for _, name := range q.dims {
			found := false
			for _, d := range sr.Dims {
				if d.Name == name {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return q.term == nil || q.term.match(sr)
}

// label names a series a search found: the values of its dimensions
// and its metric name. (unsourced: AWS does not document the labels of
// a search's results)
func (q *searchQuery) label(sr *series) string {
	parts := make([]string, 0, len(sr.Dims)+1)
	for _, d := range sr.Dims {
		parts = append(parts, d.Value)
	}
	return strings.Join(append(parts, sr.Name), " ")
}

type searchParser struct {
	s   string
	pos int
	dep int
}

// parseSearch parses the first argument of SEARCH.
func parseSearch(s string) (*searchQuery, error) {
	if len(s) > maxSearchLength {
		return nil, fmt.Errorf("the search expression is longer than %d characters", maxSearchLength) // unsourced message
	}
	p := &searchParser{s: s}
	q := &searchQuery{}
	if p.peek() == '{' {
		p.pos++
		names, err := p.schema()
		if err != nil {
			return nil, err
		}
		if len(names) == 0 || names[0] == "" {
			return nil, fmt.Errorf("the metric schema must name a namespace") // unsourced message
		}
		q.schema, q.namespace, q.dims = true, names[0], names[1:]
		if p.peek() == ',' {
			p.pos++ // AWS's examples put a comma after the schema
		}
	}
	if p.peek() != 0 {
		t, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != 0 {
			return nil, fmt.Errorf("unexpected %q in the search expression", p.s[p.pos:]) // unsourced message
		}
		q.term = t
	}
	if !q.schema && q.term == nil {
		// "a valid search must contain either the metric schema, the
		// SearchTerm, or both"
		return nil, fmt.Errorf("a search expression needs a metric schema, a search term or both") // unsourced message
	}
	return q, nil
}

func (p *searchParser) peek() byte {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n') {
		p.pos++
	}
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *searchParser) schema() ([]string, error) {
	var names []string
	for {
		var name string
		if p.peek() == '"' {
			var err error
			if name, err = p.quoted(); err != nil {
				return nil, err
			}
		} else {
			start := p.pos
			for p.pos < len(p.s) && !strings.ContainsRune(",} \t", rune(p.s[p.pos])) {
				p.pos++
			}
			name = p.s[start:p.pos]
		}
		names = append(names, name)
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return names, nil
		default:
			return nil, fmt.Errorf("the metric schema is missing its }") // unsourced message
		}
	}
}

// quoted reads "...", with \ escaping the next character.
func (p *searchParser) quoted() (string, error) {
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.s):
			p.pos++
			c = p.s[p.pos]
		}
		b.WriteByte(c)
		p.pos++
	}
	return "", fmt.Errorf("unterminated \" in the search expression") // unsourced message
}

// keyword reports whether the operator word w starts at the position.
func (p *searchParser) keyword(w string) bool {
	p.peek()
	if !strings.HasPrefix(p.s[p.pos:], w) {
		return false
	}
	end := p.pos + len(w)
	if end < len(p.s) && !strings.ContainsRune(" \t\n(", rune(p.s[end])) {
		return false
	}
	p.pos = end
	return true
}

func (p *searchParser) or() (searchNode, error) {
	p.dep++
	defer func() { p.dep-- }()
	if p.dep > maxExpressionDepth {
		return nil, fmt.Errorf("search expression nested too deeply")
	}
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	out := searchOr{first}
	for p.keyword("OR") {
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if len(out) == 1 {
		return first, nil
	}
	return out, nil
}

func (p *searchParser) and() (searchNode, error) {
	var out searchAnd
	for {
		if c := p.peek(); c == 0 || c == ')' {
			break
		}
		if p.keyword("OR") {
			p.pos -= 2
			break
		}
		p.keyword("AND")
		n, err := p.not()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("a search term is missing") // unsourced message
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func (p *searchParser) not() (searchNode, error) {
	if p.keyword("NOT") {
		p.dep++
		defer func() { p.dep-- }()
		if p.dep > maxExpressionDepth {
			return nil, fmt.Errorf("search expression nested too deeply")
		}
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return searchNot{x}, nil
	}
	switch p.peek() {
	case '(':
		p.pos++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing ) in the search expression") // unsourced message
		}
		p.pos++
		return x, nil
	case '"':
		s, err := p.quoted()
		if err != nil {
			return nil, err
		}
		return searchWord{text: s, exact: true}, nil
	case 0:
		return nil, fmt.Errorf("a search term is missing") // unsourced message
	}
	w := p.word()
	if w == "" {
		return nil, fmt.Errorf("unexpected %q in the search expression", p.s[p.pos:]) // unsourced message
	}
	if p.pos < len(p.s) && p.s[p.pos] == '=' {
		p.pos++
		if p.pos < len(p.s) && p.s[p.pos] == '"' {
			s, err := p.quoted()
			if err != nil {
				return nil, err
			}
			return searchWord{prop: w, text: s, exact: true}, nil
		}
		v := p.word()
		if v == "" {
			return nil, fmt.Errorf("%s= needs a value", w) // unsourced message
		}
		return searchWord{prop: w, text: v}, nil
	}
	return searchWord{text: w}, nil
}

func (p *searchParser) word() string {
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(" \t\n()\"=", rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos]
}
