package dynamodb

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/store/keys"
)

// updateTable changes billing, throughput, streams, SSE, the table class,
// deletion protection, and adds, changes or deletes one global secondary
// index. A new index is backfilled from the table's items before the call
// returns (item writes wait for it), so it is ACTIVE on the next
// DescribeTable; the response reports it CREATING, as DynamoDB does.
func (s *Service) updateTable(ctx context.Context, in *UpdateTableInput) (*UpdateTableOutput, error) {
	// A request that changes nothing is refused before the table is looked
	// up; AttributeDefinitions alone, or an empty list of index updates,
	// change nothing.
	if in.BillingMode == nil && in.ProvisionedThroughput == nil && len(in.GlobalSecondaryIndexUpdates) == 0 &&
		in.StreamSpecification == nil && in.SSESpecification == nil && in.ReplicaUpdates == nil &&
		in.TableClass == nil && in.DeletionProtectionEnabled == nil && in.OnDemandThroughput == nil && in.WarmThroughput == nil {
		return nil, invalid("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, " +
			"SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, " +
			"DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")
	}
	// So are malformed capacities and index updates.
	if pt := in.ProvisionedThroughput; pt != nil {
		if err := capacityInBounds(deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)); err != nil {
			return nil, err
		}
	}
	if err := checkIndexUpdateShapes(in.GlobalSecondaryIndexUpdates); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.tables[*in.TableName]
	if cur == nil {
		return nil, tableNotFound(*in.TableName)
	}
	t := cur.clone()
	if in.ReplicaUpdates != nil {
		for _, u := range in.ReplicaUpdates {
			if (u.Create != nil && deref(u.Create.RegionName) == s.region) || (u.Delete != nil && deref(u.Delete.RegionName) == s.region) {
				return nil, invalid("Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.")
			}
		}
		return nil, invalid("Global tables are not supported by virga yet")
	}

	if in.BillingMode != nil && string(*in.BillingMode) != t.Billing {
		t.Billing = string(*in.BillingMode)
		t.FromOnDemand = t.Billing == billingProvisioned
		if t.Billing == billingPayPerRequest {
			t.BillingAt = s.clock.Now().UTC()
			t.RCU, t.WCU = 0, 0
			for i := range t.GSIs {
				t.GSIs[i].RCU, t.GSIs[i].WCU = 0, 0
			}
		} else if in.ProvisionedThroughput == nil {
			return nil, invalid("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
		}
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		if t.Billing == billingPayPerRequest {
			return nil, invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		// Asking a provisioned table for the throughput it has is refused.
		rcu, wcu := deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)
		if cur.Billing == billingProvisioned && rcu == cur.RCU && wcu == cur.WCU {
			return nil, invalid("The provisioned throughput for the table will not change. The requested value equals the current value. "+
				"Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. "+
				"Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. "+
				"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.", cur.RCU, rcu, cur.WCU, wcu)
		}
		t.RCU, t.WCU = deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)
		if err := checkThroughput(t.RCU, t.WCU); err != nil {
			return nil, err
		}
		t.Throughput.record(s.clock.Now().UTC(), cur.RCU, cur.WCU, t.RCU, t.WCU)
	}
	if od := in.OnDemandThroughput; od != nil {
		t.MaxRead, t.MaxWrite = deref(od.MaxReadRequestUnits), deref(od.MaxWriteRequestUnits)
	}
	if in.DeletionProtectionEnabled != nil {
		t.Protected = *in.DeletionProtectionEnabled
	}
	if in.TableClass != nil {
		if string(*in.TableClass) != t.Class {
			t.ClassUpdated = s.clock.Now().UTC()
		}
		t.Class, t.ClassSet = string(*in.TableClass), true
	}
	if err := t.setWarmThroughput(in.WarmThroughput); err != nil {
		return nil, err
	}
	if sse := in.SSESpecification; sse != nil {
		t.SSE = deref(sse.Enabled)
		t.SSEType, t.KMSKey = string(deref(sse.SSEType)), deref(sse.KMSMasterKeyId)
		if t.SSE && t.SSEType == "" {
			t.SSEType = "KMS"
		}
	}
	if ss := in.StreamSpecification; ss != nil {
		enable := deref(ss.StreamEnabled)
		if !enable && ss.StreamViewType != nil {
			return nil, errStreamViewTypeWhenDisabled
		}
		switch {
		case enable && t.Stream.Enabled:
			return nil, invalid("Table already has an enabled stream: TableName: %s", t.Name)
		case !enable && !t.Stream.Enabled:
			return nil, invalid("Table already has stream disabled: TableName: %s", t.Name)
		case enable:
			if ss.StreamViewType == nil {
				return nil, invalid("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true")
			}
			// The disabled stream this one replaces stays readable
			// until its retention ends, under its own ARN.
			if t.Stream.Label != "" {
				old := t.Stream
				if st := s.streams[t.ID]; st != nil {
					st.mu.Lock()
					old.End = st.last
					st.mu.Unlock()
				}
				t.PastStreams = append(s.livePastStreams(t), old)
			}
			t.Stream = streamConfig{Enabled: true, ViewType: string(*ss.StreamViewType), Label: streamLabel(s.clock.Now())}
		default:
			t.Stream.Enabled = false
			t.Stream.Disabled = s.clock.Now().UTC()
		}
	}

	// Attribute definitions may add the key attributes of a new index.
	for _, ad := range in.AttributeDefinitions {
		name, typ := deref(ad.AttributeName), string(deref(ad.AttributeType))
		if have := t.attrType(name); have != "" {
			if have != typ {
				return nil, errRedefined(t, in)
			}
			continue
		}
		t.Attributes = append(t.Attributes, attrDef{Name: name, Type: typ})
	}

	if err := checkIndexUpdates(t, in.GlobalSecondaryIndexUpdates); err != nil {
		return nil, err
	}
	var created, deleted *index
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			names := map[string]bool{}
			for _, ix := range indexesOf(t) {
				names[ix.Name] = true
			}
			if len(t.GSIs) >= maxGSIs {
				return nil, ErrLimitExceeded.Withf("Subscriber limit exceeded: The number of global secondary indexes for this table exceeds the maximum allowed (%d).", maxGSIs)
			}
			checkDefined := func(ns ...string) error {
				for _, n := range ns {
					if n != "" && t.attrType(n) == "" {
						return invalid("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", n, attrNames(t))
					}
				}
				return nil
			}
			// An index of that name is refused before its definition is read.
			if names[*u.Create.IndexName] {
				return nil, invalid("Attempting to create an index which already exists")
			}
			g := GlobalSecondaryIndex{IndexName: u.Create.IndexName, KeySchema: u.Create.KeySchema, Projection: u.Create.Projection, ProvisionedThroughput: u.Create.ProvisionedThroughput}
			ix, err := newGSI(&g, t, names, checkDefined, func(name string) error {
				return invalid("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", name)
			})
			if err != nil {
				return nil, err
			}
			// A new index's keys are defined in the request too, even when
			// the table already knows their types (keys of the table or of
			// an LSI): keys no definition names are refused first, above.
			if len(in.AttributeDefinitions) == 0 {
				return nil, invalid("One or more parameter values were invalid: AttributeDefinitions is not specified for index: %s", *u.Create.IndexName)
			}
			t.GSIs = append(t.GSIs, *ix)
			created = &t.GSIs[len(t.GSIs)-1]
		case u.Delete != nil:
			found := false
			for i, ix := range t.GSIs {
				if ix.Name == *u.Delete.IndexName {
					d := ix
					deleted = &d
					t.GSIs = append(t.GSIs[:i:i], t.GSIs[i+1:]...)
					found = true
					break
				}
			}
			if !found {
				return nil, indexNotFound(*u.Delete.IndexName, t.Name)
			}
		case u.Update != nil:
			found := false
			for i := range t.GSIs {
				if t.GSIs[i].Name == *u.Update.IndexName {
					pt := u.Update.ProvisionedThroughput
					if t.Billing == billingPayPerRequest {
						return nil, invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: %s when BillingMode is PAY_PER_REQUEST", t.GSIs[i].Name)
					}
					ix := &t.GSIs[i]
					oldR, oldW := ix.RCU, ix.WCU
					ix.RCU, ix.WCU = deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)
					if err := checkThroughput(ix.RCU, ix.WCU); err != nil {
						return nil, err
					}
					ix.Throughput.record(s.clock.Now().UTC(), oldR, oldW, ix.RCU, ix.WCU)
					found = true
				}
			}
			if !found {
				return nil, indexNotFound(*u.Update.IndexName, t.Name)
			}
		}
	}
	// An on-demand table switched to provisioned gives every GSI its
	// throughput in the same call.
	if cur.Billing == billingPayPerRequest && t.Billing == billingProvisioned {
		for _, ix := range t.GSIs {
			if ix.RCU == 0 {
				return nil, invalid("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", ix.Name)
			}
		}
	}
	if err := pruneAttributes(t); err != nil {
		return nil, err
	}

	b := s.store.NewBatch()
	defer b.Close()
	if deleted != nil {
		p := indexPrefix(t.ID, deleted.Name)
		b.DeleteRange(p, keys.PrefixEnd(p))
	}
	if created != nil {
		if err := s.backfill(b, t, created); err != nil {
			return nil, err
		}
	}
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	d := s.describe(t, nil)
	d.TableStatus = ptr(TableStatus(statusUpdating))
	for i := range d.GlobalSecondaryIndexes {
		if created != nil && *d.GlobalSecondaryIndexes[i].IndexName == created.Name {
			// The answer catches the index in its resource allocation
			// phase, CREATING and not yet backfilling, as AWS's
			// documented UpdateTable example shows.
			d.GlobalSecondaryIndexes[i].IndexStatus = ptr(IndexStatus(statusCreating))
			d.GlobalSecondaryIndexes[i].Backfilling = ptr(false)
		}
	}
	if deleted != nil {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, GlobalSecondaryIndexDescription{
			IndexName: ptr(deleted.Name), KeySchema: deleted.keySchema(),
			Projection: deleted.projection(), IndexStatus: ptr(IndexStatus(statusDeleting)),
		})
	}
	return &UpdateTableOutput{TableDescription: d}, nil
}

