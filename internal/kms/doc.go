// Package kms is AWS Key Management Service (awsJson 1.1, target prefix
// TrentService, signing name kms): keys that encrypt, sign and make
// MACs, their aliases, and the cryptographic operations on them.
//
// Keys: CreateKey makes symmetric encryption keys (SYMMETRIC_DEFAULT,
// 256-bit AES-GCM), RSA keys (RSA_2048/3072/4096, for ENCRYPT_DECRYPT or
// SIGN_VERIFY), elliptic curve keys (ECC_NIST_P256/P384/P521 and
// ECC_SECG_P256K1, SIGN_VERIFY) and HMAC keys (HMAC_224/256/384/512,
// GENERATE_VERIFY_MAC); another KeyUsage for a spec is refused. A key is
// Enabled, Disabled (DisabledException on use) or PendingDeletion
// (KMSInvalidStateException on use and on most management operations);
// ScheduleKeyDeletion takes a window of 7-30 days (30 by default) and
// CancelKeyDeletion leaves the key Disabled, as AWS does. A key past its
// deletion date is deleted, with its aliases, when next read (the clock
// decides, so a fake clock tests it). A KeyId may be the key id, the key
// ARN, an alias name or an alias ARN.
//
// AWS managed keys: the aliases alias/aws/secretsmanager, ssm, s3, sqs,
// sns, dynamodb, lambda and kinesis name keys that AWS makes the first time they
// are referred to (KeyManager AWS, rotation on); until then ListAliases
// shows the alias without a TargetKeyId, as AWS does. Their settings,
// state and aliases cannot be changed.
//
// Rotation: a symmetric key with rotation enabled gets new key material
// RotationPeriodInDays (90-2560, default 365) after rotation was enabled
// and every period after; RotateKeyOnDemand (at most 25 times a key)
// rotates at once without moving that schedule, and ListKeyRotations
// lists both kinds. A disabled key does not rotate; enabled again after
// its date, it rotates at once and its schedule starts from then.
// Ciphertexts name the generation of material they were
// made with, so older ones keep decrypting. An automatic rotation happens
// when the key is next read after its date has passed; an on-demand one
// is complete when the call returns.
//
// Ciphertexts: a symmetric ciphertext blob is
//
//	0x01 ‖ key id (36 ASCII bytes) ‖ material generation (uint32, big-endian) ‖
//	nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ GCM tag (16 bytes)
//
// whose additional authenticated data is the first 53 bytes followed by
// the encryption context's pairs in key order, each key and value
// preceded by its length as a uvarint. Decrypt without KeyId reads the
// key id from the blob; with a KeyId that names another key it fails
// with IncorrectKeyException, and with another encryption context with
// InvalidCiphertextException. RSA ciphertexts are plain RSAES-OAEP
// output (no header), so Decrypt needs the KeyId; RSA keys take no
// encryption context. Signatures: RSASSA-PSS with a salt as long as the
// hash, RSASSA-PKCS1-v1_5, and DER-encoded ECDSA. GetPublicKey and the
// data key pairs give DER SubjectPublicKeyInfo public keys and PKCS #8
// private keys.
//
// Store layout (tuples, package keys):
//
//	("kms", "key", id)      → key (JSON): metadata, policy, tags, sealed material
//	("kms", "alias", name)  → alias (JSON): target key id, dates
//	("kms", "datakey")      → the data key key material is sealed with
//
// Key material is sealed with AES-256-GCM (package sealed) under a data
// key kept in the store: it is never stored in the clear, but whoever
// can read the whole data directory has it.
//
// Concurrency: Service.mu serializes reads and read-modify-writes of
// keys and aliases (a read may rotate or delete a key); cryptography runs
// after it is released, on a copy of the key.
//
// Not supported: multi-Region keys, imported key material (Origin
// EXTERNAL), custom key stores, SM2 keys, grants, and key agreement.
// Key policies are evaluated only with --auth iam, on calls made to the
// edge (authz.go: every call on a key needs its policy's allow); uses
// of a key by Secrets Manager and Parameter Store inside virga are not
// checked against it. Secrets Manager and Parameter Store check the key a
// secret or SecureString names with CheckEncryptionKey (which also makes
// their AWS managed keys on first use) but seal values with their own
// data keys, not under the KMS key.
package kms
