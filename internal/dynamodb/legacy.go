package dynamodb

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
)

// DynamoDB's legacy parameters (Expected, AttributesToGet, KeyConditions,
// QueryFilter, ScanFilter, AttributeUpdates, ConditionalOperator) are
// translated here into the expression languages, with placeholders of
// their own, so one evaluator serves both. A request may not mix the two
// styles.

// legacyBuilder writes an expression with generated placeholders.
type legacyBuilder struct {
	names  map[string]string
	values attr.Item
}

func newLegacyBuilder() *legacyBuilder {
	return &legacyBuilder{names: map[string]string{}, values: attr.Item{}}
}

func (b *legacyBuilder) name(n string) string {
	p := fmt.Sprintf("#l%d", len(b.names))
	b.names[p] = n
	return p
}

func (b *legacyBuilder) value(av AttributeValue) (string, error) {
	v, err := fromWire(&av)
	if err != nil {
		return "", requestErr(err)
	}
	p := fmt.Sprintf(":l%d", len(b.values))
	b.values[p] = v
	return p, nil
}

// mixed is DynamoDB's error for legacy and expression parameters together.
func mixed(legacy, expression []string) error {
	return badRequest("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
		strings.Join(legacy, ", "), strings.Join(expression, ", "))
}

// styleParam is one parameter of a request that may come in either style,
// by its name, and whether the request sets it.
type styleParam struct {
	name string
	set  bool
}

// mixedStyles is DynamoDB's first look at a request's expression and
// legacy parameters, before it reads either: if any expression parameter
// is set, every legacy parameter set beside it is named in one error, each
// list in the order the operation declares it. KeyConditions is the
// exception: without a KeyConditionExpression, it may go with a
// FilterExpression or ProjectionExpression.
func mixedStyles(expression, legacy []styleParam) error {
	var exprs, olds []string
	kce := false
	for _, p := range expression {
		if p.set {
			exprs = append(exprs, p.name)
			kce = kce || p.name == "KeyConditionExpression"
		}
	}
	if len(exprs) == 0 {
		return nil
	}
	for _, p := range legacy {
		if p.set && (p.name != "KeyConditions" || kce) {
			olds = append(olds, p.name)
		}
	}
	if len(olds) == 0 {
		return nil
	}
	return mixed(olds, exprs)
}

// requestStyle is what DynamoDB checks of a request's parameters before it
// reads any of their values (an item, a key, a filter): that expression
// and legacy parameters are not mixed, and that a request using legacy
// parameters alone sends no expression attribute names or values.
func requestStyle(expression, legacy []styleParam, names map[string]string, values map[string]AttributeValue) error {
	if err := mixedStyles(expression, legacy); err != nil {
		return err
	}
	for _, p := range expression {
		if p.set {
			return nil
		}
	}
	for _, p := range legacy {
		if p.set {
			return legacyOnly(names != nil, values != nil)
		}
	}
	return nil
}

// conditionStyle is requestStyle for a write whose only expression is its
// ConditionExpression.
func conditionStyle(condExpr *string, expected map[string]ExpectedAttributeValue, names map[string]string, values map[string]AttributeValue) error {
	return requestStyle(
		[]styleParam{{"ConditionExpression", condExpr != nil}},
		[]styleParam{{"Expected", expected != nil}},
		names, values,
	)
}

// legacyOnly checks that a request using legacy parameters does not also
// send expression attribute names or values.
func legacyOnly(names, values bool) error {
	if names {
		return badRequest("ExpressionAttributeNames can only be specified when using expressions")
	}
	if values {
		return badRequest("ExpressionAttributeValues can only be specified when using expressions")
	}
	return nil
}

