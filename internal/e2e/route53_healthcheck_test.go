package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/virga/virga/internal/e2e"
)

// TestRoute53HealthChecks creates a health check (Route 53's defaults
// filled in), creates it again under the same caller reference, gets,
// lists, counts, tags and updates it, reads its status, and deletes it.
func TestRoute53HealthChecks(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := route53.NewFromConfig(env.Config)
	ctx := context.Background()
	config := &r53types.HealthCheckConfig{Type: r53types.HealthCheckTypeHttps, FullyQualifiedDomainName: aws.String("api.example.com"),
		ResourcePath: aws.String("/health")}
	created, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: config})
	if err != nil {
		t.Fatal(err)
	}
	hc := created.HealthCheck
	id := aws.ToString(hc.Id)
	got := hc.HealthCheckConfig
	if aws.ToInt32(got.Port) != 443 || aws.ToInt32(got.RequestInterval) != 30 || aws.ToInt32(got.FailureThreshold) != 3 ||
		!aws.ToBool(got.EnableSNI) || aws.ToBool(got.MeasureLatency) || aws.ToInt64(hc.HealthCheckVersion) != 1 ||
		aws.ToString(created.Location) != "https://route53.amazonaws.com/2013-04-01/healthcheck/"+id {
		t.Fatalf("created: %+v %+v %q", hc, got, aws.ToString(created.Location))
	}
	again, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: config})
	if err != nil || aws.ToString(again.HealthCheck.Id) != id {
		t.Fatalf("same request again: %+v, %v", again, err)
	}
	_, err = c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"),
		HealthCheckConfig: &r53types.HealthCheckConfig{Type: r53types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), Port: aws.Int32(22)}})
	r53Error(t, err, "HealthCheckAlreadyExists", "")
	_, err = c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("hc-2"),
		HealthCheckConfig: &r53types.HealthCheckConfig{Type: r53types.HealthCheckTypeHttp}})
	r53Error(t, err, "InvalidInput", "")
	_, err = c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("hc-3"),
		HealthCheckConfig: &r53types.HealthCheckConfig{Type: r53types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), Port: aws.Int32(22),
			AlarmIdentifier: &r53types.AlarmIdentifier{Name: aws.String("a"), Region: r53types.CloudWatchRegionUsEast1}}})
	r53Error(t, err, "InvalidInput", "Invalid parameter : Basic health checks must not have an metric region specified.")

	// A record set may name the check, and no other.
	zone := newZone(t, c, "checked.example")
	failover := func(check string) r53types.Change {
		ch := change(r53types.ChangeActionCreate, "www.checked.example", r53types.RRTypeA, 60, "192.0.2.1")
		ch.ResourceRecordSet.SetIdentifier, ch.ResourceRecordSet.Failover = aws.String("primary"), r53types.ResourceRecordSetFailoverPrimary
		ch.ResourceRecordSet.HealthCheckId = aws.String(check)
		return ch
	}
	_, err = changeRecords(c, zone, failover("0b9c5f6e-0000-4000-8000-000000000000"))
	r53Error(t, err, "NoSuchHealthCheck", "")
	if _, err := changeRecords(c, zone, failover(id)); err != nil {
		t.Fatal(err)
	}

	if g, err := c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)}); err != nil ||
		aws.ToString(g.HealthCheck.HealthCheckConfig.ResourcePath) != "/health" {
		t.Fatalf("get: %+v, %v", g, err)
	}
	list, err := c.ListHealthChecks(ctx, &route53.ListHealthChecksInput{})
	if err != nil || len(list.HealthChecks) != 1 || aws.ToString(list.HealthChecks[0].Id) != id {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if n, err := c.GetHealthCheckCount(ctx, &route53.GetHealthCheckCountInput{}); err != nil || aws.ToInt64(n.HealthCheckCount) != 1 {
		t.Fatalf("count: %+v, %v", n, err)
	}
	if _, err := c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHealthcheck,
		ResourceId: aws.String(id), AddTags: []r53types.Tag{{Key: aws.String("Name"), Value: aws.String("api")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHealthcheck, ResourceId: aws.String(id)})
	if err != nil || len(tags.ResourceTagSet.Tags) != 1 || aws.ToString(tags.ResourceTagSet.Tags[0].Value) != "api" {
		t.Fatalf("tags: %+v, %v", tags, err)
	}

	upd, err := c.UpdateHealthCheck(ctx, &route53.UpdateHealthCheckInput{HealthCheckId: aws.String(id), HealthCheckVersion: aws.Int64(1),
		FailureThreshold: aws.Int32(5), ResetElements: []r53types.ResettableElementName{r53types.ResettableElementNameResourcePath}})
	if err != nil || aws.ToInt64(upd.HealthCheck.HealthCheckVersion) != 2 || aws.ToInt32(upd.HealthCheck.HealthCheckConfig.FailureThreshold) != 5 ||
		upd.HealthCheck.HealthCheckConfig.ResourcePath != nil {
		t.Fatalf("update: %+v, %v", upd, err)
	}
	_, err = c.UpdateHealthCheck(ctx, &route53.UpdateHealthCheckInput{HealthCheckId: aws.String(id), HealthCheckVersion: aws.Int64(1), Disabled: aws.Bool(true)})
	r53Error(t, err, "HealthCheckVersionMismatch", "")

	status, err := c.GetHealthCheckStatus(ctx, &route53.GetHealthCheckStatusInput{HealthCheckId: aws.String(id)})
	if err != nil || len(status.HealthCheckObservations) == 0 ||
		!strings.HasPrefix(aws.ToString(status.HealthCheckObservations[0].StatusReport.Status), "Success") {
		t.Fatalf("status: %+v, %v", status, err)
	}

	if _, err := c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	r53Error(t, err, "NoSuchHealthCheck", "No health check exists with the specified ID "+id)
}

