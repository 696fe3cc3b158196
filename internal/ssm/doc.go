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
// Parameter policies (policies.go): PutParameter's Policies, a JSON
// array of up to 10 policies, one of each type, Version "1.0":
// Expiration (Timestamp in ISO_INSTANT or ISO_OFFSET_DATE_TIME) deletes
// the parameter at that time; ExpirationNotification (Before, Unit Days
// or Hours) acts that long before the Expiration; NoChangeNotification
// (After, Unit) acts that long after the parameter last changed. They
// are for the Advanced tier only (Intelligent-Tiering picks it for a
// parameter with policies). A version made without Policies keeps its
// predecessor's ("All existing policies are preserved until you send new
// policies or an empty policy"), a change restarting the wait of a
// NoChangeNotification. Service.Run carries them out as the clock
// (injected, so a fake clock drives them) reaches them: the policy turns
// from Pending to Finished, as DescribeParameters and
// GetParameterHistory show it, and an event from aws.ssm, detail-type
// "Parameter Store Policy Action", with the parameter's ARN as resource
// and parameter-name, parameter-type, policy-type and action-status in
// its detail, goes to the default bus (Deps.Events). Errors are
// InvalidPolicyTypeException, InvalidPolicyAttributeException,
// PoliciesLimitExceededException and IncompatiblePolicyException, as
// AWS's model names them, and ValidationException for policies on a
// Standard parameter; their messages are virga's, not AWS's verbatim.
//
// GetParameter shows no policies: AWS's Parameter shape has none.
//
// Changes (changes.go): PutParameter (Create, Update), DeleteParameter
// and DeleteParameters (Delete) put "Parameter Store Change" events on
// the default bus, after the service's lock is released.
//
// Not supported: "Parameter Store Change" events for
// LabelParameterVersion, the Failed and InProgress policy statuses, AWS's public
// parameters under /aws/service
// (they answer ParameterNotFound), aws:ec2:image parameters are checked
// for the AMI id format only (there are no images to look up, so no
// SourceResult), shared (cross-account)
// parameters, the other parts of Systems Manager (documents, Run Command,
// sessions, inventory, ...), and tagging resources other than
// parameters. GetParameterHistory and DescribeParameters return up to 50
// items a page when MaxResults is absent; the ParameterNotFound of
// GetParameter has an empty message, as AWS's has.
package ssm
