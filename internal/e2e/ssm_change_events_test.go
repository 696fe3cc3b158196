package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/virga/virga/internal/e2e"
)

// TestSSMParameterStoreChangeEvents: creating, updating and deleting a
// parameter put "Parameter Store Change" events from aws.ssm on the
// default bus, which a rule sends to a queue.
func TestSSMParameterStoreChangeEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	ps := ssm.NewFromConfig(env.Config)
	queue := ruleToQueue(t, env, "param-changes", `{"source":["aws.ssm"],"detail-type":["Parameter Store Change"]}`)
	if _, err := ps.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/flag"), Value: aws.String("on"),
		Type: ssmtypes.ParameterTypeString, Description: aws.String("feature flag")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/flag"), Value: aws.String("off"),
		Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/app/flag")}); err != nil {
		t.Fatal(err)
	}

	type changeEvent struct {
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Resources  []string `json:"resources"`
		Detail     map[string]string
	}
	var got []changeEvent
	for _, body := range queuedEvents(t, env, queue, 3) {
		var ev changeEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		got = append(got, ev)
	}
	ops := map[string]map[string]string{}
	for _, ev := range got {
		if ev.Source != "aws.ssm" || ev.DetailType != "Parameter Store Change" || len(ev.Resources) != 1 ||
			ev.Resources[0] != "arn:aws:ssm:us-east-1:000000000000:parameter/app/flag" {
			t.Fatalf("event %+v", ev)
		}
		ops[ev.Detail["operation"]] = ev.Detail
	}
	if d := ops["Create"]; d["name"] != "/app/flag" || d["type"] != "String" || d["description"] != "feature flag" {
		t.Errorf("Create detail %v", d)
	}
	if d := ops["Update"]; d["name"] != "/app/flag" || d["type"] != "String" {
		t.Errorf("Update detail %v", d)
	}
	if d := ops["Delete"]; d["name"] != "/app/flag" || d["type"] != "String" {
		t.Errorf("Delete detail %v", d)
	}
}
