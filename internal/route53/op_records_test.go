package route53

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestApplyChangesModel runs random change batches against applyChanges
// and a plain map: a batch applies its changes in order or, when one
// fails, none of them; the zone then holds what the map holds, in
// listing order.
func TestApplyChangesModel(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"a.example.com", "B.example.com.", "example.com", "x.a.example.com"}
	types := []RRType{"A", "TXT"}
	value := func(typ RRType, n int) string {
		if typ == "A" {
			return fmt.Sprintf("192.0.2.%d", n)
		}
		return fmt.Sprintf(`"v%d"`, n)
	}
	z := &zone{ID: "Z1", Name: "example.com."}
	model := map[string]string{} // "name type" → value
	for round := range 2000 {
		var batch []Change
		for range 1 + rng.IntN(3) {
			typ := types[rng.IntN(len(types))]
			action := []ChangeAction{"CREATE", "DELETE", "UPSERT"}[rng.IntN(3)]
			batch = append(batch, Change{Action: &action, ResourceRecordSet: &ResourceRecordSet{
				Name: ptr(names[rng.IntN(len(names))]), Type: &typ, TTL: ptr(int64(60)),
				ResourceRecords: []ResourceRecord{{Value: ptr(value(typ, rng.IntN(2)))}}}})
		}
		next, ok := maps.Clone(model), true
		for _, c := range batch {
			name, _ := canonicalName(*c.ResourceRecordSet.Name)
			key := name + " " + string(*c.ResourceRecordSet.Type)
			v := *c.ResourceRecordSet.ResourceRecords[0].Value
			cur, exists := next[key]
			switch *c.Action {
			case "CREATE":
				ok = ok && !exists
				next[key] = v
			case "UPSERT":
				next[key] = v
			case "DELETE":
				ok = ok && exists && cur == v
				delete(next, key)
			}
		}
		err := applyChanges(z, batch)
		if (err == nil) != ok {
			t.Fatalf("round %d: batch %s: error %v, model says ok=%v", round, describeBatch(batch), err, ok)
		}
		if ok {
			model = next
		}
		if len(z.Records) != len(model) {
			t.Fatalf("round %d: %d records, model %d", round, len(z.Records), len(model))
		}
		for i := range z.Records {
			rs := &z.Records[i]
			if model[*rs.Name+" "+string(*rs.Type)] != *rs.ResourceRecords[0].Value {
				t.Fatalf("round %d: record %s differs from the model", round, describe(rs))
			}
			if i > 0 && !less(&z.Records[i-1], rs) {
				t.Fatalf("round %d: %s listed before %s", round, describe(&z.Records[i-1]), describe(rs))
			}
		}
	}
}

func describeBatch(batch []Change) string {
	s := ""
	for _, c := range batch {
		s += fmt.Sprintf("%s %s %s; ", *c.Action, describe(c.ResourceRecordSet), *c.ResourceRecordSet.ResourceRecords[0].Value)
	}
	return s
}
