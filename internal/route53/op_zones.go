package route53

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/store"
)

// Route 53's record defaults: the TTLs of a new zone's SOA and NS
// records, and its SOA's fields after the two names (serial, refresh,
// retry, expire, negative-caching TTL).
const (
	soaTTL    = 900
	nsTTL     = 172800
	soaFields = "1 7200 900 1209600 86400"
	// maxZonesPerPage is ListHostedZones' and ListHostedZonesByName's
	// page size: "If you specify a value greater than 100, Route 53
	// returns only the first 100 hosted zones."
	maxZonesPerPage = 100
	// locationBase is where CreateHostedZone's Location header points.
	locationBase = "https://route53.amazonaws.com/2013-04-01/hostedzone/"
)

// privateNameServers are the name servers the NS record of every
// private zone names.
var privateNameServers = []string{"ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.", "ns-1536.awsdns-00.co.uk."}

// zoneID returns a zone id without its "/hostedzone/" prefix.
func zoneID(id string) string { return strings.TrimPrefix(id, "/hostedzone/") }

func (s *Service) createHostedZone(ctx context.Context, in *CreateHostedZoneRequest) (*CreateHostedZoneResponse, error) {
	name, err := canonicalName(*in.Name)
	if err != nil || name == "." {
		// Wording unconfirmed.
		return nil, ErrInvalidDomainName.WithMessage(*in.Name + " is not a valid domain name.")
	}
	if in.DelegationSetId != nil {
		return nil, noSuchDelegationSet(*in.DelegationSetId)
	}
	z := &zone{ID: s.ids.UniqueID("Z0"), Name: name, CallerReference: *in.CallerReference}
	if c := in.HostedZoneConfig; c != nil && c.Comment != nil {
		z.Comment = *c.Comment
	}
	if in.VPC != nil {
		if in.VPC.VPCId == nil || in.VPC.VPCRegion == nil {
			// Wording unconfirmed.
			return nil, ErrInvalidVPCID.WithMessage("The VPC ID and region are both required.")
		}
		z.Private, z.VPCs = true, []VPC{*in.VPC}
		z.NameServers = privateNameServers
	} else {
		z.NameServers = s.nameServers()
	}
	z.Records = []ResourceRecordSet{
		{Name: ptr(name), Type: ptr(RRType("NS")), TTL: ptr(int64(nsTTL)), ResourceRecords: values(z.NameServers)},
		{Name: ptr(name), Type: ptr(RRType("SOA")), TTL: ptr(int64(soaTTL)),
			ResourceRecords: values([]string{z.NameServers[0] + " awsdns-hostmaster.amazon.com. " + soaFields})},
	}
	var info *ChangeInfo
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		zones, err := listZones(r)
		if err != nil {
			return err
		}
		for _, o := range zones {
			if o.CallerReference == z.CallerReference {
				return ErrHostedZoneAlreadyExists
			}
		}
		if err := store.SetJSON(b, zoneKey(z.ID), z); err != nil {
			return err
		}
		info, err = s.submit(b, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &CreateHostedZoneResponse{HostedZone: hostedZone(z), ChangeInfo: info, Location: ptr(locationBase + z.ID)}
	if z.Private {
		out.VPC = &z.VPCs[0]
	} else {
		out.DelegationSet = delegationSet(z)
	}
	return out, nil
}

// sortZonesByName orders zones as ListHostedZonesByName lists them: by
// name with its labels reversed, then by id.
func sortZonesByName(zones []*zone) {
	sort.SliceStable(zones, func(i, j int) bool {
		if ki, kj := sortKey(zones[i].Name), sortKey(zones[j].Name); ki != kj {
			return ki < kj
		}
		return zones[i].ID < zones[j].ID
	})
}

// nameServers makes up the four name servers of a public zone, one in
// each of AWS's top-level domains.
func (s *Service) nameServers() []string {
	tlds := []string{"com", "net", "org", "co.uk"}
	out := make([]string, len(tlds))
	for i, tld := range tlds {
		r, _ := strconv.ParseUint(s.ids.Hex(2), 16, 32)
		out[i] = fmt.Sprintf("ns-%d.awsdns-%02d.%s.", i*512+int(r%512), int(r>>9)%64, tld)
	}
	return out
}

// submit records a change and returns its ChangeInfo, PENDING as
// Route 53 answers it until GetChange is asked. The changes older than
// changeRetention go; the caller holds s.mu.
func (s *Service) submit(b store.Batch, comment string) (*ChangeInfo, error) {
	c := &change{ID: s.ids.UniqueID("C0"), Comment: comment, SubmittedAt: s.clock.Now().UTC()}
	if err := expireChanges(s.store, b, c.SubmittedAt, s.changesOrdered); err != nil {
		return nil, err
	}
	s.changesOrdered = true
	if err := store.SetJSON(b, changeKey(c.ID), c); err != nil {
		return nil, err
	}
	b.Set(changeOrderKey(c.SubmittedAt, c.ID), nil)
	info := changeInfo(c)
	info.Status = ptr(ChangeStatus("PENDING"))
	return info, nil
}

func changeInfo(c *change) *ChangeInfo {
	info := &ChangeInfo{Id: ptr("/change/" + c.ID), Status: ptr(ChangeStatus("INSYNC")), SubmittedAt: ptr(c.SubmittedAt)}
	if c.Comment != "" {
		info.Comment = ptr(c.Comment)
	}
	return info
}

func values(vs []string) []ResourceRecord {
	out := make([]ResourceRecord, len(vs))
	for i, v := range vs {
		out[i] = ResourceRecord{Value: ptr(v)}
	}
	return out
}

// hostedZone is a zone as the API describes it.
func hostedZone(z *zone) *HostedZone {
	cfg := &HostedZoneConfig{PrivateZone: ptr(z.Private)}
	if z.Comment != "" {
		cfg.Comment = ptr(z.Comment)
	}
	return &HostedZone{Id: ptr("/hostedzone/" + z.ID), Name: ptr(z.Name), CallerReference: ptr(z.CallerReference),
		Config: cfg, ResourceRecordSetCount: ptr(int64(len(z.Records)))}
}

// delegationSet is a public zone's name servers, which Route 53 writes
// without their trailing dots.
func delegationSet(z *zone) *DelegationSet {
	ns := make([]string, len(z.NameServers))
	for i, n := range z.NameServers {
		ns[i] = strings.TrimSuffix(n, ".")
	}
	return &DelegationSet{NameServers: ns}
}

// zone reads the zone with the id (with or without "/hostedzone/"),
// or fails with NoSuchHostedZone.
func (s *Service) zone(r store.Reader, id string) (*zone, error) {
	z, err := getZone(r, zoneID(id))
	if err != nil {
		return nil, err
	}
	if z == nil {
		return nil, noSuchHostedZone(zoneID(id))
	}
	return z, nil
}

func (s *Service) getHostedZone(ctx context.Context, in *GetHostedZoneRequest) (*GetHostedZoneResponse, error) {
	z, err := s.zone(s.store, *in.Id)
	if err != nil {
		return nil, err
	}
	out := &GetHostedZoneResponse{HostedZone: hostedZone(z)}
	if z.Private {
		out.VPCs = z.VPCs
	} else {
		out.DelegationSet = delegationSet(z)
	}
	return out, nil
}

func (s *Service) updateHostedZoneComment(ctx context.Context, in *UpdateHostedZoneCommentRequest) (*UpdateHostedZoneCommentResponse, error) {
	var z *zone
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		var err error
		if z, err = s.zone(r, *in.Id); err != nil {
			return err
		}
		z.Comment = deref(in.Comment)
		return store.SetJSON(b, zoneKey(z.ID), z)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateHostedZoneCommentResponse{HostedZone: hostedZone(z)}, nil
}

func (s *Service) getHostedZoneCount(ctx context.Context, in *GetHostedZoneCountRequest) (*GetHostedZoneCountResponse, error) {
	zones, err := listZones(s.store)
	if err != nil {
		return nil, err
	}
	return &GetHostedZoneCountResponse{HostedZoneCount: ptr(int64(len(zones)))}, nil
}

// maxItems reads a MaxItems parameter: its default when absent, at
// most limit.
func maxItems(p *string, def, limit int) (int, error) {
	if p == nil {
		return def, nil
	}
	n, err := strconv.Atoi(*p)
	if err != nil || n < 0 {
		// Wording unconfirmed.
		return 0, ErrInvalidInput.WithMessage("Invalid request: MaxItems must be a positive integer, but was " + *p)
	}
	if n == 0 || n > limit {
		n = limit
	}
	return n, nil
}

// zonePage reads a zone listing's MaxItems and every zone.
func (s *Service) zonePage(max *string) (int, []*zone, error) {
	n, err := maxItems(max, maxZonesPerPage, maxZonesPerPage)
	if err != nil {
		return 0, nil, err
	}
	zones, err := listZones(s.store)
	return n, zones, err
}

func (s *Service) listHostedZones(ctx context.Context, in *ListHostedZonesRequest) (*ListHostedZonesResponse, error) {
	if in.DelegationSetId != nil {
		return nil, noSuchDelegationSet(*in.DelegationSetId)
	}
	n, zones, err := s.zonePage(in.MaxItems)
	if err != nil {
		return nil, err
	}
	marker := ""
	if in.Marker != nil {
		marker = zoneID(*in.Marker)
	}
	out := &ListHostedZonesResponse{HostedZones: []HostedZone{}, Marker: ptr(marker), IsTruncated: ptr(false), MaxItems: ptr(strconv.Itoa(n))}
	for _, z := range zones {
		if z.ID < marker {
			continue
		}
		if len(out.HostedZones) == n {
			out.IsTruncated, out.NextMarker = ptr(true), ptr(z.ID)
			break
		}
		out.HostedZones = append(out.HostedZones, *hostedZone(z))
	}
	return out, nil
}

func (s *Service) listHostedZonesByName(ctx context.Context, in *ListHostedZonesByNameRequest) (*ListHostedZonesByNameResponse, error) {
	if in.HostedZoneId != nil && in.DNSName == nil {
		// Wording unconfirmed.
		return nil, ErrInvalidInput.WithMessage("Invalid request: hostedzoneid requires dnsname")
	}
	n, zones, err := s.zonePage(in.MaxItems)
	if err != nil {
		return nil, err
	}
	sortZonesByName(zones)
	out := &ListHostedZonesByNameResponse{HostedZones: []HostedZone{}, IsTruncated: ptr(false), MaxItems: ptr(strconv.Itoa(n))}
	startKey, startID := "", ""
	if in.DNSName != nil {
		name, err := canonicalName(*in.DNSName)
		if err != nil {
			// Wording unconfirmed.
			return nil, ErrInvalidDomainName.WithMessage(*in.DNSName + " is not a valid domain name.")
		}
		out.DNSName, startKey = ptr(name), sortKey(name)
	}
	if in.HostedZoneId != nil {
		startID = zoneID(*in.HostedZoneId)
		out.HostedZoneId = ptr(startID)
	}
	for _, z := range zones {
		if k := sortKey(z.Name); k < startKey || k == startKey && z.ID < startID {
			continue
		}
		if len(out.HostedZones) == n {
			out.IsTruncated, out.NextDNSName, out.NextHostedZoneId = ptr(true), ptr(z.Name), ptr(z.ID)
			break
		}
		out.HostedZones = append(out.HostedZones, *hostedZone(z))
	}
	return out, nil
}

func (s *Service) deleteHostedZone(ctx context.Context, in *DeleteHostedZoneRequest) (*DeleteHostedZoneResponse, error) {
	var info *ChangeInfo
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		z, err := s.zone(r, *in.Id)
		if err != nil {
			return err
		}
		for _, rs := range z.Records {
			if !required(z, &rs) {
				return ErrHostedZoneNotEmpty
			}
		}
		b.Delete(zoneKey(z.ID))
		info, err = s.submit(b, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteHostedZoneResponse{ChangeInfo: info}, nil
}

// required reports whether a record set is one every zone has: its SOA
// and its own NS record.
func required(z *zone, rs *ResourceRecordSet) bool {
	return *rs.Name == z.Name && (*rs.Type == "SOA" || *rs.Type == "NS") && rs.SetIdentifier == nil
}

func (s *Service) getChange(ctx context.Context, in *GetChangeRequest) (*GetChangeResponse, error) {
	id := strings.TrimPrefix(*in.Id, "/change/")
	c, err := store.GetJSON[change](s.store, changeKey(id))
	if err != nil {
		return nil, err
	}
	if c == nil || strings.Contains(id, "/") || c.expired(s.clock.Now()) {
		// Wording unconfirmed.
		return nil, ErrNoSuchChange.WithMessage("A change with the specified change ID does not exist: " + id)
	}
	return &GetChangeResponse{ChangeInfo: changeInfo(c)}, nil
}

// listQueryLoggingConfigs answers no configurations: virga keeps none
// (query logging is not supported), but a zone named must exist.
func (s *Service) listQueryLoggingConfigs(ctx context.Context, in *ListQueryLoggingConfigsRequest) (*ListQueryLoggingConfigsResponse, error) {
	if in.HostedZoneId != nil {
		if _, err := s.zone(s.store, *in.HostedZoneId); err != nil {
			return nil, err
		}
	}
	return &ListQueryLoggingConfigsResponse{QueryLoggingConfigs: []QueryLoggingConfig{}}, nil
}
