package providers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

// ACM's certificates, requested through the ACM API (package acm).

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::CertificateManager::Certificate",
		Required: []string{"DomainName"},
		Provider: certificateProvider{},
		// "Update requires: Replacement" for all but the tags and the
		// transparency logging preference.
		Replace: []string{"DomainName", "SubjectAlternativeNames", "ValidationMethod", "DomainValidationOptions",
			"CertificateAuthorityArn", "KeyAlgorithm"},
		// A certificate has no attributes; its Ref is its ARN.
		Attributes: []string{},
		Tags:       resource.TagList,
	})
}

// certificateIssueWait bounds how long a stack waits for its
// certificate to be issued. CloudFormation waits as long as ACM does
// (72 hours) for validation records someone else writes; here a record
// only virga's Route 53 could hold, so a certificate still pending
// after this long fails the stack with what it waits for.
const certificateIssueWait = 5 * time.Minute

// certificateProvider is AWS::CertificateManager::Certificate:
// RequestCertificate, then, for each DomainValidationOptions entry with
// a HostedZoneId, the name's validation CNAME written into that zone
// (as CloudFormation does), then a wait for ISSUED. Its Ref is the
// certificate's ARN. Deleting it leaves the validation records, as on
// AWS (they are shared by every certificate of the name).
type certificateProvider struct{}

func (certificateProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := p.pick(map[string]any{}, "DomainName", "SubjectAlternativeNames", "ValidationMethod", "CertificateAuthorityArn", "KeyAlgorithm", "Tags")
	var options []any
	for _, o := range p.list("DomainValidationOptions") {
		if op := props(asMap(o)); op.has("ValidationDomain") {
			options = append(options, op.pick(map[string]any{}, "DomainName", "ValidationDomain"))
		}
	}
	if len(options) > 0 {
		in["DomainValidationOptions"] = options
	}
	if pref := p.str("CertificateTransparencyLoggingPreference"); pref != "" {
		in["Options"] = map[string]any{"CertificateTransparencyLoggingPreference": pref}
	}
	out, err := call(ctx, r, "acm", "RequestCertificate", in)
	if err != nil {
		return nil, err
	}
	arn := outStr(out, "CertificateArn")
	res := &resource.Result{PhysicalID: arn}
	if err := writeValidationRecords(ctx, r, arn, p); err != nil {
		return res, err
	}
	return res, waitCertificateIssued(ctx, r, arn)
}

// writeValidationRecords UPSERTs, into the zone each
// DomainValidationOptions entry names by HostedZoneId, the validation
// CNAME DescribeCertificate gives for the entry's domain name, each
// record once.
func writeValidationRecords(ctx context.Context, r *resource.Request, arn string, p props) error {
	zones := map[string]string{} // domain name → zone id
	for _, o := range p.list("DomainValidationOptions") {
		op := props(asMap(o))
		if z := op.str("HostedZoneId"); z != "" {
			zones[strings.ToLower(op.str("DomainName"))] = strings.TrimPrefix(z, "/hostedzone/")
		}
	}
	if len(zones) == 0 {
		return nil
	}
	cert, err := describeCertificate(ctx, r, arn)
	if err != nil {
		return err
	}
	changes := map[string][]any{} // zone id → changes
	written := map[string]bool{}  // zone id and record name
	for _, v := range cert.list("DomainValidationOptions") {
		dv := props(asMap(v))
		zone, ok := zones[strings.ToLower(dv.str("DomainName"))]
		rr := dv.obj("ResourceRecord")
		if !ok || rr.str("Name") == "" || written[zone+" "+rr.str("Name")] {
			continue
		}
		written[zone+" "+rr.str("Name")] = true
		changes[zone] = append(changes[zone], map[string]any{"Action": "UPSERT", "ResourceRecordSet": map[string]any{
			"Name": rr.str("Name"), "Type": rr.str("Type"), "TTL": 60, "ResourceRecords": []any{map[string]any{"Value": rr.str("Value")}}}})
	}
	for _, zone := range sortedKeys(changes) {
		if err := changeRecordSets(ctx, r, zone, "", changes[zone]...); err != nil {
			return err
		}
	}
	return nil
}

func describeCertificate(ctx context.Context, r *resource.Request, arn string) (props, error) {
	out, err := call(ctx, r, "acm", "DescribeCertificate", map[string]any{"CertificateArn": arn})
	if err != nil {
		return nil, err
	}
	return props(asMap(out["Certificate"])), nil
}

// waitCertificateIssued waits until the certificate is ISSUED, failing
// on a status it cannot leave and after certificateIssueWait, measured
// on the services' clock.
func waitCertificateIssued(ctx context.Context, r *resource.Request, arn string) error {
	deadline := r.Env.Now().Add(certificateIssueWait)
	for {
		cert, err := describeCertificate(ctx, r, arn)
		if err != nil {
			return err
		}
		switch status := cert.str("Status"); status {
		case "ISSUED":
			return nil
		case "PENDING_VALIDATION":
		default:
			return fmt.Errorf("certificate %s is %s", arn, status)
		}
		if r.Env.Now().After(deadline) {
			var pending []string
			for _, v := range cert.list("DomainValidationOptions") {
				dv := props(asMap(v))
				if rr := dv.obj("ResourceRecord"); dv.str("ValidationStatus") != "SUCCESS" && rr.str("Name") != "" {
					pending = append(pending, rr.str("Name")+" CNAME "+rr.str("Value"))
				}
			}
			return fmt.Errorf("certificate %s is still PENDING_VALIDATION: its Route 53 zone lacks the validation records %s (give its DomainValidationOptions a HostedZoneId to have them written)",
				arn, strings.Join(pending, ", "))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (certificateProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	res := &resource.Result{PhysicalID: r.PhysicalID}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	arn := r.PhysicalID
	if len(removed) > 0 {
		var tags []any
		for _, k := range removed {
			tags = append(tags, map[string]any{"Key": k})
		}
		if _, err := call(ctx, r, "acm", "RemoveTagsFromCertificate", map[string]any{"CertificateArn": arn, "Tags": tags}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "acm", "AddTagsToCertificate", map[string]any{"CertificateArn": arn, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (certificateProvider) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "acm", "DeleteCertificate", map[string]any{"CertificateArn": r.PhysicalID})
	return ignoreGone(err)
}