// legacyOperandTypes are the value types each legacy ComparisonOperator
// takes; EQ and NE, absent, take any.
var legacyOperandTypes = map[string][]attr.Type{
	"LT": {attr.TypeS, attr.TypeN, attr.TypeB}, "LE": {attr.TypeS, attr.TypeN, attr.TypeB},
	"GT": {attr.TypeS, attr.TypeN, attr.TypeB}, "GE": {attr.TypeS, attr.TypeN, attr.TypeB},
	"IN": {attr.TypeS, attr.TypeN, attr.TypeB}, "BETWEEN": {attr.TypeS, attr.TypeN, attr.TypeB},
	"BEGINS_WITH":  {attr.TypeS, attr.TypeB},
	"CONTAINS":     {attr.TypeS, attr.TypeN, attr.TypeB, attr.TypeBOOL, attr.TypeNULL},
	"NOT_CONTAINS": {attr.TypeS, attr.TypeN, attr.TypeB, attr.TypeBOOL, attr.TypeNULL},
}

// operandTypes checks the types of a legacy comparison's values, as
// DynamoDB does before it reads anything: each must be one op takes,
// IN's and BETWEEN's must all be of one type, and BETWEEN's in order.
func (b *legacyBuilder) operandTypes(op string, vs []string) error {
	allowed, ok := legacyOperandTypes[op]
	if !ok {
		return nil
	}
	for _, v := range vs {
		if typ := b.values[v].Type(); !slices.Contains(allowed, typ) {
			return badRequest("One or more parameter values were invalid: ComparisonOperator %s is not valid for %s AttributeValue type", op, typ)
		}
	}
	for _, v := range vs[1:] {
		if b.values[v].Type() != b.values[vs[0]].Type() {
			return badRequest("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type")
		}
	}
	if op == "BETWEEN" {
		if c, ok := attr.Compare(b.values[vs[0]], b.values[vs[1]]); ok && c > 0 {
			return badRequest("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	return nil
}

// comparison renders one legacy comparison on the path placeholder p.
func (b *legacyBuilder) comparison(p, op string, args []AttributeValue, param string) (string, error) {
	want := map[string]int{"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0,
		"CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}
	n, known := want[op]
	if !known && op != "IN" {
		return "", badRequest("One or more parameter values were invalid: Unsupported operator on %s: %s", param, op)
	}
	// The values are read before their number is checked.
	vs := make([]string, len(args))
	for i, a := range args {
		v, err := b.value(a)
		if err != nil {
			return "", err
		}
		vs[i] = v
	}
	if (op == "IN" && len(args) == 0) || (op != "IN" && len(args) != n) {
		return "", badRequest("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	if err := b.operandTypes(op, vs); err != nil {
		return "", err
	}
	switch op {
	case "EQ":
		return p + " = " + vs[0], nil
	case "NE":
		return p + " <> " + vs[0], nil
	case "LE":
		return p + " <= " + vs[0], nil
	case "LT":
		return p + " < " + vs[0], nil
	case "GE":
		return p + " >= " + vs[0], nil
	case "GT":
		return p + " > " + vs[0], nil
	case "NOT_NULL":
		return "attribute_exists(" + p + ")", nil
	case "NULL":
		return "attribute_not_exists(" + p + ")", nil
	case "CONTAINS":
		return "contains(" + p + ", " + vs[0] + ")", nil
	case "NOT_CONTAINS":
		// Unlike NE, NOT_CONTAINS is false for a missing attribute. AND
		// binds tighter than the OR that may join the terms.
		return "attribute_exists(" + p + ") AND NOT contains(" + p + ", " + vs[0] + ")", nil
	case "BEGINS_WITH":
		return "begins_with(" + p + ", " + vs[0] + ")", nil
	case "BETWEEN":
		return p + " BETWEEN " + vs[0] + " AND " + vs[1], nil
	default: // IN
		return p + " IN (" + strings.Join(vs, ", ") + ")", nil
	}
}

func sortedNames[V any](m map[string]V) []string {
	ns := make([]string, 0, len(m))
	for n := range m {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// errLoneConditionalOperator refuses a ConditionalOperator without
// conditions to join: no Expected or filter, or an empty one.
func errLoneConditionalOperator() error {
	return badRequest("ConditionalOperator can only be used when Filter or Expected conditions are present")
}

func joinOperator(op *ConditionalOperator) string {
	if op != nil && *op == "OR" {
		return " OR "
	}
	return " AND "
}

// conditionOf returns the request's write condition from either
// ConditionExpression or the legacy Expected and ConditionalOperator.
func (s *Service) conditionOf(x *exprContext, condExpr *string, expected map[string]ExpectedAttributeValue, op *ConditionalOperator) (*expr.Condition, error) {
	if expected == nil {
		if op != nil {
			return nil, errLoneConditionalOperator()
		}
		return x.condition(condExpr)
	}
	if condExpr != nil {
		return nil, mixed([]string{"Expected"}, []string{"ConditionExpression"})
	}
	if err := legacyOnly(x.names != nil, x.values != nil); err != nil {
		return nil, err
	}
	b := newLegacyBuilder()
	var terms []string
	for _, name := range sortedNames(expected) {
		e := expected[name]
		p := b.name(name)
		var term string
		var err error
		switch {
		case e.Value != nil && e.AttributeValueList != nil:
			return nil, badRequest("One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: %s", name)
		case e.AttributeValueList != nil && e.ComparisonOperator == nil:
			return nil, badRequest("One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", name)
		case e.ComparisonOperator != nil:
			if e.Exists != nil {
				return nil, badRequest("One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: %s", name)
			}
			// Value stands for a one-element AttributeValueList; an operator
			// that compares needs one or the other.
			op, args := string(*e.ComparisonOperator), e.AttributeValueList
			if e.Value != nil {
				args = []AttributeValue{*e.Value}
			}
			if args == nil && op != "NULL" && op != "NOT_NULL" {
				return nil, badRequest("One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", op, name)
			}
			term, err = b.comparison(p, op, args, "Expected")
		case e.Exists != nil && !*e.Exists:
			if e.Value != nil {
				return nil, badRequest("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: %s", name)
			}
			term = "attribute_not_exists(" + p + ")"
		default:
			if e.Value == nil {
				// DynamoDB names Exists as sent: true, or null when absent.
				exists := "true"
				if e.Exists == nil {
					exists = "null"
				}
				return nil, badRequest("One or more parameter values were invalid: Value must be provided when Exists is %s for Attribute: %s", exists, name)
			}
			term, err = b.comparison(p, "EQ", []AttributeValue{*e.Value}, "Expected")
		}
		if err != nil {
			return nil, err
		}
		terms = append(terms, term)
	}
	if len(terms) == 0 {
		if op != nil {
			return nil, errLoneConditionalOperator()
		}
		return nil, nil
	}
	c, err := expr.ParseCondition(strings.Join(terms, joinOperator(op)), b.names, b.values)
	if err != nil {
		return nil, requestErr(err)
	}
	return c, nil
}

// onlyCondition reads the write condition of a request whose only
// expression it is (PutItem, DeleteItem), with the placeholder rules.
func (s *Service) onlyCondition(names map[string]string, values map[string]AttributeValue, condExpr *string, expected map[string]ExpectedAttributeValue, op *ConditionalOperator) (*expr.Condition, error) {
	x, err := newExprContext(names, values)
	if err != nil {
		return nil, err
	}
	cond, err := s.conditionOf(x, condExpr, expected, op)
	if err != nil {
		return nil, err
	}
	return cond, x.done()
}

// filterOf returns a Query's or Scan's filter from FilterExpression or the
// legacy QueryFilter / ScanFilter (param names which).
func (s *Service) filterOf(x *exprContext, filterExpr *string, legacy map[string]Condition, param string, op *ConditionalOperator) (*expr.Condition, error) {
	if legacy == nil {
		if op != nil {
			return nil, errLoneConditionalOperator()
		}
		return x.filter(filterExpr)
	}
	if filterExpr != nil {
		return nil, mixed([]string{param}, []string{"FilterExpression"})
	}
	if err := legacyOnly(x.names != nil, x.values != nil); err != nil {
		return nil, err
	}
	b := newLegacyBuilder()
	var terms []string
	for _, name := range sortedNames(legacy) {
		c := legacy[name]
		term, err := b.comparison(b.name(name), string(deref(c.ComparisonOperator)), c.AttributeValueList, param)
		if err != nil {
			return nil, err
		}
		terms = append(terms, term)
	}
	if len(terms) == 0 {
		if op != nil {
			return nil, errLoneConditionalOperator()
		}
		return nil, nil
	}
	c, err := expr.ParseFilter(strings.Join(terms, joinOperator(op)), b.names, b.values)
	if err != nil {
		return nil, requestErr(err)
	}
	return c, nil
}

// projectionOf returns the projection from ProjectionExpression or the
// legacy AttributesToGet.
func (s *Service) projectionOf(x *exprContext, projExpr *string, attributesToGet []string) (*expr.Projection, error) {
	if attributesToGet == nil {
		return x.projection(projExpr)
	}
	if projExpr != nil {
		return nil, mixed([]string{"AttributesToGet"}, []string{"ProjectionExpression"})
	}
	if x.names != nil {
		return nil, badRequest("ExpressionAttributeNames can only be specified when using expressions")
	}
	b := newLegacyBuilder()
	seen := map[string]bool{}
	var ps []string
	for _, n := range attributesToGet {
		if seen[n] {
			return nil, badRequest("One or more parameter values were invalid: Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
		ps = append(ps, b.name(n))
	}
	p, err := expr.ParseProjection(strings.Join(ps, ", "), b.names)
	if err != nil {
		return nil, requestErr(err)
	}
	return p, nil
}

// keyConditionOf returns a Query's key condition from
// KeyConditionExpression or the legacy KeyConditions.
//
// withExpressions says whether the request also has a FilterExpression or
// ProjectionExpression, which DynamoDB lets KeyConditions go with.
//
// A legacy condition whose operator no key condition can use (NULL,
// CONTAINS, IN, ...) is well formed as a request: DynamoDB refuses it only
// against the table (unindexableKeyConditions), so its name is returned
// in unindexable and the key condition is left nil.
func (s *Service) keyConditionOf(x *exprContext, kce *string, legacy map[string]Condition, withExpressions bool) (kc *expr.KeyCondition, unindexable []string, err error) {
	if legacy == nil {
		if kce == nil {
			return nil, nil, badRequest("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
		}
		k, err := expr.ParseKeyCondition(*kce, x.names, x.values)
		if err != nil {
			return nil, nil, requestErr(err)
		}
		x.add(k.Refs())
		return k, nil, nil
	}
	if kce != nil {
		return nil, nil, mixed([]string{"KeyConditions"}, []string{"KeyConditionExpression"})
	}
	// Beside a FilterExpression or ProjectionExpression, the placeholders
	// are theirs; those expressions check them.
	if !withExpressions {
		if err := legacyOnly(x.names != nil, x.values != nil); err != nil {
			return nil, nil, err
		}
	}
	b := newLegacyBuilder()
	var terms []string
	for _, name := range sortedNames(legacy) {
		c := legacy[name]
		op := string(deref(c.ComparisonOperator))
		// The values' count and types are checked before the operator's
		// use in a key condition.
		term, err := b.comparison(b.name(name), op, c.AttributeValueList, "KeyConditions")
		if err != nil {
			return nil, nil, err
		}
		if !keyOperators[op] {
			unindexable = append(unindexable, name)
		}
		terms = append(terms, term)
	}
	if unindexable != nil {
		return nil, unindexable, nil
	}
	k, err := expr.ParseKeyCondition(strings.Join(terms, " AND "), b.names, b.values)
	if err != nil {
		return nil, nil, requestErr(err)
	}
	return k, nil, nil
}

// keyOperators are the legacy operators a key condition can use.
var keyOperators = map[string]bool{"EQ": true, "LE": true, "LT": true, "GE": true, "GT": true, "BEGINS_WITH": true, "BETWEEN": true}

// unindexableKeyConditions is DynamoDB's answer to legacy KeyConditions
// that use an operator no key condition can (the conditions named in
// unindexable), once it knows the key schema: the conditions' names are
// checked against the schema first, as if each such condition were an
// equality on a value of its key attribute's type, and only then is the
// operator refused.
func unindexableKeyConditions(legacy map[string]Condition, unindexable []string, schema expr.KeySchema) error {
	standIn := func(name string) AttributeValue {
		for _, k := range append(append([]expr.KeyAttr(nil), schema.Hash...), schema.Range...) {
			switch {
			case k.Name != name:
			case k.Type == attr.TypeN:
				return AttributeValue{N: ptr("0")}
			case k.Type == attr.TypeB:
				return AttributeValue{B: []byte{0}}
			}
		}
		return AttributeValue{S: ptr("x")}
	}
	b := newLegacyBuilder()
	var terms []string
	for _, name := range sortedNames(legacy) {
		op, args := string(deref(legacy[name].ComparisonOperator)), legacy[name].AttributeValueList
		if slices.Contains(unindexable, name) {
			op, args = "EQ", []AttributeValue{standIn(name)}
		}
		term, err := b.comparison(b.name(name), op, args, "KeyConditions")
		if err != nil {
			return err
		}
		terms = append(terms, term)
	}
	k, err := expr.ParseKeyCondition(strings.Join(terms, " AND "), b.names, b.values)
	if err != nil {
		return requestErr(err)
	}
	if _, err := k.Resolve(schema); err != nil {
		return validationError(err)
	}
	return invalid("Attempted conditional constraint is not an indexable operation")
}

// updateOf returns UpdateItem's update from UpdateExpression or the legacy
// AttributeUpdates (nil when neither is given: the item is only ensured
// to exist).
func (s *Service) updateOf(x *exprContext, ue *string, legacy map[string]AttributeValueUpdate) (*expr.Update, error) {
	if legacy == nil {
		if ue == nil {
			return nil, nil
		}
		u, err := expr.ParseUpdate(*ue, x.names, x.values)
		if err != nil {
			return nil, requestErr(err)
		}
		x.add(u.Refs())
		return u, nil
	}
	if ue != nil {
		return nil, mixed([]string{"AttributeUpdates"}, []string{"UpdateExpression"})
	}
	if err := legacyOnly(x.names != nil, x.values != nil); err != nil {
		return nil, err
	}
	b := newLegacyBuilder()
	var set, remove, add, del []string
	for _, name := range sortedNames(legacy) {
		u := legacy[name]
		p := b.name(name)
		action := string(deref(u.Action))
		if action == "" {
			action = "PUT"
		}
		switch action {
		case "PUT":
			if u.Value == nil {
				return nil, badRequest("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			v, err := b.value(*u.Value)
			if err != nil {
				return nil, err
			}
			set = append(set, p+" = "+v)
		case "DELETE":
			if u.Value == nil {
				remove = append(remove, p)
				continue
			}
			v, err := b.value(*u.Value)
			if err != nil {
				return nil, err
			}
			if typ := b.values[v].Type(); !typ.IsSet() {
				return nil, badRequest("One or more parameter values were invalid: DELETE action with value is not supported for the type %s", typ)
			}
			del = append(del, p+" "+v)
		case "ADD":
			if u.Value == nil {
				return nil, badRequest("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			v, err := b.value(*u.Value)
			if err != nil {
				return nil, err
			}
			switch typ := b.values[v].Type(); {
			case typ == attr.TypeL:
				// ADD of a list appends it to the attribute's list.
				empty := ":l" + strconv.Itoa(len(b.values))
				b.values[empty] = attr.L()
				set = append(set, p+" = list_append(if_not_exists("+p+", "+empty+"), "+v+")")
			case typ == attr.TypeN || typ.IsSet():
				add = append(add, p+" "+v)
			default:
				return nil, badRequest("One or more parameter values were invalid: ADD action is not supported for the type %s", typ)
			}
		}
	}
	var clauses []string
	for _, c := range []struct {
		kw    string
		parts []string
	}{{"SET", set}, {"REMOVE", remove}, {"ADD", add}, {"DELETE", del}} {
		if len(c.parts) > 0 {
			clauses = append(clauses, c.kw+" "+strings.Join(c.parts, ", "))
		}
	}
	if len(clauses) == 0 {
		return nil, nil
	}
	u, err := expr.ParseUpdate(strings.Join(clauses, " "), b.names, b.values)
	if err != nil {
		return nil, requestErr(err)
	}
	return u.Legacy(), nil
}
