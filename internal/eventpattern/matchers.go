package eventpattern

import (
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scalarKind is the JSON type of an event's leaf value.
type scalarKind uint8

const (
	scalarString scalarKind = iota
	scalarNumber
	scalarBool
	scalarNull
)

// scalar is one leaf value of an event, decoded once for all matchers.
type scalar struct {
	kind    scalarKind
	text    string  // a string's value or a number's text
	boolean bool    // a bool's value
	num     decimal // a number's value, when numOK
	numOK   bool
}

// toScalar converts an event value. It reports false for objects, arrays
// and Go types that JSON decoding does not produce.
func toScalar(v any) (scalar, bool) {
	switch x := v.(type) {
	case string:
		return scalar{kind: scalarString, text: x}, true
	case json.Number:
		return numberScalar(string(x)), true
	case float64:
		return floatScalar(x, 64)
	case float32:
		return floatScalar(float64(x), 32)
	case int:
		return numberScalar(strconv.Itoa(x)), true
	case int64:
		return numberScalar(strconv.FormatInt(x, 10)), true
	case int32:
		return numberScalar(strconv.FormatInt(int64(x), 10)), true
	case uint64:
		return numberScalar(strconv.FormatUint(x, 10)), true
	case uint32:
		return numberScalar(strconv.FormatUint(uint64(x), 10)), true
	case uint:
		return numberScalar(strconv.FormatUint(uint64(x), 10)), true
	case bool:
		return scalar{kind: scalarBool, boolean: x}, true
	case nil:
		return scalar{kind: scalarNull}, true
	}
	return scalar{}, false
}

func numberScalar(text string) scalar {
	d, ok := parseDecimal(text)
	return scalar{kind: scalarNumber, text: text, num: d, numOK: ok}
}

func floatScalar(f float64, bits int) (scalar, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return scalar{}, false
	}
	return numberScalar(strconv.FormatFloat(f, 'g', -1, bits)), true
}

// matcher is one compiled entry of a pattern's value array.
type matcher interface {
	match(v *scalar) bool
}

// exactString matches a string equal to s. Like AWS, a pattern string that
// is an IP address also matches other spellings of that address.
type exactString struct {
	s    string
	ip   netip.Addr
	isIP bool
}

func newExactString(s string) *exactString {
	m := &exactString{s: s}
	m.ip, m.isIP = parseIP(s)
	return m
}

func (m *exactString) match(v *scalar) bool {
	if v.kind != scalarString {
		return false
	}
	if v.text == m.s {
		return true
	}
	if !m.isIP {
		return false
	}
	a, ok := parseIP(v.text)
	return ok && a == m.ip
}

// exactNumber matches a number equal to the pattern's. Numbers inside the
// dialect's numeric domain compare by value, so 300, 300.0 and 3.0e2 are
// equal; others, such as a 12-digit account number, compare by their
// literal text, as AWS does.
type exactNumber struct {
	text   string
	num    decimal
	domain numericDomain
	inDom  bool
}

func (m *exactNumber) match(v *scalar) bool {
	if v.kind != scalarNumber {
		return false
	}
	if m.inDom && v.numOK && m.domain.representable(v.num) && m.num.cmp(v.num) == 0 {
		return true
	}
	return v.text == m.text
}

// exactBool matches true or false.
type exactBool bool

func (m exactBool) match(v *scalar) bool { return v.kind == scalarBool && v.boolean == bool(m) }

// exactNull matches null, which is a value: a missing field is not null.
type exactNull struct{}

func (exactNull) match(v *scalar) bool { return v.kind == scalarNull }

// prefix matches strings that begin with p, optionally ignoring case.
type prefix struct {
	p          string
	ignoreCase bool
}

func (m *prefix) match(v *scalar) bool {
	if v.kind != scalarString {
		return false
	}
	if m.ignoreCase {
		return hasPrefixFold(v.text, m.p)
	}
	return strings.HasPrefix(v.text, m.p)
}

// suffix matches strings that end with s, optionally ignoring case.
type suffix struct {
	s          string
	ignoreCase bool
}

func (m *suffix) match(v *scalar) bool {
	if v.kind != scalarString {
		return false
	}
	if m.ignoreCase {
		return hasSuffixFold(v.text, m.s)
	}
	return strings.HasSuffix(v.text, m.s)
}

