package route53

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
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
// "route53/h/<id>" a health check.
var (
	zonePrefix        = []byte("route53/z/")
	changePrefix      = []byte("route53/c/")
	healthCheckPrefix = []byte("route53/h/")
)

func zoneKey(id string) []byte   { return append(append([]byte{}, zonePrefix...), id...) }
func changeKey(id string) []byte { return append(append([]byte{}, changePrefix...), id...) }
func healthCheckKey(id string) []byte {
	return append(append([]byte{}, healthCheckPrefix...), id...)
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
	upper := append(append([]byte{}, prefix[:len(prefix)-1]...), '/'+1)
	it, err := r.NewIter(prefix, upper)
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
