package e2e_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestCLIKMS drives KMS with Debian's aws CLI as a newcomer would: a
// key and an alias, encrypt a file with fileb://, decrypt it back, and
// the error for a context that does not match.
func TestCLIKMS(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)

	var created struct {
		KeyMetadata struct{ KeyId, Arn, KeySpec string }
	}
	cliJSON(t, env.CLI(t, "kms", "create-key", "--description", "cli"), &created)
	if created.KeyMetadata.KeySpec != "SYMMETRIC_DEFAULT" || !strings.HasSuffix(created.KeyMetadata.Arn, ":key/"+created.KeyMetadata.KeyId) {
		t.Fatalf("create-key: %+v", created)
	}
	if res := env.CLI(t, "kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", created.KeyMetadata.KeyId); res.ExitCode != 0 {
		t.Fatalf("create-alias: %s", res.Stderr)
	}
	dir := t.TempDir()
	plainFile := filepath.Join(dir, "plain.txt")
	if err := os.WriteFile(plainFile, []byte("attack at dawn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var enc struct{ CiphertextBlob, KeyId string }
	cliJSON(t, env.CLI(t, "kms", "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+plainFile, "--encryption-context", "app=cli"), &enc)
	if enc.KeyId != created.KeyMetadata.Arn {
		t.Errorf("encrypt: %+v", enc)
	}
	blob, err := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	if err != nil {
		t.Fatal(err)
	}
	blobFile := filepath.Join(dir, "blob.bin")
	if err := os.WriteFile(blobFile, blob, 0o600); err != nil {
		t.Fatal(err)
	}
	var dec struct{ Plaintext, KeyId, EncryptionAlgorithm string }
	cliJSON(t, env.CLI(t, "kms", "decrypt", "--ciphertext-blob", "fileb://"+blobFile, "--encryption-context", "app=cli"), &dec)
	if plain, _ := base64.StdEncoding.DecodeString(dec.Plaintext); string(plain) != "attack at dawn\n" || dec.KeyId != created.KeyMetadata.Arn {
		t.Errorf("decrypt: %+v", dec)
	}
	res := env.CLI(t, "kms", "decrypt", "--ciphertext-blob", "fileb://"+blobFile, "--encryption-context", "app=other")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidCiphertextException") {
		t.Errorf("decrypt with another context: exit %d, %s", res.ExitCode, res.Stderr)
	}
}

// TestBoto3KMS drives KMS with Debian's boto3: a data key decrypted
// back, a context that does not match, and an ECDSA signature that KMS
// verifies.
func TestBoto3KMS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	out := env.Boto3(t, `
import os, boto3, botocore
c = boto3.client("kms", endpoint_url=os.environ["VIRGA_ENDPOINT"], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
key = c.create_key(Description="boto3")["KeyMetadata"]["KeyId"]
c.create_alias(AliasName="alias/boto3", TargetKeyId=key)
dk = c.generate_data_key(KeyId="alias/boto3", KeySpec="AES_128", EncryptionContext={"a": "b"})
back = c.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext={"a": "b"})
print("roundtrip", back["Plaintext"] == dk["Plaintext"], len(dk["Plaintext"]))
try:
    c.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext={"a": "c"})
except botocore.exceptions.ClientError as e:
    print("mismatch", e.response["Error"]["Code"])
signer = c.create_key(KeySpec="ECC_NIST_P384", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
sig = c.sign(KeyId=signer, Message=b"hello", SigningAlgorithm="ECDSA_SHA_384")["Signature"]
print("verify", c.verify(KeyId=signer, Message=b"hello", Signature=sig, SigningAlgorithm="ECDSA_SHA_384")["SignatureValid"])
`)
	if got, want := string(out), "roundtrip True 16\nmismatch InvalidCiphertextException\nverify True\n"; got != want {
		t.Errorf("boto3 printed %q, want %q", got, want)
	}
}
