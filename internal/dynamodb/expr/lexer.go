package expr

import (
	"strings"
	"unicode/utf8"
)

// tokKind classifies a token. Keywords (AND, SET, ...) are identifiers; the
// parser decides which identifiers are keywords in its grammar.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tIdent           // attribute or function name: [A-Za-z][A-Za-z0-9_]*
	tName            // expression attribute name: #[A-Za-z0-9_]+
	tValue           // expression attribute value: :[A-Za-z0-9_]+
	tNumber          // digits, valid only as a list index
	tLParen          // (
	tRParen          // )
	tLBrack          // [
	tRBrack          // ]
	tComma           // ,
	tDot             // .
	tEq              // =
	tNe              // <>
	tLt              // <
	tLe              // <=
	tGt              // >
	tGe              // >=
	tPlus            // +
	tMinus           // -
	tIllegal         // any other character
)

// token is one lexeme: its kind, its text and its byte span in the source.
type token struct {
	kind     tokKind
	text     string
	pos, end int
}

// isIdentStart reports whether c may begin a name written in an expression:
// DynamoDB takes a letter only, so "_a" is a syntax error at "_".
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c == '_' || c >= '0' && c <= '9' }

// lex splits an expression into tokens, ending with a tEOF token placed at
// the end of the last real token. It never fails: characters the grammar
// does not know become tIllegal tokens, which the parser reports as syntax
// errors.
func lex(src string) []token {
	toks := make([]token, 0, len(src)/3+2)
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		kind := tIllegal
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isIdentStart(c):
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			kind = tIdent
		case c >= '0' && c <= '9':
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
			kind = tNumber
		case c == '#' || c == ':':
			i++
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			if i-start > 1 {
				kind = tName
				if c == ':' {
					kind = tValue
				}
			}
		case c == '<':
			i++
			kind = tLt
			if i < len(src) && src[i] == '=' {
				i++
				kind = tLe
			} else if i < len(src) && src[i] == '>' {
				i++
				kind = tNe
			}
		case c == '>':
			i++
			kind = tGt
			if i < len(src) && src[i] == '=' {
				i++
				kind = tGe
			}
		default:
			i++
			switch c {
			case '(':
				kind = tLParen
			case ')':
				kind = tRParen
			case '[':
				kind = tLBrack
			case ']':
				kind = tRBrack
			case ',':
				kind = tComma
			case '.':
				kind = tDot
			case '=':
				kind = tEq
			case '+':
				kind = tPlus
			case '-':
				kind = tMinus
			default:
				// Report a whole UTF-8 character, not one of its bytes.
				if c >= utf8.RuneSelf {
					_, size := utf8.DecodeRuneInString(src[start:])
					i = start + size
				}
			}
		}
		toks = append(toks, token{kind: kind, text: src[start:i], pos: start, end: i})
	}
	end := 0
	if len(toks) > 0 {
		end = toks[len(toks)-1].end
	}
	return append(toks, token{kind: tEOF, text: "<EOF>", pos: end, end: end})
}

// isKeyword reports whether t is the identifier kw, ignoring case.
func (t token) isKeyword(kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}
