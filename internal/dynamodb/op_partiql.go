package dynamodb

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
	"github.com/virga/virga/internal/dynamodb/partiql"
	"github.com/virga/virga/internal/store/keys"
)

// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: PartiQL
// statements run through partiql_exec.go.

func (s *Service) executeStatement(ctx context.Context, in *ExecuteStatementInput) (*ExecuteStatementOutput, error) {
	st, params, err := parseStatement(*in.Statement, in.Parameters)
	if err != nil {
		return nil, err
	}
	consistent := deref(in.ConsistentRead)
	switch st := st.(type) {
	case *partiql.Select:
		r, err := s.prepareSelect(st, params, selectOptions{consistent: consistent, text: *in.Statement, wire: in.Parameters})
		if err != nil {
			return nil, err
		}
		res, err := s.run(r, in.NextToken, int(deref(in.Limit)))
		if err != nil {
			return nil, err
		}
		out := &ExecuteStatementOutput{
			Items:            make([]map[string]AttributeValue, len(res.items)),
			NextToken:        res.next,
			ConsumedCapacity: readConsumed(r.t, r.ix, in.ReturnConsumedCapacity, readUnits(res.bytes, consistent)),
		}
		for i, it := range res.items {
			out.Items[i] = itemToWire(it)
		}
		return out, nil
	case *partiql.Exists:
		return nil, invalid(msgExistsOutsideTx)
	}
	pw, err := s.prepareWrite(st, params, deref(in.ReturnValuesOnConditionCheckFailure) == "ALL_OLD", false)
	if err != nil {
		return nil, err
	}
	old, new, err := s.write(pw.w)
	if err != nil {
		return nil, err
	}
	// A write answers with a list of Items, empty unless its RETURNING
	// clause gives the item back.
	out := &ExecuteStatementOutput{ConsumedCapacity: writeConsumed(pw.t, in.ReturnConsumedCapacity, old, new),
		Items: []map[string]AttributeValue{}}
	if pw.returning != partiql.ReturnNone {
		if it := pw.result(old, new); len(it) > 0 {
			out.Items = append(out.Items, itemToWire(it))
		}
	}
	return out, nil
}

// ---- BatchExecuteStatement ----

// isRead reports whether a statement reads (SELECT) rather than writes.
func isRead(st partiql.Statement) bool {
	_, ok := st.(*partiql.Select)
	return ok
}

func (s *Service) batchExecuteStatement(ctx context.Context, in *BatchExecuteStatementInput) (*BatchExecuteStatementOutput, error) {
	type member struct {
		st     partiql.Statement
		params []attr.Value
		err    error
	}
	members := make([]member, len(in.Statements))
	reads, writes := 0, 0
	for i, req := range in.Statements {
		m := &members[i]
		m.st, m.params, m.err = parseStatement(*req.Statement, req.Parameters)
		if m.err != nil {
			continue
		}
		if isRead(m.st) {
			reads++
		} else {
			writes++
		}
	}
	if reads > 0 && writes > 0 {
		return nil, invalid("Unsupported operation: A batch must contain either only read statements or only write statements")
	}
	out := &BatchExecuteStatementOutput{Responses: make([]BatchStatementResponse, len(members))}
	caps := map[string]*capacity{}
	capOf := func(t *table, write bool) *capacity {
		if caps[t.Name] == nil {
			caps[t.Name] = newCapacity(t, write)
		}
		return caps[t.Name]
	}
	for i, m := range members {
		resp := &out.Responses[i]
		err := m.err
		if err == nil {
			consistent := deref(in.Statements[i].ConsistentRead)
			switch st := m.st.(type) {
			case *partiql.Select:
				var t *table
				var units float64
				t, resp.Item, units, err = s.readOne(st, m.params, consistent, "Select statements within BatchExecuteStatement must specify the primary key in the where clause.")
				if t != nil {
					resp.TableName = ptr(t.Name)
					capOf(t, false).addRead(units, nil)
				}
			case *partiql.Exists:
				err = invalid(msgExistsOutsideTx)
			default:
				var pw *pqWrite
				if pw, err = s.prepareWrite(st, m.params, false, false); err != nil {
					break
				}
				resp.TableName = ptr(pw.t.Name)
				old, new, werr := s.write(pw.w)
				if err = werr; err != nil {
					break
				}
				capOf(pw.t, true).addWrite(old, new, 1)
				if it := pw.result(old, new); len(it) > 0 {
					resp.Item = itemToWire(it)
				}
			}
		}
		if err != nil {
			e := batchError(err)
			if e == nil {
				return nil, err
			}
			if *e.Code == "ResourceNotFound" {
				resp.TableName = nil
			}
			resp.Error, resp.Item = e, nil
		}
	}
	if mode := in.ReturnConsumedCapacity; mode != nil && *mode != "NONE" {
		for _, name := range sortedNames(caps) {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *caps[name].render(mode))
		}
	}
	return out, nil
}

