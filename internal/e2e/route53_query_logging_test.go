package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/virga/virga/internal/e2e"
)

// TestRoute53ListQueryLoggingConfigs: the CLI reference's
// list-query-logging-configs example answers an empty list (virga keeps
// no query logging configurations), for the account or for a zone that
// exists, and NoSuchHostedZone for a zone that does not.
func TestRoute53ListQueryLoggingConfigs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := route53.NewFromConfig(env.Config)
	ctx := context.Background()
	zone, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.com"), CallerReference: aws.String("q1")})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []*string{nil, zone.HostedZone.Id} {
		out, err := c.ListQueryLoggingConfigs(ctx, &route53.ListQueryLoggingConfigsInput{HostedZoneId: id})
		if err != nil || out.QueryLoggingConfigs == nil || len(out.QueryLoggingConfigs) != 0 || out.NextToken != nil {
			t.Errorf("ListQueryLoggingConfigs(%v): %v %+v", aws.ToString(id), err, out)
		}
	}
	_, err = c.ListQueryLoggingConfigs(ctx, &route53.ListQueryLoggingConfigsInput{HostedZoneId: aws.String("Z0000000000000000000")})
	expectAPIError(t, err, "NoSuchHostedZone", 404)
	res := env.CLI(t, "route53", "list-query-logging-configs")
	if res.ExitCode != 0 || res.Stdout != "{\n    \"QueryLoggingConfigs\": []\n}\n" {
		t.Errorf("list-query-logging-configs: %d %q %s", res.ExitCode, res.Stdout, res.Stderr)
	}
}
