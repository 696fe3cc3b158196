package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// r53Error checks an error's code and, when msg is not empty, its message.
func r53Error(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("error = %v, want %s: %s", err, code, msg)
	}
}

func newZone(t *testing.T, c *route53.Client, name string) string {
	t.Helper()
	out, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String("ref-" + name)})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
}

func change(action r53types.ChangeAction, name string, typ r53types.RRType, ttl int64, values ...string) r53types.Change {
	rs := &r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
	}
	return r53types.Change{Action: action, ResourceRecordSet: rs}
}

func changeRecords(c *route53.Client, zone string, changes ...r53types.Change) (*route53.ChangeResourceRecordSetsOutput, error) {
	return c.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		ChangeBatch: &r53types.ChangeBatch{Changes: changes}})
}

// recordList is a zone's record sets as "name type value,value".
func recordList(t *testing.T, c *route53.Client, zone string) []string {
	t.Helper()
	out, err := c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)})
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, rs := range out.ResourceRecordSets {
		var vs []string
		for _, v := range rs.ResourceRecords {
			vs = append(vs, aws.ToString(v.Value))
		}
		if rs.AliasTarget != nil {
			vs = append(vs, "alias:"+aws.ToString(rs.AliasTarget.DNSName))
		}
		list = append(list, aws.ToString(rs.Name)+" "+string(rs.Type)+" "+strings.Join(vs, ","))
	}
	return list
}

