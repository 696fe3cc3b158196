package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/virga/virga/internal/e2e"
)

// rotator follows the four steps of AWS's rotation function template:
// createSecret puts a new value under AWSPENDING, finishSecret moves
// AWSCURRENT to it.
const rotator = `import boto3

def handler(event, context):
    sm = boto3.client('secretsmanager')
    arn, token, step = event['SecretId'], event['ClientRequestToken'], event['Step']
    versions = sm.describe_secret(SecretId=arn)['VersionIdsToStages']
    if 'AWSPENDING' not in versions.get(token, []):
        raise ValueError('version %s is not AWSPENDING' % token)
    if step == 'createSecret':
        try:
            sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage='AWSPENDING')
        except sm.exceptions.ResourceNotFoundException:
            pw = sm.get_random_password(ExcludePunctuation=True)['RandomPassword']
            sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=pw, VersionStages=['AWSPENDING'])
    elif step == 'finishSecret':
        current = [v for v, s in versions.items() if 'AWSCURRENT' in s][0]
        if current != token:
            sm.update_secret_version_stage(SecretId=arn, VersionStage='AWSCURRENT', MoveToVersionId=token, RemoveFromVersionId=current)
`

func TestSecretsManagerRotation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := secretsmanager.NewFromConfig(env.Config)
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "rotator", rotator, 30)
	fn, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("rotator")})
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("rotating"), SecretString: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("rotating")})
	expectAPIError(t, err, "InvalidRequestException", 400)

	rot, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("rotating"), RotationLambdaARN: fn.Configuration.FunctionArn,
		RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
	if err != nil || rot.VersionId == nil {
		t.Fatalf("RotateSecret = %+v, %v", rot, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("rotating")})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(d.VersionIdsToStages[aws.ToString(rot.VersionId)], ",") == "AWSCURRENT" {
			if !aws.ToBool(d.RotationEnabled) || d.LastRotatedDate == nil || aws.ToString(d.RotationLambdaARN) != aws.ToString(fn.Configuration.FunctionArn) ||
				strings.Join(d.VersionIdsToStages[aws.ToString(created.VersionId)], ",") != "AWSPREVIOUS" {
				t.Errorf("after rotation: %+v", d)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rotation did not finish: %v", d.VersionIdsToStages)
		}
		time.Sleep(50 * time.Millisecond)
	}
	v, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("rotating")})
	if err != nil || len(aws.ToString(v.SecretString)) != 32 || aws.ToString(v.VersionId) != aws.ToString(rot.VersionId) {
		t.Fatalf("after rotation = %+v, %v", v, err)
	}
}
