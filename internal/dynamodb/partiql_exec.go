package dynamodb

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
	"github.com/virga/virga/internal/dynamodb/partiql"
	"github.com/virga/virga/internal/store/keys"
)

// PartiQL statements run on the mechanisms the item API uses: a write
// statement becomes an itemWrite (INSERT a put that must not find an item,
// UPDATE an update that must find one, DELETE a delete), and a SELECT
// becomes pages over the table or an index, a query per partition when the
// WHERE clause names partition key values and a scan otherwise. Conditions,
// updates and projections are compiled by package partiql into package
// expr's expressions.

// ErrDuplicateItem is INSERT's answer when the item exists.
var ErrDuplicateItem = apierr.New("DuplicateItemException", 400, "Duplicate primary key exists in table")

// PartiQL's own validation messages.
const (
	msgOnIndex          = "This operation is not supported on an index"
	msgNoIndex          = "The table does not have the specified index"
	msgConsistentGSI    = "Strongly consistent read is not supported on Global Secondary Indexes"
	msgExistsOutsideTx  = "EXISTS can only be used in ExecuteTransaction write requests."
	msgNextTokenInvalid = "Invalid NextToken"
	msgNextTokenRequest = "NextToken does not match request"
)

// pqError turns the errors of packages partiql, expr and attr into
// ValidationExceptions; others pass through.
func pqError(err error) error {
	err = partiql.ExprError(err)
	var pe *partiql.Error
	if errors.As(err, &pe) {
		return ErrValidation.WithMessage(pe.Message)
	}
	return validationError(err)
}

// paramsFromWire converts a request's Parameters.
func paramsFromWire(ps []AttributeValue) ([]attr.Value, error) {
	out := make([]attr.Value, len(ps))
	for i := range ps {
		v, err := fromWire(&ps[i])
		if err != nil {
			return nil, validationError(err)
		}
		out[i] = v
	}
	return out, nil
}

// parseStatement parses a statement and checks its parameters.
func parseStatement(text string, wire []AttributeValue) (partiql.Statement, []attr.Value, error) {
	st, err := partiql.Parse(text)
	if err != nil {
		return nil, nil, pqError(err)
	}
	params, err := paramsFromWire(wire)
	if err != nil {
		return nil, nil, err
	}
	if err := partiql.CheckParams(st, params); err != nil {
		return nil, nil, pqError(err)
	}
	return st, params, nil
}

// ---- writes ----

// pqWrite is a write statement ready to run.
type pqWrite struct {
	t         *table
	w         *itemWrite
	returning partiql.Returning
	// updated are the paths an UPDATE wrote, set when it runs, for
	// RETURNING MODIFIED.
	updated []expr.Path
}

// result is what RETURNING asks for, given the item before and after.
func (pw *pqWrite) result(old, new attr.Item) attr.Item {
	switch pw.returning {
	case partiql.ReturnAllOld:
		return old
	case partiql.ReturnAllNew:
		return new
	case partiql.ReturnModifiedOld:
		if old != nil {
			return expr.ProjectPaths(old, pw.updated)
		}
	case partiql.ReturnModifiedNew:
		if new != nil {
			return expr.ProjectPaths(new, pw.updated)
		}
	}
	return nil
}

// keyGuard is the placeholder of the partition key in the conditions
// writes add; partiql's own placeholders are #n0, #n1, ...
const keyGuard = "#k0"

