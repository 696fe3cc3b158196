package e2e_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/virga/virga/internal/e2e"
)

func TestSecretsManagerBatchGetSecretValue(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := secretsmanager.NewFromConfig(env.Config)
	ctx := context.Background()

	for i := range 25 {
		in := &secretsmanager.CreateSecretInput{Name: aws.String(fmt.Sprintf("batch/s%02d", i)), SecretString: aws.String(fmt.Sprintf("v%d", i))}
		if i%2 == 0 {
			in.Tags = []types.Tag{{Key: aws.String("even"), Value: aws.String("yes")}}
		}
		if _, err := c.CreateSecret(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("other/bin"), SecretBinary: []byte{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("other/empty")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("other/gone"), SecretString: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("other/gone")}); err != nil {
		t.Fatal(err)
	}

	// By id: names and ARNs; the ones that cannot be read are in Errors.
	out, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"batch/s03", aws.ToString(bin.ARN), "nope", "other/empty", "other/gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SecretValues) != 2 || aws.ToString(out.SecretValues[0].SecretString) != "v3" || string(out.SecretValues[1].SecretBinary) != "\x00\x01\x02" ||
		aws.ToString(out.SecretValues[1].Name) != "other/bin" || len(out.SecretValues[0].VersionStages) != 1 || out.SecretValues[0].CreatedDate == nil || out.NextToken != nil {
		t.Errorf("values = %+v", out.SecretValues)
	}
	want := map[string]string{
		"nope":        "ResourceNotFoundException: Secrets Manager can't find the specified secret.",
		"other/empty": "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
		"other/gone":  "InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.",
	}
	if len(out.Errors) != len(want) {
		t.Errorf("errors = %+v", out.Errors)
	}
	for _, e := range out.Errors {
		if got := aws.ToString(e.ErrorCode) + ": " + aws.ToString(e.Message); want[aws.ToString(e.SecretId)] != got {
			t.Errorf("error for %s = %s", aws.ToString(e.SecretId), got)
		}
	}

	// By filter, a page at a time.
	var names []string
	var token *string
	pages := 0
	for {
		page, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{
			Filters:    []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"batch/"}}, {Key: types.FilterNameStringTypeTagKey, Values: []string{"even"}}},
			MaxResults: aws.Int32(5), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range page.SecretValues {
			names = append(names, aws.ToString(v.Name)+"="+aws.ToString(v.SecretString))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	sort.Strings(names)
	if pages != 3 || len(names) != 13 || names[0] != "batch/s00=v0" || names[12] != "batch/s24=v24" {
		t.Errorf("pages %d, names %v", pages, names)
	}
	// Without MaxResults a filtered call returns at most 20.
	all, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"batch/"}}}})
	if err != nil || len(all.SecretValues) != 20 || all.NextToken == nil {
		t.Errorf("unpaged filter: %d values, next %v, %v", len(all.SecretValues), all.NextToken, err)
	}

	// The request's rules.
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = fmt.Sprintf("batch/s%02d", i)
	}
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: ids})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"b"}}}, MaxResults: aws.Int32(21)})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{})
	expectAPIError(t, err, "InvalidParameterException", 400)
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"batch/s01"}, Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"b"}}}})
	expectAPIError(t, err, "InvalidParameterException", 400)
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"batch/s01"}, MaxResults: aws.Int32(2)})
	expectAPIError(t, err, "InvalidParameterException", 400)
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"b"}}}, NextToken: aws.String("garbage!")})
	expectAPIError(t, err, "InvalidParameterException", 400)
}
