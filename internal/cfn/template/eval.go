package template

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/zones"
)

// Resolver answers what only the engine creating a stack knows: the
// physical IDs and attributes of resources, which exist only once created,
// and the exports of other stacks. Errors it returns reach Eval's caller
// unchanged; for a missing export AWS's wording is "No export named X
// found".
type Resolver interface {
	// Ref returns the value Ref gives for a created resource, usually
	// its physical ID.
	Ref(logicalID string) (string, error)
	// GetAtt returns a created resource's attribute: a string, or a list
	// for list-valued attributes such as a VPC's Ipv6CidrBlocks.
	GetAtt(logicalID, attribute string) (any, error)
	// ImportValue returns the value of another stack's export.
	ImportValue(exportName string) (string, error)
}

// EvalContext is what evaluating a template's values depends on.
type EvalContext struct {
	// Template supplies the mappings and the names of resources,
	// parameters and conditions. It may be nil, when a Ref to an unknown
	// name goes to the Resolver and Fn::FindInMap finds no mappings.
	Template *Template
	// Values holds the parameter and pseudo parameter values.
	Values *Values
	// Conditions holds every condition's value, as EvalConditions gives
	// them; Fn::If and resource conditions read it.
	Conditions map[string]bool
	// Resolver resolves resources and exports. When nil, any reference
	// to a resource or an export fails.
	Resolver Resolver
	// Path locates the evaluated node in Template, as a JSON pointer
	// such as "/Resources/Bucket/Properties", so that errors carry the
	// node's line. It may be empty.
	Path string
}

// noValueType marks the result of Ref AWS::NoValue, which removes the key
// or list element holding it.
type noValueType struct{}

var noValue any = noValueType{}

// Eval evaluates every intrinsic function in node and returns the result
// as plain values; node itself is not modified. A map key or list element
// whose value is Ref AWS::NoValue is removed; when node itself evaluates
// to AWS::NoValue, Eval returns nil. Only the branch of Fn::If that its
// condition selects is evaluated, so the other may refer to resources that
// do not exist. Errors are *Error with CloudFormation's wording, except
// those the Resolver returns.
func Eval(node any, ctx *EvalContext) (any, error) {
	if ctx == nil {
		ctx = &EvalContext{}
	}
	e := &evaluator{ctx: ctx}
	v, err := e.eval(node, ctx.Path, 0)
	if err != nil {
		return nil, err
	}
	if v == noValue {
		return nil, nil
	}
	return v, nil
}

type evaluator struct {
	ctx *EvalContext
	// conds evaluates named conditions on demand while the Conditions
	// section itself is evaluated; nil elsewhere, where ctx.Conditions
	// holds them.
	conds *condEvaluator
}

// functionName reports the intrinsic function a map invokes: a map with
// a single key "Ref" or "Fn::...". The key "Condition" is a function only
// where conditions are evaluated, so that a property named Condition is
// left alone.
func functionName(node any) (string, any, bool) {
	m, ok := node.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, v, true
		}
	}
	return "", nil, false
}

func (e *evaluator) eval(node any, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, e.locate(templateErr("the template nests too deeply"), path)
	}
	if fn, arg, ok := functionName(node); ok {
		v, err := e.call(fn, arg, childPath(path, fn), depth)
		if err != nil {
			return nil, e.locate(err, path)
		}
		return v, nil
	}
	switch n := node.(type) {
	case map[string]any:
		out := make(map[string]any, len(n))
		// Sorted keys make the first error reported the same every time.
		for _, k := range sortedKeys(n) {
			ev, err := e.eval(n[k], childPath(path, k), depth+1)
			if err != nil {
				return nil, err
			}
			if ev != noValue {
				out[k] = ev
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(n))
		for i, v := range n {
			ev, err := e.eval(v, indexPath(path, i), depth+1)
			if err != nil {
				return nil, err
			}
			if ev != noValue {
				out = append(out, ev)
			}
		}
		return out, nil
	}
	return node, nil
}

// locate attaches a path and, through the template, a line to an *Error
// that has none, working on a copy so that an *Error the Resolver shares
// is never modified. Any other error, such as one from the Resolver,
// passes unchanged.
func (e *evaluator) locate(err error, path string) error {
	te, ok := err.(*Error)
	if !ok || te.Path != "" {
		return err
	}
	c := *te
	return e.ctx.Template.locate(&c, path)
}

