package partiql

import (
	"strconv"
	"strings"
)

// The grammar, in one place. Keywords are case-insensitive.
//
//	statement  = ( select | insert | update | fromupdate | delete | exists ) [";"] EOF
//	select     = SELECT ( "*" | path { "," path } ) FROM source [ WHERE expr ]
//	             [ ORDER BY name [ ASC | DESC ] { "," name [ ASC | DESC ] } ]
//	insert     = INSERT INTO source VALUE expr
//	update     = UPDATE source actions WHERE expr [ returning ]
//	fromupdate = FROM source WHERE expr actions [ returning ]
//	delete     = DELETE FROM source WHERE expr [ returning ]
//	exists     = EXISTS "(" select ")"
//	source     = name [ "." name ]
//	actions    = ( SET path "=" expr { "," path "=" expr } | REMOVE path { "," path } ) { ... }
//	returning  = RETURNING ( ALL | MODIFIED ) ( OLD | NEW ) "*"
//
//	expr       = and { OR and }
//	and        = not { AND not }
//	not        = NOT not | predicate
//	predicate  = sum [ compare sum | [ NOT ] BETWEEN sum AND sum | [ NOT ] IN seq | IS [ NOT ] word ]
//	compare    = "=" | "<>" | "!=" | "<" | "<=" | ">" | ">="
//	seq        = "[" expr { "," expr } "]" | "(" expr { "," expr } ")" | "?"
//	sum        = term { ( "+" | "-" ) term }
//	term       = literal | "?" | path | word "(" [ expr { "," expr } ] ")" | "(" expr ")"
//	           | "{" [ term ":" expr { "," term ":" expr } ] "}"
//	           | "[" [ expr { "," expr } ] "]" | "<<" [ expr { "," expr } ] ">>"
//	literal    = string | [ "-" | "+" ] number | TRUE | FALSE | NULL | MISSING
//	path       = name { "." name | "[" ( integer | string ) "]" }
//	name       = identifier | quoted-name

// Parse reads one statement. Errors are *Error values with DynamoDB's
// messages.
func Parse(src string) (Statement, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	st, err := p.statement()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tSemicolon {
		p.i++
	}
	if p.peek().kind != tEOF {
		return nil, notWellFormed(detailLeftover)
	}
	return st, nil
}