// backfill writes a new index's entries for every item of the table into b.
func (s *Service) backfill(b interface{ Set(k, v []byte) }, t *table, ix *index) error {
	p := itemsPrefix(t.ID)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		item, err := decodeItem(it.Value())
		if err != nil {
			return err
		}
		// Items whose index key has another type than the index declares,
		// or a value no key may hold (empty, or too long), are left out of
		// it, as DynamoDB's backfill leaves them out.
		if checkIndexKeys(&table{Attributes: t.Attributes, GSIs: []index{*ix}}, item, false) != nil {
			continue
		}
		if k, proj, ok := indexEntry(t, ix, item); ok {
			b.Set(k, encodeItem(nil, proj))
		}
	}
	return it.Error()
}

// pruneAttributes drops attribute definitions no key uses any more (after
// an index is deleted), as DynamoDB does.
func pruneAttributes(t *table) error {
	used := map[string]bool{t.Hash: true, t.Range: true}
	for _, ix := range indexesOf(t) {
		for _, n := range ix.keyNames() {
			used[n] = true
		}
	}
	kept := t.Attributes[:0:0]
	for _, a := range t.Attributes {
		if used[a.Name] {
			kept = append(kept, a)
		}
	}
	t.Attributes = kept
	return nil
}

func attrNames(t *table) string {
	s := ""
	for i, a := range t.Attributes {
		if i > 0 {
			s += ", "
		}
		s += a.Name
	}
	return s
}