// call evaluates one intrinsic function.
func (e *evaluator) call(fn string, arg any, path string, depth int) (any, error) {
	switch fn {
	case "Ref":
		return e.ref(arg)
	case "Fn::GetAtt":
		return e.getAtt(arg, path, depth)
	case "Fn::Sub":
		return e.sub(arg, path, depth)
	case "Fn::Join":
		return e.join(arg, path, depth)
	case "Fn::Select":
		return e.selectFn(arg, path, depth)
	case "Fn::Split":
		return e.split(arg, path, depth)
	case "Fn::If":
		return e.ifFn(arg, path, depth)
	case "Fn::FindInMap":
		return e.findInMap(arg, path, depth)
	case "Fn::Base64":
		s, err := e.evalString(arg, path, depth)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, templateErr("every Fn::Base64 object must have a String-typed value.")
		}
		return base64.StdEncoding.EncodeToString([]byte(*s)), nil
	case "Fn::GetAZs":
		return e.getAZs(arg, path, depth)
	case "Fn::ImportValue":
		return e.importValue(arg, path, depth)
	case "Fn::Cidr":
		return e.cidr(arg, path, depth)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return e.condition(map[string]any{fn: arg}, path, depth)
	case "Fn::Length":
		v, err := e.eval(arg, path, depth+1)
		if err != nil {
			return nil, err
		}
		l, ok := v.([]any)
		if !ok {
			return nil, templateErr("Fn::Length requires a list argument")
		}
		return json.Number(strconv.Itoa(len(l))), nil
	case "Fn::ToJsonString":
		v, err := e.eval(arg, path, depth+1)
		if err != nil {
			return nil, err
		}
		// <, > and & stay as they are, as CloudFormation writes them.
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, templateErr("Fn::ToJsonString cannot encode its argument")
		}
		return strings.TrimSuffix(b.String(), "\n"), nil
	case "Fn::Transform":
		return nil, unsupportedErr("Fn::Transform runs macros, which virga's evaluator does not: transform the template first")
	}
	return nil, unknownFunctionErr(fn)
}

// unknownFunctionErr is the error for an "Fn::" key CloudFormation does
// not know. The wording is unconfirmed.
func unknownFunctionErr(fn string) *Error {
	return formatErr("Encountered unsupported function: %s", fn)
}

// args evaluates a function's argument and checks it is a list of n
// elements, n < 0 meaning any length.
func (e *evaluator) args(arg any, n int, path string, depth int) ([]any, bool, error) {
	l, ok := arg.([]any)
	if !ok {
		return nil, false, nil
	}
	if n >= 0 && len(l) != n {
		return nil, false, nil
	}
	out := make([]any, len(l))
	for i, a := range l {
		v, err := e.eval(a, indexPath(path, i), depth+1)
		if err != nil {
			return nil, false, err
		}
		out[i] = v
	}
	return out, true, nil
}

// evalString evaluates node and returns its text if it is a scalar other
// than null, or nil otherwise.
func (e *evaluator) evalString(node any, path string, depth int) (*string, error) {
	v, err := e.eval(node, path, depth+1)
	if err != nil {
		return nil, err
	}
	if v == nil || v == noValue || !isScalar(v) {
		return nil, nil
	}
	s := scalarText(v)
	return &s, nil
}

func (e *evaluator) ref(arg any) (any, error) {
	name, ok := arg.(string)
	if !ok {
		return nil, formatErr("Every Ref object must have a single String value.")
	}
	if name == "AWS::NoValue" {
		return noValue, nil
	}
	if v, ok := e.ctx.Values.Ref(name); ok {
		return v, nil
	}
	if isPseudo(name) {
		v, _ := Pseudo{}.Ref(name) // no Values: pseudo parameters are empty
		return v, nil
	}
	if err := e.checkResource(name); err != nil {
		return nil, err
	}
	if e.ctx.Resolver == nil {
		return nil, unresolvedResources([]string{name}, "Resources")
	}
	return e.ctx.Resolver.Ref(name)
}

// checkResource reports a name the template does not declare as a
// resource, or declares under a condition that is false.
func (e *evaluator) checkResource(name string) error {
	t := e.ctx.Template
	if t == nil {
		return nil
	}
	r, ok := t.Resources[name]
	if !ok || (r.Condition != "" && !e.ctx.Conditions[r.Condition]) {
		return unresolvedResources([]string{name}, "Resources")
	}
	return nil
}

// unresolvedResources is AWS's error for references to undeclared names.
func unresolvedResources(names []string, block string) *Error {
	return formatErr("Unresolved resource dependencies %s in the %s block of the template", bracketList(names), block)
}

const errGetAttArgs = "every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"

func (e *evaluator) getAtt(arg any, path string, depth int) (any, error) {
	if s, ok := arg.(string); ok {
		// "Resource.Attribute", the form the YAML short tag writes.
		res, attr, _ := strings.Cut(s, ".")
		arg = []any{res, attr}
	}
	l, ok, err := e.args(arg, 2, path, depth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, templateErr(errGetAttArgs)
	}
	res, rok := l[0].(string)
	attr, aok := l[1].(string)
	if !rok || !aok || res == "" || attr == "" {
		return nil, templateErr(errGetAttArgs)
	}
	return e.getAttValue(res, attr)
}

func (e *evaluator) getAttValue(res, attr string) (any, error) {
	if t := e.ctx.Template; t != nil {
		if _, ok := t.Resources[res]; !ok {
			return nil, templateErr("instance of Fn::GetAtt references undefined resource %s", res)
		}
		if err := e.checkResource(res); err != nil {
			return nil, err
		}
	}
	if e.ctx.Resolver == nil {
		return nil, unresolvedResources([]string{res}, "Resources")
	}
	return e.ctx.Resolver.GetAtt(res, attr)
}

const errJoinArgs = "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."

