package template

// maxConditionArgs is the most conditions Fn::And and Fn::Or take; AWS
// documents "a minimum of 2 conditions and a maximum of 10".
const maxConditionArgs = 10

// EvalConditions evaluates every condition of the Conditions section
// with the given parameter values. Conditions may refer to each other
// through {"Condition": name}; a cycle among them is an error.
func (t *Template) EvalConditions(values *Values) (map[string]bool, error) {
	ce := &condEvaluator{
		t:        t,
		values:   values,
		done:     make(map[string]bool, len(t.Conditions)),
		visiting: map[string]bool{},
	}
	for _, name := range t.ConditionNames {
		if _, err := ce.named(name); err != nil {
			return nil, err
		}
	}
	return ce.done, nil
}

// condEvaluator evaluates named conditions once each, in dependency order.
type condEvaluator struct {
	t        *Template
	values   *Values
	done     map[string]bool
	visiting map[string]bool
	stack    []string
}

func (ce *condEvaluator) named(name string) (bool, error) {
	if v, ok := ce.done[name]; ok {
		return v, nil
	}
	expr, ok := ce.t.Conditions[name]
	if !ok {
		// Wording unconfirmed.
		return false, formatErr("Unresolved condition dependencies %s in the Conditions block of the template", bracketList([]string{name}))
	}
	if ce.visiting[name] {
		// Wording unconfirmed.
		cycle := append([]string{}, ce.stack...)
		for i, n := range cycle {
			if n == name {
				cycle = cycle[i:]
				break
			}
		}
		return false, formatErr("Circular dependency between conditions: %s", bracketList(cycle))
	}
	ce.visiting[name] = true
	ce.stack = append(ce.stack, name)
	e := &evaluator{
		ctx:   &EvalContext{Template: ce.t, Values: ce.values},
		conds: ce,
	}
	v, err := e.condition(expr, childPath("/Conditions", name), 0)
	ce.stack = ce.stack[:len(ce.stack)-1]
	delete(ce.visiting, name)
	if err != nil {
		return false, err
	}
	ce.done[name] = v
	return v, nil
}

// condition evaluates a condition function: Fn::Equals, Fn::And, Fn::Or,
// Fn::Not or Condition.
func (e *evaluator) condition(node any, path string, depth int) (bool, error) {
	if depth > maxDepth {
		return false, e.locate(templateErr("the template nests too deeply"), path)
	}
	m, ok := node.(map[string]any)
	if !ok || len(m) != 1 {
		// Wording unconfirmed.
		return false, e.locate(templateErr("Conditions can only be boolean operations on parameters and other conditions"), path)
	}
	var fn string
	var arg any
	for fn, arg = range m {
	}
	fnPath := childPath(path, fn)
	v, err := e.conditionFn(fn, arg, fnPath, depth)
	if err != nil {
		return false, e.locate(err, path)
	}
	return v, nil
}

func (e *evaluator) conditionFn(fn string, arg any, path string, depth int) (bool, error) {
	switch fn {
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			return false, templateErr("Every Condition member must be a string.")
		}
		if e.conds != nil {
			return e.conds.named(name)
		}
		v, known := e.ctx.Conditions[name]
		if !known {
			return false, templateErr("unresolved condition dependency %s", name)
		}
		return v, nil
	case "Fn::Equals":
		l, ok, err := e.args(arg, 2, path, depth)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, templateErr("Fn::Equals requires a list argument with two elements")
		}
		return equalValues(l[0], l[1]), nil
	case "Fn::And", "Fn::Or", "Fn::Not":
		return boolOp(fn, arg, path, func(node any, path string) (bool, error) { return e.condition(node, path, depth+1) })
	}
	return false, templateErr("Conditions can only be boolean operations on parameters and other conditions")
}

// boolOp evaluates Fn::And, Fn::Or or Fn::Not, whose operands operand
// evaluates; conditions and rules write them alike.
func boolOp(fn string, arg any, path string, operand func(node any, path string) (bool, error)) (bool, error) {
	l, ok := arg.([]any)
	if fn == "Fn::Not" {
		if !ok || len(l) != 1 {
			return false, templateErr("Fn::Not requires a list argument with one element")
		}
		v, err := operand(l[0], indexPath(path, 0))
		return !v, err
	}
	if !ok || len(l) < 2 || len(l) > maxConditionArgs {
		return false, templateErr("every %s object requires a list of at least 2 and at most 10 boolean parameters.", fn)
	}
	and := fn == "Fn::And"
	result := and
	for i, c := range l {
		// Every operand is evaluated, so that an error in a later one
		// is not hidden by an earlier result.
		v, err := operand(c, indexPath(path, i))
		if err != nil {
			return false, err
		}
		if and {
			result = result && v
		} else {
			result = result || v
		}
	}
	return result, nil
}

// equalValues compares two evaluated values the way Fn::Equals does:
// scalars by their text, so that the Number parameter "3" equals 3 and
// true equals "true"; lists element by element; maps key by key.
func equalValues(a, b any) bool {
	if isScalar(a) && isScalar(b) {
		if a == nil || b == nil {
			return a == nil && b == nil
		}
		return scalarText(a) == scalarText(b)
	}
	switch a := a.(type) {
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], bl[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if w, ok := bm[k]; !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	}
	return false
}
