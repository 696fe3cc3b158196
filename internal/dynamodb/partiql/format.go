package partiql

import (
	"strconv"
	"strings"
)

// Format renders a statement canonically: keywords upper-case, names
// quoted, one space between tokens and parentheses around every operation.
// Parsing the result gives the same statement, which the fuzz test checks,
// and tests compare parses through it.
func Format(st Statement) string {
	var b strings.Builder
	switch st := st.(type) {
	case *Select:
		formatSelect(&b, st)
	case *Insert:
		b.WriteString("INSERT INTO " + formatSource(st.Into) + " VALUE " + FormatExpr(st.Item))
	case *Update:
		b.WriteString("UPDATE " + formatSource(st.Table))
		for _, a := range st.Actions {
			if a.Remove {
				b.WriteString(" REMOVE " + FormatExpr(a.Path))
			} else {
				b.WriteString(" SET " + FormatExpr(a.Path) + " = " + FormatExpr(a.Value))
			}
		}
		b.WriteString(" WHERE " + FormatExpr(st.Where))
		if st.Returning != ReturnNone {
			b.WriteString(" RETURNING " + st.Returning.String())
		}
	case *Delete:
		b.WriteString("DELETE FROM " + formatSource(st.From) + " WHERE " + FormatExpr(st.Where))
		if st.Returning != ReturnNone {
			b.WriteString(" RETURNING " + st.Returning.String())
		}
	case *Exists:
		b.WriteString("EXISTS(")
		formatSelect(&b, st.Select)
		b.WriteString(")")
	}
	return b.String()
}

func formatSelect(b *strings.Builder, st *Select) {
	b.WriteString("SELECT ")
	if st.Star {
		b.WriteString("*")
	}
	for i, p := range st.Projection {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(FormatExpr(p))
	}
	b.WriteString(" FROM " + formatSource(st.From))
	if st.Where != nil {
		b.WriteString(" WHERE " + FormatExpr(st.Where))
	}
	for i, k := range st.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(quoteName(k.Name))
		if k.Desc {
			b.WriteString(" DESC")
		}
	}
}

func formatSource(s Source) string {
	out := quoteName(s.Table)
	if s.HasIndex {
		out += "." + quoteName(s.Index)
	}
	return out
}

func quoteName(n string) string { return `"` + strings.ReplaceAll(n, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// FormatExpr renders an expression canonically (see Format).
func FormatExpr(e Expr) string {
	switch e := e.(type) {
	case *Path:
		var b strings.Builder
		for i, el := range e.Elems {
			switch {
			case el.IsIndex:
				b.WriteString("[" + strconv.Itoa(el.Index) + "]")
			case i == 0:
				b.WriteString(quoteName(el.Name))
			default:
				b.WriteString("." + quoteName(el.Name))
			}
		}
		return b.String()
	case *Literal:
		switch e.Kind {
		case LitString:
			return quoteString(e.Text)
		case LitNumber:
			return e.Text
		case LitTrue:
			return "TRUE"
		case LitFalse:
			return "FALSE"
		case LitNull:
			return "NULL"
		}
		return "MISSING"
	case *Param:
		return "?"
	case *Tuple:
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = FormatExpr(f.Key) + ": " + FormatExpr(f.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *List:
		return "[" + formatList(e.Elems) + "]"
	case *Bag:
		return "<<" + formatList(e.Elems) + ">>"
	case *Binary:
		return "(" + FormatExpr(e.L) + " " + e.Op + " " + FormatExpr(e.R) + ")"
	case *Not:
		return "(NOT " + FormatExpr(e.X) + ")"
	case *Between:
		return "(" + FormatExpr(e.X) + " BETWEEN " + FormatExpr(e.Lo) + " AND " + FormatExpr(e.Hi) + ")"
	case *In:
		if e.List == nil {
			return "(" + FormatExpr(e.X) + " IN " + FormatExpr(e.Seq) + ")"
		}
		return "(" + FormatExpr(e.X) + " IN [" + formatList(e.List) + "])"
	case *Is:
		not := ""
		if e.Not {
			not = "NOT "
		}
		return "(" + FormatExpr(e.X) + " IS " + not + e.Type + ")"
	case *Call:
		return e.Name + "(" + formatList(e.Args) + ")"
	}
	return ""
}

func formatList(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = FormatExpr(e)
	}
	return strings.Join(parts, ", ")
}
