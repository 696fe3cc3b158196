package insights

import (
	"strings"
	"unicode"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tRegex
	tNumber
	tPeriod // a number with a unit: 5m, 1h
	tPipe
	tComma
	tLParen
	tRParen
	tLBracket
	tRBracket
	tOp // = != < <= > >= + - * / % ^ =~
)

type token struct {
	kind       tokKind
	text       string // identifiers unquoted, strings and regexes unescaped
	raw        string // as written
	start, end int    // character offsets in the query
}

// lexer splits a query into tokens. Offsets count characters, not bytes,
// as queryCompileError's startCharOffset and endCharOffset do.
type lexer struct {
	src  []rune
	pos  int
	toks []token
}

func lex(q string) ([]token, error) {
	l := &lexer{src: []rune(q)}
	// A '/' starts a regex where an operand is expected and divides
	// elsewhere; what came before decides.
	for {
		l.skipSpace()
		if l.pos >= len(l.src) {
			l.toks = append(l.toks, token{kind: tEOF, start: l.pos, end: l.pos})
			return l.toks, nil
		}
		start := l.pos
		c := l.src[l.pos]
		switch {
		case c == '|':
			l.emit(tPipe, start, l.pos+1)
		case c == ',':
			l.emit(tComma, start, l.pos+1)
		case c == '(':
			l.emit(tLParen, start, l.pos+1)
		case c == ')':
			l.emit(tRParen, start, l.pos+1)
		case c == '[':
			l.emit(tLBracket, start, l.pos+1)
		case c == ']':
			l.emit(tRBracket, start, l.pos+1)
		case c == '"' || c == '\'':
			s, err := l.quoted(c)
			if err != nil {
				return nil, err
			}
			l.toks = append(l.toks, token{kind: tString, text: s, raw: string(l.src[start:l.pos]), start: start, end: l.pos})
		case c == '`':
			end := indexRune(l.src, '`', l.pos+1)
			if end < 0 {
				return nil, errorAt(start, len(l.src), "unterminated quoted field name")
			}
			l.pos = end + 1
			l.toks = append(l.toks, token{kind: tIdent, text: string(l.src[start+1 : end]), raw: string(l.src[start:l.pos]), start: start, end: l.pos})
		case c == '/' && l.operandExpected():
			s, err := l.regex()
			if err != nil {
				return nil, err
			}
			l.toks = append(l.toks, token{kind: tRegex, text: s, raw: string(l.src[start:l.pos]), start: start, end: l.pos})
		case unicode.IsDigit(c) || (c == '.' && l.pos+1 < len(l.src) && unicode.IsDigit(l.src[l.pos+1])):
			l.number()
		case isIdentStart(c):
			for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
				l.pos++
			}
			l.toks = append(l.toks, token{kind: tIdent, text: string(l.src[start:l.pos]), raw: string(l.src[start:l.pos]), start: start, end: l.pos})
		default:
			two := ""
			if l.pos+1 < len(l.src) {
				two = string(l.src[l.pos : l.pos+2])
			}
			switch two {
			case "!=", "<=", ">=", "=~", "==":
				l.emit(tOp, start, l.pos+2)
				continue
			}
			if strings.ContainsRune("=<>+-*/%^", c) {
				l.emit(tOp, start, l.pos+1)
				continue
			}
			return nil, errorAt(start, start+1, "unexpected symbol found "+string(c))
		}
	}
}

func (l *lexer) emit(k tokKind, start, end int) {
	l.pos = end
	s := string(l.src[start:end])
	l.toks = append(l.toks, token{kind: k, text: s, raw: s, start: start, end: end})
}

// skipSpace skips white space and comments, which run from # to the end
// of the line.
func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '#' {
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
			continue
		}
		if !unicode.IsSpace(c) {
			return
		}
		l.pos++
	}
}

func (l *lexer) operandExpected() bool {
	if len(l.toks) == 0 {
		return true
	}
	switch p := l.toks[len(l.toks)-1]; p.kind {
	case tIdent:
		// After a keyword an operand follows (like /x/, not /x/); after
		// a field name '/' divides.
		switch strings.ToLower(p.text) {
		case "like", "not", "and", "or", "in", "filter", "parse", "as", "by":
			return true
		}
		// parse FIELD /regex/
		n := len(l.toks)
		return n >= 2 && l.toks[n-2].kind == tIdent && strings.EqualFold(l.toks[n-2].text, "parse")
	case tNumber, tPeriod, tString, tRegex, tRParen, tRBracket:
		return false
	}
	return true
}

func (l *lexer) quoted(q rune) (string, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q:
			l.pos++
			return b.String(), nil
		case c == '\\' && l.pos+1 < len(l.src):
			n := l.src[l.pos+1]
			switch n {
			case 'n':
				b.WriteRune('\n')
			case 't':
				b.WriteRune('\t')
			case 'r':
				b.WriteRune('\r')
			case '\\', '"', '\'':
				b.WriteRune(n)
			default:
				b.WriteRune('\\')
				b.WriteRune(n)
			}
			l.pos += 2
		default:
			b.WriteRune(c)
			l.pos++
		}
	}
	return "", errorAt(start, len(l.src), "unterminated string")
}

func (l *lexer) regex() (string, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '/':
			l.pos++
			return b.String(), nil
		case c == '\\' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '/':
			b.WriteRune('/')
			l.pos += 2
		case c == '\\' && l.pos+1 < len(l.src):
			b.WriteRune(c)
			b.WriteRune(l.src[l.pos+1])
			l.pos += 2
		default:
			b.WriteRune(c)
			l.pos++
		}
	}
	return "", errorAt(start, len(l.src), "unterminated regular expression")
}

func (l *lexer) number() {
	start := l.pos
	for l.pos < len(l.src) && (unicode.IsDigit(l.src[l.pos]) || l.src[l.pos] == '.') {
		l.pos++
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') && l.pos+1 < len(l.src) &&
		(unicode.IsDigit(l.src[l.pos+1]) || ((l.src[l.pos+1] == '-' || l.src[l.pos+1] == '+') && l.pos+2 < len(l.src) && unicode.IsDigit(l.src[l.pos+2]))) {
		l.pos += 2
		for l.pos < len(l.src) && unicode.IsDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	numEnd := l.pos
	for l.pos < len(l.src) && unicode.IsLetter(l.src[l.pos]) {
		l.pos++
	}
	kind := tNumber
	if l.pos > numEnd {
		kind = tPeriod
	}
	s := string(l.src[start:l.pos])
	l.toks = append(l.toks, token{kind: kind, text: s, raw: s, start: start, end: l.pos})
}

func isIdentStart(c rune) bool { return c == '@' || c == '_' || unicode.IsLetter(c) }

func isIdentPart(c rune) bool {
	return c == '@' || c == '_' || c == '.' || c == '$' || unicode.IsLetter(c) || unicode.IsDigit(c)
}

func indexRune(s []rune, r rune, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == r {
			return i
		}
	}
	return -1
}
