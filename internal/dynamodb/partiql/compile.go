package partiql

import (
	"errors"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
)

// This file renders PartiQL conditions, updates and projections as
// DynamoDB expressions, every name a #placeholder and every value a
// :placeholder, and parses them with package expr. PartiQL then shares the
// expression API's evaluator and its semantic checks; the messages of those
// checks come back without the "Invalid ConditionExpression: " prefix, as
// DynamoDB reports them for PartiQL.

// conditionFunctions are the functions a WHERE clause may call, with
// their operand counts.
var conditionFunctions = map[string]int{
	"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
	"begins_with": 2, "contains": 2, "size": 1,
}

// isTypes maps the type names IS accepts to DynamoDB's types.
var isTypes = map[string]string{
	"NULL": "NULL", "BOOLEAN": "BOOL", "BOOL": "BOOL", "BLOB": "B", "STRING": "S",
	"NUMERIC": "N", "STRUCT": "M", "TUPLE": "M", "LIST": "L",
}

// builder accumulates an expression and its placeholders.
type builder struct {
	sb     strings.Builder
	names  map[string]string // #placeholder to name
	byName map[string]string // name to #placeholder
	values map[string]attr.Value
	params []attr.Value
}

func newBuilder(params []attr.Value) *builder {
	return &builder{names: map[string]string{}, byName: map[string]string{}, values: map[string]attr.Value{}, params: params}
}

func (b *builder) name(n string) string {
	if ph, ok := b.byName[n]; ok {
		return ph
	}
	ph := "#n" + strconv.Itoa(len(b.names))
	b.names[ph] = n
	b.byName[n] = ph
	return ph
}

func (b *builder) value(v attr.Value) string {
	ph := ":v" + strconv.Itoa(len(b.values))
	b.values[ph] = v
	return ph
}

func (b *builder) path(p *Path) {
	for i, e := range p.Elems {
		switch {
		case e.IsIndex:
			b.sb.WriteString("[" + strconv.Itoa(e.Index) + "]")
		case i == 0:
			b.sb.WriteString(b.name(e.Name))
		default:
			b.sb.WriteString("." + b.name(e.Name))
		}
	}
}

// ExprError turns an expr error into an *Error without the "Invalid
// ConditionExpression: " (or other parameter) prefix, as DynamoDB reports
// expression rules for PartiQL statements; other errors pass through.
func ExprError(err error) error {
	var ee *expr.Error
	if !errors.As(err, &ee) {
		return err
	}
	msg := ee.Message
	for _, k := range []expr.Kind{expr.KindCondition, expr.KindFilter, expr.KindUpdate, expr.KindProjection, expr.KindKeyCondition} {
		if rest, ok := strings.CutPrefix(msg, "Invalid "+string(k)+": "); ok {
			msg = rest
			break
		}
	}
	return &Error{Message: msg}
}

// Condition compiles a WHERE clause (or part of one) into a condition
// evaluated as a FilterExpression and ConditionExpression are.
func Condition(e Expr, params []attr.Value) (*expr.Condition, error) {
	s, names, values, err := RenderCondition(e, params)
	if err != nil {
		return nil, err
	}
	c, err := expr.ParseCondition(s, names, values)
	if err != nil {
		return nil, ExprError(err)
	}
	return c, nil
}

// RenderCondition renders a condition as a ConditionExpression with its
// ExpressionAttributeNames and Values, for callers that join it with
// conditions of their own.
func RenderCondition(e Expr, params []attr.Value) (string, map[string]string, map[string]attr.Value, error) {
	b := newBuilder(params)
	if err := b.cond(e); err != nil {
		return "", nil, nil, err
	}
	return b.sb.String(), b.names, b.values, nil
}

// compound reports whether rendering e as an operand of AND, OR or NOT
// needs parentheses.
func compound(e Expr) bool {
	if b, ok := e.(*Binary); ok {
		return b.Op == "AND" || b.Op == "OR"
	}
	return false
}

func (b *builder) cond(e Expr) error {
	switch e := e.(type) {
	case *Binary:
		switch e.Op {
		case "AND", "OR":
			if err := b.wrapped(e.L); err != nil {
				return err
			}
			b.sb.WriteString(" " + e.Op + " ")
			return b.wrapped(e.R)
		case "+", "-":
			return errorf("Unsupported operator in Condition Expression. Operator: %s", e.Op)
		}
		if err := b.orderable(e.Text, e.Op, e.L, e.R); err != nil {
			return err
		}
		if err := b.operand(e.L); err != nil {
			return err
		}
		b.sb.WriteString(" " + e.Op + " ")
		return b.operand(e.R)
	case *Not:
		b.sb.WriteString("NOT (")
		if err := b.cond(e.X); err != nil {
			return err
		}
		b.sb.WriteString(")")
		return nil
	case *Between:
		if err := b.orderable("BETWEEN", "BETWEEN", e.X, e.Lo, e.Hi); err != nil {
			return err
		}
		if err := b.operand(e.X); err != nil {
			return err
		}
		b.sb.WriteString(" BETWEEN ")
		if err := b.operand(e.Lo); err != nil {
			return err
		}
		b.sb.WriteString(" AND ")
		return b.operand(e.Hi)
	case *In:
		return b.in(e)
	case *Is:
		return b.is(e)
	case *Call:
		return b.call(e)
	}
	return errorf(msgWhereNotBool)
}

