package template

import "slices"

// The Rules section validates parameter values before CloudFormation
// creates or updates anything. Each rule has an optional RuleCondition
// and a list of Assertions; when the condition holds (or there is
// none), every Assert must hold, or the operation is refused with the
// assertion's AssertDescription as the message. Conditions and
// assertions are written with the rule functions: Fn::And, Fn::Or,
// Fn::Not, Fn::Equals, Fn::If, Fn::Contains, Fn::EachMemberEquals,
// Fn::EachMemberIn, Fn::RefAll, Fn::ValueOf and Fn::ValueOfAll. The AWS
// CDK puts one in every stack it synthesizes (CheckBootstrapVersion).

// ruleKeys are the members a rule may have.
var ruleKeys = map[string]bool{"RuleCondition": true, "Assertions": true}

// assertionKeys are the members an assertion may have.
var assertionKeys = map[string]bool{"Assert": true, "AssertDescription": true}

// validateRules checks the shape of the Rules section: each rule an
// object with Assertions, a list of objects that each have an Assert
// and at most a string AssertDescription, and Refs only to parameters.
// The wording of these errors is unconfirmed; it follows the style of
// AWS's other structure errors.
func (t *Template) validateRules() error {
	rules, _ := t.Tree["Rules"].(map[string]any)
	var unresolved []string
	var firstPath string
	for _, name := range sortedKeys(rules) {
		path := childPath("/Rules", name)
		rule, ok := rules[name].(map[string]any)
		if !ok {
			return t.locate(formatErr("Every Rules member must be an object."), path)
		}
		for _, k := range sortedKeys(rule) {
			if !ruleKeys[k] {
				return t.locate(formatErr("Invalid rule %s: unsupported member %s", name, k), childPath(path, k))
			}
		}
		asserts, ok := rule["Assertions"].([]any)
		if !ok || len(asserts) == 0 {
			return t.locate(formatErr("Invalid rule %s: Assertions must be a non-empty list", name), path)
		}
		for i, a := range asserts {
			apath := indexPath(childPath(path, "Assertions"), i)
			am, ok := a.(map[string]any)
			if !ok {
				return t.locate(formatErr("Invalid rule %s: every assertion must be an object", name), apath)
			}
			for _, k := range sortedKeys(am) {
				if !assertionKeys[k] {
					return t.locate(formatErr("Invalid rule %s: unsupported member %s in an assertion", name, k), childPath(apath, k))
				}
			}
			if _, ok := am["Assert"]; !ok {
				return t.locate(formatErr("Invalid rule %s: every assertion must have an Assert", name), apath)
			}
			if d, ok := am["AssertDescription"]; ok && !isScalar(d) {
				return t.locate(formatErr("Invalid rule %s: AssertDescription must be a string", name), childPath(apath, "AssertDescription"))
			}
		}
		w := &refWalker{inRules: true}
		w.walk(rule, path)
		if w.err != nil {
			return t.locate(w.err, w.errPath)
		}
		if err := t.checkIfConds(w); err != nil {
			return err
		}
		t.sortRefs(w.refs)
		for _, ref := range w.refs {
			if ref.kind == refName && !t.isParameterOrPseudo(ref.name) && !slices.Contains(unresolved, ref.name) {
				unresolved = append(unresolved, ref.name)
				if firstPath == "" {
					firstPath = ref.path
				}
			}
		}
	}
	if len(unresolved) > 0 {
		return t.locate(unresolvedResources(unresolved, "Rules"), firstPath)
	}
	return nil
}

// CheckRules evaluates the Rules section with the stack's parameter
// values and conditions, in the order of the rules' names. It returns
// nil when every assertion of every rule that applies holds, and
// otherwise an *Error whose Message is the first failed assertion's
// AssertDescription, which CloudFormation answers as a ValidationError.
// Fn::ValueOf and Fn::ValueOfAll read attributes of EC2 resources,
// which virga does not have: they give an error that wraps
// ErrNotSupported.
func (t *Template) CheckRules(values *Values, conds map[string]bool) error {
	rules, _ := t.Tree["Rules"].(map[string]any)
	re := &ruleEvaluator{t: t, e: &evaluator{ctx: &EvalContext{Template: t, Values: values, Conditions: conds}}}
	for _, name := range sortedKeys(rules) {
		path := childPath("/Rules", name)
		rule, _ := rules[name].(map[string]any)
		if c, ok := rule["RuleCondition"]; ok {
			holds, err := re.cond(c, childPath(path, "RuleCondition"), 0)
			if err != nil {
				return err
			}
			if !holds {
				continue
			}
		}
		asserts, _ := rule["Assertions"].([]any)
		for i, a := range asserts {
			am, _ := a.(map[string]any)
			apath := childPath(indexPath(childPath(path, "Assertions"), i), "Assert")
			holds, err := re.cond(am["Assert"], apath, 0)
			if err != nil {
				return err
			}
			if holds {
				continue
			}
			// The message is the description alone, with no position, as
			// AWS gives it.
			if d, ok := am["AssertDescription"]; ok && d != nil && scalarText(d) != "" {
				return plainErr("%s", scalarText(d))
			}
			// Wording unconfirmed: AWS's message for an assertion
			// without a description.
			return templateErr("Assertion failed for rule %s", name)
		}
	}
	return nil
}

// ruleEvaluator evaluates rule functions: conditions give booleans,
// values give a string or a list of strings.
type ruleEvaluator struct {
	t *Template
	e *evaluator
}

