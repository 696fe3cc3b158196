package expr

import "strconv"

// This file is the grammar of DynamoDB's expression languages, as a
// recursive-descent parser over the tokens of lexer.go. It only recognises
// structure; the semantic rules DynamoDB applies after parsing (reserved
// words, undefined placeholders, function arity and operand types, path
// overlaps) are in check.go, in DynamoDB's order.
//
// Condition, filter and key condition expressions:
//
//	condition  := or
//	or         := and { OR and }
//	and        := not { AND not }
//	not        := NOT not | primary
//	primary    := ( '(' or ')' | function | path | :value ) [ rest ]
//	rest       := comparator operand
//	            | BETWEEN operand AND operand
//	            | IN '(' operand { ',' operand } ')'
//	operand    := '(' operand ')' [ pathtail ] | function | path | :value
//	function   := identifier '(' operand { ',' operand } ')'
//	comparator := '=' | '<>' | '<' | '<=' | '>' | '>='
//
// A primary must end up a condition where AND, OR, NOT or the end of the
// expression needs one; a boolean function (attribute_exists, ...) is one. A
// parenthesised path may continue with .name or [n] ("(a.b).c").
//
// Update expressions:
//
//	update     := clause { clause }
//	clause     := SET set { ',' set } | REMOVE path { ',' path }
//	            | ADD path :value { ',' path :value }
//	            | DELETE path :value { ',' path :value }
//	set        := path '=' ( '(' setvalue ')' | setvalue )
//	setvalue   := uoperand [ ( '+' | '-' ) uoperand ]
//	uoperand   := '(' ufactor ')' | ufactor
//	ufactor    := identifier '(' uoperand { ',' uoperand } ')' | path | :value
//
// Projection expressions:
//
//	projection := path { ',' path }
//
// Paths, everywhere:
//
//	path       := ( identifier | #name ) pathtail
//	pathtail   := { '.' ( identifier | #name ) | '[' digits ']' }
//
// Keywords are case-insensitive and belong to their grammar only: AND, OR,
// NOT, BETWEEN and IN in conditions; SET, REMOVE, ADD and DELETE in updates.

var (
	conditionKeywords = []string{"AND", "OR", "NOT", "BETWEEN", "IN"}
	updateKeywords    = []string{"SET", "REMOVE", "ADD", "DELETE"}
)