// prepareWrite turns INSERT, UPDATE, DELETE (and, in a transaction, EXISTS)
// into an itemWrite. In a transaction, a key of the wrong shape is found
// when the transaction runs and cancels it (w.fail), as TransactWriteItems
// does.
func (s *Service) prepareWrite(st partiql.Statement, params []attr.Value, returnOld, inTx bool) (*pqWrite, error) {
	t, err := s.tableByNameOrARN(st.Source().Table)
	if err != nil {
		return nil, err
	}
	pw := &pqWrite{t: t, w: &itemWrite{t: t, returnOld: returnOld}}
	w := pw.w
	switch st := st.(type) {
	case *partiql.Insert:
		v, err := partiql.Item(st.Item, params)
		if err != nil {
			return nil, pqError(err)
		}
		if v.Type() != attr.TypeM {
			return nil, invalid("Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.")
		}
		item := attr.Item{}
		for k, e := range v.M() {
			item[k] = e
		}
		if err := attr.ValidateItem(item); err != nil {
			return nil, validationError(err)
		}
		if err := checkInsertKeys(t, item); err != nil {
			if !inTx {
				return nil, err
			}
			w.fail = err
			return pw, nil
		}
		w.key = keyOf(t, item)
		w.compute = func(old attr.Item) (attr.Item, error) {
			if old != nil {
				return nil, ErrDuplicateItem
			}
			return item, nil
		}
	case *partiql.Update:
		if st.Table.HasIndex {
			return nil, invalid(msgOnIndex)
		}
		pw.returning = st.Returning
		k := partiql.KeysOf(st.Where, t.Hash, t.Range)
		upd, err := partiql.UpdateActions(st.Actions, params)
		if err != nil {
			return nil, pqError(err)
		}
		for _, p := range upd.Paths() {
			if p.Top() == t.Hash || p.Top() == t.Range {
				return nil, invalid("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", p.Top())
			}
		}
		if w.cond, err = writeCondition(t, "attribute_exists("+keyGuard+")", " AND ", k.Rest, params); err != nil {
			return nil, err
		}
		w.isUpdate = true
		w.compute = func(old attr.Item) (attr.Item, error) {
			n, paths, err := upd.Apply(old)
			pw.updated = paths
			return n, err
		}
		if err := pw.setKey(k, params, inTx); err != nil {
			return nil, err
		}
	case *partiql.Delete:
		if st.From.HasIndex {
			return nil, invalid(msgOnIndex)
		}
		pw.returning = st.Returning
		k := partiql.KeysOf(st.Where, t.Hash, t.Range)
		if k.Rest != nil {
			// A key that holds no item is a no-op, whatever else the
			// WHERE clause says.
			if w.cond, err = writeCondition(t, "attribute_not_exists("+keyGuard+")", " OR ", k.Rest, params); err != nil {
				return nil, err
			}
		}
		w.compute = func(attr.Item) (attr.Item, error) { return nil, nil }
		if err := pw.setKey(k, params, inTx); err != nil {
			return nil, err
		}
	case *partiql.Exists:
		if !inTx {
			return nil, invalid(msgExistsOutsideTx)
		}
		if st.Select.From.HasIndex {
			return nil, invalid("Operations on indices are not supported in transactions")
		}
		k := partiql.KeysOf(st.Select.Where, t.Hash, t.Range)
		if k.Rest == nil || !fullKey(t, k) {
			return nil, invalid("EXISTS() must contain a single item read with additional condition")
		}
		if w.cond, err = writeCondition(t, "attribute_exists("+keyGuard+")", " AND ", k.Rest, params); err != nil {
			return nil, err
		}
		if err := pw.setKey(k, params, inTx); err != nil {
			return nil, err
		}
	default:
		return nil, invalid("Unsupported operation: %T", st)
	}
	return pw, nil
}

// setKey resolves the item a write names from its WHERE clause.
func (pw *pqWrite) setKey(k *partiql.Keys, params []attr.Value, inTx bool) error {
	key, err := whereKey(pw.t, k, params)
	if err == nil {
		pw.w.key = key
		return nil
	}
	if inTx && (apierr.As(err) == errKeySchema || keyTypeError(err)) {
		pw.w.fail = err
		return nil
	}
	return err
}

// fullKey reports whether a WHERE clause has an equality on every key
// attribute of the table.
func fullKey(t *table, k *partiql.Keys) bool {
	for _, n := range t.keyNames() {
		if len(k.Equal[n]) == 0 {
			return false
		}
	}
	return true
}

// whereKey is the key a write's WHERE clause names: one equality on each
// key attribute (repeated equalities must agree), of the declared types.
func whereKey(t *table, k *partiql.Keys, params []attr.Value) (attr.Item, error) {
	if !fullKey(t, k) {
		return nil, invalid("Where clause does not contain a mandatory equality on all key attributes")
	}
	key := attr.Item{}
	for _, name := range t.keyNames() {
		var v attr.Value
		for i, e := range k.Equal[name] {
			ev, err := partiql.Value(e, params)
			if err != nil {
				return nil, pqError(err)
			}
			if i == 0 {
				v = ev
			} else if !attr.Equal(v, ev) {
				return nil, invalid("Multiple conditions on same key %s. Only single item Update/Insert/Delete are supported", name)
			}
		}
		key[name] = v
	}
	for _, name := range t.keyNames() {
		v := key[name]
		if v.Type().String() != t.attrType(name) {
			return nil, errKeySchema
		}
		if err := attr.CheckKey(name, v, name == t.Range); err != nil {
			return nil, validationError(err)
		}
	}
	return key, nil
}

