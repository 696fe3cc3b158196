package dynamodb

import (
	"context"
	"slices"
	"strings"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
	"github.com/virga/virga/internal/store/keys"
)

// readTarget resolves a Query's or Scan's table and optional index.
func (s *Service) readTarget(tableName string, indexName *string, consistent bool) (*table, *index, error) {
	t, err := s.tableByNameOrARN(tableName)
	if err != nil {
		return nil, nil, err
	}
	if indexName == nil {
		return t, nil, nil
	}
	ix := t.index(*indexName)
	if ix == nil {
		return nil, nil, invalid("The table does not have the specified index: %s", *indexName)
	}
	if consistent && !t.isLSI(ix.Name) {
		return nil, nil, invalid("Consistent reads are not supported on global secondary indexes")
	}
	return t, ix, nil
}

// selection applies Select and the projection to a page: which attributes
// come back, and whether an LSI read fetches whole items from the table.
func selection(p *page, sel *Select, proj *expr.Projection, usingLegacyProjection bool) error {
	mode := string(deref(sel))
	projName := "ProjectionExpression"
	if usingLegacyProjection {
		projName = "AttributesToGet"
	}
	if mode == "" {
		switch {
		case proj != nil:
			mode = "SPECIFIC_ATTRIBUTES"
		case p.ix != nil:
			mode = "ALL_PROJECTED_ATTRIBUTES"
		default:
			mode = "ALL_ATTRIBUTES"
		}
	}
	if proj != nil && mode != "SPECIFIC_ATTRIBUTES" {
		what := mode
		if mode == "COUNT" {
			what = "only the Count"
		}
		return invalid("One or more parameter values were invalid: Cannot specify the %s when choosing to get %s", projName, what)
	}
	switch mode {
	case "COUNT":
		p.countOnly = true
	case "ALL_PROJECTED_ATTRIBUTES":
		if p.ix == nil {
			return invalid("One or more parameter values were invalid: ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
	case "ALL_ATTRIBUTES":
		if p.ix != nil && p.ix.Projection != "ALL" {
			if !p.t.isLSI(p.ix.Name) {
				return invalid("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", p.ix.Name)
			}
			p.fromTable = true
		}
	case "SPECIFIC_ATTRIBUTES":
		if proj == nil {
			return invalid("One or more parameter values were invalid: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
		if p.ix != nil && p.ix.Projection != "ALL" {
			missing := notProjected(p.t, p.ix, proj)
			if p.t.isLSI(p.ix.Name) {
				p.fromTable = len(missing) > 0
			} else if len(missing) > 0 {
				return invalid("One or more parameter values were invalid: Global secondary index %s does not project [%s]", p.ix.Name, strings.Join(missing, ", "))
			}
		}
		p.project = proj.Project
	}
	return nil
}

// queriedKeys are the partition and sort key attributes of the table or
// index a read goes through, in key schema order.
func queriedKeys(t *table, ix *index) (hashes, ranges []string) {
	if ix != nil {
		return ix.hashNames(), ix.rangeNames()
	}
	if t.Range == "" {
		return []string{t.Hash}, nil
	}
	return []string{t.Hash}, []string{t.Range}
}

// notProjected lists the attributes a projection asks for that an index
// does not project.
func notProjected(t *table, ix *index, proj *expr.Projection) []string {
	have := projectedNames(t, ix)
	var missing []string
	for _, p := range proj.Paths() {
		if !have[p.Top()] {
			missing = append(missing, p.Top())
			have[p.Top()] = true
		}
	}
	return missing
}

// query and scan read the whole request (expressions, placeholders,
// values) before they look the table up, as DynamoDB does.
func (s *Service) query(ctx context.Context, in *QueryInput) (*QueryOutput, error) {
	if err := requestStyle(
		[]styleParam{{"ProjectionExpression", in.ProjectionExpression != nil}, {"FilterExpression", in.FilterExpression != nil}, {"KeyConditionExpression", in.KeyConditionExpression != nil}},
		[]styleParam{{"AttributesToGet", in.AttributesToGet != nil}, {"QueryFilter", in.QueryFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != nil}, {"KeyConditions", in.KeyConditions != nil}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues,
	); err != nil {
		return nil, err
	}
	x, err := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	kc, unindexable, err := s.keyConditionOf(x, in.KeyConditionExpression, in.KeyConditions, in.FilterExpression != nil || in.ProjectionExpression != nil)
	if err != nil {
		return nil, err
	}
	filter, err := s.filterOf(x, in.FilterExpression, in.QueryFilter, "QueryFilter", in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	proj, err := s.projectionOf(x, in.ProjectionExpression, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	esk, err := decodeStartKey(in.ExclusiveStartKey)
	if err != nil {
		return nil, err
	}
	t, ix, err := s.readTarget(*in.TableName, in.IndexName, deref(in.ConsistentRead))
	if err != nil {
		return nil, err
	}
	hashes, ranges := queriedKeys(t, ix)
	if in.KeyConditions != nil && (len(hashes) > 1 || len(ranges) > 1) {
		return nil, invalid("KeyConditions cannot query index %s, whose key has several attributes: use a KeyConditionExpression", ix.Name)
	}
	var schema expr.KeySchema
	keyAttrs := func(names []string) []expr.KeyAttr {
		var as []expr.KeyAttr
		for _, n := range names {
			typ, _ := attr.ParseType(t.attrType(n))
			as = append(as, expr.KeyAttr{Name: n, Type: typ})
		}
		return as
	}
	schema.Hash, schema.Range = keyAttrs(hashes), keyAttrs(ranges)
	if unindexable != nil {
		return nil, unindexableKeyConditions(in.KeyConditions, unindexable, schema)
	}
	kq, err := kc.Resolve(schema)
	if err != nil {
		return nil, validationError(err)
	}
	// Key values are held to the rules of keys: not empty, not too long.
	for i, v := range kq.Hash {
		if err := attr.CheckKey(hashes[i], v, false); err != nil {
			return nil, validationError(err)
		}
	}
	for i, v := range kq.RangeEQ {
		if err := attr.CheckKey(ranges[i], v, true); err != nil {
			return nil, validationError(err)
		}
	}
	if kq.Range != nil && kq.Range.Op == expr.KeyEQ {
		if err := attr.CheckKey(kq.Range.Name, kq.Range.Values[0], true); err != nil {
			return nil, validationError(err)
		}
	}
	if filter != nil {
		what := "Filter Expression"
		if in.QueryFilter != nil {
			what = "QueryFilter"
		}
		for _, p := range filter.Paths() {
			if slices.Contains(hashes, p.Top()) || slices.Contains(ranges, p.Top()) {
				return nil, invalid("%s can only contain non-primary key attributes: Primary key attribute: %s", what, p.Top())
			}
		}
		if err := checkFilterProjected(t, ix, filter); err != nil {
			return nil, err
		}
	}
	p := &page{t: t, ix: ix, forward: in.ScanIndexForward == nil || *in.ScanIndexForward, filter: filter}
	p.lower, p.upper = rangeBounds(partitionBounds(t, ix, append(kq.Hash, kq.RangeEQ...)...), kq.Range)
	// inRange reports whether a key's sort key attributes meet the sort
	// key conditions.
	inRange := func(it attr.Item) bool {
		for i, v := range kq.RangeEQ {
			if !attr.Equal(it[ranges[i]], v) {
				return false
			}
		}
		return kq.Range == nil || kq.Range.Match(it[kq.Range.Name])
	}
	if kq.Range != nil {
		p.match = inRange
	}
	// A query resumes only from a key inside what it asks for.
	p.checkStart = func(esk attr.Item) error {
		for i, v := range kq.Hash {
			if !attr.Equal(esk[hashes[i]], v) {
				return invalid("The provided starting key is outside query boundaries based on provided conditions")
			}
		}
		if !inRange(esk) {
			return invalid("The provided starting key does not match the range key predicate")
		}
		return nil
	}
	r, err := s.runPage(p, pageParams{in.Limit, esk, in.Select, proj, in.AttributesToGet != nil, deref(in.ConsistentRead), in.ReturnConsumedCapacity})
	if err != nil {
		return nil, err
	}
	return &QueryOutput{Items: r.items, Count: r.count, ScannedCount: r.scanned, LastEvaluatedKey: r.lastKey, ConsumedCapacity: r.consumed}, nil
}

// scan reads its request in DynamoDB's order: the legacy parameters
// (AttributesToGet, then ScanFilter), the ExclusiveStartKey, the segments,
// and only then the expressions and their placeholders.
func (s *Service) scan(ctx context.Context, in *ScanInput) (*ScanOutput, error) {
	if err := requestStyle(
		[]styleParam{{"ProjectionExpression", in.ProjectionExpression != nil}, {"FilterExpression", in.FilterExpression != nil}},
		[]styleParam{{"AttributesToGet", in.AttributesToGet != nil}, {"ScanFilter", in.ScanFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != nil}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues,
	); err != nil {
		return nil, err
	}
	var (
		filter *expr.Condition
		proj   *expr.Projection
	)
	expressions := in.FilterExpression != nil || in.ProjectionExpression != nil
	read := func() error {
		x, err := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
		if err != nil {
			return err
		}
		if expressions {
			filter, err = s.filterOf(x, in.FilterExpression, in.ScanFilter, "ScanFilter", in.ConditionalOperator)
			if err == nil {
				proj, err = s.projectionOf(x, in.ProjectionExpression, in.AttributesToGet)
			}
		} else {
			proj, err = s.projectionOf(x, in.ProjectionExpression, in.AttributesToGet)
			if err == nil {
				filter, err = s.filterOf(x, in.FilterExpression, in.ScanFilter, "ScanFilter", in.ConditionalOperator)
			}
		}
		if err != nil {
			return err
		}
		return x.done()
	}
	if !expressions {
		if err := read(); err != nil {
			return nil, err
		}
	}
	esk, err := decodeStartKey(in.ExclusiveStartKey)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Segment != nil && in.TotalSegments == nil:
		return nil, invalid("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.Segment == nil && in.TotalSegments != nil:
		return nil, invalid("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	case in.Segment != nil && *in.Segment >= *in.TotalSegments:
		return nil, invalid("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
	}
	if expressions {
		if err := read(); err != nil {
			return nil, err
		}
	}
	t, ix, err := s.readTarget(*in.TableName, in.IndexName, deref(in.ConsistentRead))
	if err != nil {
		return nil, err
	}
	if filter != nil {
		if err := checkFilterProjected(t, ix, filter); err != nil {
			return nil, err
		}
	}
	p := &page{t: t, ix: ix, forward: true, filter: filter}
	if ix == nil {
		p.lower = itemsPrefix(t.ID)
	} else {
		p.lower = indexPrefix(t.ID, ix.Name)
	}
	p.upper = keys.PrefixEnd(p.lower)
	if in.TotalSegments != nil && *in.TotalSegments > 1 {
		seg, total := int(*in.Segment), int(*in.TotalSegments)
		p.match = func(it attr.Item) bool { return segmentOf(t, it, total) == seg }
		if err := checkSegmentStart(t, esk, seg, total); err != nil {
			return nil, err
		}
	}
	r, err := s.runPage(p, pageParams{in.Limit, esk, in.Select, proj, in.AttributesToGet != nil, deref(in.ConsistentRead), in.ReturnConsumedCapacity})
	if err != nil {
		return nil, err
	}
	return &ScanOutput{Items: r.items, Count: r.count, ScannedCount: r.scanned, LastEvaluatedKey: r.lastKey, ConsumedCapacity: r.consumed}, nil
}

// checkReadPaths holds a Query's or Scan's projection, then its filter,
// to paths that do not look inside key attributes.
func checkReadPaths(t *table, proj *expr.Projection, filter *expr.Condition) error {
	if proj != nil {
		if err := checkScalarKeyPaths(t, proj.Paths()); err != nil {
			return err
		}
	}
	if filter != nil {
		return checkScalarKeyPaths(t, filter.Paths())
	}
	return nil
}

// checkFilterProjected refuses a filter on an attribute the index read
// does not project, even where the whole item could be read (an LSI with
// Select ALL_ATTRIBUTES): DynamoDB filters an index's entries as they are.
func checkFilterProjected(t *table, ix *index, filter *expr.Condition) error {
	if ix == nil || ix.Projection == "ALL" {
		return nil
	}
	projected := projectedNames(t, ix)
	for _, p := range filter.Paths() {
		if !projected[p.Top()] {
			return invalid("One or more parameter values were invalid: Secondary index %s does not project one or more filter attributes: [%s]", ix.Name, p.Top())
		}
	}
	return nil
}

// checkSegmentStart refuses an ExclusiveStartKey of a segmented scan
// that lies in another segment than the one scanned. A start key that does
// not match the schema is left to the page's own check.
func checkSegmentStart(t *table, esk attr.Item, seg, total int) error {
	if esk == nil {
		return nil
	}
	if h, ok := esk[t.Hash]; !ok || h.Type().String() != t.attrType(t.Hash) || segmentOf(t, esk, total) == seg {
		return nil
	}
	return invalid(startKeyInvalid+"Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d", total, seg)
}

// readConsumed renders a query's or scan's ConsumedCapacity, charged to
// the index it read, if any.
func readConsumed(t *table, ix *index, mode *ReturnConsumedCapacity, units float64) *ConsumedCapacity {
	c := newCapacity(t, false)
	c.addRead(units, ix)
	return c.render(mode)
}

// pageParams are the parameters Query and Scan share.
type pageParams struct {
	limit          *int32
	startKey       attr.Item
	sel            *Select
	proj           *expr.Projection
	legacyProj     bool
	consistent     bool
	returnCapacity *ReturnConsumedCapacity
}

// pageOutput is the part of a Query's or Scan's output they share.
type pageOutput struct {
	items          []map[string]AttributeValue
	count, scanned *int32
	lastKey        map[string]AttributeValue
	consumed       *ConsumedCapacity
}

// runPage finishes a page's setup from the shared parameters, reads it
// and renders it for the wire.
func (s *Service) runPage(p *page, pp pageParams) (*pageOutput, error) {
	if pp.limit != nil {
		p.limit = int(*pp.limit)
	}
	var err error
	if p.start, err = startKey(p.t, p.ix, pp.startKey); err != nil {
		return nil, err
	}
	if p.start != nil && p.checkStart != nil {
		if err := p.checkStart(pp.startKey); err != nil {
			return nil, err
		}
	}
	if err := checkReadPaths(p.t, pp.proj, p.filter); err != nil {
		return nil, err
	}
	if err := selection(p, pp.sel, pp.proj, pp.legacyProj); err != nil {
		return nil, err
	}
	res, err := s.read(p)
	if err != nil {
		return nil, err
	}
	out := &pageOutput{
		count:    ptr(int32(res.count)),
		scanned:  ptr(int32(res.scanned)),
		lastKey:  itemToWire(res.lastKey),
		consumed: readConsumed(p.t, p.ix, pp.returnCapacity, readUnits(res.bytes, pp.consistent)),
	}
	if !p.countOnly {
		out.items = make([]map[string]AttributeValue, len(res.items))
		for i, it := range res.items {
			out.items[i] = itemToWire(it)
		}
	}
	return out, nil
}
