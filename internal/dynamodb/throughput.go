package dynamodb

import "time"

// throughputChanges is the history of a table's or a global index's
// provisioned throughput that ProvisionedThroughputDescription reports
// beside the units: when they last rose, when they last fell, and how
// many times they fell on that day (DynamoDB limits decreases per day and
// counts them per UTC day).
type throughputChanges struct {
	IncreasedAt time.Time `json:"increasedAt,omitzero"`
	DecreasedAt time.Time `json:"decreasedAt,omitzero"`
	Decreases   int64     `json:"decreases,omitempty"`
}

// record notes a change of the read and write units from (oldR, oldW) to
// (newR, newW) at now. A change that raises one and lowers the other is
// both an increase and a decrease.
func (c *throughputChanges) record(now time.Time, oldR, oldW, newR, newW int64) {
	if newR > oldR || newW > oldW {
		c.IncreasedAt = now
	}
	if newR < oldR || newW < oldW {
		if !sameUTCDay(c.DecreasedAt, now) {
			c.Decreases = 0
		}
		c.DecreasedAt = now
		c.Decreases++
	}
}

// describe renders the units with their history as of now.
func (c throughputChanges) describe(now time.Time, rcu, wcu int64) *ProvisionedThroughputDescription {
	d := &ProvisionedThroughputDescription{
		NumberOfDecreasesToday: ptr(int64(0)),
		ReadCapacityUnits:      ptr(rcu),
		WriteCapacityUnits:     ptr(wcu),
	}
	if !c.IncreasedAt.IsZero() {
		d.LastIncreaseDateTime = ptr(c.IncreasedAt)
	}
	if !c.DecreasedAt.IsZero() {
		d.LastDecreaseDateTime = ptr(c.DecreasedAt)
		if sameUTCDay(c.DecreasedAt, now) {
			d.NumberOfDecreasesToday = ptr(c.Decreases)
		}
	}
	return d
}

func sameUTCDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}