// TestRoute53HostedZones: a zone is made with its SOA and NS records and
// four name servers, found by id and by name, listed page by page, and
// deleted only once it holds nothing but those two records.
func TestRoute53HostedZones(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := route53.NewFromConfig(env.Config)
	ctx := context.Background()

	created, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("Example.COM"), CallerReference: aws.String("r1"),
		HostedZoneConfig: &r53types.HostedZoneConfig{Comment: aws.String("main")}})
	if err != nil {
		t.Fatal(err)
	}
	hz := created.HostedZone
	id := strings.TrimPrefix(aws.ToString(hz.Id), "/hostedzone/")
	if !strings.HasPrefix(aws.ToString(hz.Id), "/hostedzone/Z") || len(id) != 21 || aws.ToString(hz.Name) != "example.com." ||
		aws.ToInt64(hz.ResourceRecordSetCount) != 2 || aws.ToString(hz.Config.Comment) != "main" || hz.Config.PrivateZone {
		t.Fatalf("hosted zone: %+v %+v", hz, hz.Config)
	}
	if aws.ToString(created.Location) != "https://route53.amazonaws.com/2013-04-01/hostedzone/"+id {
		t.Errorf("Location = %q", aws.ToString(created.Location))
	}
	if created.ChangeInfo.Status != r53types.ChangeStatusPending || !strings.HasPrefix(aws.ToString(created.ChangeInfo.Id), "/change/C") {
		t.Errorf("change info: %+v", created.ChangeInfo)
	}
	ns := created.DelegationSet.NameServers
	if len(ns) != 4 || !strings.HasPrefix(ns[0], "ns-") || !strings.HasSuffix(ns[3], ".co.uk") {
		t.Errorf("name servers: %v", ns)
	}
	records := recordList(t, c, id)
	if len(records) != 2 || !strings.HasPrefix(records[0], "example.com. NS "+ns[0]+".,") ||
		!strings.HasPrefix(records[1], "example.com. SOA "+ns[0]+". awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400") {
		t.Errorf("records: %q", records)
	}
	got, err := c.GetChange(ctx, &route53.GetChangeInput{Id: created.ChangeInfo.Id})
	if err != nil || got.ChangeInfo.Status != r53types.ChangeStatusInsync {
		t.Errorf("GetChange = %+v, %v", got, err)
	}
	_, err = c.GetChange(ctx, &route53.GetChangeInput{Id: aws.String("C0NOSUCHCHANGE")})
	r53Error(t, err, "NoSuchChange", "")

	_, err = c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("other.com"), CallerReference: aws.String("r1")})
	r53Error(t, err, "HostedZoneAlreadyExists", "A hosted zone has already been created with the specified caller reference.")
	var exists *r53types.HostedZoneAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("error type %T", err)
	}

	get, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	if err != nil || aws.ToString(get.HostedZone.Name) != "example.com." || len(get.DelegationSet.NameServers) != 4 {
		t.Fatalf("GetHostedZone = %+v, %v", get, err)
	}
	upd, err := c.UpdateHostedZoneComment(ctx, &route53.UpdateHostedZoneCommentInput{Id: aws.String(id), Comment: aws.String("renamed")})
	if err != nil || aws.ToString(upd.HostedZone.Config.Comment) != "renamed" {
		t.Fatalf("UpdateHostedZoneComment = %+v, %v", upd, err)
	}
	_, err = c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String("Z0NOSUCHZONE")})
	r53Error(t, err, "NoSuchHostedZone", "No hosted zone found with ID: Z0NOSUCHZONE")

	private, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("internal.example.com."), CallerReference: aws.String("r2"),
		VPC: &r53types.VPC{VPCId: aws.String("vpc-1234567890abcdef0"), VPCRegion: r53types.VPCRegionUsEast1}})
	if err != nil || !private.HostedZone.Config.PrivateZone || private.VPC == nil || private.DelegationSet != nil {
		t.Fatalf("private zone: %+v, %v", private, err)
	}
	newZone(t, c, "a.org")

	count, err := c.GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
	if err != nil || aws.ToInt64(count.HostedZoneCount) != 3 {
		t.Errorf("GetHostedZoneCount = %+v, %v", count, err)
	}
	var pages, listed int
	p := route53.NewListHostedZonesPaginator(c, &route53.ListHostedZonesInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		listed += len(page.HostedZones)
	}
	if pages != 2 || listed != 3 {
		t.Errorf("ListHostedZones: %d zones in %d pages", listed, pages)
	}
	byName, err := c.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, z := range byName.HostedZones {
		names = append(names, aws.ToString(z.Name))
	}
	if strings.Join(names, " ") != "example.com. internal.example.com. a.org." {
		t.Errorf("ListHostedZonesByName: %v", names)
	}
	from, err := c.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{DNSName: aws.String("internal.example.com"), MaxItems: aws.Int32(1)})
	if err != nil || len(from.HostedZones) != 1 || aws.ToString(from.HostedZones[0].Name) != "internal.example.com." ||
		!from.IsTruncated || aws.ToString(from.NextDNSName) != "a.org." {
		t.Errorf("ListHostedZonesByName from a name: %+v, %v", from, err)
	}

	if _, err := changeRecords(c, id, change(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 60, "192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)})
	r53Error(t, err, "HostedZoneNotEmpty", "The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
	if _, err := changeRecords(c, id, change(r53types.ChangeActionDelete, "www.example.com", r53types.RRTypeA, 60, "192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	r53Error(t, err, "NoSuchHostedZone", "")
	_, err = c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)})
	r53Error(t, err, "NoSuchHostedZone", "")
}

// TestRoute53ChangeResourceRecordSets: a change batch is checked as
// Route 53 checks it and applied all or nothing; record sets list in
// Route 53's order, page by page.
func TestRoute53ChangeResourceRecordSets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := route53.NewFromConfig(env.Config)
	ctx := context.Background()
	zone := newZone(t, c, "example.com")

	out, err := changeRecords(c, zone,
		change(r53types.ChangeActionCreate, "WWW.example.com", r53types.RRTypeA, 300, "192.0.2.1", "192.0.2.2"),
		change(r53types.ChangeActionCreate, "example.com.", r53types.RRTypeMx, 300, "10 mail.example.com."),
		change(r53types.ChangeActionCreate, "example.com", r53types.RRTypeTxt, 300, `"v=spf1 -all"`),
		change(r53types.ChangeActionCreate, "*.dev.example.com", r53types.RRTypeCname, 300, "www.example.com"),
		change(r53types.ChangeActionCreate, "_sip._tcp.example.com", r53types.RRTypeSrv, 300, "1 10 5060 sip.example.com."),
		change(r53types.ChangeActionCreate, "example.com", r53types.RRTypeCaa, 300, `0 issue "amazon.com"`),
		change(r53types.ChangeActionCreate, "v6.example.com", r53types.RRTypeAaaa, 300, "2001:db8::1"),
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("api.example.com"), Type: r53types.RRTypeA,
			AliasTarget: &r53types.AliasTarget{HostedZoneId: aws.String("Z1UJRXOUMOOFQ8"), DNSName: aws.String("d-abc.execute-api.us-east-1.amazonaws.com"), EvaluateTargetHealth: false}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if out.ChangeInfo.Status != r53types.ChangeStatusPending {
		t.Errorf("status %s", out.ChangeInfo.Status)
	}
	want := []string{
		"example.com. CAA 0 issue \"amazon.com\"", "example.com. MX 10 mail.example.com.",
		"example.com. NS", "example.com. SOA", "example.com. TXT \"v=spf1 -all\"",
		"_sip._tcp.example.com. SRV 1 10 5060 sip.example.com.", "api.example.com. A alias:d-abc.execute-api.us-east-1.amazonaws.com.",
		`\052.dev.example.com. CNAME www.example.com`, "v6.example.com. AAAA 2001:db8::1", "www.example.com. A 192.0.2.1,192.0.2.2",
	}
	got := recordList(t, c, zone)
	if len(got) != len(want) {
		t.Fatalf("records:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("record %d = %q, want %q", i, got[i], want[i])
		}
	}

	// Paging: two at a time from _sip, then on from where it stopped.
	page, err := c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		StartRecordName: aws.String("_sip._tcp.example.com"), StartRecordType: r53types.RRTypeSrv, MaxItems: aws.Int32(2)})
	if err != nil || len(page.ResourceRecordSets) != 2 || !page.IsTruncated || aws.ToString(page.NextRecordName) != `\052.dev.example.com.` || page.NextRecordType != r53types.RRTypeCname {
		t.Fatalf("page: %+v, %v", page, err)
	}
	_, err = c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone), StartRecordType: r53types.RRTypeA})
	r53Error(t, err, "InvalidInput", "")

	// Errors, with Route 53's words; none of a failed batch is applied.
	cases := []struct {
		name    string
		changes []r53types.Change
		code    string
		msg     string
	}{
		{"create existing", []r53types.Change{change(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 60, "192.0.2.9")},
			"InvalidChangeBatch", "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]"},
		{"delete missing", []r53types.Change{change(r53types.ChangeActionDelete, "nope.example.com", r53types.RRTypeA, 60, "192.0.2.9")},
			"InvalidChangeBatch", "[Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found]"},
		{"delete other values", []r53types.Change{change(r53types.ChangeActionDelete, "www.example.com", r53types.RRTypeA, 300, "192.0.2.1")},
			"InvalidChangeBatch", "[Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values]"},
		{"outside the zone", []r53types.Change{change(r53types.ChangeActionCreate, "www.example.org", r53types.RRTypeA, 60, "192.0.2.9")},
			"InvalidChangeBatch", "[RRSet with DNS name www.example.org. is not permitted in zone example.com.]"},
		{"beside a CNAME", []r53types.Change{change(r53types.ChangeActionCreate, "*.dev.example.com", r53types.RRTypeTxt, 60, `"x"`)},
			"InvalidChangeBatch", `[RRSet of type TXT with DNS name \052.dev.example.com. is not permitted because a conflicting RRSet of type  CNAME with the same DNS name already exists in zone example.com.]`},
		{"CNAME at apex", []r53types.Change{change(r53types.ChangeActionCreate, "example.com", r53types.RRTypeCname, 60, "x.example.org")},
			"InvalidChangeBatch", "[RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.]"},
		{"bad IPv4", []r53types.Change{change(r53types.ChangeActionCreate, "bad.example.com", r53types.RRTypeA, 60, "192.0.2")},
			"InvalidChangeBatch", "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2'']"},
		{"SOA deleted", []r53types.Change{{Action: r53types.ChangeActionDelete, ResourceRecordSet: soaOf(t, c, zone)}},
			"InvalidChangeBatch", "[A HostedZone must contain exactly one SOA record.]"},
		{"no TTL", []r53types.Change{{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("x.example.com"), Type: r53types.RRTypeA,
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}}},
			"InvalidInput", "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=x.example.com, Type=A, SetIdentifier=null]"},
		{"every refusal", []r53types.Change{change(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 60, "192.0.2.9"),
			change(r53types.ChangeActionCreate, "ok.example.com", r53types.RRTypeA, 60, "192.0.2.9"),
			change(r53types.ChangeActionDelete, "nope.example.com", r53types.RRTypeA, 60, "192.0.2.9")},
			"InvalidChangeBatch", "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists, " +
				"Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found]"},
		{"atomic", []r53types.Change{change(r53types.ChangeActionCreate, "new.example.com", r53types.RRTypeA, 60, "192.0.2.7"),
			change(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 60, "192.0.2.9")},
			"InvalidChangeBatch", "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]"},
	}
	for _, tc := range cases {
		_, err := changeRecords(c, zone, tc.changes...)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code || ae.ErrorMessage() != tc.msg {
			t.Errorf("%s: %v\nwant %s: %s", tc.name, err, tc.code, tc.msg)
		}
	}
	if n := len(recordList(t, c, zone)); n != len(want) {
		t.Errorf("%d records after failed batches, want %d", n, len(want))
	}
	_, err = changeRecords(c, "Z0NOSUCHZONE", change(r53types.ChangeActionCreate, "a.example.com", r53types.RRTypeA, 60, "192.0.2.1"))
	r53Error(t, err, "NoSuchHostedZone", "")

	// UPSERT replaces; DELETE then CREATE in one batch replaces too;
	// weighted sets share a name and type.
	if _, err := changeRecords(c, zone,
		change(r53types.ChangeActionUpsert, "www.example.com", r53types.RRTypeA, 60, "198.51.100.1"),
		change(r53types.ChangeActionDelete, "v6.example.com", r53types.RRTypeAaaa, 300, "2001:db8::1"),
		change(r53types.ChangeActionCreate, "v6.example.com", r53types.RRTypeAaaa, 300, "2001:db8::2"),
	); err != nil {
		t.Fatal(err)
	}
	weighted := func(id string, w int64, ip string) r53types.Change {
		ch := change(r53types.ChangeActionCreate, "w.example.com", r53types.RRTypeA, 60, ip)
		ch.ResourceRecordSet.SetIdentifier, ch.ResourceRecordSet.Weight = aws.String(id), aws.Int64(w)
		return ch
	}
	if _, err := changeRecords(c, zone, weighted("blue", 10, "192.0.2.10"), weighted("green", 90, "192.0.2.20")); err != nil {
		t.Fatal(err)
	}
	_, err = changeRecords(c, zone, weighted("blue", 10, "192.0.2.10"))
	r53Error(t, err, "InvalidChangeBatch", "[Tried to create resource record set [name='w.example.com.', type='A', set-identifier='blue'] but it already exists]")
	got = recordList(t, c, zone)
	joined := strings.Join(got, "\n")
	for _, w := range []string{"www.example.com. A 198.51.100.1", "v6.example.com. AAAA 2001:db8::2", "w.example.com. A 192.0.2.10", "w.example.com. A 192.0.2.20"} {
		if !strings.Contains(joined, w+"\n") && !strings.HasSuffix(joined, w) {
			t.Errorf("missing %q in\n%s", w, joined)
		}
	}
}

