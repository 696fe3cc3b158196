package expr

import (
	"encoding/base64"
	"strconv"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// This file applies DynamoDB's semantic rules to a parsed expression, in the
// order DynamoDB reports them, and resolves placeholders as it goes.
//
// Conditions (and filters and key conditions): operator and IN limits, path
// depth, redundant parentheses, unknown function names, functions used in
// the wrong place, reserved words; then each comparison or function in
// written order, reporting for the first one with a problem, by priority, an
// undefined placeholder, a wrong operand count, non-distinct operands, or a
// wrong operand type.
//
// Updates: reserved words, unknown function names, repeated clauses,
// undefined names, undefined values, overlapping paths, conflicting paths,
// ADD and DELETE operand types, then function operand counts and types.
//
// Projections: reserved words, undefined names, overlapping paths,
// conflicting paths.

// conditionFunctions maps the functions of condition expressions to their
// operand counts.
var conditionFunctions = map[string]int{
	"attribute_exists":     1,
	"attribute_not_exists": 1,
	"attribute_type":       2,
	"begins_with":          2,
	"contains":             2,
	"size":                 1,
}

// updateFunctions maps the functions of update expressions to their operand
// counts.
var updateFunctions = map[string]int{
	"if_not_exists": 2,
	"list_append":   2,
}

type checker struct {
	kind   Kind
	names  map[string]string
	values map[string]attr.Value
	refs   Refs
	seen   map[string]struct{}
}

func newChecker(kind Kind, names map[string]string, values map[string]attr.Value) *checker {
	return &checker{kind: kind, names: names, values: values, seen: map[string]struct{}{}}
}

func (c *checker) use(ref string, list *[]string) {
	if _, ok := c.seen[ref]; !ok {
		c.seen[ref] = struct{}{}
		*list = append(*list, ref)
	}
}

// resolvePath sets pn.path and returns "", or returns the first placeholder
// that is not defined.
func (c *checker) resolvePath(pn *pathNode) string {
	path := make(Path, len(pn.elems))
	for i, e := range pn.elems {
		switch {
		case e.isIndex:
			path[i] = PathElem{Index: e.index, IsIndex: true}
		case e.isName:
			name, ok := c.names[e.text]
			if !ok {
				return e.text
			}
			c.use(e.text, &c.refs.Names)
			path[i] = PathElem{Name: name}
		default:
			path[i] = PathElem{Name: e.text}
		}
	}
	pn.path = path
	return ""
}

// resolveValue sets v.v and reports whether its placeholder is defined.
func (c *checker) resolveValue(v *opValue) bool {
	val, ok := c.values[v.ref]
	if !ok {
		return false
	}
	c.use(v.ref, &c.refs.Values)
	v.v = val
	return true
}

func undefinedName(ref string) string {
	return "An expression attribute name used in the document path is not defined; attribute name: " + ref
}

func undefinedValue(ref string) string {
	return "An expression attribute value used in expression is not defined; attribute value: " + ref
}

// walk visits n and everything below it, parents first, in written order,
// until visit returns false.
func walk(n any, visit func(any) bool) bool {
	if !visit(n) {
		return false
	}
	switch n := n.(type) {
	case *condAnd:
		return walk(n.l, visit) && walk(n.r, visit)
	case *condOr:
		return walk(n.l, visit) && walk(n.r, visit)
	case *condNot:
		return walk(n.x, visit)
	case *condCompare:
		return walk(n.l, visit) && walk(n.r, visit)
	case *condBetween:
		return walk(n.x, visit) && walk(n.lo, visit) && walk(n.hi, visit)
	case *condIn:
		if !walk(n.x, visit) {
			return false
		}
		for _, a := range n.list {
			if !walk(a, visit) {
				return false
			}
		}
	case *condFunc:
		return walk(n.f, visit)
	case *opFunc:
		for _, a := range n.args {
			if !walk(a, visit) {
				return false
			}
		}
	case *opArith:
		return walk(n.l, visit) && walk(n.r, visit)
	}
	return true
}

// limits checks the operator count, IN lists and path depth.
func (c *checker) limits(p *parser, roots ...any) error {
	if p.operators > MaxOperators {
		return c.kind.errorf("The expression contains too many operators; operator count: " + strconv.Itoa(p.operators))
	}
	if p.maxIn > MaxInOperands {
		return c.kind.errorf("The IN operator is provided with too many operands; number of operands: " + strconv.Itoa(p.maxIn))
	}
	var err error
	for _, r := range roots {
		walk(r, func(n any) bool {
			if op, ok := n.(*opPath); ok && len(op.p.elems) > MaxPathDepth {
				err = c.kind.errorf("The document path has too many nesting levels; nesting levels: " + strconv.Itoa(len(op.p.elems)))
			}
			return err == nil
		})
	}
	return err
}

// functionNames reports the first function not in own: a function of the
// other expression kind is "not allowed" there (DynamoDB tells size or
// contains in an update, and if_not_exists or list_append in a condition,
// from a name it does not know); any other name is invalid.
func (c *checker) functionNames(own, other map[string]int, where string, roots ...any) error {
	var err error
	for _, r := range roots {
		walk(r, func(n any) bool {
			f, ok := n.(*opFunc)
			if !ok {
				return true
			}
			if _, ok := own[f.name]; ok {
				return true
			}
			if _, ok := other[f.name]; ok {
				err = c.kind.errorf("The function is not allowed in " + where + "; function: " + f.name)
			} else {
				err = c.kind.errorf("Invalid function name; function: " + f.name)
			}
			return false
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// reservedWord reports the first bare attribute name that is reserved.
func (c *checker) reservedWord(roots ...any) error {
	var err error
	for _, r := range roots {
		walk(r, func(n any) bool {
			if op, ok := n.(*opPath); ok {
				err = c.reservedInPath(op.p)
			}
			return err == nil
		})
	}
	return err
}

func (c *checker) reservedInPath(pn *pathNode) error {
	for _, e := range pn.elems {
		if !e.isName && !e.isIndex && IsReserved(e.text) {
			return c.kind.errorf("Attribute name is a reserved keyword; reserved keyword: " + e.text)
		}
	}
	return nil
}

// ---- conditions ----

func (c *checker) condition(root any, p *parser) error {
	if err := c.limits(p, root); err != nil {
		return err
	}
	if p.redundant {
		return c.kind.errorf("The expression has redundant parentheses;")
	}
	if err := c.functionNames(conditionFunctions, updateFunctions, "a condition expression", root); err != nil {
		return err
	}
	if name := misusedFunction(root); name != "" {
		return c.kind.errorf("The function is not allowed to be used this way in an expression; function: " + name)
	}
	if err := c.reservedWord(root); err != nil {
		return err
	}
	for _, l := range leaves(root) {
		if msg := c.leaf(l); msg != "" {
			return c.kind.errorf(msg)
		}
	}
	return nil
}

// leaves returns the comparisons and functions of a condition in written
// order.
func leaves(n any) []any {
	switch n := n.(type) {
	case *condAnd:
		return append(leaves(n.l), leaves(n.r)...)
	case *condOr:
		return append(leaves(n.l), leaves(n.r)...)
	case *condNot:
		return leaves(n.x)
	}
	return []any{n}
}

// misusedFunction returns the first function used where DynamoDB does not
// allow it: a boolean function as an operand, or size as a condition.
func misusedFunction(root any) string {
	var inCond func(n any) string
	var inOperand func(n any) string
	inOperand = func(n any) string {
		f, ok := n.(*opFunc)
		if !ok {
			return ""
		}
		if f.name != "size" {
			return f.name
		}
		for _, a := range f.args {
			if name := inOperand(a); name != "" {
				return name
			}
		}
		return ""
	}
	operands := func(ops ...any) string {
		for _, o := range ops {
			if name := inOperand(o); name != "" {
				return name
			}
		}
		return ""
	}
	inCond = func(n any) string {
		switch n := n.(type) {
		case *condAnd:
			if name := inCond(n.l); name != "" {
				return name
			}
			return inCond(n.r)
		case *condOr:
			if name := inCond(n.l); name != "" {
				return name
			}
			return inCond(n.r)
		case *condNot:
			return inCond(n.x)
		case *condCompare:
			return operands(n.l, n.r)
		case *condBetween:
			return operands(n.x, n.lo, n.hi)
		case *condIn:
			return operands(append([]any{n.x}, n.list...)...)
		case *condFunc:
			if n.f.name == "size" {
				return "size"
			}
			return operands(n.f.args...)
		}
		return ""
	}
	return inCond(root)
}

// immediateType is the type an operand is known to have before evaluation: a
// value's type, or N for size(); TypeInvalid for paths and other functions.
func immediateType(op any) attr.Type {
	switch op := op.(type) {
	case *opValue:
		return op.v.Type()
	case *opFunc:
		if op.name == "size" {
			return attr.TypeN
		}
	}
	return attr.TypeInvalid
}

// leaf checks one comparison or function and returns DynamoDB's message for
// its first problem, or "".
func (c *checker) leaf(leaf any) string {
	// Problems by priority: undefined placeholder, operand count,
	// non-distinct operands, operand type.
	var found [4]string
	note := func(i int, msg string) {
		if found[i] == "" {
			found[i] = msg
		}
	}
	walk(leaf, func(n any) bool {
		switch n := n.(type) {
		case *opPath:
			if ref := c.resolvePath(n.p); ref != "" {
				note(0, undefinedName(ref))
			}
		case *opValue:
			if !c.resolveValue(n) {
				note(0, undefinedValue(n.ref))
			}
		}
		return true
	})
	if found[0] != "" {
		return found[0]
	}
	var funcs func(n any)
	funcs = func(n any) {
		f, ok := n.(*opFunc)
		if !ok {
			return
		}
		for _, a := range f.args {
			funcs(a)
		}
		if len(f.args) != conditionFunctions[f.name] {
			note(1, "Incorrect number of operands for operator or function; operator or function: "+f.name+", number of operands: "+strconv.Itoa(len(f.args)))
			return
		}
		if len(f.args) == 2 {
			if msg := distinct(f.name, f.args[0], f.args[1]); msg != "" {
				note(2, msg)
			}
		}
		if msg := conditionFunctionTypes(f); msg != "" {
			note(3, msg)
		}
	}
	switch n := leaf.(type) {
	case *condCompare:
		funcs(n.l)
		funcs(n.r)
		if msg := distinct(compareText[n.op], n.l, n.r); msg != "" {
			note(2, msg)
		}
		// Only S, N and B order: an ordering comparison with a value of
		// another type is refused, whatever the item holds.
		if n.op != tEq && n.op != tNe {
			for _, o := range []any{n.l, n.r} {
				if t := immediateType(o); t != attr.TypeInvalid && !t.IsScalar() {
					note(3, operandType(compareText[n.op], t.String()))
				}
			}
		}
	case *condBetween:
		funcs(n.x)
		funcs(n.lo)
		funcs(n.hi)
		for _, o := range []any{n.x, n.lo, n.hi} {
			if t := immediateType(o); t != attr.TypeInvalid && !t.IsScalar() {
				note(3, operandType("BETWEEN", t.String()))
			}
		}
		lo, okLo := n.lo.(*opValue)
		hi, okHi := n.hi.(*opValue)
		if okLo && okHi {
			if msg := betweenBounds(lo.v, hi.v); msg != "" {
				note(3, msg)
			}
		}
	case *condIn:
		funcs(n.x)
		for _, a := range n.list {
			funcs(a)
		}
	case *condFunc:
		funcs(n.f)
	}
	for _, msg := range found[1:] {
		if msg != "" {
			return msg
		}
	}
	return ""
}

func operandType(op, typ string) string {
	return "Incorrect operand type for operator or function; operator or function: " + op + ", operand type: " + typ
}

// distinct reports operands that are the same document path.
func distinct(op string, a, b any) string {
	pa, okA := a.(*opPath)
	pb, okB := b.(*opPath)
	if !okA || !okB || pa.p.path == nil || !samePath(pa.p.path, pb.p.path) {
		return ""
	}
	return "The first operand must be distinct from the remaining operands for this operator or function; operator: " + op + ", first operand: " + pa.p.path.String()
}

func samePath(a, b Path) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const (
	attributeTypeNames   = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
	attributeTypeOperand = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
)

// conditionFunctionTypes checks what each condition function requires of
// its operands.
func conditionFunctionTypes(f *opFunc) string {
	switch f.name {
	case "attribute_exists", "attribute_not_exists":
		if _, ok := f.args[0].(*opPath); !ok {
			return "Operator or function requires a document path; operator or function: " + f.name
		}
	case "begins_with":
		for _, a := range f.args {
			if t := immediateType(a); t != attr.TypeInvalid && t != attr.TypeS && t != attr.TypeB {
				return operandType(f.name, t.String())
			}
		}
	case "attribute_type":
		t := immediateType(f.args[1])
		if t != attr.TypeS {
			name := attributeTypeOperand
			if t != attr.TypeInvalid {
				name = t.String()
			}
			return operandType(f.name, name)
		}
		name := f.args[1].(*opValue).v.S()
		if _, ok := attr.ParseType(name); !ok {
			return "Invalid attribute type name found; type: " + name + ", valid types: " + attributeTypeNames
		}
	case "size":
		switch t := immediateType(f.args[0]); t {
		case attr.TypeN, attr.TypeBOOL, attr.TypeNULL:
			return operandType(f.name, t.String())
		}
	}
	return ""
}

// betweenBounds checks two literal BETWEEN bounds.
func betweenBounds(lo, hi attr.Value) string {
	bounds := "lower bound operand: AttributeValue: " + renderValue(lo) + ", upper bound operand: AttributeValue: " + renderValue(hi)
	if lo.Type() != hi.Type() {
		return "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds
	}
	if cmp, ok := attr.Compare(lo, hi); ok && cmp > 0 {
		return "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + bounds
	}
	return ""
}

// renderValue prints a value as DynamoDB does in BETWEEN messages: {S:a},
// {N:1}.
func renderValue(v attr.Value) string {
	var s string
	switch v.Type() {
	case attr.TypeS:
		s = v.S()
	case attr.TypeN:
		s = v.N().String()
	case attr.TypeB:
		s = base64.StdEncoding.EncodeToString(v.B())
	case attr.TypeBOOL:
		s = strconv.FormatBool(v.Bool())
	case attr.TypeNULL:
		s = "true"
	default:
		s = "..."
	}
	return "{" + v.Type().String() + ":" + s + "}"
}

// ---- paths shared by updates and projections ----

// overlaps returns DynamoDB's message for the first pair of paths where one
// contains the other, or else for the first pair that uses the same position
// as both a map key and a list index.
func overlaps(paths []Path) string {
	conflict := ""
	for j, b := range paths {
		for _, a := range paths[:j] {
			rel := relate(a, b)
			if rel == relOverlap {
				return "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " + a.String() + ", path two: " + b.String()
			}
			if rel == relConflict && conflict == "" {
				conflict = "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " + a.String() + ", path two: " + b.String()
			}
		}
	}
	return conflict
}

const (
	relNone = iota
	relOverlap
	relConflict
)

func relate(a, b Path) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].IsIndex != b[i].IsIndex {
			return relConflict
		}
		if a[i] != b[i] {
			return relNone
		}
	}
	return relOverlap
}

// ---- updates ----

func (c *checker) update(actions []updateAction, clauses []string, p *parser) error {
	roots := make([]any, 0, 2*len(actions))
	for _, a := range actions {
		roots = append(roots, &opPath{p: a.path})
		if a.value != nil {
			roots = append(roots, a.value)
		}
	}
	if err := c.limits(p, roots...); err != nil {
		return err
	}
	if err := c.reservedWord(roots...); err != nil {
		return err
	}
	if err := c.functionNames(updateFunctions, conditionFunctions, "an update expression", roots...); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, cl := range clauses {
		if seen[cl] {
			return c.kind.errorf(`The "` + cl + `" section can only be used once in an update expression;`)
		}
		seen[cl] = true
	}
	var err error
	for _, r := range roots {
		walk(r, func(n any) bool {
			if op, ok := n.(*opPath); ok {
				if ref := c.resolvePath(op.p); ref != "" {
					err = c.kind.errorf(undefinedName(ref))
				}
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	for _, r := range roots {
		walk(r, func(n any) bool {
			if v, ok := n.(*opValue); ok && !c.resolveValue(v) {
				err = c.kind.errorf(undefinedValue(v.ref))
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	targets := make([]Path, len(actions))
	for i, a := range actions {
		targets[i] = a.path.path
	}
	if msg := overlaps(targets); msg != "" {
		return c.kind.errorf(msg)
	}
	for _, a := range actions {
		if a.clause != "ADD" && a.clause != "DELETE" {
			continue
		}
		t := a.value.(*opValue).v.Type()
		if t.IsSet() || (a.clause == "ADD" && t == attr.TypeN) {
			continue
		}
		// DynamoDB names the set of types the action allows after the
		// operand's type.
		return c.kind.errorf("Incorrect operand type for operator or function; operator: " + a.clause + ", operand type: " + t.LongName() + ", typeSet: ALLOWED_FOR_" + a.clause + "_OPERAND")
	}
	for _, a := range actions {
		if a.clause == "SET" {
			if msg := updateFunctionChecks(a.value); msg != "" {
				return c.kind.errorf(msg)
			}
		}
	}
	return nil
}

// updateFunctionChecks checks the functions and arithmetic of a SET value,
// innermost first.
func updateFunctionChecks(n any) string {
	switch n := n.(type) {
	case *opArith:
		for _, o := range []any{n.l, n.r} {
			if msg := updateFunctionChecks(o); msg != "" {
				return msg
			}
		}
		op := "+"
		if n.minus {
			op = "-"
		}
		for _, o := range []any{n.l, n.r} {
			if v, ok := o.(*opValue); ok && v.v.Type() != attr.TypeN {
				return operandType(op, v.v.Type().String())
			}
		}
	case *opFunc:
		for _, a := range n.args {
			if msg := updateFunctionChecks(a); msg != "" {
				return msg
			}
		}
		if n.name == "list_append" {
			// DynamoDB takes if_not_exists inside list_append, but not
			// list_append itself.
			for _, a := range n.args {
				if f, ok := a.(*opFunc); ok && f.name == "list_append" {
					return "The function is not allowed to be used this way in an expression; function: list_append"
				}
			}
		}
		if len(n.args) != updateFunctions[n.name] {
			return "Incorrect number of operands for operator or function; operator or function: " + n.name + ", number of operands: " + strconv.Itoa(len(n.args))
		}
		switch n.name {
		case "if_not_exists":
			if _, ok := n.args[0].(*opPath); !ok {
				return "Operator or function requires a document path; operator or function: " + n.name
			}
		case "list_append":
			for _, a := range n.args {
				if v, ok := a.(*opValue); ok && v.v.Type() != attr.TypeL {
					return operandType(n.name, v.v.Type().String())
				}
			}
		}
	}
	return ""
}

// ---- projections ----

func (c *checker) projection(paths []*pathNode, p *parser) error {
	roots := make([]any, len(paths))
	for i, pn := range paths {
		roots[i] = &opPath{p: pn}
	}
	if err := c.limits(p, roots...); err != nil {
		return err
	}
	if err := c.reservedWord(roots...); err != nil {
		return err
	}
	resolved := make([]Path, len(paths))
	for i, pn := range paths {
		if ref := c.resolvePath(pn); ref != "" {
			return c.kind.errorf(undefinedName(ref))
		}
		resolved[i] = pn.path
	}
	if msg := overlaps(resolved); msg != "" {
		return c.kind.errorf(msg)
	}
	return nil
}
