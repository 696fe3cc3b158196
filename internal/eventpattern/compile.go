package eventpattern

import "fmt"

// orKey is the field name that introduces an OR of objects.
const orKey = "$or"

// isReservedName reports whether AWS reserves name for a matcher. An
// "$or" whose objects use one of these as a field name is not an OR but an
// ordinary field called "$or" (AWS keeps that reading for patterns written
// before "$or" existed).
func isReservedName(name string) bool {
	switch name {
	case "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but",
		"exists", "wildcard", "numeric", "cidr",
		"=", "<", "<=", ">", ">=",
		// Reserved by AWS for matchers it may add.
		"regex", "not-wildcard", "not-equals-ignore-case",
		"date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
		"ip-address-in-range", "ip-address-not-in-range":
		return true
	}
	return false
}

// compiler turns a parsed pattern into matchers, checking it on the way
// with the rules and wording of one dialect.
type compiler struct {
	rules
}

func (c *compiler) fail(reason string) *Error {
	return &Error{Dialect: c.dialect, Reason: reason}
}

// isOr reports whether a member named "$or" with value v is an OR: an
// array of at least two objects that use no reserved field names.
func isOr(v *jsonNode) bool {
	if v.kind != jsonArray || len(v.elems) < 2 {
		return false
	}
	for i := range v.elems {
		if v.elems[i].kind != jsonObject || usesReservedName(&v.elems[i]) {
			return false
		}
	}
	return true
}

func usesReservedName(obj *jsonNode) bool {
	for i := range obj.members {
		m := &obj.members[i]
		if isReservedName(m.key) {
			return true
		}
		switch {
		case m.value.kind == jsonObject:
			if usesReservedName(&m.value) {
				return true
			}
		case m.key == orKey && m.value.kind == jsonArray:
			for j := range m.value.elems {
				if e := &m.value.elems[j]; e.kind == jsonObject && usesReservedName(e) {
					return true
				}
			}
		}
	}
	return false
}

// mergeObjects folds members that repeat an object-valued key into the
// first of them, so that {"a": {"b": [1]}, "a": {"c": [2]}} reads as
// {"a": {"b": [1], "c": [2]}}. AWS reads patterns as lists of leaf paths,
// where the two spellings are the same; merging lets a repeated leaf path
// be reported however it was spelt.
func mergeObjects(members []jsonMember) []jsonMember {
	out := make([]jsonMember, 0, len(members))
	first := map[string]int{}
	copied := map[int]bool{} // out[i] owns its members and may grow them
	for _, m := range members {
		if m.value.kind != jsonObject {
			out = append(out, m)
			continue
		}
		i, ok := first[m.key]
		if !ok {
			first[m.key] = len(out)
			out = append(out, m)
			continue
		}
		if !copied[i] {
			out[i].value.members = append([]jsonMember(nil), out[i].value.members...)
			copied[i] = true
		}
		out[i].value.members = append(out[i].value.members, m.value.members...)
	}
	return out
}

// object compiles a pattern object found at path (dot-separated, "" at the
// top).
func (c *compiler) object(n *jsonNode, path string) (*objectNode, error) {
	if len(n.members) == 0 {
		return nil, c.fail(reasonEmptyObject)
	}
	o := &objectNode{}
	leafPaths := map[string]bool{}
	for _, m := range mergeObjects(n.members) {
		if m.key == orKey && isOr(&m.value) {
			var branches []*objectNode
			for i := range m.value.elems {
				b, err := c.object(&m.value.elems[i], path)
				if err != nil {
					return nil, err
				}
				branches = append(branches, b)
			}
			o.ors = append(o.ors, branches)
			continue
		}
		fieldPath := m.key
		if path != "" {
			fieldPath = path + "." + m.key
		}
		switch m.value.kind {
		case jsonArray:
			if leafPaths[m.key] {
				return nil, c.fail(fmt.Sprintf("Path `%s` cannot be allowed multiple times", fieldPath))
			}
			leafPaths[m.key] = true
			l, err := c.leaf(m.value.elems)
			if err != nil {
				return nil, err
			}
			o.fields = append(o.fields, field{name: m.key, leaf: l})
		case jsonObject:
			if !c.nesting {
				return nil, &Error{Dialect: c.dialect, Reason: reasonSNSNested, bare: true}
			}
			child, err := c.object(&m.value, fieldPath)
			if err != nil {
				return nil, err
			}
			o.fields = append(o.fields, field{name: m.key, child: child})
		default:
			return nil, c.fail(fmt.Sprintf("%q must be an object or an array", m.key))
		}
	}
	o.absent = o.matchesAbsent()
	return o, nil
}

