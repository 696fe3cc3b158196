package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestDynamoDBModel runs random sequences of PutItem, UpdateItem,
// DeleteItem (with and without conditions), TransactWriteItems, GetItem
// and paged Queries against virga and against a simple in-memory model of
// one table (pk S, sk N; attributes x N and y S), and compares every
// answer: returned attributes, condition failures and their items,
// cancellation reasons, validation errors and query pages.
func TestDynamoDBModel(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			env := Start(t)
			c := ddbClient(env)
			createSimpleTable(t, c, "model", true)
			r := &modelRun{t: t, c: c, r: rand.New(rand.NewSource(seed)), items: map[mKey]mItem{}}
			for step := 0; step < 500 && !t.Failed(); step++ {
				r.step = step
				switch n := r.r.Intn(100); {
				case n < 25:
					r.put()
				case n < 50:
					r.update()
				case n < 60:
					r.delete()
				case n < 72:
					r.transact()
				case n < 85:
					r.get()
				default:
					r.query()
				}
			}
			r.scanMatches()
		})
	}
}

// mKey is an item's primary key in the model.
type mKey struct {
	pk string
	sk int64
}

// mItem is a model item: pk, sk, and optionally x (a number) and y (a
// string). Absent attributes are absent from the map.
type mItem map[string]mVal

type mVal struct {
	n   int64
	s   string
	isN bool
}

func (v mVal) av() types.AttributeValue {
	if v.isN {
		return avN(strconv.FormatInt(v.n, 10))
	}
	return avS(v.s)
}

func (it mItem) ddb() ddbItem {
	if it == nil {
		return nil
	}
	out := ddbItem{}
	for k, v := range it {
		out[k] = v.av()
	}
	return out
}

func (it mItem) clone() mItem {
	if it == nil {
		return nil
	}
	out := mItem{}
	for k, v := range it {
		out[k] = v
	}
	return out
}

func (k mKey) item() mItem {
	return mItem{"pk": {s: k.pk}, "sk": {n: k.sk, isN: true}}
}

func (k mKey) ddb() ddbItem { return k.item().ddb() }

// mCond is a condition: its expression, its values and its meaning.
type mCond struct {
	expr   string
	values ddbItem
	holds  func(it mItem) bool // it is nil when the item is absent
}

type modelRun struct {
	t     *testing.T
	c     *dynamodb.Client
	r     *rand.Rand
	items map[mKey]mItem
	step  int
	// next numbers the placeholders of one request.
	next int
}

func (m *modelRun) placeholder() string {
	m.next++
	return fmt.Sprintf(":v%d", m.next)
}

func (m *modelRun) key() mKey {
	return mKey{pk: []string{"a", "b", "c"}[m.r.Intn(3)], sk: int64(m.r.Intn(6))}
}

func (m *modelRun) num() int64 { return int64(m.r.Intn(11) - 5) }
func (m *modelRun) str() string {
	return []string{"p", "q", "r"}[m.r.Intn(3)]
}

// randomItem is an item at k with x and y each present or not.
func (m *modelRun) randomItem(k mKey) mItem {
	it := k.item()
	if m.r.Intn(4) > 0 {
		it["x"] = mVal{n: m.num(), isN: true}
	}
	if m.r.Intn(2) == 0 {
		it["y"] = mVal{s: m.str()}
	}
	return it
}

func xOf(it mItem) (int64, bool) {
	v, ok := it["x"]
	return v.n, ok
}

