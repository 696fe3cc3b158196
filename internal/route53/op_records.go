package route53

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store"
)

// maxRecordsPerPage is ListResourceRecordSets' page size: "If you
// specify a value greater than 300, Route 53 returns only the first
// 300".
const maxRecordsPerPage = 300

func (s *Service) changeResourceRecordSets(ctx context.Context, in *ChangeResourceRecordSetsRequest) (*ChangeResourceRecordSetsResponse, error) {
	var info *ChangeInfo
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		z, err := s.zone(r, *in.HostedZoneId)
		if err != nil {
			return err
		}
		// A record set may name only a health check Route 53 keeps.
		for _, c := range in.ChangeBatch.Changes {
			if c.Action != nil && *c.Action != "DELETE" && c.ResourceRecordSet != nil && c.ResourceRecordSet.HealthCheckId != nil {
				if _, err := getHealthCheck(r, *c.ResourceRecordSet.HealthCheckId); err != nil {
					return err
				}
			}
		}
		if err := applyChanges(z, in.ChangeBatch.Changes); err != nil {
			return err
		}
		if err := store.SetJSON(b, zoneKey(z.ID), z); err != nil {
			return err
		}
		info, err = s.submit(b, deref(in.ChangeBatch.Comment))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ChangeResourceRecordSetsResponse{ChangeInfo: info}, nil
}

// applyChanges applies a batch's changes to the zone's record sets in
// order, all or none. A change Route 53 refuses fails the batch and
// leaves the zone as it was; the changes after it are still checked
// (against the record sets as if it had not been asked), so that the
// error lists every refusal, as Route 53's does: "[message, message]".
// A malformed change (InvalidInput) fails the batch at once.
func applyChanges(z *zone, changes []Change) error {
	records := slices.Clone(z.Records)
	var refused []string
	for _, c := range changes {
		next, err := applyChange(z, records, c)
		if e := apierr.As(err); e != nil && e.Code == ErrInvalidChangeBatch.Code {
			refused = append(refused, e.Message)
			continue
		}
		if err != nil {
			return err
		}
		records = next
	}
	if len(refused) > 0 {
		return ErrInvalidChangeBatch.WithMessage("[" + strings.Join(refused, ", ") + "]")
	}
	sortRecords(records)
	z.Records = records
	return nil
}

// applyChange applies one change to records, returning the record sets
// it leaves.
func applyChange(z *zone, records []ResourceRecordSet, c Change) ([]ResourceRecordSet, error) {
	rs, err := checkRecordSet(z, *c.Action, c.ResourceRecordSet)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(records, func(o ResourceRecordSet) bool { return sameSet(&o, rs) })
	switch *c.Action {
	case "CREATE":
		if i >= 0 {
			return nil, changeBatchError("Tried to create resource record set %s but it already exists", describe(rs))
		}
		if err := checkCNAME(z, records, rs); err != nil {
			return nil, err
		}
		return append(records, *rs), nil
	case "UPSERT":
		if err := checkCNAME(z, records, rs); err != nil {
			return nil, err
		}
		if i >= 0 {
			records[i] = *rs
			return records, nil
		}
		return append(records, *rs), nil
	case "DELETE":
		if i < 0 {
			return nil, changeBatchError("Tried to delete resource record set %s but it was not found", describe(rs))
		}
		if !sameValues(&records[i], rs) {
			return nil, changeBatchError("Tried to delete resource record set %s but the values provided do not match the current values", describe(rs))
		}
		if required(z, rs) {
			if *rs.Type == "SOA" {
				return nil, changeBatchError("A HostedZone must contain exactly one SOA record.")
			}
			return nil, changeBatchError("A HostedZone must contain at least one NS record for the zone itself.")
		}
		return slices.Delete(records, i, i+1), nil
	}
	return records, nil
}

// checkRecordSet checks one change's record set as Route 53 does and
// returns it with its names in canonical form.
func checkRecordSet(z *zone, action ChangeAction, in *ResourceRecordSet) (*ResourceRecordSet, error) {
	rs := *in
	name, err := canonicalName(*in.Name)
	if err != nil {
		return nil, changeBatchError("FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with '%s'", *in.Name)
	}
	rs.Name = &name
	kinds := 0
	if rs.AliasTarget != nil {
		kinds++
	}
	// A TTL without records, or records without a TTL, count as
	// neither: Route 53 says it found none.
	if rs.TTL != nil && len(rs.ResourceRecords) > 0 {
		kinds++
	}
	if rs.TrafficPolicyInstanceId != nil {
		kinds++
	}
	if rs.AliasTarget != nil && (rs.TTL != nil || len(rs.ResourceRecords) > 0) {
		kinds = 2
	}
	if kinds != 1 {
		found := "none"
		if kinds > 1 {
			found = "more than one"
		}
		return nil, ErrInvalidInput.WithMessage(fmt.Sprintf("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found %s in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]",
			found, action, *in.Name, *in.Type, orNull(in.SetIdentifier)))
	}
	if (rs.SetIdentifier == nil) != !hasRoutingPolicy(&rs) {
		// Wording unconfirmed.
		return nil, ErrInvalidInput.WithMessage(fmt.Sprintf("Invalid request: A SetIdentifier is required with, and only with, a routing policy (Weight, Region, Failover, GeoLocation, MultiValueAnswer or CidrRoutingConfig) in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]",
			action, *in.Name, *in.Type, orNull(in.SetIdentifier)))
	}
	if !inZone(name, z.Name) {
		return nil, changeBatchError("RRSet with DNS name %s is not permitted in zone %s", name, z.Name)
	}
	if *rs.Type == "CNAME" && name == z.Name {
		return nil, changeBatchError("RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s", name, z.Name)
	}
	for _, v := range rs.ResourceRecords {
		if reason := checkValue(*rs.Type, *v.Value); reason != "" {
			return nil, changeBatchError("%s", invalidRecord(reason, *v.Value))
		}
	}
	if *rs.Type == "CNAME" && len(rs.ResourceRecords) > 1 || *rs.Type == "SOA" && len(rs.ResourceRecords) > 1 {
		// Wording unconfirmed.
		return nil, changeBatchError("RRSet of type %s with DNS name %s has more than one resource record", *rs.Type, name)
	}
	if a := rs.AliasTarget; a != nil {
		dns, err := canonicalName(*a.DNSName)
		if err != nil {
			return nil, changeBatchError("FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with '%s'", *a.DNSName)
		}
		rs.AliasTarget = &AliasTarget{HostedZoneId: ptr(zoneID(*a.HostedZoneId)), DNSName: &dns, EvaluateTargetHealth: a.EvaluateTargetHealth}
	}
	return &rs, nil
}