// TestRoute53HealthCheckStack deploys a health check with tags that a
// failover record set names, updates a setting in place (same id) and
// one that replaces it, and deletes the stack, which deletes the check.
func TestRoute53HealthCheckStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	c := route53.NewFromConfig(env.Config)
	ctx := context.Background()
	tpl := `
Parameters:
  Threshold: {Type: String, Default: "3"}
  Interval: {Type: String, Default: "30"}
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties: {Name: hc.example}
  Check:
    Type: AWS::Route53::HealthCheck
    Properties:
      HealthCheckConfig:
        Type: HTTPS
        FullyQualifiedDomainName: !Sub abc.execute-api.${AWS::Region}.amazonaws.com
        ResourcePath: /Prod
        FailureThreshold: !Ref Threshold
        RequestInterval: !Ref Interval
        MeasureLatency: true
        EnableSNI: true
      HealthCheckTags: [{Key: Name, Value: primary}]
  Primary:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: failover.hc.example
      Type: A
      Failover: PRIMARY
      SetIdentifier: primary
      HealthCheckId: !Ref Check
      TTL: "60"
      ResourceRecords: [192.0.2.1]
Outputs:
  Check: {Value: !Ref Check}
  CheckId: {Value: !GetAtt Check.HealthCheckId}
`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("hc"), TemplateBody: aws.String(tpl)}); err != nil {
		t.Fatal(err)
	}
	out := createdStackOutputs(t, cf, "hc")
	id := out["Check"]
	if id == "" || out["CheckId"] != id {
		t.Fatalf("outputs: %v", out)
	}
	got, err := c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	if err != nil || !aws.ToBool(got.HealthCheck.HealthCheckConfig.MeasureLatency) || aws.ToInt32(got.HealthCheck.HealthCheckConfig.FailureThreshold) != 3 {
		t.Fatalf("health check: %+v, %v", got, err)
	}
	tags, err := c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHealthcheck, ResourceId: aws.String(id)})
	if err != nil || len(tags.ResourceTagSet.Tags) != 1 {
		t.Errorf("tags: %+v, %v", tags, err)
	}

	update := func(threshold, interval string) string {
		t.Helper()
		if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("hc"), TemplateBody: aws.String(tpl),
			Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Threshold"), ParameterValue: aws.String(threshold)},
				{ParameterKey: aws.String("Interval"), ParameterValue: aws.String(interval)}}}); err != nil {
			t.Fatal(err)
		}
		if st := settleStack(t, cf, "hc"); st.StackStatus != cftypes.StackStatusUpdateComplete {
			t.Fatalf("update: %s", st.StackStatus)
		}
		res, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("hc"), LogicalResourceId: aws.String("Check")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(res.StackResourceDetail.PhysicalResourceId)
	}
	// FailureThreshold changes in place; RequestInterval replaces the check.
	if now := update("5", "30"); now != id {
		t.Fatalf("a new threshold replaced the check: %s, was %s", now, id)
	}
	got, err = c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	if err != nil || aws.ToInt32(got.HealthCheck.HealthCheckConfig.FailureThreshold) != 5 || aws.ToInt64(got.HealthCheck.HealthCheckVersion) != 2 {
		t.Fatalf("after the update: %+v, %v", got, err)
	}
	replaced := update("5", "10")
	if replaced == id {
		t.Fatal("a new interval kept the check")
	}
	_, err = c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	r53Error(t, err, "NoSuchHealthCheck", "")

	deleteStackWaiting(t, cf, "hc")
	_, err = c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(replaced)})
	r53Error(t, err, "NoSuchHealthCheck", "")
}
