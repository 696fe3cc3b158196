package partiql

// Statement is a parsed statement: *Select, *Insert, *Update, *Delete or
// *Exists.
type Statement interface {
	// Source is the table (and index) the statement names.
	Source() Source
	// Params is the number of ? parameters the statement holds.
	Params() int
}

// Source is the FROM (or INTO, or UPDATE) target: a table and, for a
// SELECT, optionally one of its indexes.
type Source struct {
	Table string
	Index string // "" when the statement names the table itself
	// HasIndex is set when an index component was written, even an empty
	// one.
	HasIndex bool
	Pos      Pos
}

// Returning is an UPDATE's or DELETE's RETURNING clause.
type Returning uint8

// The RETURNING clauses, as UpdateItem's ReturnValues.
const (
	ReturnNone Returning = iota
	ReturnAllOld
	ReturnModifiedOld
	ReturnAllNew
	ReturnModifiedNew
)

var returningText = [...]string{"", "ALL OLD *", "MODIFIED OLD *", "ALL NEW *", "MODIFIED NEW *"}

// String renders the clause as written, without RETURNING.
func (r Returning) String() string { return returningText[r] }

// Select is SELECT projection FROM source [WHERE cond] [ORDER BY keys].
type Select struct {
	// Star is SELECT *; otherwise Projection lists the selected paths.
	Star       bool
	Projection []*Path
	From       Source
	Where      Expr // nil without WHERE
	OrderBy    []OrderKey
	params     int
}

// OrderKey is one key of ORDER BY.
type OrderKey struct {
	Name string
	Desc bool
	Pos  Pos
}

// Insert is INSERT INTO table VALUE item.
type Insert struct {
	Into   Source
	Item   Expr // a *Tuple or a *Param
	params int
}

// Update is UPDATE table SET/REMOVE ... WHERE cond [RETURNING ...], or its
// FROM-first form.
type Update struct {
	Table     Source
	Actions   []Action
	Where     Expr
	Returning Returning
	params    int
}

// Action is one SET path = value or REMOVE path.
type Action struct {
	Remove bool
	Path   *Path
	Value  Expr // nil for REMOVE
	Pos    Pos  // of the path
}

// Delete is DELETE FROM table WHERE cond [RETURNING ALL OLD *].
type Delete struct {
	From      Source
	Where     Expr
	Returning Returning
	params    int
}

// Exists is EXISTS(SELECT ...), a condition check in ExecuteTransaction.
type Exists struct {
	Select *Select
}

// Source implementations.
func (s *Select) Source() Source { return s.From }
func (s *Insert) Source() Source { return s.Into }
func (s *Update) Source() Source { return s.Table }
func (s *Delete) Source() Source { return s.From }
func (s *Exists) Source() Source { return s.Select.From }

// Params implementations.
func (s *Select) Params() int { return s.params }
func (s *Insert) Params() int { return s.params }
func (s *Update) Params() int { return s.params }
func (s *Delete) Params() int { return s.params }
func (s *Exists) Params() int { return s.Select.params }

// Expr is an expression: a value, a path, or a condition.
type Expr interface {
	// Position is where the expression starts.
	Position() Pos
}

// PathElem is one step of a document path: a name or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path such as a.b[1]; it always starts with a name.
type Path struct {
	Elems []PathElem
	Pos   Pos
}

// Top is the top-level attribute the path starts with.
func (p *Path) Top() string { return p.Elems[0].Name }

// LitKind is the kind of a scalar literal.
type LitKind uint8

// The scalar literals.
const (
	LitString LitKind = iota
	LitNumber
	LitTrue
	LitFalse
	LitNull
	LitMissing
)

// Literal is a scalar literal; Text is a string's value or a number as
// written (with its sign).
type Literal struct {
	Kind LitKind
	Text string
	Pos  Pos
}

// Param is the Index-th ? of the statement (from 0).
type Param struct {
	Index int
	Pos   Pos
}

// Tuple is {key: value, ...}; keys are expressions so that a key that is
// not a string can be reported as DynamoDB reports it.
type Tuple struct {
	Fields []Field
	Pos    Pos
}

// Field is one key: value of a tuple.
type Field struct {
	Key, Value Expr
}

// List is [v, ...].
type List struct {
	Elems []Expr
	Pos   Pos
}

// Bag is <<v, ...>>, DynamoDB's set literal.
type Bag struct {
	Elems []Expr
	Pos   Pos
}

// Binary is l op r for AND, OR, the comparisons (=, <>, <, <=, >, >=) and
// arithmetic (+, -). Op is written upper-case; != is stored as <>, and Text
// keeps the operator as written for messages.
type Binary struct {
	Op   string
	Text string
	L, R Expr
	Pos  Pos // of the operator
}

// Not is NOT x.
type Not struct {
	X   Expr
	Pos Pos
}

// Between is x BETWEEN lo AND hi.
type Between struct {
	X, Lo, Hi Expr
	Pos       Pos // of BETWEEN
}

// In is x IN [list] (or a parenthesized list, or a parameter).
type In struct {
	X    Expr
	List []Expr // nil when Seq is a single expression
	Seq  Expr   // a *Param holding a list, when no list is written
	Pos  Pos    // of IN
}

// Is is x IS [NOT] type, type being MISSING, NULL or a type name.
type Is struct {
	X    Expr
	Not  bool
	Type string // upper-case
	Pos  Pos    // of IS
}

// Call is name(args); Name is lower-case.
type Call struct {
	Name string
	Args []Expr
	Pos  Pos // of the name
}

// Position implementations.
func (e *Path) Position() Pos    { return e.Pos }
func (e *Literal) Position() Pos { return e.Pos }
func (e *Param) Position() Pos   { return e.Pos }
func (e *Tuple) Position() Pos   { return e.Pos }
func (e *List) Position() Pos    { return e.Pos }
func (e *Bag) Position() Pos     { return e.Pos }
func (e *Binary) Position() Pos  { return e.L.Position() }
func (e *Not) Position() Pos     { return e.Pos }
func (e *Between) Position() Pos { return e.X.Position() }
func (e *In) Position() Pos      { return e.X.Position() }
func (e *Is) Position() Pos      { return e.X.Position() }
func (e *Call) Position() Pos    { return e.Pos }

// isCondition reports whether e yields a boolean: a comparison, a logical
// operator, BETWEEN, IN, IS, or a call of a boolean function.
func isCondition(e Expr) bool {
	switch e := e.(type) {
	case *Binary:
		return e.Op != "+" && e.Op != "-"
	case *Not, *Between, *In, *Is:
		return true
	case *Call:
		return e.Name != "size"
	case *Literal:
		return e.Kind == LitTrue || e.Kind == LitFalse
	}
	return false
}
