package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/virga/virga/internal/e2e"
)

// TestRoute53Stack deploys a zone with a record set (by zone id), a
// record set group (by zone name) and an alias, updates a record in
// place and drops one from the group, and deletes the stack, which
// removes the records and then the zone.
func TestRoute53Stack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	c := route53.NewFromConfig(env.Config)
	ctx := context.Background()
	tpl := `
Parameters:
  Ttl: {Type: String, Default: "300"}
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties:
      Name: stack.example
      HostedZoneConfig: {Comment: made by a stack}
      HostedZoneTags: [{Key: team, Value: dns}]
  Www:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: www.stack.example
      Type: A
      TTL: !Ref Ttl
      ResourceRecords: [192.0.2.1]
  Group:
    Type: AWS::Route53::RecordSetGroup
    DependsOn: Zone
    Properties:
      HostedZoneName: stack.example.
      RecordSets:
        - {Name: mail.stack.example, Type: MX, TTL: 60, ResourceRecords: ["10 mx.stack.example."]}
        - {Name: "*.stack.example", Type: TXT, TTL: 60, ResourceRecords: ['"hello"']}
        - Name: api.stack.example
          Type: A
          AliasTarget: {DNSName: d-abc.execute-api.us-east-1.amazonaws.com, HostedZoneId: Z1UJRXOUMOOFQ8}
Outputs:
  ZoneId: {Value: !Ref Zone}
  Id: {Value: !GetAtt Zone.Id}
  NameServers: {Value: !Join [",", !GetAtt Zone.NameServers]}
  Www: {Value: !Ref Www}
`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("dns"), TemplateBody: aws.String(tpl)}); err != nil {
		t.Fatal(err)
	}
	out := createdStackOutputs(t, cf, "dns")
	zone := out["ZoneId"]
	if !strings.HasPrefix(zone, "Z") || out["Id"] != zone || strings.Count(out["NameServers"], ",") != 3 || out["Www"] != "www.stack.example" {
		t.Fatalf("outputs: %v", out)
	}
	got, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(zone)})
	if err != nil || aws.ToString(got.HostedZone.Config.Comment) != "made by a stack" {
		t.Fatalf("zone: %+v, %v", got, err)
	}
	tags, err := c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: "hostedzone", ResourceId: aws.String(zone)})
	if err != nil || len(tags.ResourceTagSet.Tags) != 1 {
		t.Errorf("tags: %+v, %v", tags, err)
	}
	records := recordList(t, c, zone)
	for _, want := range []string{"www.stack.example. A 192.0.2.1", "mail.stack.example. MX 10 mx.stack.example.",
		`\052.stack.example. TXT "hello"`, "api.stack.example. A alias:d-abc.execute-api.us-east-1.amazonaws.com."} {
		if !slices.Contains(records, want) {
			t.Errorf("no %q in %q", want, records)
		}
	}

	// The record's value and TTL change in place; the group loses its MX.
	updated := strings.Replace(tpl, "ResourceRecords: [192.0.2.1]", "ResourceRecords: [192.0.2.2]", 1)
	updated = strings.Replace(updated, `        - {Name: mail.stack.example, Type: MX, TTL: 60, ResourceRecords: ["10 mx.stack.example."]}`+"\n", "", 1)
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("dns"), TemplateBody: aws.String(updated),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Ttl"), ParameterValue: aws.String("60")}}}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "dns"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s", st.StackStatus)
	}
	records = recordList(t, c, zone)
	if !slices.Contains(records, "www.stack.example. A 192.0.2.2") || len(records) != 5 {
		t.Errorf("after the update: %q", records)
	}
	ttl, err := c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone), StartRecordName: aws.String("www.stack.example"), MaxItems: aws.Int32(1)})
	if err != nil || aws.ToInt64(ttl.ResourceRecordSets[0].TTL) != 60 {
		t.Errorf("www after the update: %+v, %v", ttl, err)
	}

	deleteStackWaiting(t, cf, "dns")
	_, err = c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(zone)})
	r53Error(t, err, "NoSuchHostedZone", "")
}