// indexNotFound is UpdateTable's ResourceNotFoundException for an index
// the table does not have.
func indexNotFound(index, table string) error {
	return ErrResourceNotFound.Withf("Requested resource not found: Index %s for table %s", index, table)
}

// errRedefined refuses AttributeDefinitions that give an attribute the
// table already defines another type, describing the new index's key
// schema with the table's types and with the request's.
func errRedefined(t *table, in *UpdateTableInput) error {
	requested := map[string]string{}
	for _, ad := range in.AttributeDefinitions {
		requested[deref(ad.AttributeName)] = string(deref(ad.AttributeType))
	}
	var ks []KeySchemaElement
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Create != nil {
			ks = u.Create.KeySchema
		}
	}
	schema := func(typeOf func(string) string) string {
		var els []string
		for _, k := range ks {
			n := deref(k.AttributeName)
			els = append(els, fmt.Sprintf("SchemaElement: key{%s:%s:%s}", n, typeOf(n), deref(k.KeyType)))
		}
		return "Schema:[" + strings.Join(els, ", ") + "]"
	}
	return invalid("One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: %s New schema: %s",
		schema(t.attrType), schema(func(n string) string {
			if typ, ok := requested[n]; ok {
				return typ
			}
			return t.attrType(n)
		}))
}

// indexUpdateTarget is the index an index update names, and what it does
// to it: "update", "delete", or "" for a creation.
func indexUpdateTarget(u GlobalSecondaryIndexUpdate) (name, verb string) {
	switch {
	case u.Update != nil:
		return deref(u.Update.IndexName), "update"
	case u.Delete != nil:
		return deref(u.Delete.IndexName), "delete"
	case u.Create != nil:
		return deref(u.Create.IndexName), ""
	}
	return "", ""
}

// checkIndexUpdateShapes checks what the index updates say of themselves,
// before the table is looked up: each does one thing, to an index no
// other one names, with capacities in bounds.
func checkIndexUpdateShapes(updates []GlobalSecondaryIndexUpdate) error {
	seen := map[string]bool{}
	for _, u := range updates {
		actions := 0
		for _, set := range []bool{u.Create != nil, u.Update != nil, u.Delete != nil} {
			if set {
				actions++
			}
		}
		name, _ := indexUpdateTarget(u)
		switch {
		case actions == 0:
			return invalid("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		case actions > 1:
			return invalid("One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")
		case seen[name]:
			return invalid("One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: %s", name)
		}
		seen[name] = true
		if u.Update != nil && u.Update.ProvisionedThroughput != nil {
			pt := u.Update.ProvisionedThroughput
			if err := capacityInBoundsFor(name, deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkIndexUpdates applies UpdateTable's rules on GlobalSecondaryIndexUpdates
// that need the table, before any is applied: no action on a local index,
// and at most one index created or deleted.
func checkIndexUpdates(t *table, updates []GlobalSecondaryIndexUpdate) error {
	structural := 0
	for _, u := range updates {
		name, verb := indexUpdateTarget(u)
		if verb != "" && t.isLSI(name) {
			return invalid("Cannot %s an index that is not a GlobalSecondaryIndex: %s", verb, name)
		}
		if u.Create != nil || u.Delete != nil {
			structural++
		}
	}
	// Creating or deleting more than one index at once is refused before
	// any of them is looked at.
	if structural > 1 {
		return ErrLimitExceeded.WithMessage("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
	}
	return nil
}