// checkInsertKeys checks an INSERT's item for the table's key attributes,
// in the words of DynamoDB's PartiQL front end.
func checkInsertKeys(t *table, item attr.Item) error {
	for _, name := range t.keyNames() {
		v, ok := item[name]
		if !ok {
			return invalid("Key attribute should be present in the item: Key %s", name)
		}
		if v.Type().String() != t.attrType(name) {
			return invalid("Key attribute's data type should match its data type in table's schema: Key %s", name)
		}
		if err := attr.CheckKey(name, v, name == t.Range); err != nil {
			return validationError(err)
		}
	}
	return nil
}

// writeCondition is guard (on the partition key) joined with the rest of a
// WHERE clause, if any.
func writeCondition(t *table, guard, join string, rest partiql.Expr, params []attr.Value) (*expr.Condition, error) {
	s := guard
	names := map[string]string{}
	values := map[string]attr.Value{}
	if rest != nil {
		r, n, v, err := partiql.RenderCondition(rest, params)
		if err != nil {
			return nil, pqError(err)
		}
		s += join + "(" + r + ")"
		names, values = n, v
	}
	names[keyGuard] = t.Hash
	c, err := expr.ParseCondition(s, names, values)
	if err != nil {
		return nil, pqError(err)
	}
	return c, nil
}

// ---- reads ----

// pqRead is a SELECT ready to run: pages over one or more partitions, or
// one scan.
type pqRead struct {
	t     *table
	ix    *index
	page  page
	parts []attr.Value // partition key values; nil for a scan
	term  *expr.KeyTerm
	// binding identifies the request a NextToken belongs to.
	binding []byte
}

// selectOptions are the request parameters a SELECT runs with.
type selectOptions struct {
	consistent bool
	text       string
	wire       []AttributeValue
}

// prepareSelect plans a SELECT.
func (s *Service) prepareSelect(st *partiql.Select, params []attr.Value, o selectOptions) (*pqRead, error) {
	t, err := s.tableByNameOrARN(st.From.Table)
	if err != nil {
		return nil, err
	}
	r := &pqRead{t: t}
	hash, rng := t.Hash, t.Range
	if st.From.HasIndex {
		if r.ix = t.index(st.From.Index); r.ix == nil {
			return nil, invalid(msgNoIndex)
		}
		if o.consistent && !t.isLSI(r.ix.Name) {
			return nil, invalid(msgConsistentGSI)
		}
		hash, rng = r.ix.Hash, r.ix.Range
	}
	k := partiql.KeysOf(st.Where, hash, rng)
	if r.ix != nil && r.ix.multiAttribute() {
		// A multi-attribute key is read by scanning the index through the
		// WHERE clause.
		k = partiql.KeysOf(nil, hash, rng)
	}
	p := &r.page
	p.t, p.ix, p.forward = t, r.ix, true
	if st.Where != nil {
		if p.filter, err = partiql.Condition(st.Where, params); err != nil {
			return nil, pqError(err)
		}
	}
	if err := r.orderBy(st, k, hash, rng); err != nil {
		return nil, err
	}
	if k.Partitions != nil {
		if r.parts, err = partitionValues(t, hash, k.Partitions, params, !r.hashDesc(st, hash)); err != nil {
			return nil, err
		}
		if k.Range != nil {
			if r.term, err = keyTerm(t, k.Range, params); err != nil {
				return nil, err
			}
		}
		if r.ix != nil && r.ix.Projection != "ALL" {
			if missing := unprojected(t, r.ix, partiql.Paths(st.Where)); len(missing) > 0 {
				return nil, invalid("One or more parameter values were invalid: Secondary index %s does not project one or more filter attributes: [%s]", r.ix.Name, joinComma(missing))
			}
		}
	}
	var proj *expr.Projection
	if !st.Star {
		if proj, err = partiql.Projection(st.Projection); err != nil {
			return nil, pqError(err)
		}
		if err := duplicateOutputs(st.Projection); err != nil {
			return nil, err
		}
	}
	if err := selection(p, nil, proj, false); err != nil {
		return nil, err
	}
	if proj != nil {
		paths := st.Projection
		p.project = func(it attr.Item) attr.Item { return flatten(proj.Project(it), paths) }
	}
	r.binding = binding(t, r.ix, o)
	return r, nil
}

