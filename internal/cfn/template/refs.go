package template

import (
	"slices"
	"strings"
)

// refKind says how a node refers to another.
type refKind int

const (
	// refName is Ref Name, or a ${Name} in Fn::Sub.
	refName refKind = iota
	// refAttr is Fn::GetAtt [Name, Attr], or ${Name.Attr} in Fn::Sub.
	refAttr
)

// reference is one reference found in a tree.
type reference struct {
	kind refKind
	// name is the referenced name; for refAttr the resource.
	name string
	// sub is the whole Fn::Sub variable ("Name.Attr"), or "" when the
	// reference is not from Fn::Sub.
	sub string
	// path is the JSON pointer of the function node.
	path string
}

// refWalker collects the references, condition names and mapping names
// in a tree, and checks the static shape of the intrinsic functions it
// meets.
type refWalker struct {
	// conds selects the Fn::If branch to follow; when nil both are.
	conds map[string]bool
	// inConditions makes {"Condition": name} a reference to a condition,
	// as it is inside the Conditions section.
	inConditions bool
	// inRules accepts the functions only the Rules section may use
	// (Fn::Contains, Fn::RefAll, ...).
	inRules bool

	refs     []reference
	ifConds  []named // conditions named by Fn::If
	condRefs []named // conditions named by {"Condition": name}
	mapNames []named // literal map names of Fn::FindInMap
	err      *Error  // the first malformed function
	errPath  string
}

// named is a name found at a path.
type named struct {
	name, path string
}

func (w *refWalker) fail(err *Error, path string) {
	if w.err == nil {
		w.err, w.errPath = err, path
	}
}

func (w *refWalker) walk(node any, path string) {
	if w.inConditions {
		if m, ok := node.(map[string]any); ok && len(m) == 1 {
			if c, ok := m["Condition"]; ok {
				if s, ok := c.(string); ok {
					w.condRefs = append(w.condRefs, named{s, path})
				} else {
					w.fail(templateErr("Every Condition member must be a string."), path)
				}
				return
			}
		}
	}
	if fn, arg, ok := functionName(node); ok {
		w.function(fn, arg, path, childPath(path, fn))
		return
	}
	switch n := node.(type) {
	case map[string]any:
		for _, k := range sortedKeys(n) {
			w.walk(n[k], childPath(path, k))
		}
	case []any:
		for i, v := range n {
			w.walk(v, indexPath(path, i))
		}
	}
}

func (w *refWalker) function(fn string, arg any, path, argPath string) {
	list, isList := arg.([]any)
	arity := func(n int, msg string) bool {
		if !isList || len(list) != n {
			w.fail(templateErr("%s", msg), path)
			return false
		}
		return true
	}
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			w.fail(formatErr("Every Ref object must have a single String value."), path)
			return
		}
		w.refs = append(w.refs, reference{kind: refName, name: name, path: path})
	case "Fn::GetAtt":
		if s, ok := arg.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			list, isList = []any{res, attr}, true
		}
		if !arity(2, errGetAttArgs) {
			return
		}
		res, ok := list[0].(string)
		if !ok || res == "" {
			w.fail(templateErr(errGetAttArgs), path)
			return
		}
		if attr, ok := list[1].(string); ok && attr == "" {
			w.fail(templateErr(errGetAttArgs), path)
			return
		}
		w.refs = append(w.refs, reference{kind: refAttr, name: res, path: path})
		w.walk(list[1], indexPath(argPath, 1))
	case "Fn::Sub":
		s, vars, ok := subArgs(arg)
		if !ok {
			w.fail(templateErr(errSubArgs), path)
			return
		}
		parts, err := parseSub(s)
		if err != nil {
			w.fail(err.(*Error), path)
			return
		}
		for _, k := range sortedKeys(vars) {
			v := vars[k]
			if !validContextKey(k) {
				w.fail(templateErr("every key of the context object of every Fn::Sub object must contain only alphanumeric characters and underscores"), path)
				return
			}
			w.walk(v, childPath(indexPath(argPath, 1), k))
		}
		for _, p := range parts {
			if !p.isVar {
				continue
			}
			if _, local := vars[p.text]; local {
				continue
			}
			if res, _, dotted := strings.Cut(p.text, "."); dotted && !isPseudo(p.text) {
				w.refs = append(w.refs, reference{kind: refAttr, name: res, sub: p.text, path: path})
			} else {
				w.refs = append(w.refs, reference{kind: refName, name: p.text, sub: p.text, path: path})
			}
		}
	case "Fn::If":
		if !isList || len(list) != 3 {
			w.fail(templateErr("Fn::If requires a list argument with three elements"), path)
			return
		}
		name, ok := list[0].(string)
		if !ok {
			w.fail(templateErr("Fn::If requires a list argument with the first element being a condition"), path)
			return
		}
		w.ifConds = append(w.ifConds, named{name, path})
		v, known := w.conds[name]
		if w.conds == nil || !known || v {
			w.walk(list[1], indexPath(argPath, 1))
		}
		if w.conds == nil || !known || !v {
			w.walk(list[2], indexPath(argPath, 2))
		}
	case "Fn::FindInMap":
		if !isList || (len(list) != 3 && len(list) != 4) {
			w.fail(templateErr(errFindInMapArgs), path)
			return
		}
		if name, ok := list[0].(string); ok {
			w.mapNames = append(w.mapNames, named{name, path})
		}
		w.walk(arg, argPath)
	case "Fn::Join":
		if arity(2, errJoinArgs) {
			w.walk(arg, argPath)
		}
	case "Fn::Select":
		if arity(2, errSelectArgs) {
			w.walk(arg, argPath)
		}
	case "Fn::Split":
		if arity(2, errSplitArgs) {
			w.walk(arg, argPath)
		}
	case "Fn::Cidr":
		if arity(3, errCidrArgs) {
			w.walk(arg, argPath)
		}
	case "Fn::Equals":
		if arity(2, "Fn::Equals requires a list argument with two elements") {
			w.walk(arg, argPath)
		}
	case "Fn::Not":
		if arity(1, "Fn::Not requires a list argument with one element") {
			w.walk(arg, argPath)
		}
	case "Fn::And", "Fn::Or":
		if !isList || len(list) < 2 || len(list) > maxConditionArgs {
			w.fail(templateErr("every %s object requires a list of at least 2 and at most 10 boolean parameters.", fn), path)
			return
		}
		w.walk(arg, argPath)
	case "Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::Transform", "Fn::Length", "Fn::ToJsonString":
		w.walk(arg, argPath)
	case "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll":
		if !w.inRules {
			w.fail(unknownFunctionErr(fn), path)
			return
		}
		w.walk(arg, argPath)
	default:
		w.fail(unknownFunctionErr(fn), path)
	}
}

// validContextKey reports whether a key of Fn::Sub's variable map is
// made of letters, digits and underscores.
func validContextKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		default:
			return false
		}
	}
	return true
}

// sortRefs orders references by where they appear in the template body,
// so that messages listing several names list them as a reader meets
// them. References without a position keep their walk order.
func (t *Template) sortRefs(refs []reference) {
	slices.SortStableFunc(refs, func(a, b reference) int {
		pa, aok := t.positions[a.path]
		pb, bok := t.positions[b.path]
		if !aok || !bok {
			return 0
		}
		if pa.Line != pb.Line {
			return pa.Line - pb.Line
		}
		return pa.Column - pb.Column
	})
}
