package e2e

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/virga/virga/internal/config"
)

// onDisk keeps an app's data in a directory of the test's, so that an app
// started again with it finds what the first stored.
func onDisk(t testing.TB) Option {
	dir := t.TempDir()
	return WithConfig(func(cfg *config.Config) { cfg.DataDir, cfg.InMemory = dir, false })
}

// TestDynamoDBContributorInsights turns contributor insights on and off
// for a table and its global secondary index, survives a restart, and
// lists them.
func TestDynamoDBContributorInsights(t *testing.T) {
	t.Parallel()
	onDisk := onDisk(t)
	env := Start(t, onDisk)
	c := ddbClient(env)
	ctx := context.Background()
	createIndexedTable(t, c, "cit")
	createIndexedTable(t, c, "cit2")

	d, err := c.DescribeContributorInsights(ctx, &dynamodb.DescribeContributorInsightsInput{TableName: aws.String("cit")})
	mustOK(t, "DescribeContributorInsights", err)
	if d.ContributorInsightsStatus != types.ContributorInsightsStatusDisabled || d.ContributorInsightsRuleList != nil || d.LastUpdateDateTime != nil {
		t.Errorf("never enabled = %+v", d)
	}

	u, err := c.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("cit"),
		ContributorInsightsAction: types.ContributorInsightsActionEnable})
	mustOK(t, "UpdateContributorInsights", err)
	if u.ContributorInsightsStatus != types.ContributorInsightsStatusEnabling || aws.ToString(u.TableName) != "cit" {
		t.Errorf("enable = %+v", u)
	}
	u, err = c.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/cit"),
		IndexName: aws.String("byG"), ContributorInsightsAction: types.ContributorInsightsActionEnable})
	mustOK(t, "UpdateContributorInsights of the index, by ARN", err)
	if u.ContributorInsightsStatus != types.ContributorInsightsStatusEnabling || aws.ToString(u.IndexName) != "byG" {
		t.Errorf("enable the index = %+v", u)
	}
	_, err = c.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("cit2"),
		ContributorInsightsAction: types.ContributorInsightsActionEnable})
	mustOK(t, "UpdateContributorInsights cit2", err)

	env.Stop(t)
	env = Start(t, onDisk)
	c = ddbClient(env)
	// The table has a sort key: four rules; the index has none: two.
	for _, tc := range []struct {
		index string
		rules []string
	}{
		{"", []string{"PKC-cit", "SKC-cit", "PKT-cit", "SKT-cit"}},
		{"byG", []string{"PKC-cit-byG", "PKT-cit-byG"}},
	} {
		in := &dynamodb.DescribeContributorInsightsInput{TableName: aws.String("cit")}
		if tc.index != "" {
			in.IndexName = aws.String(tc.index)
		}
		d, err := c.DescribeContributorInsights(ctx, in)
		mustOK(t, "DescribeContributorInsights "+tc.index, err)
		if d.ContributorInsightsStatus != types.ContributorInsightsStatusEnabled || d.LastUpdateDateTime == nil ||
			len(d.ContributorInsightsRuleList) != len(tc.rules) || aws.ToString(d.IndexName) != tc.index {
			t.Fatalf("enabled %q = %+v", tc.index, d)
		}
		for i, r := range d.ContributorInsightsRuleList {
			if !regexp.MustCompile(fmt.Sprintf(`^DynamoDBContributorInsights-%s-\d{13}$`, regexp.QuoteMeta(tc.rules[i]))).MatchString(r) {
				t.Errorf("rule %d of %q = %s, want %s", i, tc.index, r, tc.rules[i])
			}
		}
	}

	l, err := c.ListContributorInsights(ctx, &dynamodb.ListContributorInsightsInput{MaxResults: 2})
	mustOK(t, "ListContributorInsights", err)
	if len(l.ContributorInsightsSummaries) != 2 || aws.ToString(l.ContributorInsightsSummaries[0].TableName) != "cit" ||
		l.ContributorInsightsSummaries[0].IndexName != nil || aws.ToString(l.ContributorInsightsSummaries[1].IndexName) != "byG" ||
		l.NextToken == nil {
		t.Fatalf("first page = %+v", l)
	}
	l, err = c.ListContributorInsights(ctx, &dynamodb.ListContributorInsightsInput{MaxResults: 2, NextToken: l.NextToken})
	mustOK(t, "ListContributorInsights page 2", err)
	if len(l.ContributorInsightsSummaries) != 1 || aws.ToString(l.ContributorInsightsSummaries[0].TableName) != "cit2" || l.NextToken != nil {
		t.Errorf("second page = %+v", l)
	}

	u, err = c.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("cit"),
		IndexName: aws.String("byG"), ContributorInsightsAction: types.ContributorInsightsActionDisable})
	mustOK(t, "disable the index", err)
	if u.ContributorInsightsStatus != types.ContributorInsightsStatusDisabling {
		t.Errorf("disable = %+v", u)
	}
	d, err = c.DescribeContributorInsights(ctx, &dynamodb.DescribeContributorInsightsInput{TableName: aws.String("cit"), IndexName: aws.String("byG")})
	mustOK(t, "DescribeContributorInsights after disabling", err)
	if d.ContributorInsightsStatus != types.ContributorInsightsStatusDisabled || d.ContributorInsightsRuleList != nil || d.LastUpdateDateTime == nil {
		t.Errorf("disabled = %+v", d)
	}
	l, err = c.ListContributorInsights(ctx, &dynamodb.ListContributorInsightsInput{TableName: aws.String("cit")})
	mustOK(t, "ListContributorInsights of one table", err)
	if len(l.ContributorInsightsSummaries) != 1 || l.ContributorInsightsSummaries[0].IndexName != nil ||
		l.ContributorInsightsSummaries[0].ContributorInsightsStatus != types.ContributorInsightsStatusEnabled {
		t.Errorf("one table's list = %+v", l)
	}

	_, err = c.DescribeContributorInsights(ctx, &dynamodb.DescribeContributorInsightsInput{TableName: aws.String("nope")})
	wantDDBError(t, "a missing table", err, "ResourceNotFoundException", "Requested resource not found: Table: nope not found")
	_, err = c.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("cit"),
		IndexName: aws.String("byL"), ContributorInsightsAction: types.ContributorInsightsActionEnable})
	wantDDBErrorContains(t, "a local index", err, "ResourceNotFoundException", "byL")
	_, err = c.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("cit"),
		ContributorInsightsAction: "PAUSE"})
	wantDDBErrorContains(t, "an unknown action", err, "ValidationException", "contributorInsightsAction")
}