func hasRoutingPolicy(rs *ResourceRecordSet) bool {
	return rs.Weight != nil || rs.Region != nil || rs.Failover != nil || rs.GeoLocation != nil ||
		rs.MultiValueAnswer != nil || rs.CidrRoutingConfig != nil
}

// checkCNAME refuses a record set that would share its name with a
// CNAME, as DNS forbids.
func checkCNAME(z *zone, records []ResourceRecordSet, rs *ResourceRecordSet) error {
	for i := range records {
		o := &records[i]
		if *o.Name != *rs.Name || sameSet(o, rs) {
			continue
		}
		if *rs.Type == "CNAME" && *o.Type != "CNAME" {
			return changeBatchError("RRSet of type CNAME with DNS name %s is not permitted as it conflicts with other records with the same DNS name in zone %s", *rs.Name, z.Name)
		}
		if *rs.Type != "CNAME" && *o.Type == "CNAME" {
			// Route 53's message has two spaces before the CNAME's type.
			return changeBatchError("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type  CNAME with the same DNS name already exists in zone %s", *rs.Type, *rs.Name, z.Name)
		}
	}
	return nil
}

// sameSet reports whether two record sets are the same set: one name,
// type and set identifier.
func sameSet(a, b *ResourceRecordSet) bool {
	return *a.Name == *b.Name && *a.Type == *b.Type && deref(a.SetIdentifier) == deref(b.SetIdentifier)
}

// sameValues reports whether a DELETE's record set is the one kept:
// every member equal.
func sameValues(a, b *ResourceRecordSet) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// describe names a record set as InvalidChangeBatch's messages do.
func describe(rs *ResourceRecordSet) string {
	if rs.SetIdentifier != nil {
		return fmt.Sprintf("[name='%s', type='%s', set-identifier='%s']", *rs.Name, *rs.Type, *rs.SetIdentifier)
	}
	return fmt.Sprintf("[name='%s', type='%s']", *rs.Name, *rs.Type)
}

func orNull(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

func (s *Service) listResourceRecordSets(ctx context.Context, in *ListResourceRecordSetsRequest) (*ListResourceRecordSetsResponse, error) {
	if in.StartRecordType != nil && in.StartRecordName == nil {
		// Wording unconfirmed.
		return nil, ErrInvalidInput.WithMessage("The input is not valid: a record type to start at needs a record name")
	}
	if in.StartRecordIdentifier != nil && in.StartRecordType == nil {
		// Wording unconfirmed.
		return nil, ErrInvalidInput.WithMessage("The input is not valid: a record identifier to start at needs a record type")
	}
	n, err := maxItems(in.MaxItems, maxRecordsPerPage, maxRecordsPerPage)
	if err != nil {
		return nil, err
	}
	z, err := s.zone(s.store, *in.HostedZoneId)
	if err != nil {
		return nil, err
	}
	var start *ResourceRecordSet
	if in.StartRecordName != nil {
		name, err := canonicalName(*in.StartRecordName)
		if err != nil {
			// Wording unconfirmed.
			return nil, ErrInvalidInput.WithMessage("The input is not valid: " + strconv.Quote(*in.StartRecordName) + " is no domain name")
		}
		start = &ResourceRecordSet{Name: &name, Type: in.StartRecordType, SetIdentifier: in.StartRecordIdentifier}
		if start.Type == nil {
			start.Type = ptr(RRType(""))
		}
	}
	out := &ListResourceRecordSetsResponse{ResourceRecordSets: []ResourceRecordSet{}, IsTruncated: ptr(false), MaxItems: ptr(strconv.Itoa(n))}
	for i := range z.Records {
		rs := &z.Records[i]
		if start != nil && less(rs, start) {
			continue
		}
		if len(out.ResourceRecordSets) == n {
			out.IsTruncated, out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier = ptr(true), rs.Name, rs.Type, rs.SetIdentifier
			break
		}
		out.ResourceRecordSets = append(out.ResourceRecordSets, *rs)
	}
	return out, nil
}
