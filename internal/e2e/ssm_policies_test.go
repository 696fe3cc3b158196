package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/virga/virga/internal/e2e"
)

// TestSSMParameterPolicies drives an advanced parameter's policies on
// the fake clock: NoChangeNotification an hour after the last change,
// ExpirationNotification an hour before the expiration, and Expiration,
// which deletes the parameter; each puts a "Parameter Store Policy
// Action" event from aws.ssm on the default bus.
func TestSSMParameterPolicies(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	c := ssm.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	q, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("policy-events")})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(q.QueueUrl)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("ssm-policies"),
		EventPattern: aws.String(`{"source":["aws.ssm"],"detail-type":["Parameter Store Policy Action"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("ssm-policies"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":policy-events")}}}); err != nil {
		t.Fatal(err)
	}

	t0 := env.Clock.Now()
	expires := t0.Add(3 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	policies := `[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"` + expires + `"}},
		{"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"1","Unit":"Hours"}},
		{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"1","Unit":"Hours"}}]`

	// What Parameter Store refuses.
	for _, tc := range []struct {
		in   *ssm.PutParameterInput
		code string
	}{
		{&ssm.PutParameterInput{Name: aws.String("/p/std"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Policies: aws.String(policies)}, "ValidationException"},
		{&ssm.PutParameterInput{Name: aws.String("/p/x"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Tier: ssmtypes.ParameterTierAdvanced,
			Policies: aws.String(`[{"Type":"Rotation","Version":"1.0","Attributes":{}}]`)}, "InvalidPolicyTypeException"},
		{&ssm.PutParameterInput{Name: aws.String("/p/x"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Tier: ssmtypes.ParameterTierAdvanced,
			Policies: aws.String(`[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"1","Unit":"Minutes"}}]`)}, "InvalidPolicyAttributeException"},
		{&ssm.PutParameterInput{Name: aws.String("/p/x"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Tier: ssmtypes.ParameterTierAdvanced,
			Policies: aws.String(`[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"tomorrow"}}]`)}, "InvalidPolicyAttributeException"},
		{&ssm.PutParameterInput{Name: aws.String("/p/x"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Tier: ssmtypes.ParameterTierAdvanced,
			Policies: aws.String(`{"Type":"Expiration"}`)}, "InvalidPolicyAttributeException"},
		{&ssm.PutParameterInput{Name: aws.String("/p/x"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Tier: ssmtypes.ParameterTierAdvanced,
			Policies: aws.String(`[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"1","Unit":"Days"}},{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"2","Unit":"Days"}}]`)}, "IncompatiblePolicyException"},
	} {
		_, err := c.PutParameter(ctx, tc.in)
		expectAPIError(t, err, tc.code, 400)
	}

	// Intelligent-Tiering makes a parameter with policies advanced.
	var put *ssm.PutParameterOutput
	put, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/p/db"), Value: aws.String("v1"), Type: ssmtypes.ParameterTypeSecureString,
		Tier: ssmtypes.ParameterTierIntelligentTiering, Policies: aws.String(policies)})
	if err != nil || put.Tier != ssmtypes.ParameterTierAdvanced {
		t.Fatalf("PutParameter: %+v %v", put, err)
	}
	status := func() map[string]string {
		t.Helper()
		out, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssmtypes.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"/p/db"}}}})
		if err != nil || len(out.Parameters) != 1 {
			t.Fatalf("DescribeParameters: %+v %v", out, err)
		}
		got := map[string]string{}
		for _, p := range out.Parameters[0].Policies {
			got[aws.ToString(p.PolicyType)] = aws.ToString(p.PolicyStatus)
			if !json.Valid([]byte(aws.ToString(p.PolicyText))) || !strings.Contains(aws.ToString(p.PolicyText), aws.ToString(p.PolicyType)) {
				t.Errorf("PolicyText %q", aws.ToString(p.PolicyText))
			}
		}
		return got
	}
	if got := status(); len(got) != 3 || got["Expiration"] != "Pending" || got["NoChangeNotification"] != "Pending" {
		t.Errorf("policies at creation: %v", got)
	}
	event := func() map[string]any {
		t.Helper()
		msgs := receiveN(t, qc, url, 1)
		var ev struct {
			Source     string            `json:"source"`
			DetailType string            `json:"detail-type"`
			Resources  []string          `json:"resources"`
			Detail     map[string]string `json:"detail"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Source != "aws.ssm" || ev.DetailType != "Parameter Store Policy Action" || len(ev.Resources) != 1 ||
			ev.Resources[0] != "arn:aws:ssm:us-east-1:"+testAccount+":parameter/p/db" ||
			ev.Detail["parameter-name"] != "/p/db" || ev.Detail["parameter-type"] != "SecureString" || ev.Detail["action-status"] != "Finished" {
			t.Errorf("event: %+v", ev)
		}
		return map[string]any{"policy-type": ev.Detail["policy-type"]}
	}

	// An update without Policies keeps them, and restarts the
	// NoChangeNotification's hour.
	env.Clock.Advance(30 * time.Minute)
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/p/db"), Value: aws.String("v2"), Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(45 * time.Minute) // 1h15 after creation, 45 min after the change
	noMessage(t, qc, url)
	env.Clock.Advance(20 * time.Minute) // 1h05 after the change
	if got := event()["policy-type"]; got != "NoChangeNotification" {
		t.Errorf("first event: %v", got)
	}
	if got := status(); got["NoChangeNotification"] != "Finished" || got["ExpirationNotification"] != "Pending" {
		t.Errorf("after the no-change notification: %v", got)
	}
	env.Clock.Set(t0.Add(2*time.Hour + time.Minute))
	if got := event()["policy-type"]; got != "ExpirationNotification" {
		t.Errorf("second event: %v", got)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/p/db")}); err != nil {
		t.Errorf("before its expiration: %v", err)
	}
	hist, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/p/db")})
	if err != nil || len(hist.Parameters) != 2 || len(hist.Parameters[1].Policies) != 3 {
		t.Errorf("history: %+v %v", hist, err)
	}
	env.Clock.Set(t0.Add(3*time.Hour + time.Minute))
	if got := event()["policy-type"]; got != "Expiration" {
		t.Errorf("third event: %v", got)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/p/db")})
	expectAPIError(t, err, "ParameterNotFound", 400)

	// An empty list removes the policies.
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/p/keep"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString,
		Tier: ssmtypes.ParameterTierAdvanced, Policies: aws.String(`[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"` +
			env.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}}]`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/p/keep"), Value: aws.String("v2"), Overwrite: aws.Bool(true), Policies: aws.String("[]")}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(2 * time.Hour)
	noMessage(t, qc, url)
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/p/keep")}); err != nil {
		t.Errorf("a parameter whose policies were removed: %v", err)
	}
}
