package stepfunctions

import "testing"

// TestSDKErrorName checks the names AWS SDK integrations give service
// errors: ServiceName.ErrorName in Pascal case, ending in Exception.
func TestSDKErrorName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ service, code, want string }{
		{"dynamodb", "TransactionCanceledException", "DynamoDb.TransactionCanceledException"},
		{"s3", "NoSuchKey", "S3.NoSuchKeyException"},
		{"s3", "BucketAlreadyExists", "S3.BucketAlreadyExistsException"},
		{"sfn", "ExecutionDoesNotExist", "Sfn.ExecutionDoesNotExistException"},
		{"lambda", "ResourceNotFoundException", "Lambda.ResourceNotFoundException"},
		{"acmpca", "ResourceNotFoundException", "AcmPca.ResourceNotFoundException"},
		{"eventbridge", "ResourceNotFoundException", "EventBridge.ResourceNotFoundException"},
		{"kinesis", "com.amazonaws.kinesis#ResourceNotFoundException", "Kinesis.ResourceNotFoundException"},
	} {
		if got := sdkErrorName(c.service, c.code); got != c.want {
			t.Errorf("sdkErrorName(%q, %q) = %q, want %q", c.service, c.code, got, c.want)
		}
	}
}
