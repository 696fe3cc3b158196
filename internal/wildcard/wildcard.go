package wildcard

import (
	"unicode"
	"unicode/utf8"
)

// Flags choose the syntax of a pattern and how characters compare. With
// none, only '*' is special and characters compare exactly.
type Flags uint8

const (
	// Question makes '?' match exactly one character; without it '?'
	// matches itself.
	Question Flags = 1 << iota
	// Escape makes '\' take the character after it literally, so "\*"
	// matches '*', "\?" '?' and "\\" '\'. A '\' that ends the pattern
	// matches itself. Without Escape, '\' is an ordinary character.
	Escape
	// FoldCase compares characters under Unicode simple case folding
	// (as strings.EqualFold does), so "Example.COM" matches "example.com".
	FoldCase
)

// Match reports whether all of s matches pattern.
func Match(pattern, s string, f Flags) bool {
	return match(pattern, s, f, nil)
}

// match is Match counting its iterations in *steps when steps is not
// nil, so that tests can bound its work without timing it.
func match(pattern, s string, f Flags, steps *int) bool {
	p, i := 0, 0          // next byte of pattern and of s
	starP, starI := -1, 0 // after the last '*' seen, and where its run in s ends
	for i < len(s) {
		if steps != nil {
			*steps++
		}
		if p < len(pattern) {
			c, n := utf8.DecodeRuneInString(pattern[p:])
			switch {
			case c == '*':
				p += n
				starP, starI = p, i
				continue
			case c == '?' && f&Question != 0:
				_, m := utf8.DecodeRuneInString(s[i:])
				p, i = p+n, i+m
				continue
			case c == '\\' && f&Escape != 0 && p+n < len(pattern):
				p += n
				c, n = utf8.DecodeRuneInString(pattern[p:])
			}
			r, m := utf8.DecodeRuneInString(s[i:])
			if same(pattern[p:p+n], c, s[i:i+m], r, f) {
				p, i = p+n, i+m
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last '*' take one more character and try again after it.
		_, m := utf8.DecodeRuneInString(s[starI:])
		starI += m
		p, i = starP, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// same reports whether the pattern's literal character a (encoded as
// as) matches the subject's character b (encoded as bs). Bytes that are
// not valid UTF-8 match only themselves.
func same(as string, a rune, bs string, b rune, f Flags) bool {
	if as == bs {
		return true
	}
	if f&FoldCase == 0 || a == utf8.RuneError || b == utf8.RuneError {
		return false
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