// cond is a random condition; depth limits nesting.
func (m *modelRun) cond(depth int) *mCond {
	n := m.r.Intn(10)
	if depth > 0 && n == 9 {
		n = m.r.Intn(9)
	}
	switch n {
	case 0:
		return &mCond{"attribute_exists(pk)", nil, func(it mItem) bool { return it != nil }}
	case 1:
		return &mCond{"attribute_not_exists(pk)", nil, func(it mItem) bool { return it == nil }}
	case 2:
		return &mCond{"attribute_exists(x)", nil, func(it mItem) bool { _, ok := xOf(it); return ok }}
	case 3:
		return &mCond{"attribute_not_exists(y)", nil, func(it mItem) bool { _, ok := it["y"]; return !ok }}
	case 4, 5, 6:
		p, c := m.placeholder(), m.num()
		op := []string{"=", "<", ">="}[n-4]
		return &mCond{"x " + op + " " + p, ddbItem{p: avN(strconv.FormatInt(c, 10))}, func(it mItem) bool {
			x, ok := xOf(it)
			if !ok {
				return false
			}
			switch op {
			case "=":
				return x == c
			case "<":
				return x < c
			}
			return x >= c
		}}
	case 7:
		p, s := m.placeholder(), m.str()
		return &mCond{"y = " + p, ddbItem{p: avS(s)}, func(it mItem) bool { v, ok := it["y"]; return ok && v.s == s }}
	case 8:
		pa, pb := m.placeholder(), m.placeholder()
		a, b := m.num(), m.num()
		if a > b {
			a, b = b, a
		}
		return &mCond{"x BETWEEN " + pa + " AND " + pb, ddbItem{pa: avN(fmt.Sprint(a)), pb: avN(fmt.Sprint(b))}, func(it mItem) bool {
			x, ok := xOf(it)
			return ok && a <= x && x <= b
		}}
	default:
		l := m.cond(depth + 1)
		switch m.r.Intn(3) {
		case 0:
			return &mCond{"NOT (" + l.expr + ")", l.values, func(it mItem) bool { return !l.holds(it) }}
		case 1:
			rc := m.cond(depth + 1)
			return &mCond{"(" + l.expr + ") AND (" + rc.expr + ")", withAttrs(l.values, rc.values), func(it mItem) bool { return l.holds(it) && rc.holds(it) }}
		default:
			rc := m.cond(depth + 1)
			return &mCond{"(" + l.expr + ") OR (" + rc.expr + ")", withAttrs(l.values, rc.values), func(it mItem) bool { return l.holds(it) || rc.holds(it) }}
		}
	}
}

// maybeCond is a condition half of the time.
func (m *modelRun) maybeCond() *mCond {
	if m.r.Intn(2) == 0 {
		return nil
	}
	return m.cond(0)
}

func condParams(c *mCond, values ddbItem) (*string, map[string]types.AttributeValue) {
	if c == nil {
		if len(values) == 0 {
			return nil, nil
		}
		return nil, values
	}
	all := withAttrs(values, c.values)
	if len(all) == 0 {
		all = nil
	}
	return aws.String(c.expr), all
}

func (m *modelRun) fail(format string, args ...any) {
	m.t.Helper()
	m.t.Errorf("step %d: %s", m.step, fmt.Sprintf(format, args...))
}

// checkCondFailure checks err is ConditionalCheckFailedException carrying
// old when asked to.
func (m *modelRun) checkCondFailure(what string, err error, returnOld bool, old mItem) {
	m.t.Helper()
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		m.fail("%s: got %v, want ConditionalCheckFailedException", what, err)
		return
	}
	var want ddbItem
	if returnOld {
		want = old.ddb()
	}
	if g, w := itemText(ccf.Item), itemText(want); g != w {
		m.fail("%s: exception Item %s, want %s", what, g, w)
	}
}

