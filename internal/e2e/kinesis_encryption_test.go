package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/virga/virga/internal/e2e"
)

// waitKinesisActive polls DescribeStreamSummary until the stream is
// ACTIVE and returns its summary; on a fake clock it moves the clock past
// the stream's UPDATING.
func waitKinesisActive(t *testing.T, env *e2e.Env, c *kinesis.Client, name string) *types.StreamDescriptionSummary {
	t.Helper()
	if env.Clock != nil {
		env.Clock.Advance(time.Second)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return out.StreamDescriptionSummary
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s still %s", name, out.StreamDescriptionSummary.StreamStatus)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKinesisStreamEncryption starts and stops server-side encryption:
// the stream goes UPDATING and then ACTIVE, DescribeStream and
// DescribeStreamSummary report the type and key, PutRecord the type, and
// a key KMS does not have, or one disabled, is refused as Kinesis
// refuses it.
func TestKinesisStreamEncryption(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	c := kinesis.NewFromConfig(env.Config)
	keys := kms.NewFromConfig(env.Config)

	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("enc"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("enc")})
	if err != nil {
		t.Fatal(err)
	}
	if sd := d.StreamDescription; sd.StreamStatus != types.StreamStatusUpdating || sd.EncryptionType != types.EncryptionTypeKms || aws.ToString(sd.KeyId) != "alias/aws/kinesis" {
		t.Errorf("after StartStreamEncryption: %s %s %v", sd.StreamStatus, sd.EncryptionType, aws.ToString(sd.KeyId))
	}
	// While UPDATING, another change is refused.
	if _, err := c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); !strings.HasPrefix(apiCode(err), "ResourceInUseException:") {
		t.Errorf("StopStreamEncryption while UPDATING: %v", err)
	}
	if s := waitKinesisActive(t, env, c, "enc"); s.EncryptionType != types.EncryptionTypeKms || aws.ToString(s.KeyId) != "alias/aws/kinesis" {
		t.Errorf("summary: %s %v", s.EncryptionType, aws.ToString(s.KeyId))
	}
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("enc"), Data: []byte("x"), PartitionKey: aws.String("k")})
	if err != nil || put.EncryptionType != types.EncryptionTypeKms {
		t.Errorf("PutRecord: %v %v", put, err)
	}

	// A key of virga's KMS, then one that is not there and one disabled.
	key, err := keys.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(key.KeyMetadata.KeyId)
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if s := waitKinesisActive(t, env, c, "enc"); aws.ToString(s.KeyId) != id {
		t.Errorf("KeyId %v, want %s", aws.ToString(s.KeyId), id)
	}
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/nothing")}); !strings.HasPrefix(apiCode(err), "KMSNotFoundException:") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := keys.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(id)}); !strings.HasPrefix(apiCode(err), "KMSDisabledException:") {
		t.Errorf("disabled key: %v", err)
	}
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("none"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); !strings.HasPrefix(apiCode(err), "ResourceNotFoundException:") {
		t.Errorf("no stream: %v", err)
	}

	if _, err := c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("enc"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if s := waitKinesisActive(t, env, c, "enc"); s.EncryptionType != types.EncryptionTypeNone || s.KeyId != nil {
		t.Errorf("after StopStreamEncryption: %s %v", s.EncryptionType, aws.ToString(s.KeyId))
	}
}

// TestKinesisStackStreamEncryption: a stack's StreamEncryption encrypts
// its stream, and an update that removes it stops the encryption.
func TestKinesisStackStreamEncryption(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := kinesis.NewFromConfig(env.Config)
	cf := cloudformation.NewFromConfig(env.Config)
	deployStack(t, cf, "encstream", `Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: stacked
      ShardCount: 1
      StreamEncryption:
        EncryptionType: KMS
        KeyId: alias/aws/kinesis
`, false)
	if s := waitKinesisActive(t, env, c, "stacked"); s.EncryptionType != types.EncryptionTypeKms || aws.ToString(s.KeyId) != "alias/aws/kinesis" {
		t.Errorf("stack's stream: %s %v", s.EncryptionType, aws.ToString(s.KeyId))
	}
	deployStack(t, cf, "encstream", `Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: stacked
      ShardCount: 1
`, true)
	if s := waitKinesisActive(t, env, c, "stacked"); s.EncryptionType != types.EncryptionTypeNone {
		t.Errorf("stack's stream after update: %s %v", s.EncryptionType, aws.ToString(s.KeyId))
	}
}
