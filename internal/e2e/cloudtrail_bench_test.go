package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/virga/virga/internal/e2e"
)

// BenchmarkCloudTrailGetItem measures DynamoDB GetItem through the
// whole edge with no trail, with a logging trail of management events
// (GetItem, a data event, is dropped by the recorder's classification),
// and with a logging trail whose selector takes the table's data events
// (each GetItem is captured and its record built by the writer).
func BenchmarkCloudTrailGetItem(b *testing.B) {
	for _, mode := range []string{"no-trail", "management-trail", "dynamodb-data-trail"} {
		b.Run(mode, func(b *testing.B) {
			env := e2e.Start(b)
			ctx := context.Background()
			ddb := dynamodb.NewFromConfig(env.Config)
			_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bench"), BillingMode: ddbtypes.BillingModePayPerRequest,
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
			if err != nil {
				b.Fatal(err)
			}
			key := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "k"}}
			if _, err := ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: key}); err != nil {
				b.Fatal(err)
			}
			if mode != "no-trail" {
				newTrailBucket(b, env, "bench-trail")
				ct := cloudtrail.NewFromConfig(env.Config)
				if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("bench"), S3BucketName: aws.String("bench-trail")}); err != nil {
					b.Fatal(err)
				}
				if mode == "dynamodb-data-trail" {
					_, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("bench"),
						EventSelectors: []cttypes.EventSelector{{DataResources: []cttypes.DataResource{{Type: aws.String("AWS::DynamoDB::Table"), Values: []string{"arn:aws:dynamodb"}}}}}})
					if err != nil {
						b.Fatal(err)
					}
				}
				if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("bench")}); err != nil {
					b.Fatal(err)
				}
			}
			in := &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: key}
			b.ResetTimer()
			for b.Loop() {
				if _, err := ddb.GetItem(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