func (m *modelRun) put() {
	m.next = 0
	k := m.key()
	it := m.randomItem(k)
	old := m.items[k]
	c := m.maybeCond()
	allOld, returnOld := m.r.Intn(2) == 0, m.r.Intn(2) == 0
	in := &dynamodb.PutItemInput{TableName: aws.String("model"), Item: it.ddb()}
	in.ConditionExpression, in.ExpressionAttributeValues = condParams(c, nil)
	if allOld {
		in.ReturnValues = types.ReturnValueAllOld
	}
	if returnOld {
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	what := fmt.Sprintf("PutItem %s if %v", itemText(it.ddb()), in.ConditionExpression)
	out, err := m.c.PutItem(context.Background(), in)
	if c != nil && !c.holds(old) {
		m.checkCondFailure(what+" "+c.expr, err, returnOld, old)
		return
	}
	if err != nil {
		m.fail("%s: %v", what, err)
		return
	}
	m.items[k] = it
	var want ddbItem
	if allOld {
		want = old.ddb()
	}
	if g, w := itemText(out.Attributes), itemText(want); g != w {
		m.fail("%s: Attributes %s, want %s", what, g, w)
	}
}

// mUpdate is an update expression with its values, the attributes it
// writes, and how it changes an item.
type mUpdate struct {
	expr    string
	values  ddbItem
	touched []string
	// apply returns the new item from the old (nil: absent) at k, or
	// false when DynamoDB refuses the update for referring to a missing
	// attribute.
	apply func(k mKey, old mItem) (mItem, bool)
}

func (m *modelRun) updateExpr(safe bool) *mUpdate {
	type action struct {
		clause, text string
		attr         string
		values       ddbItem
		do           func(old, new mItem) bool
	}
	var xActions []func() action
	xActions = append(xActions,
		func() action {
			p, v := m.placeholder(), m.num()
			return action{"SET", "x = " + p, "x", ddbItem{p: avN(fmt.Sprint(v))}, func(_, n mItem) bool { n["x"] = mVal{n: v, isN: true}; return true }}
		},
		func() action {
			p, d := m.placeholder(), m.num()
			return action{"ADD", "x " + p, "x", ddbItem{p: avN(fmt.Sprint(d))}, func(o, n mItem) bool {
				x, _ := xOf(o)
				n["x"] = mVal{n: x + d, isN: true}
				return true
			}}
		},
	)
	if !safe {
		xActions = append(xActions,
			func() action {
				p, d := m.placeholder(), m.num()
				return action{"SET", "x = x + " + p, "x", ddbItem{p: avN(fmt.Sprint(d))}, func(o, n mItem) bool {
					x, ok := xOf(o)
					if !ok {
						return false
					}
					n["x"] = mVal{n: x + d, isN: true}
					return true
				}}
			},
			func() action {
				p, v := m.placeholder(), m.num()
				return action{"SET", "x = if_not_exists(x, " + p + ")", "x", ddbItem{p: avN(fmt.Sprint(v))}, func(o, n mItem) bool {
					if _, ok := xOf(o); !ok {
						n["x"] = mVal{n: v, isN: true}
					}
					return true
				}}
			},
		)
	}
	yActions := []func() action{
		func() action {
			p, s := m.placeholder(), m.str()
			return action{"SET", "y = " + p, "y", ddbItem{p: avS(s)}, func(_, n mItem) bool { n["y"] = mVal{s: s}; return true }}
		},
		func() action {
			return action{"REMOVE", "y", "y", nil, func(_, n mItem) bool { delete(n, "y"); return true }}
		},
	}
	var acts []action
	switch m.r.Intn(3) {
	case 0:
		acts = []action{xActions[m.r.Intn(len(xActions))]()}
	case 1:
		acts = []action{yActions[m.r.Intn(len(yActions))]()}
	default:
		acts = []action{xActions[m.r.Intn(len(xActions))](), yActions[m.r.Intn(len(yActions))]()}
	}
	clauses := map[string][]string{}
	u := &mUpdate{values: ddbItem{}}
	for _, a := range acts {
		clauses[a.clause] = append(clauses[a.clause], a.text)
		u.touched = append(u.touched, a.attr)
		for k, v := range a.values {
			u.values[k] = v
		}
	}
	var parts []string
	for _, cl := range []string{"SET", "REMOVE", "ADD"} {
		if len(clauses[cl]) > 0 {
			sep := ", "
			parts = append(parts, cl+" "+strings.Join(clauses[cl], sep))
		}
	}
	u.expr = strings.Join(parts, " ")
	u.apply = func(k mKey, old mItem) (mItem, bool) {
		base := old
		if base == nil {
			// An update that only removes does not create the item.
			onlyRemoves := true
			for _, a := range acts {
				onlyRemoves = onlyRemoves && a.clause == "REMOVE"
			}
			if onlyRemoves {
				return nil, true
			}
			base = k.item()
		}
		n := base.clone()
		for _, a := range acts {
			if !a.do(base, n) {
				return nil, false
			}
		}
		return n, true
	}
	return u
}

func (m *modelRun) update() {
	m.next = 0
	k := m.key()
	old := m.items[k]
	u := m.updateExpr(false)
	newItem, ok := u.apply(k, old)
	c := m.maybeCond()
	if !ok {
		c = nil // which of two failures DynamoDB reports first is not the subject
	}
	rv := []types.ReturnValue{types.ReturnValueNone, types.ReturnValueAllOld, types.ReturnValueAllNew, types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew}[m.r.Intn(5)]
	returnOld := m.r.Intn(2) == 0
	in := &dynamodb.UpdateItemInput{TableName: aws.String("model"), Key: k.ddb(), UpdateExpression: aws.String(u.expr), ReturnValues: rv}
	in.ConditionExpression, in.ExpressionAttributeValues = condParams(c, u.values)
	if returnOld {
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	what := fmt.Sprintf("UpdateItem %s %q if %v", itemText(k.ddb()), u.expr, aws.ToString(in.ConditionExpression))
	out, err := m.c.UpdateItem(context.Background(), in)
	switch {
	case c != nil && !c.holds(old):
		m.checkCondFailure(what, err, returnOld, old)
		return
	case !ok:
		wantDDBError(m.t, fmt.Sprintf("step %d: %s", m.step, what), err, "ValidationException",
			"The provided expression refers to an attribute that does not exist in the item")
		return
	case err != nil:
		m.fail("%s: %v", what, err)
		return
	}
	if newItem == nil {
		delete(m.items, k)
	} else {
		m.items[k] = newItem
	}
	var want ddbItem
	switch rv {
	case types.ReturnValueAllOld:
		want = old.ddb()
	case types.ReturnValueAllNew:
		want = newItem.ddb()
	case types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew:
		from := old
		if rv == types.ReturnValueUpdatedNew {
			from = newItem
		}
		want = ddbItem{}
		for _, a := range u.touched {
			if v, ok := from[a]; ok {
				want[a] = v.av()
			}
		}
		if len(want) == 0 {
			want = nil
		}
	}
	if g, w := itemText(out.Attributes), itemText(want); g != w {
		m.fail("%s %s: Attributes %s, want %s", what, rv, g, w)
	}
}

func (m *modelRun) delete() {
	m.next = 0
	k := m.key()
	old := m.items[k]
	c := m.maybeCond()
	returnOld := m.r.Intn(2) == 0
	in := &dynamodb.DeleteItemInput{TableName: aws.String("model"), Key: k.ddb(), ReturnValues: types.ReturnValueAllOld}
	in.ConditionExpression, in.ExpressionAttributeValues = condParams(c, nil)
	if returnOld {
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	what := fmt.Sprintf("DeleteItem %s if %v", itemText(k.ddb()), aws.ToString(in.ConditionExpression))
	out, err := m.c.DeleteItem(context.Background(), in)
	if c != nil && !c.holds(old) {
		m.checkCondFailure(what, err, returnOld, old)
		return
	}
	if err != nil {
		m.fail("%s: %v", what, err)
		return
	}
	delete(m.items, k)
	if g, w := itemText(out.Attributes), itemText(old.ddb()); g != w {
		m.fail("%s: Attributes %s, want %s", what, g, w)
	}
}

func (m *modelRun) transact() {
	m.next = 0
	n := 2 + m.r.Intn(3)
	seen := map[mKey]bool{}
	var keys []mKey
	for len(keys) < n {
		k := m.key()
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var actions []types.TransactWriteItem
	conds := make([]*mCond, n)
	results := make([]mItem, n) // the item after the action
	var desc []string
	for i, k := range keys {
		old := m.items[k]
		var a types.TransactWriteItem
		kind := m.r.Intn(4)
		c := m.maybeCond()
		if kind == 3 && c == nil {
			c = m.cond(0)
		}
		conds[i] = c
		switch kind {
		case 0:
			it := m.randomItem(k)
			p := &types.Put{TableName: aws.String("model"), Item: it.ddb()}
			p.ConditionExpression, p.ExpressionAttributeValues = condParams(c, nil)
			a.Put, results[i] = p, it
			desc = append(desc, "Put "+itemText(it.ddb()))
		case 1:
			u := m.updateExpr(true)
			newItem, _ := u.apply(k, old)
			up := &types.Update{TableName: aws.String("model"), Key: k.ddb(), UpdateExpression: aws.String(u.expr)}
			up.ConditionExpression, up.ExpressionAttributeValues = condParams(c, u.values)
			a.Update, results[i] = up, newItem
			desc = append(desc, "Update "+itemText(k.ddb())+" "+u.expr)
		case 2:
			d := &types.Delete{TableName: aws.String("model"), Key: k.ddb()}
			d.ConditionExpression, d.ExpressionAttributeValues = condParams(c, nil)
			a.Delete, results[i] = d, nil
			desc = append(desc, "Delete "+itemText(k.ddb()))
		default:
			cc := &types.ConditionCheck{TableName: aws.String("model"), Key: k.ddb()}
			cc.ConditionExpression, cc.ExpressionAttributeValues = condParams(c, nil)
			a.ConditionCheck, results[i] = cc, old
			desc = append(desc, "ConditionCheck "+itemText(k.ddb()))
		}
		if c != nil {
			desc[i] += " if " + c.expr
		}
		actions = append(actions, a)
	}
	what := "TransactWriteItems [" + strings.Join(desc, "; ") + "]"
	_, err := m.c.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: actions})
	var want []string
	failed := false
	for i, k := range keys {
		if conds[i] != nil && !conds[i].holds(m.items[k]) {
			want = append(want, "ConditionalCheckFailed")
			failed = true
		} else {
			want = append(want, "None")
		}
	}
	if failed {
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			m.fail("%s: got %v, want TransactionCanceledException %v", what, err, want)
			return
		}
		var got []string
		for _, r := range tce.CancellationReasons {
			got = append(got, aws.ToString(r.Code))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			m.fail("%s: reasons %v, want %v", what, got, want)
		}
		return
	}
	if err != nil {
		m.fail("%s: %v", what, err)
		return
	}
	for i, k := range keys {
		if results[i] == nil {
			delete(m.items, k)
		} else {
			m.items[k] = results[i]
		}
	}
}

func (m *modelRun) get() {
	k := m.key()
	out, err := m.c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("model"), Key: k.ddb(), ConsistentRead: aws.Bool(m.r.Intn(2) == 0)})
	if err != nil {
		m.fail("GetItem %s: %v", itemText(k.ddb()), err)
		return
	}
	if g, w := itemText(out.Item), itemText(m.items[k].ddb()); g != w {
		m.fail("GetItem %s: %s, want %s", itemText(k.ddb()), g, w)
	}
}