// batchError is a statement's error as BatchExecuteStatement reports it,
// or nil for an error that fails the whole request.
func batchError(err error) *BatchStatementError {
	e := apierr.As(err)
	if e == nil {
		return nil
	}
	code := strings.TrimSuffix(e.Code, "Exception")
	switch e.Code {
	case ErrValidation.Code:
		code = "ValidationError"
	case ErrInternal.Code:
		code = "InternalServerError"
	}
	return &BatchStatementError{Code: ptr(BatchStatementErrorCodeEnum(code)), Message: ptr(e.Message)}
}

// readOne runs a SELECT that names one item by its full primary key, as
// BatchExecuteStatement and ExecuteTransaction require: the item, if it
// exists and satisfies the rest of the WHERE clause, projected. keyMsg is
// the error for a statement that does not name the key.
func (s *Service) readOne(st *partiql.Select, params []attr.Value, consistent bool, keyMsg string) (*table, map[string]AttributeValue, float64, error) {
	g, err := s.prepareGet(st, params, keyMsg)
	if err != nil {
		return nil, nil, 0, err
	}
	it, err := s.readItem(s.store, itemKey(g.t, g.key))
	if err != nil {
		return nil, nil, 0, err
	}
	units := readUnits(attr.ItemSize(it), consistent)
	it, err = g.apply(it)
	return g.t, itemToWire(it), units, err
}

// pqGet is a single-item SELECT ready to run.
type pqGet struct {
	t       *table
	key     attr.Item
	filter  *expr.Condition
	project func(attr.Item) attr.Item
}

func (s *Service) prepareGet(st *partiql.Select, params []attr.Value, keyMsg string) (*pqGet, error) {
	if st.From.HasIndex {
		return nil, invalid("%s", keyMsg)
	}
	t, err := s.tableByNameOrARN(st.From.Table)
	if err != nil {
		return nil, err
	}
	k := partiql.KeysOf(st.Where, t.Hash, t.Range)
	if !fullKey(t, k) {
		return nil, invalid("%s", keyMsg)
	}
	g := &pqGet{t: t}
	if g.key, err = whereKey(t, k, params); err != nil {
		return nil, err
	}
	if k.Rest != nil {
		if g.filter, err = partiql.Condition(k.Rest, params); err != nil {
			return nil, pqError(err)
		}
	}
	if !st.Star {
		proj, err := partiql.Projection(st.Projection)
		if err != nil {
			return nil, pqError(err)
		}
		if err := duplicateOutputs(st.Projection); err != nil {
			return nil, err
		}
		paths := st.Projection
		g.project = func(it attr.Item) attr.Item { return flatten(proj.Project(it), paths) }
	}
	return g, nil
}

// apply filters and projects the item read (nil: none).
func (g *pqGet) apply(it attr.Item) (attr.Item, error) {
	if it == nil {
		return nil, nil
	}
	if g.filter != nil {
		ok, err := g.filter.Eval(it)
		if err != nil {
			return nil, validationError(err)
		}
		if !ok {
			return nil, nil
		}
	}
	if g.project != nil {
		it = g.project(it)
		if len(it) == 0 {
			return nil, nil
		}
	}
	return it, nil
}

// ---- ExecuteTransaction ----

// txInvalid words a statement's validation error as ExecuteTransaction
// does, naming the statement; other errors pass through.
func txInvalid(i int, err error) error {
	if e := apierr.As(err); e != nil && e.Code == ErrValidation.Code {
		return invalid("Validation failed in TransactStatements[%d]: %s", i, e.Message)
	}
	return err
}

func pqTokenKey(token string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "ddb"), "pqtoken"), token)
}

func (s *Service) executeTransaction(ctx context.Context, in *ExecuteTransactionInput) (*ExecuteTransactionOutput, error) {
	sts := make([]partiql.Statement, len(in.TransactStatements))
	params := make([][]attr.Value, len(in.TransactStatements))
	reads := 0
	for i, ps := range in.TransactStatements {
		st, p, err := parseStatement(*ps.Statement, ps.Parameters)
		if err != nil {
			return nil, err
		}
		switch st := st.(type) {
		case *partiql.Update:
			if st.Returning != partiql.ReturnNone {
				return nil, txInvalid(i, invalid("RETURNING clause is not supported in ExecuteTransaction."))
			}
		case *partiql.Delete:
			if st.Returning != partiql.ReturnNone {
				return nil, txInvalid(i, invalid("RETURNING clause is not supported in ExecuteTransaction."))
			}
		}
		if isRead(st) {
			reads++
		}
		sts[i], params[i] = st, p
	}
	if reads > 0 && reads < len(sts) {
		return nil, invalid("Unsupported operation in transaction.")
	}
	if reads > 0 {
		return s.transactRead(sts, params, in.ReturnConsumedCapacity)
	}
	return s.transactStatements(in, sts, params)
}