func (e *evaluator) join(arg any, path string, depth int) (any, error) {
	l, ok, err := e.args(arg, 2, path, depth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, templateErr(errJoinArgs)
	}
	delim, dok := l[0].(string)
	items, iok := l[1].([]any)
	if !dok || !iok {
		return nil, templateErr(errJoinArgs)
	}
	parts := make([]string, len(items))
	for i, it := range items {
		if !isScalar(it) || it == nil {
			return nil, templateErr(errJoinArgs)
		}
		parts[i] = scalarText(it)
	}
	return strings.Join(parts, delim), nil
}

const (
	errSelectArgs  = "Fn::Select requires a list argument with two elements: an integer index and a list"
	errSelectIndex = "Fn::Select requires a list argument with a valid index value as its first element"
)

func (e *evaluator) selectFn(arg any, path string, depth int) (any, error) {
	l, ok, err := e.args(arg, 2, path, depth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, templateErr(errSelectArgs)
	}
	if !isScalar(l[0]) || l[0] == nil {
		return nil, templateErr(errSelectIndex)
	}
	idx, err := strconv.Atoi(scalarText(l[0]))
	if err != nil {
		return nil, templateErr(errSelectIndex)
	}
	items, ok := l[1].([]any)
	if !ok {
		return nil, templateErr(errSelectArgs)
	}
	if idx < 0 || idx >= len(items) {
		return nil, templateErr("Fn::Select cannot select nonexistent value at index %d", idx)
	}
	return items[idx], nil
}

const errSplitArgs = "every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split."

func (e *evaluator) split(arg any, path string, depth int) (any, error) {
	l, ok, err := e.args(arg, 2, path, depth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, templateErr(errSplitArgs)
	}
	delim, dok := l[0].(string)
	if !dok || delim == "" || !isScalar(l[1]) || l[1] == nil {
		return nil, templateErr(errSplitArgs)
	}
	parts := strings.Split(scalarText(l[1]), delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (e *evaluator) ifFn(arg any, path string, depth int) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, templateErr("Fn::If requires a list argument with three elements")
	}
	name, ok := l[0].(string)
	if !ok {
		return nil, templateErr("Fn::If requires a list argument with the first element being a condition")
	}
	v, known := e.ctx.Conditions[name]
	if !known {
		return nil, templateErr("unresolved condition dependency %s in Fn::If", name)
	}
	if v {
		return e.eval(l[1], indexPath(path, 1), depth+1)
	}
	return e.eval(l[2], indexPath(path, 2), depth+1)
}

const errFindInMapArgs = "every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value"

func (e *evaluator) findInMap(arg any, path string, depth int) (any, error) {
	raw, ok := arg.([]any)
	if !ok || (len(raw) != 3 && len(raw) != 4) {
		return nil, templateErr(errFindInMapArgs)
	}
	keys := make([]string, 3)
	for i := range keys {
		s, err := e.evalString(raw[i], indexPath(path, i), depth)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, templateErr(errFindInMapArgs)
		}
		keys[i] = *s
	}
	var mappings map[string]any
	if e.ctx.Template != nil {
		mappings = e.ctx.Template.Mappings
	}
	if v, ok := lookupMapping(mappings, keys); ok {
		return v, nil
	}
	// The optional fourth argument {DefaultValue: ...} of the
	// AWS::LanguageExtensions transform.
	if len(raw) == 4 {
		if d, ok := raw[3].(map[string]any); ok {
			if dv, ok := d["DefaultValue"]; ok {
				return e.eval(dv, childPath(indexPath(path, 3), "DefaultValue"), depth+1)
			}
		}
	}
	if _, ok := mappings[keys[0]]; !ok {
		return nil, templateErr("Mapping named '%s' is not present in the 'Mappings' section of template", keys[0])
	}
	return nil, templateErr("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
}

// lookupMapping finds Mappings[map][top][second].
func lookupMapping(mappings map[string]any, keys []string) (any, bool) {
	m, ok := mappings[keys[0]].(map[string]any)
	if !ok {
		return nil, false
	}
	top, ok := m[keys[1]].(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := top[keys[2]]
	return v, ok
}

func (e *evaluator) getAZs(arg any, path string, depth int) (any, error) {
	s, err := e.evalString(arg, path, depth)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, templateErr("every Fn::GetAZs object must have a String-typed value.")
	}
	region := *s
	if region == "" && e.ctx.Values != nil {
		region = e.ctx.Values.Pseudo.Region
	}
	names := zones.Names(region)
	out := make([]any, len(names))
	for i, z := range names {
		out[i] = z
	}
	return out, nil
}

func (e *evaluator) importValue(arg any, path string, depth int) (any, error) {
	s, err := e.evalString(arg, path, depth)
	if err != nil {
		return nil, err
	}
	if s == nil {
		// Wording unconfirmed.
		return nil, templateErr("every Fn::ImportValue object must have a String-typed value.")
	}
	if e.ctx.Resolver == nil {
		return nil, plainErr("No export named %s found.", *s)
	}
	return e.ctx.Resolver.ImportValue(*s)
}
