package route53

import (
	"strings"

	"github.com/virga/virga/internal/store"
)

// Lookup answers, for other services, what virga's public hosted zones
// say about a name, as a resolver on the internet would see it: the
// values of the record set of the type at the name in the most specific
// public zone holding the name (nil when that zone has none), and
// whether any public zone holds the name at all. ACM checks its DNS
// validation records through it. Private zones are not consulted: a
// public validator cannot see them.
func (s *Service) Lookup(name, typ string) (values []string, hosted bool, err error) {
	name, err = canonicalName(name)
	if err != nil {
		return nil, false, nil
	}
	zones, err := listZones(store.Reader(s.store))
	if err != nil {
		return nil, false, err
	}
	var best *zone
	for _, z := range zones {
		if !z.Private && inZone(name, z.Name) && (best == nil || len(z.Name) > len(best.Name)) {
			best = z
		}
	}
	if best == nil {
		return nil, false, nil
	}
	for _, rs := range best.Records {
		if *rs.Name == name && string(*rs.Type) == typ && rs.SetIdentifier == nil {
			for _, v := range rs.ResourceRecords {
				values = append(values, strings.ToLower(*v.Value))
			}
		}
	}
	return values, true, nil
}