// syntaxError is a parse failure at token index at.
type syntaxError struct {
	at  int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

type parser struct {
	src       string
	toks      []token
	i         int
	keywords  []string
	redundant bool // a "((x))" was seen
	operators int  // operators and functions, for MaxOperators
	maxIn     int  // largest IN list, for MaxInOperands
}

func newParser(src string, keywords []string) *parser {
	return &parser{src: src, toks: lex(src), keywords: keywords}
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

// syntaxErr reports token at as DynamoDB does: the token, and the source from
// the previous token to the next one.
func (p *parser) syntaxErr(at int) error {
	t := p.toks[at]
	start := t.pos
	if at > 0 {
		start = p.toks[at-1].pos
	}
	end := t.end
	if at+1 < len(p.toks) && p.toks[at+1].kind != tEOF {
		end = p.toks[at+1].end
	}
	return &syntaxError{at: at, msg: `Syntax error; token: "` + t.text + `", near: "` + p.src[start:end] + `"`}
}

func (p *parser) expect(k tokKind) error {
	if p.peek().kind != k {
		return p.syntaxErr(p.i)
	}
	p.i++
	return nil
}

// isKeyword reports whether t is a keyword of the grammar being parsed.
func (p *parser) isKeyword(t token) bool {
	for _, kw := range p.keywords {
		if t.isKeyword(kw) {
			return true
		}
	}
	return false
}

// ---- paths ----

func (p *parser) path() (*pathNode, error) {
	pn := &pathNode{}
	t := p.peek()
	switch {
	case t.kind == tIdent && !p.isKeyword(t):
		pn.elems = append(pn.elems, pathElemNode{text: t.text})
	case t.kind == tName:
		pn.elems = append(pn.elems, pathElemNode{text: t.text, isName: true})
	default:
		return nil, p.syntaxErr(p.i)
	}
	p.i++
	return pn, p.pathTail(pn)
}

func (p *parser) pathTail(pn *pathNode) error {
	for {
		switch p.peek().kind {
		case tDot:
			p.i++
			t := p.peek()
			switch {
			case t.kind == tIdent && !p.isKeyword(t):
				pn.elems = append(pn.elems, pathElemNode{text: t.text})
			case t.kind == tName:
				pn.elems = append(pn.elems, pathElemNode{text: t.text, isName: true})
			default:
				return p.syntaxErr(p.i)
			}
			p.i++
		case tLBrack:
			p.i++
			t := p.peek()
			if t.kind != tNumber || len(t.text) > 9 {
				return p.syntaxErr(p.i)
			}
			n, _ := strconv.Atoi(t.text)
			pn.elems = append(pn.elems, pathElemNode{text: t.text, index: n, isIndex: true})
			p.i++
			if err := p.expect(tRBrack); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// function parses name(args...), with each argument read by arg.
func (p *parser) function(arg func() (any, bool, error)) (*opFunc, error) {
	f := &opFunc{name: p.peek().text}
	p.i += 2 // name and '('
	p.operators++
	for {
		a, _, err := arg()
		if err != nil {
			return nil, err
		}
		f.args = append(f.args, a)
		if p.peek().kind != tComma {
			break
		}
		p.i++
	}
	return f, p.expect(tRParen)
}

// ---- conditions ----

func parseConditionTree(src string) (root any, p *parser, err error) {
	p = newParser(src, conditionKeywords)
	n, _, err := p.or()
	if err != nil {
		return nil, p, err
	}
	if p.peek().kind != tEOF {
		return nil, p, p.syntaxErr(p.i)
	}
	root, err = p.asCond(n)
	return root, p, err
}

// asCond makes n a condition, or reports the current token as unexpected.
func (p *parser) asCond(n any) (any, error) {
	if isCond(n) {
		return n, nil
	}
	if f, ok := n.(*opFunc); ok {
		return &condFunc{f: f}, nil
	}
	return nil, p.syntaxErr(p.i)
}

func (p *parser) or() (any, bool, error) {
	return p.binary("OR", p.and, func(l, r any) any { return &condOr{l: l, r: r} })
}

func (p *parser) and() (any, bool, error) {
	return p.binary("AND", p.not, func(l, r any) any { return &condAnd{l: l, r: r} })
}

// binary parses operands joined by a left-associative keyword operator
// (OR over ANDs, AND over NOTs); every operand must be a condition.
func (p *parser) binary(keyword string, operand func() (any, bool, error), join func(l, r any) any) (any, bool, error) {
	l, wrapped, err := operand()
	for err == nil && p.peek().isKeyword(keyword) {
		var lc, r, rc any
		if lc, err = p.asCond(l); err != nil {
			break
		}
		p.i++
		p.operators++
		if r, _, err = operand(); err != nil {
			break
		}
		if rc, err = p.asCond(r); err != nil {
			break
		}
		l, wrapped = join(lc, rc), false
	}
	return l, wrapped, err
}

func (p *parser) not() (any, bool, error) {
	if !p.peek().isKeyword("NOT") {
		return p.primary()
	}
	p.i++
	p.operators++
	x, _, err := p.not()
	if err != nil {
		return nil, false, err
	}
	xc, err := p.asCond(x)
	if err != nil {
		return nil, false, err
	}
	return &condNot{x: xc}, false, nil
}

func (p *parser) primary() (any, bool, error) {
	var n any
	wrapped := false
	t := p.peek()
	switch {
	case t.kind == tLParen:
		p.i++
		inner, innerWrapped, err := p.or()
		if err != nil {
			return nil, false, err
		}
		if err := p.expect(tRParen); err != nil {
			return nil, false, err
		}
		p.redundant = p.redundant || innerWrapped
		n, wrapped = inner, true
		if op, ok := inner.(*opPath); ok && (p.peek().kind == tDot || p.peek().kind == tLBrack) {
			if err := p.pathTail(op.p); err != nil {
				return nil, false, err
			}
			wrapped = false
		}
	default:
		op, _, err := p.condOperandAtom()
		if err != nil {
			return nil, false, err
		}
		n = op
	}
	if isCond(n) {
		return n, wrapped, nil
	}
	return p.rest(n, wrapped)
}

// rest parses what may follow an operand in a condition: a comparison,
// BETWEEN or IN. Without one, the operand is returned as it is.
func (p *parser) rest(x any, wrapped bool) (any, bool, error) {
	t := p.peek()
	switch {
	case t.kind >= tEq && t.kind <= tGe:
		p.i++
		p.operators++
		r, _, err := p.condOperand()
		if err != nil {
			return nil, false, err
		}
		return &condCompare{op: t.kind, l: x, r: r}, false, nil
	case t.isKeyword("BETWEEN"):
		p.i++
		p.operators++
		lo, _, err := p.condOperand()
		if err != nil {
			return nil, false, err
		}
		if !p.peek().isKeyword("AND") {
			return nil, false, p.syntaxErr(p.i)
		}
		p.i++
		hi, _, err := p.condOperand()
		if err != nil {
			return nil, false, err
		}
		return &condBetween{x: x, lo: lo, hi: hi}, false, nil
	case t.isKeyword("IN"):
		p.i++
		p.operators++
		if err := p.expect(tLParen); err != nil {
			return nil, false, err
		}
		in := &condIn{x: x}
		for {
			a, _, err := p.condOperand()
			if err != nil {
				return nil, false, err
			}
			in.list = append(in.list, a)
			if p.peek().kind != tComma {
				break
			}
			p.i++
		}
		if err := p.expect(tRParen); err != nil {
			return nil, false, err
		}
		p.maxIn = max(p.maxIn, len(in.list))
		return in, false, nil
	}
	return x, wrapped, nil
}

// condOperand parses an operand of a condition; wrapped reports that it was
// written in parentheses.
func (p *parser) condOperand() (any, bool, error) {
	if p.peek().kind != tLParen {
		return p.condOperandAtom()
	}
	p.i++
	inner, innerWrapped, err := p.condOperand()
	if err != nil {
		return nil, false, err
	}
	if err := p.expect(tRParen); err != nil {
		return nil, false, err
	}
	p.redundant = p.redundant || innerWrapped
	if op, ok := inner.(*opPath); ok && (p.peek().kind == tDot || p.peek().kind == tLBrack) {
		return inner, false, p.pathTail(op.p)
	}
	return inner, true, nil
}

// condOperandAtom parses a function call, a path or a value.
func (p *parser) condOperandAtom() (any, bool, error) {
	t := p.peek()
	switch {
	case t.kind == tIdent && !p.isKeyword(t) && p.peekAt(1).kind == tLParen:
		f, err := p.function(p.condOperand)
		return f, false, err
	case t.kind == tIdent && !p.isKeyword(t), t.kind == tName:
		pn, err := p.path()
		if err != nil {
			return nil, false, err
		}
		return &opPath{p: pn}, false, nil
	case t.kind == tValue:
		p.i++
		return &opValue{ref: t.text}, false, nil
	}
	return nil, false, p.syntaxErr(p.i)
}

// ---- updates ----

// updateAction is one SET, REMOVE, ADD or DELETE action.
type updateAction struct {
	clause string // "SET", "REMOVE", "ADD" or "DELETE"
	path   *pathNode
	value  any // SET: operand or *opArith; ADD and DELETE: *opValue
}

func parseUpdateTree(src string) ([]updateAction, []string, *parser, error) {
	p := newParser(src, updateKeywords)
	var actions []updateAction
	var clauses []string
	for {
		t := p.peek()
		clause := ""
		for _, kw := range updateKeywords {
			if t.isKeyword(kw) {
				clause = kw
			}
		}
		if clause == "" {
			return nil, nil, p, p.syntaxErr(p.i)
		}
		p.i++
		clauses = append(clauses, clause)
		for {
			a, err := p.updateAction(clause)
			if err != nil {
				return nil, nil, p, err
			}
			actions = append(actions, a)
			if p.peek().kind != tComma {
				break
			}
			p.i++
		}
		if p.peek().kind == tEOF {
			return actions, clauses, p, nil
		}
	}
}

func (p *parser) updateAction(clause string) (updateAction, error) {
	a := updateAction{clause: clause}
	pn, err := p.path()
	if err != nil {
		return a, err
	}
	a.path = pn
	switch clause {
	case "SET":
		if err := p.expect(tEq); err != nil {
			return a, err
		}
		a.value, err = p.setValue()
	case "ADD", "DELETE":
		t := p.peek()
		if t.kind != tValue {
			return a, p.syntaxErr(p.i)
		}
		p.i++
		a.value = &opValue{ref: t.text}
	}
	return a, err
}

// setValue reads '(' setvalue ')' or setvalue. A leading '(' may open either
// form, so the parser tries setvalue first and then the parenthesised form,
// and reports the failure that got further.
func (p *parser) setValue() (any, error) {
	start := p.i
	v, errA := p.setValueInner()
	if errA == nil || p.toks[start].kind != tLParen {
		return v, errA
	}
	p.i = start + 1
	v, errB := p.setValueInner()
	if errB == nil {
		if errB = p.expect(tRParen); errB == nil {
			return v, nil
		}
	}
	a, okA := errA.(*syntaxError)
	b, okB := errB.(*syntaxError)
	if okA && okB && a.at > b.at {
		return nil, errA
	}
	return nil, errB
}

func (p *parser) setValueInner() (any, error) {
	l, _, err := p.updateOperand()
	if err != nil {
		return nil, err
	}
	if k := p.peek().kind; k == tPlus || k == tMinus {
		p.i++
		p.operators++
		r, _, err := p.updateOperand()
		if err != nil {
			return nil, err
		}
		return &opArith{minus: k == tMinus, l: l, r: r}, nil
	}
	return l, nil
}

// updateOperand parses uoperand: a factor, optionally in one pair of
// parentheses.
func (p *parser) updateOperand() (any, bool, error) {
	if p.peek().kind != tLParen {
		return p.updateFactor()
	}
	p.i++
	f, _, err := p.updateFactor()
	if err != nil {
		return nil, false, err
	}
	return f, true, p.expect(tRParen)
}

func (p *parser) updateFactor() (any, bool, error) {
	t := p.peek()
	switch {
	case t.kind == tIdent && !p.isKeyword(t) && p.peekAt(1).kind == tLParen:
		f, err := p.function(p.updateOperand)
		return f, false, err
	case t.kind == tIdent && !p.isKeyword(t), t.kind == tName:
		pn, err := p.path()
		if err != nil {
			return nil, false, err
		}
		return &opPath{p: pn}, false, nil
	case t.kind == tValue:
		p.i++
		return &opValue{ref: t.text}, false, nil
	}
	return nil, false, p.syntaxErr(p.i)
}

// ---- projections ----

func parseProjectionTree(src string) ([]*pathNode, *parser, error) {
	p := newParser(src, nil)
	var paths []*pathNode
	for {
		pn, err := p.path()
		if err != nil {
			return nil, p, err
		}
		paths = append(paths, pn)
		switch p.peek().kind {
		case tComma:
			p.i++
		case tEOF:
			return paths, p, nil
		default:
			return nil, p, p.syntaxErr(p.i)
		}
	}
}