type parser struct {
	toks   []token
	i      int
	params int // ? seen so far
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// isKW reports whether the next token is the keyword kw.
func (p *parser) isKW(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

// acceptKW consumes the keyword kw if it is next.
func (p *parser) acceptKW(kw string) bool {
	if p.isKW(kw) {
		p.i++
		return true
	}
	return false
}

// expectKW consumes the keyword kw or fails.
func (p *parser) expectKW(kw string) error {
	if p.acceptKW(kw) {
		return nil
	}
	return p.unexpected(detailExpectedKeyword)
}

func (p *parser) expect(k tokKind) error {
	if p.peek().kind == k {
		p.i++
		return nil
	}
	return p.unexpected(detailUnexpectedToken)
}

// unexpected words an error about the next token: a keyword where a term
// should be, the end of the statement, or the detail given.
func (p *parser) unexpected(detail string) error {
	t := p.peek()
	switch {
	case t.kind == tEOF:
		return notWellFormed(detailUnexpectedEnd)
	case t.kind == tIdent && isKeyword(t.text):
		return notWellFormed(detailUnexpectedKW)
	}
	return notWellFormed(detail)
}

func (p *parser) statement() (Statement, error) {
	t := p.peek()
	if t.kind != tIdent {
		return nil, notWellFormed(detailExpectedDML)
	}
	switch strings.ToLower(t.text) {
	case "select":
		return p.selectStmt()
	case "insert":
		return p.insertStmt()
	case "update":
		return p.updateStmt()
	case "from":
		return p.fromUpdateStmt()
	case "delete":
		return p.deleteStmt()
	case "exists":
		p.i++
		if err := p.expect(tLParen); err != nil {
			return nil, err
		}
		if !p.isKW("select") {
			return nil, p.unexpected(detailUnexpectedTerm)
		}
		sel, err := p.selectStmt()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return &Exists{Select: sel}, nil
	}
	return nil, notWellFormed(detailExpectedDML)
}

// ---- statements ----

func (p *parser) selectStmt() (*Select, error) {
	p.i++ // SELECT
	s := &Select{}
	if p.isKW("distinct") || p.isKW("value") {
		return nil, notWellFormed(detailUnexpectedKW)
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tStar:
			if len(s.Projection) > 0 {
				return nil, errorf(msgStarAndOthers)
			}
			p.i++
			s.Star = true
		case s.Star:
			return nil, errorf(msgStarAndOthers)
		case t.kind == tIdent && p.peekAt(1).kind == tLParen:
			return nil, at(t.pos, "Unexpected path component")
		default:
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			s.Projection = append(s.Projection, path)
		}
		if p.isKW("as") {
			return nil, errorf(msgAliasing)
		}
		if p.peek().kind != tComma {
			break
		}
		p.i++
		if s.Star && p.peek().kind != tStar {
			return nil, errorf(msgStarAndOthers)
		}
	}
	if err := p.expectKW("from"); err != nil {
		return nil, err
	}
	src, err := p.source()
	if err != nil {
		return nil, err
	}
	s.From = src
	if err := p.noAlias("where", "order"); err != nil {
		return nil, err
	}
	if p.acceptKW("where") {
		if s.Where, err = p.condition(); err != nil {
			return nil, err
		}
	}
	if p.acceptKW("order") {
		if err := p.expectKW("by"); err != nil {
			return nil, err
		}
		for {
			t := p.peek()
			if t.kind != tQuoted && (t.kind != tIdent || isKeyword(t.text)) {
				return nil, p.unexpected(detailExpectedIdent)
			}
			p.i++
			k := OrderKey{Name: t.text, Pos: t.pos}
			if p.acceptKW("desc") {
				k.Desc = true
			} else {
				p.acceptKW("asc")
			}
			s.OrderBy = append(s.OrderBy, k)
			if p.peek().kind != tComma {
				break
			}
			p.i++
		}
	}
	s.params = p.params
	return s, nil
}

func (p *parser) insertStmt() (*Insert, error) {
	p.i++ // INSERT
	if err := p.expectKW("into"); err != nil {
		return nil, err
	}
	src, err := p.source()
	if err != nil {
		return nil, err
	}
	if src.HasIndex {
		return nil, errorf(msgDMLFrom)
	}
	switch {
	case p.isKW("values") || p.peek().kind == tLBag:
		return nil, errorf(msgInsertMultiple)
	case p.isKW("from") || p.isKW("where"):
		return nil, errorf(msgFromWhereInInsert)
	case !p.acceptKW("value"):
		return nil, notWellFormed(detailLeftover)
	}
	item, err := p.sum()
	if err != nil {
		return nil, err
	}
	switch item.(type) {
	case *Tuple, *Param:
	case *Bag:
		return nil, errorf(msgInsertMultiple)
	default:
		return nil, errorf(msgInsertItemSyntax)
	}
	if p.isKW("returning") {
		return nil, errorf(msgReturningInsert)
	}
	return &Insert{Into: src, Item: item, params: p.params}, nil
}

func (p *parser) updateStmt() (*Update, error) {
	p.i++ // UPDATE
	src, err := p.source()
	if err != nil {
		return nil, err
	}
	if err := p.noAlias("set", "remove", "where"); err != nil {
		return nil, err
	}
	u := &Update{Table: src}
	if u.Actions, err = p.actions(); err != nil {
		return nil, err
	}
	if !p.acceptKW("where") {
		if p.peek().kind == tEOF || p.isKW("returning") {
			return nil, errorf(msgIncompleteKey)
		}
		return nil, p.unexpected(detailUnexpectedToken)
	}
	if u.Where, err = p.condition(); err != nil {
		return nil, err
	}
	if u.Returning, err = p.returning(); err != nil {
		return nil, err
	}
	u.params = p.params
	return u, nil
}

// fromUpdateStmt is FROM source WHERE cond SET ...: PartiQL's other way of
// writing an UPDATE.
func (p *parser) fromUpdateStmt() (*Update, error) {
	p.i++ // FROM
	src, err := p.source()
	if err != nil {
		return nil, err
	}
	if err := p.noAlias("where", "set", "remove"); err != nil {
		return nil, err
	}
	u := &Update{Table: src}
	if !p.acceptKW("where") {
		if p.isKW("set") || p.isKW("remove") {
			return nil, errorf(msgIncompleteKey)
		}
		return nil, p.unexpected(detailUnexpectedToken)
	}
	if u.Where, err = p.condition(); err != nil {
		return nil, err
	}
	if u.Actions, err = p.actions(); err != nil {
		return nil, err
	}
	if u.Returning, err = p.returning(); err != nil {
		return nil, err
	}
	u.params = p.params
	return u, nil
}

func (p *parser) deleteStmt() (*Delete, error) {
	p.i++ // DELETE
	if err := p.expectKW("from"); err != nil {
		return nil, err
	}
	src, err := p.source()
	if err != nil {
		return nil, err
	}
	if err := p.noAlias("where"); err != nil {
		return nil, err
	}
	d := &Delete{From: src}
	if !p.acceptKW("where") {
		if p.peek().kind == tEOF || p.isKW("returning") {
			return nil, errorf(msgIncompleteKey)
		}
		return nil, p.unexpected(detailUnexpectedToken)
	}
	if d.Where, err = p.condition(); err != nil {
		return nil, err
	}
	if d.Returning, err = p.returning(); err != nil {
		return nil, err
	}
	if d.Returning != ReturnNone && d.Returning != ReturnAllOld {
		return nil, errorf("Invalid returning clause: RETURNING %s. Only RETURNING ALL OLD * is allowed in DELETE statements.", d.Returning)
	}
	d.params = p.params
	return d, nil
}

// source reads a FROM (INTO, UPDATE) target: one or two names.
func (p *parser) source() (Source, error) {
	var comps []token
	for {
		t := p.peek()
		switch {
		case t.kind == tQuoted:
		case t.kind == tIdent && !isKeyword(t.text):
		default:
			return Source{}, p.unexpected(detailExpectedIdent)
		}
		p.i++
		comps = append(comps, t)
		if p.peek().kind != tDot {
			break
		}
		p.i++
	}
	if len(comps) > 2 {
		return Source{}, errorf(msgPathComponents)
	}
	for _, c := range comps {
		if c.text == "" {
			return Source{}, errorf(msgEmptyComponent)
		}
	}
	s := Source{Table: comps[0].text, Pos: comps[0].pos}
	if len(comps) == 2 {
		s.Index, s.HasIndex = comps[1].text, true
	}
	return s, nil
}

// noAlias refuses a name after the source, other than the keywords that
// may follow it.
func (p *parser) noAlias(next ...string) error {
	t := p.peek()
	if t.kind == tIdent {
		for _, kw := range next {
			if strings.EqualFold(t.text, kw) {
				return nil
			}
		}
		if strings.EqualFold(t.text, "as") || !isKeyword(t.text) {
			return errorf(msgAliasing)
		}
	}
	if t.kind == tQuoted {
		return errorf(msgAliasing)
	}
	return nil
}

// actions reads one or more SET and REMOVE clauses.
func (p *parser) actions() ([]Action, error) {
	var out []Action
	for {
		switch {
		case p.acceptKW("set"):
			for {
				path, err := p.path()
				if err != nil {
					return nil, err
				}
				if err := p.expect(tEq); err != nil {
					return nil, err
				}
				v, err := p.or()
				if err != nil {
					return nil, err
				}
				out = append(out, Action{Path: path, Value: v, Pos: path.Pos})
				if p.peek().kind != tComma {
					break
				}
				p.i++
			}
		case p.acceptKW("remove"):
			for {
				path, err := p.path()
				if err != nil {
					return nil, err
				}
				out = append(out, Action{Remove: true, Path: path, Pos: path.Pos})
				if p.peek().kind != tComma {
					break
				}
				p.i++
			}
		case p.isKW("add") || p.isKW("delete"):
			return nil, errorf(msgUpdateNoAction)
		default:
			if len(out) == 0 {
				return nil, p.unexpected(detailUnexpectedToken)
			}
			return out, nil
		}
	}
}

// returning reads an optional RETURNING clause.
func (p *parser) returning() (Returning, error) {
	if !p.acceptKW("returning") {
		return ReturnNone, nil
	}
	var r Returning
	switch {
	case p.acceptKW("all"):
		r = ReturnAllOld
	case p.acceptKW("modified"):
		r = ReturnModifiedOld
	default:
		return 0, p.unexpected(detailUnexpectedToken)
	}
	switch {
	case p.acceptKW("old"):
	case p.acceptKW("new"):
		r += ReturnAllNew - ReturnAllOld
	default:
		return 0, p.unexpected(detailUnexpectedToken)
	}
	if p.peek().kind != tStar {
		return 0, errorf(msgReturningSyntax)
	}
	p.i++
	if p.peek().kind == tComma {
		return 0, errorf("Invalid syntax with multiple returning elements in RETURNING clause")
	}
	return r, nil
}

// ---- expressions ----

// condition reads a WHERE clause, which must be a condition.
func (p *parser) condition() (Expr, error) {
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if !isCondition(e) {
		return nil, errorf(msgWhereNotBool)
	}
	return e, nil
}

func (p *parser) or() (Expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKW("or") {
		t := p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &Binary{Op: "OR", Text: t.text, L: l, R: r, Pos: t.pos}
	}
	return l, nil
}

func (p *parser) and() (Expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isKW("and") {
		t := p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &Binary{Op: "AND", Text: t.text, L: l, R: r, Pos: t.pos}
	}
	return l, nil
}

func (p *parser) not() (Expr, error) {
	if p.isKW("not") {
		t := p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Not{X: x, Pos: t.pos}, nil
	}
	return p.predicate()
}

var compareOps = map[tokKind]string{tEq: "=", tNe: "<>", tLt: "<", tLe: "<=", tGt: ">", tGe: ">="}

func (p *parser) predicate() (Expr, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if op, ok := compareOps[t.kind]; ok {
		p.i++
		r, err := p.sum()
		if err != nil {
			return nil, err
		}
		return &Binary{Op: op, Text: t.text, L: l, R: r, Pos: t.pos}, nil
	}
	negate := false
	if p.isKW("not") && (p.peekAt(1).kind == tIdent &&
		(strings.EqualFold(p.peekAt(1).text, "between") || strings.EqualFold(p.peekAt(1).text, "in"))) {
		p.i++
		negate = true
		t = p.peek()
	}
	var e Expr
	switch {
	case p.acceptKW("between"):
		lo, err := p.sum()
		if err != nil {
			return nil, err
		}
		if err := p.expectKW("and"); err != nil {
			return nil, err
		}
		hi, err := p.sum()
		if err != nil {
			return nil, err
		}
		e = &Between{X: l, Lo: lo, Hi: hi, Pos: t.pos}
	case p.acceptKW("in"):
		in := &In{X: l, Pos: t.pos}
		switch p.peek().kind {
		case tLBrack, tLParen:
			closer := tRBrack
			if p.next().kind == tLParen {
				closer = tRParen
			}
			if in.List, err = p.exprList(closer); err != nil {
				return nil, err
			}
			if len(in.List) == 0 {
				return nil, errorf(msgInOperator)
			}
		case tParam:
			if in.Seq, err = p.term(); err != nil {
				return nil, err
			}
		default:
			return nil, errorf(msgInOperator)
		}
		e = in
	case p.acceptKW("is"):
		is := &Is{X: l, Pos: t.pos}
		is.Not = p.acceptKW("not")
		w := p.peek()
		if w.kind != tIdent {
			return nil, p.unexpected(detailUnexpectedToken)
		}
		p.i++
		is.Type = strings.ToUpper(w.text)
		return is, nil
	default:
		return l, nil
	}
	if negate {
		return &Not{X: e, Pos: t.pos}, nil
	}
	return e, nil
}

// exprList reads expressions separated by commas up to closer (consumed).
func (p *parser) exprList(closer tokKind) ([]Expr, error) {
	list := []Expr{}
	if p.peek().kind == closer {
		p.i++
		return list, nil
	}
	for {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		switch p.peek().kind {
		case tComma:
			p.i++
		case closer:
			p.i++
			return list, nil
		default:
			return nil, p.unexpected(detailUnexpectedToken)
		}
	}
}

func (p *parser) sum() (Expr, error) {
	l, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tPlus || p.peek().kind == tMinus {
		t := p.next()
		r, err := p.term()
		if err != nil {
			return nil, err
		}
		l = &Binary{Op: t.text, Text: t.text, L: l, R: r, Pos: t.pos}
	}
	return l, nil
}

func (p *parser) term() (Expr, error) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.i++
		return &Literal{Kind: LitString, Text: t.text, Pos: t.pos}, nil
	case tNumber:
		p.i++
		return &Literal{Kind: LitNumber, Text: t.text, Pos: t.pos}, nil
	case tMinus, tPlus:
		if n := p.peekAt(1); n.kind == tNumber {
			p.i += 2
			text := n.text
			if t.kind == tMinus {
				text = "-" + text
			}
			pos := t.pos
			pos.Len += n.pos.Len
			return &Literal{Kind: LitNumber, Text: text, Pos: pos}, nil
		}
		return nil, notWellFormed(detailUnexpectedTerm)
	case tParam:
		p.i++
		e := &Param{Index: p.params, Pos: t.pos}
		p.params++
		return e, nil
	case tLParen:
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return e, nil
	case tLBrace:
		p.i++
		tu := &Tuple{Pos: t.pos}
		if p.peek().kind == tRBrace {
			p.i++
			return tu, nil
		}
		for {
			k, err := p.term()
			if err != nil {
				return nil, err
			}
			if err := p.expect(tColon); err != nil {
				return nil, err
			}
			v, err := p.or()
			if err != nil {
				return nil, err
			}
			tu.Fields = append(tu.Fields, Field{Key: k, Value: v})
			switch p.peek().kind {
			case tComma:
				p.i++
			case tRBrace:
				p.i++
				return tu, nil
			default:
				return nil, p.unexpected(detailUnexpectedToken)
			}
		}
	case tLBrack:
		p.i++
		elems, err := p.exprList(tRBrack)
		if err != nil {
			return nil, err
		}
		return &List{Elems: elems, Pos: t.pos}, nil
	case tLBag:
		p.i++
		elems, err := p.exprList(tRBag)
		if err != nil {
			return nil, err
		}
		return &Bag{Elems: elems, Pos: t.pos}, nil
	case tQuoted:
		return p.path()
	case tIdent:
		switch strings.ToLower(t.text) {
		case "true":
			p.i++
			return &Literal{Kind: LitTrue, Pos: t.pos}, nil
		case "false":
			p.i++
			return &Literal{Kind: LitFalse, Pos: t.pos}, nil
		case "null":
			p.i++
			return &Literal{Kind: LitNull, Pos: t.pos}, nil
		case "missing":
			p.i++
			return &Literal{Kind: LitMissing, Pos: t.pos}, nil
		}
		if p.peekAt(1).kind == tLParen {
			p.i += 2
			args, err := p.exprList(tRParen)
			if err != nil {
				return nil, err
			}
			return &Call{Name: strings.ToLower(t.text), Args: args, Pos: t.pos}, nil
		}
		if isKeyword(t.text) {
			return nil, notWellFormed(detailUnexpectedKW)
		}
		return p.path()
	case tEOF:
		return nil, notWellFormed(detailUnexpectedEnd)
	}
	return nil, notWellFormed(detailUnexpectedTerm)
}

