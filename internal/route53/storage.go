package route53

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// zone is a hosted zone with its record sets.
type zone struct {
	// ID is the zone's id without "/hostedzone/".
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	CallerReference string            `json:"callerReference"`
	Comment         string            `json:"comment,omitempty"`
	Private         bool              `json:"private,omitempty"`
	VPCs            []VPC             `json:"vpcs,omitempty"`
	NameServers     []string          `json:"nameServers"`
	Tags            map[string]string `json:"tags,omitempty"`
	// Records are the zone's record sets in listing order (see less).
	Records []ResourceRecordSet `json:"records"`
}

// change is a submitted change batch.
type change struct {
	ID          string    `json:"id"`
	Comment     string    `json:"comment,omitempty"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// Keys: "route53/z/<id>" holds a zone, "route53/c/<id>" a change,
// "route53/h/<id>" a health check, and "route53/t/<submitted>/<id>"
// (empty, submitted in nanoseconds since 1970, 20 digits) lists the
// changes in the order they were submitted, for their expiry.
var (
	zonePrefix        = []byte("route53/z/")
	changePrefix      = []byte("route53/c/")
	healthCheckPrefix = []byte("route53/h/")
	changeOrderPrefix = []byte("route53/t/")
)

func zoneKey(id string) []byte   { return append(append([]byte{}, zonePrefix...), id...) }
func changeKey(id string) []byte { return append(append([]byte{}, changePrefix...), id...) }
func healthCheckKey(id string) []byte {
	return append(append([]byte{}, healthCheckPrefix...), id...)
}

// changeOrderKey is the key that lists c by when it was submitted; with
// an empty id, the bound below every change submitted at t or later.
func changeOrderKey(t time.Time, id string) []byte {
	return fmt.Appendf(append([]byte{}, changeOrderPrefix...), "%020d/%s", t.UnixNano(), id)
}

// changeRetention is how long GetChange finds a change. AWS documents
// none for GetChange (only the separate change history's 365 days);
// its answers concern a change's propagation, which callers poll for
// minutes, so a day is kept and the store does not grow without end.
const changeRetention = 24 * time.Hour

// expired reports whether c is older than changeRetention at now.
func (c *change) expired(now time.Time) bool {
	return now.Sub(c.SubmittedAt) >= changeRetention
}

// expireChanges deletes, in b, the changes r holds that are older than
// changeRetention at now. The first call of a Service (ordered false)
// also orders the changes an earlier virga stored without an order key.
func expireChanges(r store.Reader, b store.Batch, now time.Time, ordered bool) error {
	if !ordered {
		it, err := r.NewIter(changePrefix, keys.PrefixEnd(changePrefix))
		if err != nil {
			return err
		}
		for ok := it.First(); ok; ok = it.Next() {
			c := new(change)
			if json.Unmarshal(it.Value(), c) != nil || c.expired(now) {
				b.Delete(append([]byte{}, it.Key()...))
				continue
			}
			b.Set(changeOrderKey(c.SubmittedAt, c.ID), nil)
		}
		if err := it.Close(); err != nil {
			return err
		}
	}
	it, err := r.NewIter(changeOrderPrefix, changeOrderKey(now.Add(-changeRetention).Add(1), ""))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		key := append([]byte{}, it.Key()...)
		_, id, _ := strings.Cut(string(key[len(changeOrderPrefix):]), "/")
		b.Delete(key)
		b.Delete(changeKey(id))
	}
	return it.Error()
}

// getZone reads the zone with the id, or nil.
func getZone(r store.Reader, id string) (*zone, error) {
	if id == "" || strings.Contains(id, "/") {
		return nil, nil
	}
	return store.GetJSON[zone](r, zoneKey(id))
}

// listZones returns every zone, in id order.
func listZones(r store.Reader) ([]*zone, error) { return listJSON[zone](r, zonePrefix) }

// listJSON returns every value under the prefix (which ends in "/"),
// in key order.
func listJSON[T any](r store.Reader, prefix []byte) ([]*T, error) {
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*T
	for ok := it.First(); ok; ok = it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, it.Error()
}

// less orders record sets as ListResourceRecordSets lists them: by
// name with its labels reversed, then type, then set identifier.
func less(a, b *ResourceRecordSet) bool {
	if ka, kb := sortKey(*a.Name), sortKey(*b.Name); ka != kb {
		return ka < kb
	}
	if *a.Type != *b.Type {
		return *a.Type < *b.Type
	}
	return deref(a.SetIdentifier) < deref(b.SetIdentifier)
}

func sortRecords(rs []ResourceRecordSet) {
	sort.SliceStable(rs, func(i, j int) bool { return less(&rs[i], &rs[j]) })
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