// equalsIgnoreCase matches strings equal to s under Unicode case folding.
type equalsIgnoreCase string

func (m equalsIgnoreCase) match(v *scalar) bool {
	return v.kind == scalarString && strings.EqualFold(v.text, string(m))
}

// wildcardMatcher matches strings against a wildcard.
type wildcardMatcher struct{ w wildcard }

func (m *wildcardMatcher) match(v *scalar) bool {
	return v.kind == scalarString && m.w.match(v.text)
}

// numericRange matches numbers inside the dialect's numeric range that
// satisfy one or two comparisons. AWS documents numeric matching only for
// that range, so numbers beyond it never match. Event values with more
// decimals than the dialect keeps are compared exactly: AWS's own
// behaviour for them could not be confirmed.
type numericRange struct {
	lo, hi         decimal
	hasLo, hasHi   bool
	loOpen, hiOpen bool // ">" and "<" rather than ">=" and "<="
	domain         numericDomain
}

func (m *numericRange) match(v *scalar) bool {
	if v.kind != scalarNumber || !v.numOK || !m.domain.contains(v.num) {
		return false
	}
	if m.hasLo {
		c := v.num.cmp(m.lo)
		if c < 0 || c == 0 && m.loOpen {
			return false
		}
	}
	if m.hasHi {
		c := v.num.cmp(m.hi)
		if c > 0 || c == 0 && m.hiOpen {
			return false
		}
	}
	return true
}

// cidrMatcher matches strings that are IP addresses inside a block.
type cidrMatcher struct{ r ipRange }

func (m *cidrMatcher) match(v *scalar) bool {
	if v.kind != scalarString {
		return false
	}
	a, ok := parseIP(v.text)
	return ok && m.r.contains(a)
}

// anythingButKind says what an anything-but excludes.
type anythingButKind uint8

const (
	butStrings anythingButKind = iota
	butNumbers
	butPrefixes
	butSuffixes
	butIgnoreCase
	butWildcards
)

// anythingBut matches every present leaf value except the excluded ones.
// As in AWS, exclusions only apply to values of their own type: a numeric
// anything-but matches any string, and a string one matches any number,
// boolean or null.
type anythingBut struct {
	kind      anythingButKind
	strs      []string // for strings, prefixes, suffixes and ignore-case
	nums      []decimal
	wildcards []wildcard
}

func (m *anythingBut) match(v *scalar) bool { return !m.excludes(v) }

func (m *anythingBut) excludes(v *scalar) bool {
	if m.kind == butNumbers {
		if v.kind != scalarNumber || !v.numOK {
			return false
		}
		for _, n := range m.nums {
			if n.cmp(v.num) == 0 {
				return true
			}
		}
		return false
	}
	if v.kind != scalarString {
		return false
	}
	for _, s := range m.strs {
		var hit bool
		switch m.kind {
		case butStrings:
			hit = v.text == s
		case butPrefixes:
			hit = strings.HasPrefix(v.text, s)
		case butSuffixes:
			hit = strings.HasSuffix(v.text, s)
		case butIgnoreCase:
			hit = strings.EqualFold(v.text, s)
		}
		if hit {
			return true
		}
	}
	for _, w := range m.wildcards {
		if w.match(v.text) {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix under simple Unicode case folding.
// Simple folding maps one rune to one rune, so the runes line up.
func hasPrefixFold(s, p string) bool {
	for p != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeRuneInString(p)
		sr, sn := utf8.DecodeRuneInString(s)
		if !runesEqualFold(pr, sr) {
			return false
		}
		p, s = p[pn:], s[sn:]
	}
	return true
}

// hasSuffixFold is strings.HasSuffix under simple Unicode case folding.
func hasSuffixFold(s, x string) bool {
	for x != "" {
		if s == "" {
			return false
		}
		xr, xn := utf8.DecodeLastRuneInString(x)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if !runesEqualFold(xr, sr) {
			return false
		}
		x, s = x[:len(x)-xn], s[:len(s)-sn]
	}
	return true
}

// runesEqualFold reports whether a and b are equal under simple folding.
func runesEqualFold(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