func soaOf(t *testing.T, c *route53.Client, zone string) *r53types.ResourceRecordSet {
	t.Helper()
	out, err := c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)})
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range out.ResourceRecordSets {
		if rs.Type == r53types.RRTypeSoa {
			return &rs
		}
	}
	t.Fatal("no SOA record")
	return nil
}

// TestRoute53Tags: a zone's tags are added, replaced, removed and listed.
func TestRoute53Tags(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := route53.NewFromConfig(env.Config)
	ctx := context.Background()
	zone := newZone(t, c, "tags.example")
	_, err := c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(zone),
		AddTags: []r53types.Tag{{Key: aws.String("team"), Value: aws.String("dns")}, {Key: aws.String("env"), Value: aws.String("dev")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(zone),
		RemoveTagKeys: []string{"env"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(zone)})
	if err != nil {
		t.Fatal(err)
	}
	if set := out.ResourceTagSet; aws.ToString(set.ResourceId) != zone || len(set.Tags) != 1 || aws.ToString(set.Tags[0].Key) != "team" {
		t.Errorf("tags: %+v", set)
	}
	_, err = c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String("Z0NOSUCHZONE")})
	r53Error(t, err, "NoSuchHostedZone", "")
	_, err = c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHealthcheck, ResourceId: aws.String("abc")})
	r53Error(t, err, "NoSuchHealthCheck", "")
}