// path reads a document path.
func (p *parser) path() (*Path, error) {
	t := p.peek()
	switch {
	case t.kind == tQuoted:
	case t.kind == tIdent && !isKeyword(t.text):
	case t.kind == tLBrack:
		return nil, errorf(msgPathStartsIndex)
	default:
		return nil, p.unexpected(detailUnexpectedTerm)
	}
	p.i++
	path := &Path{Elems: []PathElem{{Name: t.text}}, Pos: t.pos}
	for {
		switch p.peek().kind {
		case tDot:
			p.i++
			n := p.peek()
			switch {
			case n.kind == tQuoted:
			case n.kind == tIdent && !isKeyword(n.text):
			case n.kind == tStar:
				return nil, errorf("Unpivot path component like a.*.b are not supported")
			default:
				return nil, notWellFormed(detailInvalidPathDot)
			}
			p.i++
			path.Elems = append(path.Elems, PathElem{Name: n.text})
		case tLBrack:
			p.i++
			n := p.next()
			switch n.kind {
			case tNumber:
				i, err := strconv.Atoi(n.text)
				if err != nil || i < 0 {
					return nil, errorf("List index is not within the allowable range; index: [%s]", n.text)
				}
				path.Elems = append(path.Elems, PathElem{Index: i, IsIndex: true})
			case tString:
				path.Elems = append(path.Elems, PathElem{Name: n.text})
			case tStar:
				return nil, errorf("Wildcard path component like a[*].b are not supported")
			default:
				return nil, notWellFormed(detailInvalidPathIndex)
			}
			if err := p.expect(tRBrack); err != nil {
				return nil, err
			}
		default:
			return path, nil
		}
	}
}
