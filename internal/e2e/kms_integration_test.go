package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/virga/virga/internal/e2e"
)

// TestKMSKeysOfSecretsAndParameters: Secrets Manager and Parameter Store
// encrypt with the KMS key a secret or SecureString names, so a missing
// or disabled key fails their writes and decrypting reads, and the AWS
// managed keys appear on first use.
func TestKMSKeysOfSecretsAndParameters(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	kc := kms.NewFromConfig(env.Config)
	sm := secretsmanager.NewFromConfig(env.Config)
	pc := ssm.NewFromConfig(env.Config)
	ctx := context.Background()
	md := createKMSKey(t, kc, &kms.CreateKeyInput{})
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/secrets"), TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}

	// Secrets Manager.
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("pw"), KmsKeyId: aws.String("alias/secrets")}); err != nil {
		t.Fatal(err)
	}
	_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("nokey"), SecretString: aws.String("pw"), KmsKeyId: aws.String("alias/missing")})
	expectAPIError(t, err, "EncryptionFailure", 400)
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("default"), SecretString: aws.String("pw")}); err != nil {
		t.Fatal(err)
	}
	d, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/secretsmanager")})
	if err != nil || d.KeyMetadata.KeyManager != types.KeyManagerTypeAws {
		t.Errorf("alias/aws/secretsmanager: %v", err)
	}

	// Parameter Store.
	if _, err := pc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/pw"), Value: aws.String("s3cret"), Type: ssmtypes.ParameterTypeSecureString, KeyId: md.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = pc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/nokey"), Value: aws.String("x"), Type: ssmtypes.ParameterTypeSecureString, KeyId: aws.String("alias/missing")})
	expectAPIError(t, err, "InvalidKeyId", 400)

	// A disabled key fails what needs it.
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	expectAPIError(t, err, "DecryptionFailure", 400)
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("db"), SecretString: aws.String("new")})
	expectAPIError(t, err, "EncryptionFailure", 400)
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("default")}); err != nil {
		t.Errorf("a secret under the AWS managed key: %v", err)
	}
	_, err = pc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/pw"), WithDecryption: aws.Bool(true)})
	expectAPIError(t, err, "InvalidKeyId", 400)
	if _, err := pc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/pw")}); err != nil {
		t.Errorf("GetParameter without decryption: %v", err)
	}
	if _, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	if v, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")}); err != nil || aws.ToString(v.SecretString) != "pw" {
		t.Errorf("after EnableKey: %v", err)
	}
	if p, err := pc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/pw"), WithDecryption: aws.Bool(true)}); err != nil || aws.ToString(p.Parameter.Value) != "s3cret" {
		t.Errorf("after EnableKey: %v", err)
	}
}
