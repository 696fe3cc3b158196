package asl

import (
	"fmt"
	"regexp"
	"strings"
)

// Rule is a Choice rule: a comparison of Variable, or And, Or, Not of
// nested rules. Top-level rules have a Next.
type Rule struct {
	And, Or []*Rule
	Not     *Rule

	Variable  *Path
	Op        string // "StringEquals", "IsPresent", ...
	Value     any
	ValuePath *Path // the *Path operators

	Next string

	// Condition, Output and Assign are a JSONata rule's.
	Condition, Output, Assign *jvalue
}

// comparisons are the Choice state's comparison operators, by the type
// of their operand.
var comparisons = map[string]string{
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "boolean",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "boolean", "IsPresent": "boolean", "IsNumeric": "boolean", "IsString": "boolean",
	"IsBoolean": "boolean", "IsTimestamp": "boolean",
}

func (p *parser) rule(d map[string]any, loc string, top bool) *Rule {
	r := &Rule{}
	if top {
		r.Next, _ = d["Next"].(string)
		if r.Next == "" {
			p.schema(loc, "These fields are required: [Next]")
		}
	} else if _, ok := d["Next"]; ok {
		p.schema(loc, "Field \"Next\" is only allowed in a top-level choice rule")
	}
	nested := func(field string) []*Rule {
		list, ok := d[field].([]any)
		if !ok || len(list) == 0 {
			p.schema(loc+"/"+field, "The value for the field '%s' must be a non-empty array of choice rules", field)
			return nil
		}
		var out []*Rule
		for i, e := range list {
			ed, ok := e.(map[string]any)
			if !ok {
				p.schema(fmt.Sprintf("%s/%s[%d]", loc, field, i), "A choice rule must be a JSON object")
				continue
			}
			if sub := p.rule(ed, fmt.Sprintf("%s/%s[%d]", loc, field, i), false); sub != nil {
				out = append(out, sub)
			}
		}
		return out
	}
	switch {
	case d["And"] != nil:
		r.And = nested("And")
		return r
	case d["Or"] != nil:
		r.Or = nested("Or")
		return r
	case d["Not"] != nil:
		nd, ok := d["Not"].(map[string]any)
		if !ok {
			p.schema(loc+"/Not", "The value for the field 'Not' must be a choice rule")
			return nil
		}
		r.Not = p.rule(nd, loc+"/Not", false)
		return r
	}
	v, _ := d["Variable"].(string)
	path, err := ParsePath(v)
	if err != nil {
		p.schema(loc, "These fields are required: [Variable]")
		return nil
	}
	r.Variable = path
	n := 0
	for k, val := range d {
		op, isPath := strings.CutSuffix(k, "Path")
		kind, ok := comparisons[op]
		if !ok || (isPath && strings.HasPrefix(op, "Is")) {
			continue
		}
		n++
		r.Op = op
		if isPath {
			s, _ := val.(string)
			if r.ValuePath, err = ParsePath(s); err != nil {
				p.schema(loc+"/"+k, "The value for the field '%s' must be a valid JSONPath", k)
			}
			continue
		}
		r.Value = val
		if !operandOK(kind, val) {
			p.schema(loc+"/"+k, "The value for the field '%s' must be a %s", k, kind)
		}
		if op == "StringMatches" {
			if s, ok := val.(string); ok {
				if _, err := wildcard(s); err != nil {
					p.schema(loc+"/"+k, "The value for the field 'StringMatches' is not a valid pattern")
				}
			}
		}
	}
	if n != 1 {
		p.schema(loc, "A choice rule needs exactly one comparison operator")
		return nil
	}
	return r
}

func operandOK(kind string, v any) bool {
	switch kind {
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := number(v)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "timestamp":
		s, _ := v.(string)
		_, ok := parseTimestamp(s)
		return ok
	}
	return false
}

// wildcard compiles StringMatches' pattern: * matches any run of
// characters, \* a literal star and \\ a backslash.
func wildcard(pat string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; {
		case c == '\\' && i+1 < len(pat):
			i++
			b.WriteString(regexp.QuoteMeta(string(pat[i])))
		case c == '*':
			b.WriteString("(?s:.*)")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// eval reports whether the rule matches input.
func (r *Rule) eval(x *evalContext, input any) (bool, error) {
	switch {
	case r.And != nil:
		for _, s := range r.And {
			ok, err := s.eval(x, input)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.Or != nil:
		for _, s := range r.Or {
			ok, err := s.eval(x, input)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.Not != nil:
		ok, err := r.Not.eval(x, input)
		return !ok, err
	}
	v, present := x.lookup(r.Variable, input)
	if r.Op == "IsPresent" {
		return present == r.Value.(bool), nil
	}
	if !present {
		return false, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)}
	}
	want := r.Value
	if r.ValuePath != nil {
		w, ok := x.lookup(r.ValuePath, input)
		if !ok {
			return false, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.ValuePath)}
		}
		want = w
	}
	switch r.Op {
	case "IsNull":
		return (v == nil) == want.(bool), nil
	case "IsNumeric":
		_, ok := number(v)
		return ok == want.(bool), nil
	case "IsString":
		_, ok := v.(string)
		return ok == want.(bool), nil
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == want.(bool), nil
	case "IsTimestamp":
		s, _ := v.(string)
		_, ok := parseTimestamp(s)
		return ok == want.(bool), nil
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := want.(bool)
		return ok1 && ok2 && a == b, nil
	case "StringMatches":
		a, ok1 := v.(string)
		b, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		re, err := wildcard(b)
		return err == nil && re.MatchString(a), nil
	}
	switch comparisons[r.Op] {
	case "string":
		a, ok1 := v.(string)
		b, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		return compare(r.Op, strings.Compare(a, b)), nil
	case "number":
		a, ok1 := number(v)
		b, ok2 := number(want)
		if !ok1 || !ok2 {
			return false, nil
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return compare(r.Op, c), nil
	case "timestamp":
		as, _ := v.(string)
		bs, _ := want.(string)
		a, ok1 := parseTimestamp(as)
		b, ok2 := parseTimestamp(bs)
		if !ok1 || !ok2 {
			return false, nil
		}
		return compare(r.Op, a.Compare(b)), nil
	}
	return false, nil
}

func compare(op string, c int) bool {
	switch {
	case strings.HasSuffix(op, "LessThanEquals"):
		return c <= 0
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return c >= 0
	case strings.HasSuffix(op, "LessThan"):
		return c < 0
	case strings.HasSuffix(op, "GreaterThan"):
		return c > 0
	}
	return c == 0
}
