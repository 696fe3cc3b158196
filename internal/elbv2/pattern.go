package elbv2

import (
	"strings"
	"unicode/utf8"
)

// wildcardMatch reports whether s matches pattern, in which '*' matches
// any run of characters (none included) and '?' exactly one, as listener
// rule conditions' values do. Every other character matches itself;
// foldCase compares them ignoring case (host names, header values, query
// strings), otherwise exactly (paths).
//
// It runs in O(len(pattern)·len(s)) at worst: on a mismatch it goes back
// only to the last '*', never further.
func wildcardMatch(pattern, s string, foldCase bool) bool {
	if foldCase {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; {
			case c == '*':
				starP, starI = p, i
				p++
				continue
			case c == '?':
				_, n := utf8.DecodeRuneInString(s[i:])
				p++
				i += n
				continue
			case c == s[i]:
				p++
				i++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last '*' take one more character.
		_, n := utf8.DecodeRuneInString(s[starI:])
		starI += n
		p, i = starP+1, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