// leaf compiles a value array.
func (c *compiler) leaf(elems []jsonNode) (*leafNode, error) {
	if len(elems) == 0 {
		return nil, c.fail(reasonEmptyArray)
	}
	l := &leafNode{}
	for i := range elems {
		e := &elems[i]
		switch e.kind {
		case jsonString:
			l.matchers = append(l.matchers, newExactString(e.text))
		case jsonNumber:
			d, _ := parseDecimal(e.text) // the JSON parser vouches for the syntax
			l.matchers = append(l.matchers, &exactNumber{
				text: e.text, num: d, domain: c.numbers, inDom: c.numbers.representable(d),
			})
		case jsonBool:
			l.matchers = append(l.matchers, exactBool(e.boolean))
		case jsonNull:
			l.matchers = append(l.matchers, exactNull{})
		case jsonObject:
			if err := c.expression(e, l); err != nil {
				return nil, err
			}
		default:
			return nil, c.fail(reasonMatchValue)
		}
	}
	return l, nil
}

// expression compiles a match expression such as {"prefix": "a"} into l.
// Like AWS, it checks the operator's value before complaining about extra
// keys, and it words that complaint per operator.
func (c *compiler) expression(e *jsonNode, l *leafNode) error {
	if len(e.members) == 0 {
		return c.fail(reasonNoMatchName)
	}
	name, v := e.members[0].key, &e.members[0].value
	extraReason := reasonOneKey
	var m matcher
	var err error
	switch name {
	case "prefix":
		m, err = c.affix(v, "prefix", "Prefix")
	case "suffix":
		m, err = c.affix(v, "suffix", "Suffix")
	case "equals-ignore-case":
		if v.kind != jsonString {
			return c.fail(reasonIgnoreCaseString)
		}
		m = equalsIgnoreCase(v.text)
	case "wildcard":
		if !c.wildcard {
			return c.fail("Unrecognized match type " + name)
		}
		if v.kind != jsonString {
			return c.fail(reasonWildcardString)
		}
		w, reason := parseWildcard(v.text)
		if reason != "" {
			return c.fail(reason)
		}
		m = &wildcardMatcher{w: w}
	case "numeric":
		if v.kind != jsonArray {
			return c.fail("Value of numeric must be an array.")
		}
		m, err = c.numeric(v.elems)
		extraReason = reasonTooManyNumeric
	case "anything-but":
		m, err = c.anythingBut(v)
		extraReason = reasonTooManyNumeric
	case "exists":
		if v.kind != jsonBool {
			return c.fail("exists match pattern must be either true or false.")
		}
	case "cidr":
		if v.kind != jsonString {
			// AWS's wording, copied from the prefix check.
			return c.fail("prefix match pattern must be a string")
		}
		r, reason := parseCIDR(v.text)
		if reason != "" {
			return c.fail(reason)
		}
		m = &cidrMatcher{r: r}
	default:
		return c.fail("Unrecognized match type " + name)
	}
	if err != nil {
		return err
	}
	if len(e.members) > 1 {
		return c.fail(extraReason)
	}
	switch {
	case name == "exists" && v.boolean:
		l.existsTrue = true
	case name == "exists":
		l.existsFalse = true
	default:
		l.matchers = append(l.matchers, m)
	}
	return nil
}

// affix compiles the value of "prefix" or "suffix": a string, or
// {"equals-ignore-case": string}.
func (c *compiler) affix(v *jsonNode, op, title string) (matcher, error) {
	var text string
	ignoreCase := false
	switch v.kind {
	case jsonString:
		text = v.text
	case jsonObject:
		if len(v.members) == 0 {
			return nil, c.fail(title + " expression name not found")
		}
		inner := &v.members[0]
		if inner.key != "equals-ignore-case" {
			return nil, c.fail("Unsupported " + op + " pattern: " + inner.key)
		}
		if inner.value.kind != jsonString {
			return nil, c.fail(reasonIgnoreCaseString)
		}
		if len(v.members) > 1 {
			return nil, c.fail(reasonOneKey)
		}
		text, ignoreCase = inner.value.text, true
	default:
		return nil, c.fail(op + " match pattern must be a string")
	}
	if op == "prefix" {
		return &prefix{p: text, ignoreCase: ignoreCase}, nil
	}
	return &suffix{s: text, ignoreCase: ignoreCase}, nil
}

