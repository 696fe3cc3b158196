package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestIAMDenialWording: a user without rights is denied each service's
// listing in the words, code and status that service answers with on
// AWS: S3 names no resource, Lambda names "*", DynamoDB the account's
// tables, SQS the account's queue prefix with the action in lower case,
// and SNS spells its prefix "SNS" and answers AuthorizationError.
// Secrets Manager names a secret as the request named it.
func TestIAMDenialWording(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	cfg := iamUser(t, env, "nobody", "")
	user := "User: arn:aws:iam::" + testAccount + ":user/nobody is not authorized to perform: "

	_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantDenied(t, err, "AccessDenied", 403, user+"s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action")

	_, err = lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	wantDenied(t, err, "AccessDeniedException", 403, user+"lambda:ListFunctions on resource: * because no identity-based policy allows the lambda:ListFunctions action")

	_, err = dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	wantDenied(t, err, "AccessDeniedException", 400, user+"dynamodb:ListTables on resource: arn:aws:dynamodb:us-east-1:"+testAccount+
		":table/* because no identity-based policy allows the dynamodb:ListTables action")

	_, err = sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	wantDenied(t, err, "AccessDenied", 403, user+"sqs:listqueues on resource: arn:aws:sqs:us-east-1:"+testAccount+
		": because no identity-based policy allows the sqs:listqueues action")

	_, err = sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
	wantDenied(t, err, "AuthorizationError", 403, user+"SNS:ListTopics on resource: arn:aws:sns:us-east-1:"+testAccount+
		":* because no identity-based policy allows the SNS:ListTopics action")

	_, err = secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db/password")})
	wantDenied(t, err, "AccessDeniedException", 400, user+"secretsmanager:GetSecretValue on resource: db/password"+
		" because no identity-based policy allows the secretsmanager:GetSecretValue action")
}

// TestIAMListAllMyBucketsOnEveryBucket: a policy that allows
// s3:ListAllMyBuckets on arn:aws:s3:::*, as the S3 User Guide's examples
// and AWS's test samples write it, lets its user list the buckets; one
// that names a single bucket's objects does not.
func TestIAMListAllMyBucketsOnEveryBucket(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	path := func(o *s3.Options) { o.UsePathStyle = true }
	lister := iamUser(t, env, "lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::*"}]}`)
	if _, err := s3.NewFromConfig(lister, path).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("ListBuckets on arn:aws:s3:::*: %v", err)
	}
	other := iamUser(t, env, "other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`)
	_, err := s3.NewFromConfig(other, path).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantDenied(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/other is not authorized to perform: "+
		"s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action")
}
