// Package secretsmanager is AWS Secrets Manager (awsJson 1.1, target
// prefix secretsmanager): secrets with string or binary values in
// versions that staging labels (AWSCURRENT, AWSPREVIOUS, AWSPENDING and
// the caller's own) point at, scheduled deletion with a recovery window,
// tags, and GetRandomPassword. CloudFormation reads secrets through
// Service.Resolve for {{resolve:secretsmanager:...}} references and
// makes passwords for GenerateSecretString with GeneratePassword.
//
// Store layout (tuples, package keys):
//
//	("secretsmanager", "secret", name) → secret (JSON): metadata, tags, versions
//	("secretsmanager", "datakey")      → the data key values are sealed with
//
// A secret's ARN is arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX
// with six random letters and digits, fixed at creation; a SecretId may
// be the name, the ARN, or the ARN without its suffix. Values are sealed
// with AES-256-GCM (package sealed) under a data key kept in the store.
// KmsKeyId (the AWS managed key alias/aws/secretsmanager when absent)
// names a KMS key that must be usable (Deps.Keys): storing a value fails
// with EncryptionFailure and GetSecretValue with DecryptionFailure when it
// is missing, disabled, pending deletion or not a symmetric encryption
// key. Values are not encrypted under the KMS key itself.
//
// Versions: a new value (CreateSecret, PutSecretValue, UpdateSecret)
// becomes a version whose id is the request's ClientRequestToken (the
// SDKs and the CLI fill one in) or a new UUID; a retry with the same
// token and value changes nothing, a different value under an existing
// token is ResourceExistsException. Moving AWSCURRENT, by a new version
// or UpdateSecretVersionStage, gives the version that had it AWSPREVIOUS.
// Versions left with no label are deprecated; the oldest are dropped
// beyond 100.
//
// Deletion: DeleteSecret schedules deletion after RecoveryWindowInDays
// (7-30, default 30) or, with ForceDeleteWithoutRecovery, deletes at
// once. A scheduled secret answers InvalidRequestException to every
// operation but DescribeSecret, ListSecrets (with IncludePlannedDeletion),
// RestoreSecret and a forced DeleteSecret, and its name cannot be reused
// until it is gone; a secret past its deletion date is removed when next
// read (the clock decides, so a fake clock tests it).
//
// Rotation: RotateSecret records the function and rules, adds an empty
// version (the request's token) labelled AWSPENDING, and invokes the
// function, in the background, with the steps createSecret, setSecret,
// testSecret and finishSecret (SecretId, ClientRequestToken,
// RotationToken), stopping at the first that fails; the function fills
// the version with PutSecretValue and moves AWSCURRENT. When AWSCURRENT
// ends on the new version, AWSPENDING comes off it and LastRotatedDate
// is set. A rotation whose AWSPENDING version never became current
// blocks the next ("A previous rotation isn't complete").
// CancelRotateSecret turns rotation off and leaves the labels as they
// are, as AWS does. Service.Close waits for rotations in progress.
//
// BatchGetSecretValue reads the AWSCURRENT value of up to 20 secrets
// named by SecretIdList, or chosen by ListSecrets' Filters (oldest
// first, 20 a page unless MaxResults says fewer, NextToken for the
// rest); a secret it cannot read goes into Errors with GetSecretValue's
// code and message, and the call succeeds. MaxResults and NextToken are
// refused with SecretIdList, as are both or neither of SecretIdList and
// Filters.
//
// Concurrency: Service.mu serializes read-modify-write of secrets; it is
// never held while a rotation function runs (the function calls back).
// KMS is asked about keys with mu held (lock order: Secrets Manager's
// mu, then KMS's); KMS never calls back.
//
// Not supported: scheduled rotation (RotationRules are stored and shown,
// but rotation runs only when RotateSecret asks for it), checking that
// the function lets Secrets Manager invoke it, deciding calls with
// resource policies (PutResourcePolicy keeps one, checking its syntax
// and, with BlockPublicPolicy, refusing an Allow to Principal "*"
// without a condition, which ValidateResourcePolicy reports as
// PUBLIC_ACCESS_CHECK; no other check is made), replication to other regions, the owning-service filter, and
// encryption under the KMS key itself (nor are key policies evaluated).
// ListSecrets sorts by creation date, oldest first unless SortOrder is
// desc, and its primary-region filter matches nothing (secrets are not
// replicated).
package secretsmanager
