package e2e_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// TestLogsQueryDefinitions saves, updates, lists, pages through and
// deletes Logs Insights query definitions, and finds them again after
// a restart on the same data directory.
func TestLogsQueryDefinitions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(cfg *config.Config) { cfg.DataDir, cfg.InMemory = dir, false })
	start := func() (*e2e.Env, *cloudwatchlogs.Client) {
		env := e2e.Start(t, onDisk)
		return env, cloudwatchlogs.NewFromConfig(env.Config)
	}
	ctx := context.Background()
	a, c := start()

	put := func(in *cloudwatchlogs.PutQueryDefinitionInput) string {
		t.Helper()
		out, err := c.PutQueryDefinition(ctx, in)
		if err != nil {
			t.Fatalf("PutQueryDefinition(%s): %v", aws.ToString(in.Name), err)
		}
		if aws.ToString(out.QueryDefinitionId) == "" {
			t.Fatal("PutQueryDefinition returned no queryDefinitionId")
		}
		return aws.ToString(out.QueryDefinitionId)
	}
	errID := put(&cloudwatchlogs.PutQueryDefinitionInput{Name: aws.String("app/errors"), QueryString: aws.String("fields @message | filter @message like /ERROR/"),
		LogGroupNames: []string{"/app/a", "/app/b"}})
	put(&cloudwatchlogs.PutQueryDefinitionInput{Name: aws.String("app/latency"), QueryString: aws.String("stats avg(latency) by bin(5m)")})
	put(&cloudwatchlogs.PutQueryDefinitionInput{Name: aws.String("app/count"), QueryString: aws.String("stats count(*)")})
	other := put(&cloudwatchlogs.PutQueryDefinitionInput{Name: aws.String("ops"), QueryString: aws.String("fields @timestamp")})

	// An update replaces every field: logGroupNames left out leaves none.
	if got := put(&cloudwatchlogs.PutQueryDefinitionInput{QueryDefinitionId: aws.String(errID), Name: aws.String("app/errors"),
		QueryString: aws.String("fields @message | filter @message like /WARN/")}); got != errID {
		t.Errorf("update returned id %q, want %q", got, errID)
	}

	// Errors.
	var mq *types.MalformedQueryException
	if _, err := c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{Name: aws.String("bad"),
		QueryString: aws.String("fields a | dedup a | sort a")}); !errors.As(err, &mq) || mq.QueryCompileError == nil {
		t.Errorf("malformed query: %v", err)
	}
	var nf *types.ResourceNotFoundException
	if _, err := c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{QueryDefinitionId: aws.String("00000000-0000-0000-0000-000000000000"),
		Name: aws.String("x"), QueryString: aws.String("fields @message")}); !errors.As(err, &nf) {
		t.Errorf("update of an unknown id: %v", err)
	}
	if _, err := c.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: aws.String("nope")}); !errors.As(err, &nf) {
		t.Errorf("delete of an unknown id: %v", err)
	}

	// Prefix and paging.
	var names []string
	var token *string
	pages := 0
	for {
		out, err := c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{
			QueryDefinitionNamePrefix: aws.String("app"), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.QueryDefinitions {
			names = append(names, aws.ToString(d.Name))
			if aws.ToString(d.QueryDefinitionId) == errID {
				if len(d.LogGroupNames) != 0 || aws.ToString(d.QueryString) != "fields @message | filter @message like /WARN/" || aws.ToInt64(d.LastModified) == 0 {
					t.Errorf("updated definition: %+v", d)
				}
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if pages != 2 || len(names) != 3 {
		t.Errorf("paged %d pages of %v, want 2 pages of the 3 app/ definitions", pages, names)
	}

	del, err := c.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: aws.String(other)})
	if err != nil || !del.Success {
		t.Fatalf("DeleteQueryDefinition: %v %+v", err, del)
	}

	// Definitions are kept in the store: a restart keeps them.
	a.Stop(t)
	a, c = start()
	out, err := c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.QueryDefinitions) != 3 || out.NextToken != nil {
		t.Fatalf("after restart: %d definitions, want the 3 app/ ones", len(out.QueryDefinitions))
	}
	for _, d := range out.QueryDefinitions {
		if aws.ToString(d.QueryDefinitionId) == other {
			t.Errorf("deleted definition listed after restart")
		}
	}
}
