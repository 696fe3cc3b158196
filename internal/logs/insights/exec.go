package insights

import (
	"math"
	"sort"
	"strings"
)

// Field is one field of one result row.
type Field struct{ Name, Value string }

// Exec runs a query over records fed to it in time order.
type Exec struct {
	q     *Query
	limit int
	// head is the commands that see one record at a time (fields,
	// filter, parse, display); the rest see all rows at once.
	head    int
	stats   *statsState
	rows    []*Row
	matched int
}

// Start begins running q; limit caps the rows it answers.
func (q *Query) Start(limit int) *Exec {
	e := &Exec{q: q, limit: limit}
	for e.head < len(q.Commands) {
		switch q.Commands[e.head].(type) {
		case FieldsCmd, FilterCmd, ParseCmd, DisplayCmd:
			e.head++
			continue
		}
		break
	}
	if e.head < len(q.Commands) {
		if s, ok := q.Commands[e.head].(StatsCmd); ok {
			e.stats = newStats(s)
		}
	}
	return e
}

// Add feeds one record.
func (e *Exec) Add(rec *Record) {
	r := &Row{rec: rec, seq: e.matched}
	for _, c := range e.q.Commands[:e.head] {
		if !rowCommand(c, r) {
			return
		}
	}
	e.matched++
	if e.stats != nil {
		e.stats.add(r)
		return
	}
	e.rows = append(e.rows, r)
}

// Matched is how many records passed the query's filters.
func (e *Exec) Matched() int { return e.matched }

// Finish runs the rest of the query and returns the result rows.
func (e *Exec) Finish() [][]Field {
	rows := e.rows
	rest := e.q.Commands[e.head:]
	isStats := false
	if e.stats != nil {
		rows = e.stats.finish()
		rest = rest[1:]
		isStats = true
	}
	if !isStats && !hasSort(e.q) {
		// Without a sort, the newest events come first.
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].timestamp() > rows[j].timestamp() })
	}
	for _, c := range rest {
		switch c := c.(type) {
		case FieldsCmd, FilterCmd, ParseCmd, DisplayCmd:
			kept := rows[:0]
			for _, r := range rows {
				if rowCommand(c, r) {
					kept = append(kept, r)
				}
			}
			rows = kept
		case StatsCmd:
			s := newStats(c)
			for _, r := range rows {
				s.add(r)
			}
			rows = s.finish()
		case SortCmd:
			sortRows(rows, c)
		case LimitCmd:
			if len(rows) > c.N {
				rows = rows[:c.N]
			}
		case DedupCmd:
			rows = dedup(rows, c)
		}
	}
	if len(rows) > e.limit {
		rows = rows[:e.limit]
	}
	names, ptr := e.q.outputFields()
	out := make([][]Field, 0, len(rows))
	for _, r := range rows {
		var fs []Field
		for _, n := range names {
			if n == "@ptr" && ptr {
				continue
			}
			if v := r.Get(n); !v.IsNull() {
				fs = append(fs, Field{Name: n, Value: v.String()})
			}
		}
		if ptr && r.rec != nil {
			fs = append(fs, Field{Name: "@ptr", Value: r.rec.Ptr})
		}
		out = append(out, fs)
	}
	return out
}

func hasSort(q *Query) bool {
	for _, c := range q.Commands {
		if _, ok := c.(SortCmd); ok {
			return true
		}
	}
	return false
}

// outputFields is what results show: the last display's fields, else
// stats' groups and aggregations, else the fields that fields and parse
// made, else @timestamp and @message; records (not stats' rows) also
// carry their @ptr.
func (q *Query) outputFields() ([]string, bool) {
	var shown, display []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			shown = append(shown, n)
		}
	}
	stats, fields := false, false
	for _, c := range q.Commands {
		switch c := c.(type) {
		case FieldsCmd:
			fields = true
			for _, it := range c.Items {
				add(it.Name)
			}
		case ParseCmd:
			for _, n := range c.Names {
				add(n)
			}
		case StatsCmd:
			stats, fields = true, true
			shown, seen = nil, map[string]bool{}
			for _, it := range c.By {
				add(it.Name)
			}
			for _, it := range c.Aggs {
				add(it.Name)
			}
		case DisplayCmd:
			display = c.Fields
		}
	}
	if display != nil {
		return display, !stats
	}
	if !fields {
		shown = append([]string{"@timestamp", "@message"}, shown...)
	}
	return shown, !stats
}

