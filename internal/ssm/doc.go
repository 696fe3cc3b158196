// Package ssm is the Parameter Store of AWS Systems Manager (awsJson
// 1.1, target prefix AmazonSSM): parameters of type String, StringList
// and SecureString with versions, labels, tags, tiers, allowed patterns
// and data types, read one at a time, in batches, by path or through
// DescribeParameters' filters. CloudFormation reads parameters through
// Service.Resolve for {{resolve:ssm:...}} references and SSM-typed
// template parameters.
//
// Store layout (tuples, package keys):
//
//	("ssm", "param", name)   → param (JSON): tags and up to 100 versions
//	("ssm", "datakey")       → the data key SecureString values are sealed with
//
// A parameter and all its versions are one record, so a version, its
// labels and the parameter's tags change together in one batch. Names
// are stored as given (a top-level name may be "x" or "/x", which are
// two parameters, as on AWS); the ARN of either is
// arn:aws:ssm:REGION:ACCOUNT:parameter/x.
//
// SecureString values are sealed with AES-256-GCM (package sealed) under
// a data key kept in the store: a read without WithDecryption returns the
// sealed value base64-encoded, as AWS returns the KMS ciphertext. KeyId
// ("alias/aws/ssm", the AWS managed key, by default) names a KMS key that
// must be usable (Deps.Keys): PutParameter and reads WithDecryption fail
// with InvalidKeyId when it is missing, disabled, pending deletion or not
// a symmetric encryption key. The value is not encrypted under the KMS
// key itself.
//
// Names follow "Requirements and constraints for parameter names": a
// slash-separated path must start with a slash, segments use
// a-zA-Z0-9_.-, at most 15 levels, not prefixed with "aws" or "ssm"
// (case-insensitive), and the ARN at most 1011 characters. Selectors
// name:VERSION and name:LABEL work in GetParameter and GetParameters.
//
// Concurrency: Service.mu serializes read-modify-write of parameters;
// reads go to the store without it. KMS is asked about keys with mu held
// (lock order: Parameter Store's mu, then KMS's); KMS never calls back.
//
// Not supported: parameter policies (Expiration, ExpirationNotification,
// NoChangeNotification; PutParameter with Policies is refused with
// InvalidPolicyTypeException), AWS's public parameters under /aws/service
// (they answer ParameterNotFound), aws:ec2:image parameters are checked
// for the AMI id format only (there are no images to look up, so no
// SourceResult), shared (cross-account)
// parameters, the other parts of Systems Manager (documents, Run Command,
// sessions, inventory, ...), and tagging resources other than
// parameters. GetParameterHistory and DescribeParameters return up to 50
// items a page when MaxResults is absent; the ParameterNotFound of
// GetParameter has an empty message, as AWS's has.
package ssm