// numeric compiles the array of a numeric matcher: one comparison, or a
// lower bound (">" or ">=") followed by an upper bound ("<" or "<=").
func (c *compiler) numeric(elems []jsonNode) (*numericRange, error) {
	// text shows element i as AWS's parser does; past the end is "]".
	text := func(i int) string {
		if i >= len(elems) {
			return "]"
		}
		return elems[i].tokenText()
	}
	operand := func(i int, op string) (decimal, error) {
		if i >= len(elems) || elems[i].kind != jsonNumber {
			if op == "=" {
				op = "equals"
			}
			return decimal{}, c.fail("Value of " + op + " must be numeric")
		}
		d, _ := parseDecimal(elems[i].text)
		return d, nil
	}
	inDomain := func(ds ...decimal) error {
		for _, d := range ds {
			if reason := c.numbers.check(d); reason != "" {
				return c.fail(reason)
			}
		}
		return nil
	}

	if len(elems) == 0 || elems[0].kind != jsonString {
		return nil, c.fail("Invalid member in numeric match: " + text(0))
	}
	m := &numericRange{domain: c.numbers}
	switch op := elems[0].text; op {
	case "=", "<", "<=":
		d, err := operand(1, op)
		if err != nil {
			return nil, err
		}
		if len(elems) > 2 {
			return nil, c.fail(reasonTooManyNumeric)
		}
		if err := inDomain(d); err != nil {
			return nil, err
		}
		m.hi, m.hasHi, m.hiOpen = d, true, op == "<"
		if op == "=" {
			m.lo, m.hasLo = d, true
		}
	case ">", ">=":
		d, err := operand(1, op)
		if err != nil {
			return nil, err
		}
		m.lo, m.hasLo, m.loOpen = d, true, op == ">"
		if len(elems) == 2 {
			return m, inDomain(d)
		}
		if elems[2].kind != jsonString {
			return nil, c.fail("Bad value in numeric range: " + text(2))
		}
		upper := elems[2].text
		if upper != "<" && upper != "<=" {
			return nil, c.fail("Bad numeric range operator: " + upper)
		}
		top, err := operand(3, upper)
		if err != nil {
			return nil, err
		}
		if len(elems) > 4 {
			return nil, c.fail("Too many terms in numeric range expression")
		}
		if err := inDomain(d, top); err != nil {
			return nil, err
		}
		if d.cmp(top) >= 0 {
			return nil, c.fail("Bottom must be less than top")
		}
		m.hi, m.hasHi, m.hiOpen = top, true, upper == "<"
	default:
		return nil, c.fail("Unrecognized numeric range operator: " + op)
	}
	return m, nil
}

// anythingBut compiles the value of "anything-but": a string, a number, a
// list of strings or of numbers, or an object applying prefix, suffix,
// equals-ignore-case or wildcard to a string or a list of strings.
func (c *compiler) anythingBut(v *jsonNode) (*anythingBut, error) {
	if v.kind == jsonObject {
		return c.anythingButObject(v)
	}
	m := &anythingBut{kind: butStrings}
	add := func(e *jsonNode) error {
		switch e.kind {
		case jsonString:
			m.strs = append(m.strs, e.text)
		case jsonNumber:
			d, _ := parseDecimal(e.text)
			if reason := c.numbers.check(d); reason != "" {
				return c.fail(reason)
			}
			m.nums = append(m.nums, d)
		default:
			return c.fail(reasonAnythingButList)
		}
		return nil
	}
	switch v.kind {
	case jsonString, jsonNumber:
		if err := add(v); err != nil {
			return nil, err
		}
	case jsonArray:
		for i := range v.elems {
			if err := add(&v.elems[i]); err != nil {
				return nil, err
			}
		}
		if (len(m.strs) == 0) == (len(m.nums) == 0) {
			return nil, c.fail(reasonAnythingButMixed)
		}
	default:
		return nil, c.fail(reasonAnythingButValue)
	}
	if len(m.nums) > 0 {
		m.kind = butNumbers
	}
	return m, nil
}

