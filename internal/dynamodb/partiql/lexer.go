package partiql

import (
	"strings"
	"unicode/utf8"
)

// tokKind classifies a token. Keywords are identifiers: the parser decides
// where a word is a keyword (see keywords.go).
type tokKind uint8

const (
	tEOF       tokKind = iota
	tIdent             // a bare name: [A-Za-z_$][A-Za-z0-9_$]*
	tQuoted            // a "quoted name"; text is unescaped
	tString            // a 'string'; text is unescaped
	tNumber            // 12, 1.5, .5, 1e3 (no sign)
	tParam             // ?
	tLParen            // (
	tRParen            // )
	tLBrack            // [
	tRBrack            // ]
	tLBrace            // {
	tRBrace            // }
	tLBag              // <<
	tRBag              // >>
	tComma             // ,
	tDot               // .
	tColon             // :
	tStar              // *
	tEq                // =
	tNe                // <> or !=
	tLt                // <
	tLe                // <=
	tGt                // >
	tGe                // >=
	tPlus              // +
	tMinus             // -
	tSlash             // /
	tConcat            // ||
	tSemicolon         // ;
)

// token is one lexeme: its kind, its text (unescaped for strings and quoted
// names) and where it is.
type token struct {
	kind tokKind
	text string
	pos  Pos
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lexer tracks line and column as it goes, for positions in messages.
type lexer struct {
	src  string
	i    int
	line int
	col  int // column of src[i], counted in characters from 1
}

// lex splits a statement into tokens ending with tEOF. Text it cannot read
// (an unterminated string, name or comment, a character outside the
// language) is a syntax error without detail, as DynamoDB reports it.
func lex(src string) ([]token, error) {
	l := &lexer{src: src, line: 1, col: 1}
	toks := make([]token, 0, len(src)/4+2)
	for {
		if err := l.skipSpaceAndComments(); err != nil {
			return nil, err
		}
		if l.i >= len(l.src) {
			toks = append(toks, token{kind: tEOF, pos: Pos{Line: l.line, Col: l.col}})
			return toks, nil
		}
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
	}
}

// advance moves past n bytes, keeping line and column.
func (l *lexer) advance(n int) {
	for end := l.i + n; l.i < end; {
		c := l.src[l.i]
		if c == '\n' {
			l.line++
			l.col = 1
			l.i++
			continue
		}
		_, size := utf8.DecodeRuneInString(l.src[l.i:])
		l.i += size
		l.col++
	}
}

func (l *lexer) skipSpaceAndComments() error {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			l.advance(1)
		case strings.HasPrefix(l.src[l.i:], "--"):
			end := strings.IndexByte(l.src[l.i:], '\n')
			if end < 0 {
				end = len(l.src) - l.i
			}
			l.advance(end)
		case strings.HasPrefix(l.src[l.i:], "/*"):
			end := strings.Index(l.src[l.i+2:], "*/")
			if end < 0 {
				return notWellFormed("")
			}
			l.advance(end + 4)
		default:
			return nil
		}
	}
	return nil
}

// punctuation, longest first.
var punctuation = []struct {
	text string
	kind tokKind
}{
	{"<<", tLBag}, {">>", tRBag}, {"<>", tNe}, {"!=", tNe}, {"<=", tLe}, {">=", tGe}, {"||", tConcat},
	{"(", tLParen}, {")", tRParen}, {"[", tLBrack}, {"]", tRBrack}, {"{", tLBrace}, {"}", tRBrace},
	{",", tComma}, {":", tColon}, {"*", tStar}, {"=", tEq}, {"<", tLt}, {">", tGt},
	{"+", tPlus}, {"-", tMinus}, {"/", tSlash}, {";", tSemicolon}, {"?", tParam},
}

func (l *lexer) next() (token, error) {
	start := Pos{Line: l.line, Col: l.col}
	startI := l.i
	finish := func(kind tokKind, text string) token {
		start.Len = utf8.RuneCountInString(l.src[startI:l.i])
		return token{kind: kind, text: text, pos: start}
	}
	c := l.src[l.i]
	switch {
	case isIdentStart(c):
		j := l.i
		for j < len(l.src) && isIdentPart(l.src[j]) {
			j++
		}
		text := l.src[l.i:j]
		l.advance(j - l.i)
		return finish(tIdent, text), nil
	case c == '"' || c == '\'':
		text, ok := l.quoted(c)
		if !ok {
			return token{}, notWellFormed("")
		}
		kind := tString
		if c == '"' {
			kind = tQuoted
		}
		return finish(kind, text), nil
	case isDigit(c) || c == '.' && l.i+1 < len(l.src) && isDigit(l.src[l.i+1]):
		l.advance(l.numberLen())
		return finish(tNumber, l.src[startI:l.i]), nil
	case c == '.':
		l.advance(1)
		return finish(tDot, "."), nil
	}
	for _, p := range punctuation {
		if strings.HasPrefix(l.src[l.i:], p.text) {
			l.advance(len(p.text))
			return finish(p.kind, p.text), nil
		}
	}
	return token{}, notWellFormed("")
}

// quoted reads a string or quoted name opened by q; a doubled q stands for
// one.
func (l *lexer) quoted(q byte) (string, bool) {
	var b strings.Builder
	j := l.i + 1
	for j < len(l.src) {
		if l.src[j] == q {
			if j+1 < len(l.src) && l.src[j+1] == q {
				b.WriteByte(q)
				j += 2
				continue
			}
			l.advance(j + 1 - l.i)
			return b.String(), true
		}
		b.WriteByte(l.src[j])
		j++
	}
	return "", false
}

// numberLen is the length of the number at l.i: digits, an optional
// fraction and an optional exponent (only when digits follow it, so that
// "1 e5" and "1e" leave the e to the next token).
func (l *lexer) numberLen() int {
	s := l.src[l.i:]
	j := 0
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '.' && j+1 <= len(s) {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		j = k
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	return j
}
