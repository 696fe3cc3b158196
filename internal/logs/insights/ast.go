package insights

import (
	"fmt"
	"regexp"
	"time"
)

// Error is a query that does not compile: AWS answers it with
// MalformedQueryException and a queryCompileError whose location gives
// the offending characters' offsets.
type Error struct {
	Start, End int
	Message    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (characters %d to %d)", e.Message, e.Start, e.End)
}

func errorAt(start, end int, msg string) *Error { return &Error{Start: start, End: end, Message: msg} }

// Query is a parsed Logs Insights query: commands applied in turn.
type Query struct {
	Commands []Command
}

// Command is one stage of a query.
type Command interface{ command() }

// Item is an expression with the name its result goes by: its alias,
// or the expression as written.
type Item struct {
	Expr Expr
	Name string
}

// FieldsCmd computes fields and marks them for display.
type FieldsCmd struct{ Items []Item }

// DisplayCmd names the only fields the results show.
type DisplayCmd struct{ Fields []string }

// FilterCmd keeps the rows for which Cond holds.
type FilterCmd struct{ Cond Expr }

// StatsCmd aggregates rows, by groups if By is set.
type StatsCmd struct {
	Aggs []Item
	By   []Item
}

// SortKey is one key of a sort.
type SortKey struct {
	Expr Expr
	Desc bool
}

// SortCmd orders rows.
type SortCmd struct{ Keys []SortKey }

// LimitCmd keeps the first N rows.
type LimitCmd struct{ N int }

// ParseCmd extracts fields from Src with a glob or a regular
// expression's named groups.
type ParseCmd struct {
	Src   Expr
	Re    *regexp.Regexp
	Names []string
}

// DedupCmd keeps the first row of each combination of Fields' values.
type DedupCmd struct{ Fields []string }

func (FieldsCmd) command()  {}
func (DisplayCmd) command() {}
func (FilterCmd) command()  {}
func (StatsCmd) command()   {}
func (SortCmd) command()    {}
func (LimitCmd) command()   {}
func (ParseCmd) command()   {}
func (DedupCmd) command()   {}

// Expr is an expression.
type Expr interface{ expr() }

// FieldRef names a field.
type FieldRef struct{ Name string }

// Literal is a number or a string.
type Literal struct{ Val Value }

// RegexLit is /regex/.
type RegexLit struct{ Re *regexp.Regexp }

// PeriodLit is a time period such as 5m.
type PeriodLit struct{ D time.Duration }

// ListLit is [a, b, c], the right side of in.
type ListLit struct{ Items []Expr }

// Unary is -x or not x.
type Unary struct {
	Op string
	X  Expr
}

// Binary is an arithmetic, comparison, pattern or Boolean operation.
// Op is lower case: "+", "=", "like", "not like", "in", "not in", "and"...
type Binary struct {
	Op   string
	L, R Expr
}

// Call is a function call; Agg marks stats' aggregation functions.
type Call struct {
	Name string // lower case
	Args []Expr
	Star bool // count(*)
	Agg  bool
	id   int // the aggregation's index in its stats command
}

func (FieldRef) expr()  {}
func (Literal) expr()   {}
func (RegexLit) expr()  {}
func (PeriodLit) expr() {}
func (ListLit) expr()   {}
func (Unary) expr()     {}
func (Binary) expr()    {}
func (*Call) expr()     {}