// wrapped renders an operand of AND or OR.
func (b *builder) wrapped(e Expr) error {
	if !compound(e) {
		return b.cond(e)
	}
	b.sb.WriteString("(")
	if err := b.cond(e); err != nil {
		return err
	}
	b.sb.WriteString(")")
	return nil
}

// orderable refuses a constant operand without an order (anything but a
// string, number or binary) for <, <=, >, >= and BETWEEN, naming the
// operator as written.
func (b *builder) orderable(text, op string, operands ...Expr) error {
	if op == "=" || op == "<>" {
		for _, o := range operands {
			if l, ok := o.(*Literal); ok && l.Kind == LitMissing {
				return errorf(msgMissingCompare)
			}
		}
		return nil
	}
	for _, o := range operands {
		if l, ok := o.(*Literal); ok && l.Kind == LitMissing {
			return errorf(msgMissingCompare)
		}
		if !IsConstant(o) {
			continue
		}
		v, err := Value(o, b.params)
		if err != nil {
			return err
		}
		if !v.Type().IsScalar() {
			return errorf("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", strings.ToUpper(text), v.Type())
		}
	}
	return nil
}

func (b *builder) in(e *In) error {
	if _, ok := e.X.(*Path); !ok {
		return errorf(msgInOperator)
	}
	list := e.List
	if e.Seq != nil {
		v, err := Value(e.Seq, b.params)
		if err != nil {
			return err
		}
		if v.Type() != attr.TypeL || v.Len() == 0 {
			return errorf(msgInOperator)
		}
		if err := b.operand(e.X); err != nil {
			return err
		}
		b.sb.WriteString(" IN (")
		for i, m := range v.L() {
			if i > 0 {
				b.sb.WriteString(", ")
			}
			b.sb.WriteString(b.value(m))
		}
		b.sb.WriteString(")")
		return nil
	}
	if err := b.operand(e.X); err != nil {
		return err
	}
	b.sb.WriteString(" IN (")
	for i, m := range list {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		if err := b.operand(m); err != nil {
			return err
		}
	}
	b.sb.WriteString(")")
	return nil
}

func (b *builder) is(e *Is) error {
	p, ok := e.X.(*Path)
	if !ok {
		return errorf(msgIsOperand)
	}
	if e.Type == "MISSING" {
		if e.Not {
			b.sb.WriteString("attribute_exists(")
		} else {
			b.sb.WriteString("attribute_not_exists(")
		}
		b.path(p)
		b.sb.WriteString(")")
		return nil
	}
	t, ok := isTypes[e.Type]
	if !ok {
		return errorf("Unsupported data type for IS operator: %s. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]", e.Type)
	}
	if e.Not {
		b.sb.WriteString("NOT ")
	}
	b.sb.WriteString("attribute_type(")
	b.path(p)
	b.sb.WriteString(", " + b.value(attr.S(t)) + ")")
	return nil
}

func (b *builder) call(e *Call) error {
	n, ok := conditionFunctions[e.Name]
	if !ok {
		return at(e.Pos, "Unrecognized function: %s", e.Name)
	}
	if len(e.Args) != n {
		return errorf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", e.Name, len(e.Args))
	}
	b.sb.WriteString(e.Name + "(")
	for i, a := range e.Args {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		if err := b.operand(a); err != nil {
			return err
		}
	}
	b.sb.WriteString(")")
	return nil
}

// operand renders a path, a constant or a function call.
func (b *builder) operand(e Expr) error {
	switch e := e.(type) {
	case *Path:
		b.path(e)
		return nil
	case *Call:
		return b.call(e)
	case *Literal:
		if e.Kind == LitMissing {
			return errorf(msgMissingCompare)
		}
	case *Binary:
		if e.Op == "+" || e.Op == "-" {
			return errorf("Unsupported operator in Condition Expression. Operator: %s", e.Op)
		}
	}
	if !IsConstant(e) {
		return errorf(msgWhereNotBool)
	}
	v, err := Value(e, b.params)
	if err != nil {
		return err
	}
	b.sb.WriteString(b.value(v))
	return nil
}