func (m *modelRun) query() {
	m.next = 0
	pk := []string{"a", "b", "c"}[m.r.Intn(3)]
	values := ddbItem{":pk": avS(pk)}
	kce := "pk = :pk"
	match := func(int64) bool { return true }
	if op := m.r.Intn(7); op < 6 {
		a, b := int64(m.r.Intn(6)), int64(m.r.Intn(6))
		values[":a"] = avN(fmt.Sprint(a))
		switch op {
		case 0:
			kce, match = kce+" AND sk = :a", func(s int64) bool { return s == a }
		case 1:
			kce, match = kce+" AND sk < :a", func(s int64) bool { return s < a }
		case 2:
			kce, match = kce+" AND sk <= :a", func(s int64) bool { return s <= a }
		case 3:
			kce, match = kce+" AND sk > :a", func(s int64) bool { return s > a }
		case 4:
			kce, match = kce+" AND sk >= :a", func(s int64) bool { return s >= a }
		default:
			if a > b {
				a, b = b, a
			}
			values[":a"], values[":b"] = avN(fmt.Sprint(a)), avN(fmt.Sprint(b))
			kce, match = kce+" AND sk BETWEEN :a AND :b", func(s int64) bool { return a <= s && s <= b }
		}
	}
	in := &dynamodb.QueryInput{TableName: aws.String("model"), KeyConditionExpression: aws.String(kce),
		ScanIndexForward: aws.Bool(m.r.Intn(2) == 0), ConsistentRead: aws.Bool(true)}
	var filter *mCond
	if m.r.Intn(3) == 0 {
		// A filter may not name the key attributes.
		for filter = m.cond(1); strings.Contains(filter.expr, "(pk)"); filter = m.cond(1) {
		}
		in.FilterExpression = aws.String(filter.expr)
		values = withAttrs(values, filter.values)
	}
	in.ExpressionAttributeValues = values
	limit := m.r.Intn(5)
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}

	var want []ddbItem
	var keys []mKey
	for k := range m.items {
		if k.pk == pk && match(k.sk) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].sk < keys[j].sk })
	if !*in.ScanIndexForward {
		for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
			keys[i], keys[j] = keys[j], keys[i]
		}
	}
	for _, k := range keys {
		if filter == nil || filter.holds(m.items[k]) {
			want = append(want, m.items[k].ddb())
		}
	}

	what := fmt.Sprintf("Query %s filter %v limit %d forward %v", kce, aws.ToString(in.FilterExpression), limit, *in.ScanIndexForward)
	var got []ddbItem
	scanned := 0
	for page := 0; ; page++ {
		if page > 20 {
			m.fail("%s: pagination does not end", what)
			return
		}
		out, err := m.c.Query(context.Background(), in)
		if err != nil {
			m.fail("%s: %v", what, err)
			return
		}
		if limit > 0 && int(out.ScannedCount) > limit {
			m.fail("%s: a page scanned %d items", what, out.ScannedCount)
		}
		if int(out.Count) != len(out.Items) {
			m.fail("%s: Count %d for %d items", what, out.Count, len(out.Items))
		}
		scanned += int(out.ScannedCount)
		got = append(got, out.Items...)
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if g, w := itemsText(got), itemsText(want); g != w {
		m.fail("%s:\n got %s\nwant %s", what, g, w)
	}
	if scanned != len(keys) {
		m.fail("%s: scanned %d items in all, want %d", what, scanned, len(keys))
	}
}

// scanMatches compares the whole table with the model.
func (m *modelRun) scanMatches() {
	got, _ := scanAll(m.t, m.c, &dynamodb.ScanInput{TableName: aws.String("model"), ConsistentRead: aws.Bool(true)})
	var g, w []string
	for _, it := range got {
		g = append(g, itemText(it))
	}
	for _, it := range m.items {
		w = append(w, itemText(it.ddb()))
	}
	sort.Strings(g)
	sort.Strings(w)
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		m.t.Errorf("final Scan:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}