// rowCommand applies a one-row command; false drops the row.
func rowCommand(c Command, r *Row) bool {
	switch c := c.(type) {
	case FieldsCmd:
		for _, it := range c.Items {
			if _, plain := it.Expr.(FieldRef); plain && it.Name == it.Expr.(FieldRef).Name {
				continue
			}
			r.assign(it.Name, eval(it.Expr, r, nil))
		}
	case FilterCmd:
		return truth(eval(c.Cond, r, nil))
	case ParseCmd:
		s, ok := eval(c.Src, r, nil).text()
		if !ok {
			return true
		}
		m := c.Re.FindStringSubmatch(s)
		if m == nil {
			return true
		}
		if len(c.Names) == len(m)-1 {
			for i, n := range c.Names {
				r.assign(n, Str(m[i+1]))
			}
		} else {
			for i, n := range c.Re.SubexpNames() {
				if n != "" && i < len(m) {
					r.assign(n, Str(m[i]))
				}
			}
		}
	}
	return true
}

func truth(v Value) bool { return v.truthy() }

func sortRows(rows []*Row, c SortCmd) {
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range c.Keys {
			a, b := eval(k.Expr, rows[i], nil), eval(k.Expr, rows[j], nil)
			switch {
			case a.IsNull() && b.IsNull():
				continue
			case a.IsNull():
				return false // missing values last
			case b.IsNull():
				return true
			}
			d := compare(a, b)
			if d == 0 {
				continue
			}
			if k.Desc {
				return d > 0
			}
			return d < 0
		}
		// Equal rows keep their arrival order, reversed by a descending
		// sort: of two events in one millisecond the later one is newer.
		if len(c.Keys) > 0 && c.Keys[0].Desc {
			return rows[i].seq > rows[j].seq
		}
		return rows[i].seq < rows[j].seq
	})
}

func dedup(rows []*Row, c DedupCmd) []*Row {
	seen := map[string]bool{}
	kept := rows[:0]
	for _, r := range rows {
		var key strings.Builder
		null := false
		for _, f := range c.Fields {
			v := r.Get(f)
			if v.IsNull() {
				null = true // a missing value is no duplicate
				break
			}
			key.WriteString(v.String())
			key.WriteByte(0)
		}
		if !null {
			if seen[key.String()] {
				continue
			}
			seen[key.String()] = true
		}
		kept = append(kept, r)
	}
	return kept
}

// eval computes an expression over a row; aggs holds the results of a
// stats command's aggregations when its output is computed.
func eval(e Expr, r *Row, aggs []Value) Value {
	switch e := e.(type) {
	case FieldRef:
		return r.Get(e.Name)
	case Literal:
		return e.Val
	case PeriodLit:
		return Num(float64(e.D.Milliseconds()))
	case RegexLit:
		return Str(e.Re.String())
	case Unary:
		x := eval(e.X, r, aggs)
		if e.Op == "not" {
			if x.IsNull() {
				return Boolean(true)
			}
			return Boolean(!x.truthy())
		}
		f, ok := x.number()
		if !ok {
			return Value{}
		}
		return Num(-f)
	case Binary:
		return evalBinary(e, r, aggs)
	case *Call:
		if e.Agg {
			if aggs == nil || e.id >= len(aggs) {
				return Value{}
			}
			return aggs[e.id]
		}
		args := make([]Value, len(e.Args))
		for i, a := range e.Args {
			args[i] = eval(a, r, aggs)
		}
		return scalars[e.Name].fn(args, r)
	}
	return Value{}
}

