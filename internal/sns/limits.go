package sns

import "time"

// SNS's limits, with the AWS documentation's wording.
const (
	// maxMessageBytes: "messages must be UTF-8 encoded strings and at most
	// 256 KB in size (262,144 bytes, not 262,144 characters)"; message
	// attributes count towards it.
	maxMessageBytes = 262144
	// maxSubjectLength: subjects "must be less than 100 characters long";
	// virga accepts 100.
	maxSubjectLength = 100
	// maxTopicNameLength: "Topic names must be made up of only uppercase and
	// lowercase ASCII letters, numbers, underscores, and hyphens, and must
	// be between 1 and 256 characters long" (".fifo" included).
	maxTopicNameLength = 256
	// maxBatchEntries: PublishBatch takes up to 10 messages.
	maxBatchEntries = 10
	// maxBatchEntryIDLength: an Id "can have up to 80 characters".
	maxBatchEntryIDLength = 80
	// maxGroupIDLength: "The length of MessageGroupId is 128 characters"
	// (MessageDeduplicationId likewise).
	maxGroupIDLength = 128
	// dedupWindow: "any message sent with the same MessageDeduplicationId
	// during the 5-minute deduplication interval is treated as a
	// duplicate".
	dedupWindow = 5 * time.Minute
	// maxTagsPerResource: SNS's quota of tags per topic is 50.
	maxTagsPerResource = 50
	// maxRawSQSAttributes: "For SQS subscriptions, a maximum of 10 message
	// attributes can be sent when Raw Message Delivery is enabled ...
	// Messages with more than 10 message attributes directed towards Raw
	// Message Delivery enabled Amazon SQS subscriptions will be discarded
	// as client side errors."
	maxRawSQSAttributes = 10
	// listPageSize is how many topics or subscriptions a List call returns
	// at most: "Each call returns a limited list of topics, up to 100."
	listPageSize = 100
	// maxDataProtectionPolicyLength: "Length Constraints: Maximum length of
	// 30,720."
	maxDataProtectionPolicyLength = 30720
	// httpDeliveryTimeout bounds one POST to an HTTP/S endpoint: SNS
	// counts an endpoint that has not answered in 15 seconds as failed.
	httpDeliveryTimeout = 15 * time.Second
	// maxRetryWindow: "The total policy retry time for an HTTP/S endpoint
	// cannot be greater than 3,600 seconds."
	maxRetryWindow = 3600 * time.Second
	// maxPolicyRetries and maxDelayTarget bound a delivery policy:
	// numRetries is 0 to 100, maxDelayTarget at most 3,600 seconds.
	maxPolicyRetries = 100
	maxDelayTarget   = 3600
)