// transactRead runs SELECTs of single items on one snapshot.
func (s *Service) transactRead(sts []partiql.Statement, params [][]attr.Value, mode *ReturnConsumedCapacity) (*ExecuteTransactionOutput, error) {
	gets := make([]*pqGet, len(sts))
	seen := map[string]bool{}
	for i, st := range sts {
		sel := st.(*partiql.Select)
		if sel.From.HasIndex {
			return nil, txInvalid(i, invalid("Reads on indices are not supported within transactions."))
		}
		g, err := s.prepareGet(sel, params[i], "Select statements within ExecuteTransaction must specify the primary key in the where clause.")
		if err != nil {
			return nil, txInvalid(i, err)
		}
		k := string(itemKey(g.t, g.key))
		if seen[k] {
			return nil, invalid("Transaction request cannot include multiple operations on one item")
		}
		seen[k] = true
		gets[i] = g
	}
	snap := s.store.NewSnapshot()
	defer snap.Close()
	out := &ExecuteTransactionOutput{Responses: make([]ItemResponse, len(gets))}
	units := map[string]float64{}
	tables := map[string]*table{}
	for i, g := range gets {
		it, err := s.readItem(snap, itemKey(g.t, g.key))
		if err != nil {
			return nil, err
		}
		units[g.t.Name] += 2 * readUnits(attr.ItemSize(it), true)
		tables[g.t.Name] = g.t
		if it, err = g.apply(it); err != nil {
			return nil, err
		}
		out.Responses[i] = ItemResponse{Item: itemToWire(it)}
	}
	if mode != nil && *mode != "NONE" {
		for _, name := range sortedNames(units) {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *consumed(tables[name], mode, units[name], false))
		}
	}
	return out, nil
}

// transactStatements runs INSERT, UPDATE, DELETE and EXISTS statements all
// or nothing, as TransactWriteItems runs its actions.
func (s *Service) transactStatements(in *ExecuteTransactionInput, sts []partiql.Statement, params [][]attr.Value) (*ExecuteTransactionOutput, error) {
	tok := s.clientToken(pqTokenKey, in.ClientRequestToken, in.TransactStatements)
	if replay, err := tok.check(); err != nil || replay {
		return &ExecuteTransactionOutput{Responses: []ItemResponse{}}, err
	}
	writes := make([]*itemWrite, len(sts))
	seen := map[string]bool{}
	for i, st := range sts {
		returnOld := deref(in.TransactStatements[i].ReturnValuesOnConditionCheckFailure) == "ALL_OLD"
		pw, err := s.prepareWrite(st, params[i], returnOld, true)
		if err != nil {
			return nil, txInvalid(i, err)
		}
		writes[i] = pw.w
		if pw.w.fail != nil {
			continue
		}
		k := string(itemKey(pw.t, pw.w.key))
		if seen[k] {
			return nil, invalid("Transaction request cannot include multiple operations on one item")
		}
		seen[k] = true
	}
	olds, news, failures, err := s.writeAllReasons(writes)
	if err != nil && failures == nil {
		return nil, err
	}
	if err != nil {
		return nil, statementsCanceled(failures)
	}
	if err := tok.remember(); err != nil {
		return nil, err
	}
	// Writes answer with an empty list of Responses, not one per statement.
	return &ExecuteTransactionOutput{Responses: []ItemResponse{},
		ConsumedCapacity: transactConsumed(writes, olds, news, in.ReturnConsumedCapacity)}, nil
}

// statementsCanceled is TransactionCanceledException for a PartiQL
// transaction: a reason per statement, in order, with DuplicateItem for an
// INSERT that found its item.
func statementsCanceled(failures []error) error {
	reasons := make([]CancellationReason, len(failures))
	codes := make([]string, len(failures))
	for i, f := range failures {
		e := apierr.As(f)
		switch {
		case f == nil:
			reasons[i] = CancellationReason{Code: ptr("None")}
		case e != nil && e.Code == ErrConditionalCheckFailed.Code:
			reasons[i] = CancellationReason{Code: ptr("ConditionalCheckFailed"), Message: ptr(ErrConditionalCheckFailed.Message)}
			if d, ok := e.Details.(*struct{ Item map[string]AttributeValue }); ok {
				reasons[i].Item = d.Item
			}
		case e != nil && e.Code == ErrDuplicateItem.Code:
			reasons[i] = CancellationReason{Code: ptr("DuplicateItem"), Message: ptr(e.Message)}
		default:
			msg := f.Error()
			if e != nil {
				msg = e.Message
			}
			reasons[i] = CancellationReason{Code: ptr("ValidationError"), Message: ptr(msg)}
		}
		codes[i] = *reasons[i].Code
	}
	return ErrTransactionCanceled.
		Withf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", ")).
		WithDetails(&struct{ CancellationReasons []CancellationReason }{reasons})
}