// orderBy applies ORDER BY: it needs a WHERE clause naming partition key
// values, names only key attributes, and sets the direction.
func (r *pqRead) orderBy(st *partiql.Select, k *partiql.Keys, hash, rng string) error {
	if len(st.OrderBy) == 0 {
		return nil
	}
	if st.Where == nil {
		return invalid("Must have WHERE clause in the statement when using ORDER BY clause.")
	}
	if k.Partitions == nil {
		return invalid("Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.")
	}
	// The sort key's direction is its own when ORDER BY names it, and the
	// partition key's otherwise: ORDER BY pk DESC reads every partition
	// backwards too.
	hasHash, hasRange := false, false
	for _, o := range st.OrderBy {
		switch {
		case o.Name == hash:
			hasHash = true
			if !hasRange {
				r.page.forward = !o.Desc
			}
		case o.Name == rng && rng != "":
			hasRange = true
			r.page.forward = !o.Desc
		default:
			return invalid("Variable reference %s in ORDER BY clause must be part of the primary key", o.Name)
		}
	}
	if len(k.Partitions) > 1 && !hasHash {
		return invalid("Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.")
	}
	return nil
}

// hashDesc reports whether ORDER BY sorts partitions descending.
func (r *pqRead) hashDesc(st *partiql.Select, hash string) bool {
	for _, o := range st.OrderBy {
		if o.Name == hash {
			return o.Desc
		}
	}
	return false
}

// partitionValues evaluates the partition key values a WHERE clause names,
// in key order (descending when asked), without repeats. Values of another
// type than the key's match no item and are dropped.
func partitionValues(t *table, hash string, es []partiql.Expr, params []attr.Value, ascending bool) ([]attr.Value, error) {
	var vs []attr.Value
	for _, e := range es {
		v, err := partiql.Value(e, params)
		if err != nil {
			return nil, pqError(err)
		}
		if _, isParam := e.(*partiql.Param); isParam && v.Type() == attr.TypeL && len(es) == 1 {
			vs = append(vs, v.L()...) // IN ? with a list parameter
			continue
		}
		vs = append(vs, v)
	}
	want := t.attrType(hash)
	type part struct {
		v   attr.Value
		enc []byte
	}
	var parts []part
	seen := map[string]bool{}
	for _, v := range vs {
		if v.Type().String() != want {
			continue
		}
		enc := appendKeyValue(nil, v)
		if seen[string(enc)] {
			continue
		}
		seen[string(enc)] = true
		parts = append(parts, part{v, enc})
	}
	sort.Slice(parts, func(i, j int) bool {
		c := bytes.Compare(parts[i].enc, parts[j].enc)
		if ascending {
			return c < 0
		}
		return c > 0
	})
	out := make([]attr.Value, len(parts))
	for i, p := range parts {
		out[i] = p.v
	}
	if out == nil {
		out = []attr.Value{}
	}
	return out, nil
}

var keyOps = map[string]expr.KeyOp{
	"=": expr.KeyEQ, "<": expr.KeyLT, "<=": expr.KeyLE, ">": expr.KeyGT, ">=": expr.KeyGE,
	"BETWEEN": expr.KeyBetween, "BEGINS_WITH": expr.KeyBeginsWith,
}

// keyTerm evaluates a sort key condition; nil when its values cannot
// narrow the read (another type than the key's), in which case the filter
// alone decides.
func keyTerm(t *table, rc *partiql.RangeCond, params []attr.Value) (*expr.KeyTerm, error) {
	term := &expr.KeyTerm{Name: rc.Name, Op: keyOps[rc.Op]}
	want := t.attrType(rc.Name)
	for _, e := range rc.Values {
		v, err := partiql.Value(e, params)
		if err != nil {
			return nil, pqError(err)
		}
		if v.Type().String() != want || (term.Op == expr.KeyBeginsWith && v.Type() == attr.TypeN) {
			return nil, nil
		}
		term.Values = append(term.Values, v)
	}
	if term.Op == expr.KeyBetween {
		if c, ok := attr.Compare(term.Values[0], term.Values[1]); !ok || c > 0 {
			return nil, nil
		}
	}
	return term, nil
}

// unprojected lists the top-level attributes of paths an index does not
// project.
func unprojected(t *table, ix *index, paths []*partiql.Path) []string {
	have := projectedNames(t, ix)
	var missing []string
	for _, p := range paths {
		if !have[p.Top()] {
			missing = append(missing, p.Top())
			have[p.Top()] = true
		}
	}
	return missing
}