// UpdateActions compiles SET and REMOVE actions into an update expression:
// set_add and set_delete become ADD and DELETE actions.
func UpdateActions(actions []Action, params []attr.Value) (*expr.Update, error) {
	var set, remove, add, del []string
	b := newBuilder(params)
	for _, a := range actions {
		b.sb.Reset()
		b.path(a.Path)
		target := b.sb.String()
		if a.Remove {
			remove = append(remove, target)
			continue
		}
		b.sb.Reset()
		if c, ok := a.Value.(*Call); ok && (c.Name == "set_add" || c.Name == "set_delete") {
			v, err := b.setOperand(a.Path, c)
			if err != nil {
				return nil, err
			}
			if c.Name == "set_add" {
				add = append(add, target+" "+v)
			} else {
				del = append(del, target+" "+v)
			}
			continue
		}
		if err := b.setValue(a.Value); err != nil {
			return nil, err
		}
		set = append(set, target+" = "+b.sb.String())
	}
	var parts []string
	for _, c := range []struct {
		clause string
		items  []string
	}{{"SET", set}, {"REMOVE", remove}, {"ADD", add}, {"DELETE", del}} {
		if len(c.items) > 0 {
			parts = append(parts, c.clause+" "+strings.Join(c.items, ", "))
		}
	}
	u, err := expr.ParseUpdate(strings.Join(parts, " "), b.names, b.values)
	if err != nil {
		return nil, ExprError(err)
	}
	return u, nil
}

// setOperand checks set_add(path, set) or set_delete(path, set) and
// returns the placeholder of the set.
func (b *builder) setOperand(target *Path, c *Call) (string, error) {
	fn := strings.ToUpper(c.Name)
	if len(c.Args) != 2 {
		return "", at(c.Pos, "%s must have exactly two arguments", fn)
	}
	if p, ok := c.Args[0].(*Path); !ok || !samePath(p, target) {
		return "", at(c.Pos, "The first argument to %s must equal the assignment value", fn)
	}
	if !IsConstant(c.Args[1]) {
		return "", at(c.Args[0].Position(), "The second argument to %s must be a value with type SET", fn)
	}
	if isScalarOrCollection(c.Args[1]) {
		return "", at(c.Args[0].Position(), "The second argument to %s must be a value with type SET", fn)
	}
	v, err := Value(c.Args[1], b.params)
	if err != nil {
		return "", err
	}
	if !v.Type().IsSet() {
		return "", at(c.Args[0].Position(), "The second argument to %s must be a value with type SET", fn)
	}
	return b.value(v), nil
}

// isScalarOrCollection reports whether e is written as a value that is not
// a set: a scalar literal, a tuple or a list.
func isScalarOrCollection(e Expr) bool {
	switch e.(type) {
	case *Literal, *Tuple, *List:
		return true
	}
	return false
}

func samePath(a, b *Path) bool {
	if len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if a.Elems[i] != b.Elems[i] {
			return false
		}
	}
	return true
}

// setValue renders the value of SET path = value: a constant, a path,
// list_append or if_not_exists, or a sum or difference of those.
func (b *builder) setValue(e Expr) error {
	switch e := e.(type) {
	case *Binary:
		if e.Op != "+" && e.Op != "-" {
			return errorf("Unsupported operator in Update Expression. Operator: %s", e.Op)
		}
		if err := b.updateOperand(e.L); err != nil {
			return err
		}
		b.sb.WriteString(" " + e.Op + " ")
		return b.updateOperand(e.R)
	case *Is:
		return errorf(msgIsInUpdate)
	case *Not, *Between, *In:
		return errorf("Unsupported operator in Update Expression. Operator: %s", exprKind(e))
	}
	return b.updateOperand(e)
}

func (b *builder) updateOperand(e Expr) error {
	switch e := e.(type) {
	case *Path:
		b.path(e)
		return nil
	case *Call:
		if e.Name != "list_append" && e.Name != "if_not_exists" {
			return at(e.Pos, "Unrecognized function: %s", e.Name)
		}
		b.sb.WriteString(e.Name + "(")
		for i, a := range e.Args {
			if i > 0 {
				b.sb.WriteString(", ")
			}
			if err := b.updateOperand(a); err != nil {
				return err
			}
		}
		b.sb.WriteString(")")
		return nil
	case *Binary:
		return errorf("Unsupported operator in Update Expression. Operator: %s", e.Op)
	}
	if !IsConstant(e) {
		return errorf("Unsupported operator in Update Expression. Operator: %s", exprKind(e))
	}
	v, err := Value(e, b.params)
	if err != nil {
		return err
	}
	b.sb.WriteString(b.value(v))
	return nil
}

// Projection compiles a SELECT list into a projection expression.
func Projection(paths []*Path) (*expr.Projection, error) {
	b := newBuilder(nil)
	for i, p := range paths {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		b.path(p)
	}
	proj, err := expr.ParseProjection(b.sb.String(), b.names)
	if err != nil {
		return nil, ExprError(err)
	}
	return proj, nil
}

// OutputName is the attribute under which a SELECT returns a path: its
// last name (a.b returns b; a.b[1] returns b, holding the element).
func OutputName(p *Path) (name string, from int) {
	for i := len(p.Elems) - 1; i >= 0; i-- {
		if !p.Elems[i].IsIndex {
			return p.Elems[i].Name, i
		}
	}
	return p.Elems[0].Name, 0
}