// TestRoute53SurvivesRestart: zones and their records outlast a restart.
func TestRoute53SurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(cfg *config.Config) { cfg.DataDir, cfg.InMemory = dir, false })
	env := e2e.Start(t, onDisk)
	c := route53.NewFromConfig(env.Config)
	zone := newZone(t, c, "kept.example")
	if _, err := changeRecords(c, zone, change(r53types.ChangeActionCreate, "a.kept.example", r53types.RRTypeA, 60, "192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	env.Stop(t)
	env = e2e.Start(t, onDisk)
	c = route53.NewFromConfig(env.Config)
	if got := recordList(t, c, zone); len(got) != 3 || got[2] != "a.kept.example. A 192.0.2.1" {
		t.Errorf("records after a restart: %q", got)
	}
}

// TestRoute53CLI: the aws CLI makes a zone and a record and reads them
// back.
func TestRoute53CLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	res := env.CLI(t, "route53", "create-hosted-zone", "--name", "cli.example", "--caller-reference", "cli-1")
	if res.ExitCode != 0 {
		t.Fatalf("create-hosted-zone: %s", res.Stderr)
	}
	var created struct{ HostedZone struct{ Id string } }
	if err := json.Unmarshal([]byte(res.Stdout), &created); err != nil {
		t.Fatal(err)
	}
	batch := `{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"www.cli.example","Type":"TXT","TTL":60,"ResourceRecords":[{"Value":"\"hello world\""}]}}]}`
	res = env.CLI(t, "route53", "change-resource-record-sets", "--hosted-zone-id", created.HostedZone.Id, "--change-batch", batch)
	if res.ExitCode != 0 {
		t.Fatalf("change-resource-record-sets: %s", res.Stderr)
	}
	res = env.CLI(t, "route53", "change-resource-record-sets", "--hosted-zone-id", created.HostedZone.Id, "--change-batch", batch)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidChangeBatch") || !strings.Contains(res.Stderr, "but it already exists") {
		t.Errorf("second CREATE: %d %s", res.ExitCode, res.Stderr)
	}
	res = env.CLI(t, "route53", "list-resource-record-sets", "--hosted-zone-id", created.HostedZone.Id, "--query", "ResourceRecordSets[?Type=='TXT'].ResourceRecords[0].Value")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, `\"hello world\"`) {
		t.Errorf("list-resource-record-sets: %s %s", res.Stdout, res.Stderr)
	}
}

// TestRoute53IAM: under --auth iam a policy on one zone's ARN lets a
// user change that zone's records and no other's; Route 53 refuses the
// rest with 403 AccessDenied naming the zone.
func TestRoute53IAM(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	admin := route53.NewFromConfig(env.Config)
	mine, other := newZone(t, admin, "mine.example"), newZone(t, admin, "other.example")
	cfg := iamUser(t, env, "dns", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["route53:ChangeResourceRecordSets","route53:ListResourceRecordSets"],"Resource":"arn:aws:route53:::hostedzone/`+mine+`"}]}`)
	c := route53.NewFromConfig(cfg)
	if _, err := changeRecords(c, mine, change(r53types.ChangeActionCreate, "a.mine.example", r53types.RRTypeA, 60, "192.0.2.1")); err != nil {
		t.Fatalf("own zone: %v", err)
	}
	_, err := changeRecords(c, other, change(r53types.ChangeActionCreate, "a.other.example", r53types.RRTypeA, 60, "192.0.2.1"))
	wantDenied(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/dns is not authorized to perform: route53:ChangeResourceRecordSets on resource: "+
		"arn:aws:route53:::hostedzone/"+other+" because no identity-based policy allows the route53:ChangeResourceRecordSets action")
}