func joinComma(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// duplicateOutputs refuses two selected paths that come back under one
// name.
func duplicateOutputs(paths []*partiql.Path) error {
	seen := map[string]bool{}
	for _, p := range paths {
		n, _ := partiql.OutputName(p)
		if seen[n] {
			return invalid("Duplicate identifiers in select clause: %s", n)
		}
		seen[n] = true
	}
	return nil
}

// flatten reshapes a projected item as SELECT returns it: each path under
// its last name (SELECT a.b returns {b: ...}).
func flatten(projected attr.Item, paths []*partiql.Path) attr.Item {
	out := attr.Item{}
	for _, p := range paths {
		name, from := partiql.OutputName(p)
		v, ok := projected[p.Elems[0].Name]
		for i := 1; ok && i <= from; i++ {
			e := p.Elems[i]
			switch {
			case e.IsIndex && v.Type() == attr.TypeL && v.Len() > 0:
				v = v.L()[0]
			case !e.IsIndex && v.Type() == attr.TypeM:
				v, ok = v.M()[e.Name]
			default:
				ok = false
			}
		}
		if ok {
			out[name] = v
		}
	}
	return out
}

// ---- NextToken ----

// binding is what a NextToken is bound to: the table, the index, the
// statement and its parameters (not Limit), as DynamoDB binds it.
func binding(t *table, ix *index, o selectOptions) []byte {
	h := sha256.New()
	params, _ := json.Marshal(o.wire)
	ixName := ""
	if ix != nil {
		ixName = ix.Name
	}
	for _, part := range [][]byte{[]byte(t.Name), []byte(t.UUID), []byte(ixName), []byte(o.text), params} {
		h.Write(keys.AppendString(nil, string(part)))
	}
	return h.Sum(nil)[:16]
}

// nextToken is a NextToken's content: where the read goes on.
type nextToken struct {
	Binding []byte                    `json:"b"`
	Part    int                       `json:"p"`
	Key     map[string]AttributeValue `json:"k,omitempty"`
}

func (r *pqRead) encodeToken(part int, key attr.Item) *string {
	b, _ := json.Marshal(nextToken{Binding: r.binding, Part: part, Key: itemToWire(key)})
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}

func (r *pqRead) decodeToken(s *string) (*nextToken, error) {
	if s == nil {
		return &nextToken{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*s)
	var tok nextToken
	if err != nil || json.Unmarshal(b, &tok) != nil || tok.Part < 0 {
		return nil, invalid(msgNextTokenInvalid)
	}
	if !bytes.Equal(tok.Binding, r.binding) {
		return nil, invalid(msgNextTokenRequest)
	}
	if r.parts != nil && tok.Part > len(r.parts) || r.parts == nil && tok.Part > 0 {
		return nil, invalid(msgNextTokenInvalid)
	}
	return &tok, nil
}

// readResult is one page of a SELECT.
type readResult struct {
	items []attr.Item
	bytes int
	next  *string
}

// run reads one page: from the token's place, through partitions in turn,
// until Limit items are evaluated, 1 MB is read, or nothing is left.
func (s *Service) run(r *pqRead, token *string, limit int) (*readResult, error) {
	tok, err := r.decodeToken(token)
	if err != nil {
		return nil, err
	}
	p := r.page
	key, err := itemFromWire(tok.Key)
	if err != nil {
		return nil, invalid(msgNextTokenInvalid)
	}
	start, err := startKey(r.t, r.ix, key)
	if err != nil {
		return nil, invalid(msgNextTokenInvalid)
	}
	res := &readResult{items: []attr.Item{}}
	scanned := 0
	if r.parts == nil {
		if r.ix == nil {
			p.lower = itemsPrefix(r.t.ID)
		} else {
			p.lower = indexPrefix(r.t.ID, r.ix.Name)
		}
		p.upper = keys.PrefixEnd(p.lower)
		p.start, p.limit = start, limit
		pr, err := s.read(&p)
		if err != nil {
			return nil, err
		}
		res.items, res.bytes = append(res.items, pr.items...), pr.bytes
		if pr.lastKey != nil {
			res.next = r.encodeToken(0, pr.lastKey)
		}
		return res, nil
	}
	if r.term != nil {
		term := *r.term
		p.match = func(it attr.Item) bool { return term.Match(it[term.Name]) }
	}
	for i := tok.Part; i < len(r.parts); i++ {
		if i > tok.Part {
			start = nil
			if (limit > 0 && scanned >= limit) || res.bytes >= maxPageBytes {
				res.next = r.encodeToken(i, nil)
				return res, nil
			}
		}
		p.lower, p.upper = rangeBounds(partitionBounds(r.t, r.ix, r.parts[i]), r.term)
		p.start = start
		p.limit = 0
		if limit > 0 {
			p.limit = limit - scanned
		}
		pr, err := s.read(&p)
		if err != nil {
			return nil, err
		}
		scanned += pr.scanned
		res.items = append(res.items, pr.items...)
		res.bytes += pr.bytes
		if pr.lastKey != nil {
			res.next = r.encodeToken(i, pr.lastKey)
			return res, nil
		}
	}
	return res, nil
}