func evalBinary(e Binary, r *Row, aggs []Value) Value {
	switch e.Op {
	case "and":
		return Boolean(eval(e.L, r, aggs).truthy() && eval(e.R, r, aggs).truthy())
	case "or":
		return Boolean(eval(e.L, r, aggs).truthy() || eval(e.R, r, aggs).truthy())
	}
	l := eval(e.L, r, aggs)
	switch e.Op {
	case "like", "not like":
		s, ok := l.text()
		if !ok {
			return Boolean(false)
		}
		var m bool
		switch p := e.R.(type) {
		case RegexLit:
			m = p.Re.MatchString(s)
		case Literal:
			m = strings.Contains(s, p.Val.String())
		}
		return Boolean(m == (e.Op == "like"))
	case "in", "not in":
		if l.IsNull() {
			return Boolean(false)
		}
		found := false
		for _, it := range e.R.(ListLit).Items {
			if v := eval(it, r, aggs); !v.IsNull() && compare(l, v) == 0 {
				found = true
				break
			}
		}
		return Boolean(found == (e.Op == "in"))
	}
	rv := eval(e.R, r, aggs)
	if l.IsNull() || rv.IsNull() {
		if e.Op == "!=" {
			return Boolean(!(l.IsNull() && rv.IsNull()))
		}
		return Value{}
	}
	switch e.Op {
	case "=":
		return Boolean(compare(l, rv) == 0)
	case "!=":
		return Boolean(compare(l, rv) != 0)
	case "<":
		return Boolean(compare(l, rv) < 0)
	case "<=":
		return Boolean(compare(l, rv) <= 0)
	case ">":
		return Boolean(compare(l, rv) > 0)
	case ">=":
		return Boolean(compare(l, rv) >= 0)
	}
	a, ok := l.number()
	b, ok2 := rv.number()
	if !ok || !ok2 {
		return Value{}
	}
	switch e.Op {
	case "+":
		return Num(a + b)
	case "-":
		return Num(a - b)
	case "*":
		return Num(a * b)
	case "/":
		if b == 0 {
			return Value{}
		}
		return Num(a / b)
	case "%":
		if b == 0 {
			return Value{}
		}
		return Num(math.Mod(a, b))
	case "^":
		return Num(math.Pow(a, b))
	}
	return Value{}
}

// statsState aggregates rows into groups.
type statsState struct {
	cmd    StatsCmd
	calls  []*Call // by id
	groups map[string]*group
	order  []*group
}

type group struct {
	by   []Value
	accs []acc
}

func newStats(c StatsCmd) *statsState {
	s := &statsState{cmd: c, groups: map[string]*group{}}
	for _, it := range c.Aggs {
		walk(it.Expr, func(x Expr) {
			if call, ok := x.(*Call); ok && call.Agg {
				for len(s.calls) <= call.id {
					s.calls = append(s.calls, nil)
				}
				s.calls[call.id] = call
			}
		})
	}
	return s
}

func walk(e Expr, f func(Expr)) {
	f(e)
	switch e := e.(type) {
	case Unary:
		walk(e.X, f)
	case Binary:
		walk(e.L, f)
		walk(e.R, f)
	case ListLit:
		for _, x := range e.Items {
			walk(x, f)
		}
	case *Call:
		if e.Agg {
			return // an aggregation's arguments are per record
		}
		for _, x := range e.Args {
			walk(x, f)
		}
	}
}

func (s *statsState) add(r *Row) {
	by := make([]Value, len(s.cmd.By))
	var key strings.Builder
	for i, it := range s.cmd.By {
		by[i] = eval(it.Expr, r, nil)
		key.WriteByte(byte(by[i].Kind))
		key.WriteString(by[i].String())
		key.WriteByte(0)
	}
	g := s.groups[key.String()]
	if g == nil {
		g = &group{by: by, accs: make([]acc, len(s.calls))}
		s.groups[key.String()] = g
		s.order = append(s.order, g)
	}
	ts := r.timestamp()
	for i, c := range s.calls {
		if c == nil {
			continue
		}
		args := make([]Value, len(c.Args))
		for j, a := range c.Args {
			if j == 0 || c.Name != "pct" && c.Name != "percentile" {
				args[j] = eval(a, r, nil)
			}
		}
		g.accs[i].add(c, args, ts)
	}
}

func (s *statsState) finish() []*Row {
	groups := s.order
	if len(groups) == 0 && len(s.cmd.By) == 0 {
		// Without groups, stats answers one row even over no records.
		groups = []*group{{accs: make([]acc, len(s.calls))}}
	}
	rows := make([]*Row, 0, len(groups))
	for _, g := range groups {
		out := &Row{set: map[string]Value{}}
		for i, it := range s.cmd.By {
			out.set[it.Name] = g.by[i]
		}
		vals := make([]Value, len(s.calls))
		for i, c := range s.calls {
			if c == nil {
				continue
			}
			args := make([]Value, len(c.Args))
			for j, a := range c.Args {
				args[j] = eval(a, &Row{}, nil)
			}
			vals[i] = g.accs[i].result(c, args)
		}
		for _, it := range s.cmd.Aggs {
			out.set[it.Name] = eval(it.Expr, out, vals)
		}
		rows = append(rows, out)
	}
	return rows
}