// cond evaluates a rule condition or assertion.
func (re *ruleEvaluator) cond(node any, path string, depth int) (bool, error) {
	if depth > maxDepth {
		return false, re.t.locate(templateErr("the template nests too deeply"), path)
	}
	if b, ok := node.(bool); ok {
		return b, nil
	}
	m, ok := node.(map[string]any)
	if !ok || len(m) != 1 {
		return false, re.t.locate(templateErr("every rule condition and assertion must be a rule function that evaluates to true or false"), path)
	}
	var fn string
	var arg any
	for fn, arg = range m {
	}
	v, err := re.condFn(fn, arg, childPath(path, fn), depth)
	if err != nil {
		return false, re.e.locate(err, path)
	}
	return v, nil
}

// condFn evaluates one rule function that gives a boolean.
func (re *ruleEvaluator) condFn(fn string, arg any, fpath string, depth int) (bool, error) {
	switch fn {
	case "Fn::And", "Fn::Or", "Fn::Not":
		return boolOp(fn, arg, fpath, func(node any, path string) (bool, error) { return re.cond(node, path, depth+1) })
	case "Fn::If":
		branch, bpath, err := re.ifBranch(arg, fpath)
		if err != nil {
			return false, err
		}
		return re.cond(branch, bpath, depth+1)
	case "Condition":
		name, _ := arg.(string)
		v, known := re.e.ctx.Conditions[name]
		if !known {
			return false, re.t.locate(templateErr("unresolved condition dependency %s", name), fpath)
		}
		return v, nil
	case "Fn::Equals", "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return false, re.t.locate(templateErr("%s requires a list argument with two elements", fn), fpath)
		}
		a, err := re.value(l[0], indexPath(fpath, 0), depth+1)
		if err != nil {
			return false, err
		}
		b, err := re.value(l[1], indexPath(fpath, 1), depth+1)
		if err != nil {
			return false, err
		}
		if fn == "Fn::Equals" {
			return equalValues(a, b), nil
		}
		list, ok := a.([]any)
		if !ok {
			return false, re.t.locate(templateErr("%s requires a list of strings as its first element", fn), indexPath(fpath, 0))
		}
		switch fn {
		case "Fn::Contains":
			return slices.ContainsFunc(list, func(v any) bool { return equalValues(v, b) }), nil
		case "Fn::EachMemberEquals":
			for _, v := range list {
				if !equalValues(v, b) {
					return false, nil
				}
			}
			return true, nil
		}
		in, ok := b.([]any)
		if !ok {
			return false, re.t.locate(templateErr("Fn::EachMemberIn requires a list of strings as its second element"), indexPath(fpath, 1))
		}
		for _, v := range list {
			if !slices.ContainsFunc(in, func(w any) bool { return equalValues(v, w) }) {
				return false, nil
			}
		}
		return true, nil
	}
	return false, re.t.locate(templateErr("%s is not a rule function that evaluates to true or false", fn), fpath)
}

// ifBranch picks the branch of an Fn::If that its condition (from the
// Conditions section) selects.
func (re *ruleEvaluator) ifBranch(arg any, path string) (any, string, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, "", re.t.locate(templateErr("Fn::If requires a list argument with three elements"), path)
	}
	name, _ := l[0].(string)
	v, known := re.e.ctx.Conditions[name]
	if !known {
		return nil, "", re.t.locate(templateErr("unresolved condition dependency %s in Fn::If", name), path)
	}
	if v {
		return l[1], indexPath(path, 1), nil
	}
	return l[2], indexPath(path, 2), nil
}

// value evaluates an argument of a rule function: Fn::RefAll gives the
// values of every parameter of a type, a literal list has its elements
// evaluated, and anything else (Ref, Fn::Join, Fn::FindInMap, ...) is
// evaluated as elsewhere in the template.
func (re *ruleEvaluator) value(node any, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, re.t.locate(templateErr("the template nests too deeply"), path)
	}
	switch n := node.(type) {
	case []any:
		out := make([]any, 0, len(n))
		for i, v := range n {
			ev, err := re.value(v, indexPath(path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, ev)
		}
		return out, nil
	case map[string]any:
		if len(n) != 1 {
			break
		}
		for fn, arg := range n {
			fpath := childPath(path, fn)
			switch fn {
			case "Fn::RefAll":
				typ, ok := arg.(string)
				if !ok {
					return nil, re.t.locate(templateErr("Fn::RefAll requires a parameter type"), fpath)
				}
				return re.refAll(typ), nil
			case "Fn::ValueOf", "Fn::ValueOfAll":
				return nil, re.t.locate(unsupportedErr("Template error: %s reads attributes of EC2 resources (VPCs, subnets, security groups), which virga does not have", fn), fpath)
			case "Fn::If":
				branch, bpath, err := re.ifBranch(arg, fpath)
				if err != nil {
					return nil, err
				}
				return re.value(branch, bpath, depth+1)
			}
		}
	}
	return re.e.eval(node, path, depth)
}

// refAll is Fn::RefAll: the values of every parameter declared with the
// type, in the order they are declared, the elements of a list
// parameter each on its own.
func (re *ruleEvaluator) refAll(typ string) []any {
	out := []any{}
	if re.e.ctx.Values == nil {
		return out
	}
	for _, name := range re.t.ParameterNames {
		p, ok := re.e.ctx.Values.Params[name]
		if !ok || p.Type != typ {
			continue
		}
		switch v := p.Ref().(type) {
		case []any:
			out = append(out, v...)
		default:
			out = append(out, v)
		}
	}
	return out
}