func (c *compiler) anythingButObject(v *jsonNode) (*anythingBut, error) {
	if len(v.members) == 0 {
		return nil, c.fail("Anything-But expression name not found")
	}
	op, inner := v.members[0].key, &v.members[0].value
	m := &anythingBut{}
	var notString string
	switch op {
	case "equals-ignore-case":
		m.kind, notString = butIgnoreCase, reasonIgnoreCaseList
	case "prefix":
		m.kind, notString = butPrefixes, reasonAffixString
	case "suffix":
		m.kind, notString = butSuffixes, reasonAffixString
	case "wildcard":
		if !c.wildcard {
			return nil, c.fail("Unsupported anything-but pattern: " + op)
		}
		m.kind, notString = butWildcards, reasonWildcardString
	default:
		return nil, c.fail("Unsupported anything-but pattern: " + op)
	}
	add := func(e *jsonNode) error {
		if e.kind != jsonString {
			return c.fail(notString)
		}
		switch m.kind {
		case butPrefixes, butSuffixes:
			if e.text == "" {
				return c.fail(reasonEmptyAffix)
			}
		case butWildcards:
			w, reason := parseWildcard(e.text)
			if reason != "" {
				return c.fail(reason)
			}
			m.wildcards = append(m.wildcards, w)
			return nil
		}
		m.strs = append(m.strs, e.text)
		return nil
	}
	switch inner.kind {
	case jsonString, jsonNumber:
		if err := add(inner); err != nil {
			return nil, err
		}
	case jsonArray:
		for i := range inner.elems {
			if err := add(&inner.elems[i]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, c.fail(reasonAnythingButValue)
	}
	if len(v.members) > 1 {
		return nil, c.fail(reasonTooManyNumeric)
	}
	return m, nil
}

// checkSNSLimits applies SNS's key, nesting and complexity limits to a
// policy before its matchers are compiled, in the order SNS is observed
// to report them.
func (c *compiler) checkSNSLimits(doc *jsonNode) error {
	keys := map[string]bool{}
	topKeys(doc, keys)
	if len(keys) > snsMaxKeys {
		return c.fail(reasonSNSTooManyKeys)
	}
	if !c.nesting && nestsObjects(doc) {
		// SNS reads the whole policy before it looks at its scope: a
		// nested policy with a malformed member ({"key": {"suffix":
		// "value"}}) is refused for that member, and only a well-formed
		// one for its nesting.
		whole := *c
		whole.nesting = true
		if _, err := whole.object(doc, ""); err != nil {
			return err
		}
		return &Error{Dialect: c.dialect, Reason: reasonSNSNested, bare: true}
	}
	if combinations(doc, 1) > snsMaxCombinations {
		return c.fail(reasonSNSTooComplex)
	}
	return nil
}

// topKeys collects the property names a policy constrains at its top
// level. AWS counts "top-level keys" and does not say how "$or" counts;
// here the keys inside an "$or"'s objects are top-level keys too, since
// they name top-level properties, and "$or" itself is not one.
func topKeys(obj *jsonNode, keys map[string]bool) {
	for i := range obj.members {
		m := &obj.members[i]
		if m.key == orKey && isOr(&m.value) {
			for j := range m.value.elems {
				topKeys(&m.value.elems[j], keys)
			}
			continue
		}
		keys[m.key] = true
	}
}

// nestsObjects reports whether a policy has a field whose value is an
// object, looking through "$or".
func nestsObjects(obj *jsonNode) bool {
	for i := range obj.members {
		m := &obj.members[i]
		if m.key == orKey && isOr(&m.value) {
			for j := range m.value.elems {
				if nestsObjects(&m.value.elems[j]) {
					return true
				}
			}
			continue
		}
		if m.value.kind == jsonObject {
			return true
		}
	}
	return false
}

// combinations is SNS's complexity measure of a policy object at nesting
// depth depth (1 at the top). AWS: "multiply the number of values in each
// array", and for nested policies each array's count is multiplied by its
// depth ("The first array has four values in a three-level nested key, and
// the second has three values in a two-level nested key. 3 x 4 x 2 x 3 =
// 72"). The objects of an "$or" are alternatives, so their counts add up.
// The result saturates just above the limit.
func combinations(obj *jsonNode, depth int) int {
	total := 1
	for i := range obj.members {
		m := &obj.members[i]
		switch {
		case m.key == orKey && isOr(&m.value):
			sum := 0
			for j := range m.value.elems {
				sum = saturate(sum + combinations(&m.value.elems[j], depth))
			}
			total = saturate(total * sum)
		case m.value.kind == jsonArray:
			total = saturate(total * saturate(len(m.value.elems)*min(depth, snsMaxCombinations+1)))
		case m.value.kind == jsonObject:
			total = saturate(total * combinations(&m.value, depth+1))
		}
	}
	return total
}

// saturate caps a combination count just above the limit, which keeps
// products of capped numbers from overflowing.
func saturate(n int) int { return min(n, snsMaxCombinations+1) }
