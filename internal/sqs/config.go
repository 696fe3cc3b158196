package sqs

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// config is a queue's settable attributes, parsed.
type config struct {
	DelaySeconds           int
	MaximumMessageSize     int
	MessageRetentionPeriod int
	ReceiveWaitSeconds     int
	VisibilityTimeout      int
	Redrive                *redrivePolicy
	FIFO                   bool
	ContentBasedDedup      bool
}

// redrivePolicy is the RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// Limits and defaults of the settable attributes, as SQS documents them.
const (
	maxDelaySeconds = 900
	minMessageSize  = 1024
	maxMessageSize  = 1 << 20
	// defaultMessageSize: MaximumMessageSize "Default: 1,048,576 bytes
	// (1 MiB)" since SQS raised the limit from 256 KiB in 2025; queues
	// that never set it take the new default, as on AWS.
	defaultMessageSize   = maxMessageSize
	minRetention         = 60
	maxRetention         = 1209600
	defaultRetention     = 345600
	maxWaitSeconds       = 20
	maxVisibilityTimeout = 43200
	defaultVisibility    = 30
	maxReceiveCountLimit = 1000
	maxBatchEntries      = 10
	maxBatchPayload      = 1 << 20
	maxMessageAttributes = 10
	defaultKMSReuse      = "300"
	queueNameMaxLength   = 80
	purgeInterval        = 60 // seconds between PurgeQueue calls
	maxMoveTasksListed   = 10
	defaultMoveTaskRate  = 500
	maxMoveTaskRate      = 500
	maxListQueuesResults = 1000
	minListQueuesResults = 1
	maxReceiveMessages   = 10
	// maxInFlight: "For most standard queues ... there can be a maximum
	// of approximately 120,000 in flight messages"; a short-polling
	// receive at the limit fails with OverLimit, a long poll gets no
	// messages. (FIFO queues support 120,000 too, but "Amazon SQS does
	// not return an error" there, so virga does not hold them to it.)
	maxInFlight           = 120000
	dedupWindowSeconds    = 300
	maxTraceHeaderBytes   = 1024
	maxAttributeNameBytes = 256
)

// settable are the attributes CreateQueue and SetQueueAttributes accept;
// fifoOnly only on FIFO queues.
var settable = map[string]bool{
	"DelaySeconds": true, "MaximumMessageSize": true, "MessageRetentionPeriod": true,
	"Policy": true, "ReceiveMessageWaitTimeSeconds": true, "VisibilityTimeout": true,
	"RedrivePolicy": true, "RedriveAllowPolicy": true,
	"KmsMasterKeyId": true, "KmsDataKeyReusePeriodSeconds": true, "SqsManagedSseEnabled": true,
	"FifoQueue": true, "ContentBasedDeduplication": true,
	"DeduplicationScope": true, "FifoThroughputLimit": true,
}

var fifoOnly = map[string]bool{
	"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true,
}

// readOnly are the attributes GetQueueAttributes reports but no call sets.
var readOnly = map[string]bool{
	"ApproximateNumberOfMessages": true, "ApproximateNumberOfMessagesNotVisible": true,
	"ApproximateNumberOfMessagesDelayed": true, "CreatedTimestamp": true,
	"LastModifiedTimestamp": true, "QueueArn": true,
}

// defaults are the settable attributes' values when not set.
func defaults(fifo bool) map[string]string {
	d := map[string]string{
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            strconv.Itoa(defaultMessageSize),
		"MessageRetentionPeriod":        strconv.Itoa(defaultRetention),
		"ReceiveMessageWaitTimeSeconds": "0",
		"VisibilityTimeout":             strconv.Itoa(defaultVisibility),
		"SqsManagedSseEnabled":          "true",
	}
	if fifo {
		d["FifoQueue"] = "true"
		d["ContentBasedDeduplication"] = "false"
		d["DeduplicationScope"] = "queue"
		d["FifoThroughputLimit"] = "perQueue"
	}
	return d
}

// checkAttributes validates attributes for the queue source (its ARN;
// fifo says which kind) and returns them normalized. creating allows
// FifoQueue. allowPolicy finds a dead-letter queue a RedrivePolicy names
// and its RedriveAllowPolicy, which must let source use it.
func checkAttributes(in map[string]string, source string, fifo, creating bool, allowPolicy func(arn string) (string, bool)) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for name, v := range in {
		if !settable[name] {
			return nil, ErrInvalidAttributeName.Withf("Unknown Attribute %s.", name)
		}
		if fifoOnly[name] && !fifo {
			return nil, ErrInvalidAttributeName.Withf("Unknown Attribute %s.", name)
		}
		bad := ErrInvalidAttributeValue.Withf("Invalid value for the parameter %s.", name)
		switch name {
		case "DelaySeconds":
			if !inRange(v, 0, maxDelaySeconds) {
				return nil, bad
			}
		case "MaximumMessageSize":
			if !inRange(v, minMessageSize, maxMessageSize) {
				return nil, bad
			}
		case "MessageRetentionPeriod":
			if !inRange(v, minRetention, maxRetention) {
				return nil, bad
			}
		case "ReceiveMessageWaitTimeSeconds":
			if !inRange(v, 0, maxWaitSeconds) {
				return nil, bad
			}
		case "VisibilityTimeout":
			if !inRange(v, 0, maxVisibilityTimeout) {
				return nil, bad
			}
		case "KmsDataKeyReusePeriodSeconds":
			if !inRange(v, 60, 86400) {
				return nil, bad
			}
		case "FifoQueue":
			if !creating {
				// A standard queue has no FifoQueue attribute; a FIFO
				// queue's may be set to what it is, never changed.
				if !fifo {
					return nil, ErrInvalidAttributeName.Withf("Unknown Attribute %s.", name)
				}
				if v != "true" {
					return nil, ErrInvalidAttributeValue.Withf("Invalid value for the parameter %s. Reason: Modifying queue type is not supported.", name)
				}
				continue
			}
			if v != "true" && v != "false" {
				return nil, bad
			}
			if (v == "true") != fifo {
				if fifo {
					return nil, bad
				}
				return nil, ErrInvalidParameterValue.WithMessage("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
			}
		case "ContentBasedDeduplication", "SqsManagedSseEnabled":
			if v != "true" && v != "false" {
				return nil, bad
			}
		case "DeduplicationScope":
			if v != "queue" && v != "messageGroup" {
				return nil, bad
			}
		case "FifoThroughputLimit":
			if v != "perQueue" && v != "perMessageGroupId" {
				return nil, bad
			}
		case "RedrivePolicy":
			if v == "" {
				break
			}
			p, err := parseRedrive(v)
			if err != nil {
				return nil, err
			}
			if !isQueueARN(p.DeadLetterTargetArn) {
				// SQS rejects what is no queue ARN before it looks
				// for the queue.
				return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.", v)
			}
			allow, ok := allowPolicy(p.DeadLetterTargetArn)
			if !ok {
				return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", v)
			}
			if strings.HasSuffix(p.DeadLetterTargetArn, ".fifo") != fifo {
				return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source..", v)
			}
			if rap, ok := parseRedriveAllow(allow); ok && !rap.allows(source) {
				return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: The dead-letter queue's RedriveAllowPolicy does not allow %s to use it as its dead-letter queue.", v, source)
			}
			v = string(mustJSON(p))
		case "RedriveAllowPolicy":
			if _, ok := parseRedriveAllow(v); v != "" && !ok {
				return nil, ErrInvalidAttributeValue.Withf("Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.")
			}
		case "Policy":
			if v != "" && !json.Valid([]byte(v)) {
				return nil, ErrInvalidAttributeValue.Withf("Invalid value for the parameter Policy.")
			}
		}
		out[name] = v
	}
	return out, nil
}

func parseRedrive(v string) (*redrivePolicy, error) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.", v)
	}
	p := &redrivePolicy{}
	arn, _ := raw["deadLetterTargetArn"].(string)
	if arn == "" {
		return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.", v)
	}
	p.DeadLetterTargetArn = arn
	var n int
	switch c := raw["maxReceiveCount"].(type) {
	case float64:
		n = int(c)
		if float64(n) != c {
			n = -1
		}
	case string:
		var err error
		if n, err = strconv.Atoi(c); err != nil {
			n = -1
		}
	case nil:
		return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.", v)
	default:
		n = -1
	}
	if n < 1 || n > maxReceiveCountLimit {
		return nil, ErrInvalidParameterValue.Withf("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %v, valid values are from 1 to 1000 both inclusive.", v, raw["maxReceiveCount"])
	}
	p.MaxReceiveCount = n
	return p, nil
}

// redriveAllowPolicy is the RedriveAllowPolicy attribute: which source
// queues may name the queue as their dead-letter queue.
type redriveAllowPolicy struct {
	// RedrivePermission is allowAll (any queue of the account and
	// Region; the default), denyAll, or byQueue (those of
	// SourceQueueArns).
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns"`
}

// maxRedriveSources: "You can specify up to 10 source queue ARNs."
const maxRedriveSources = 10

// parseRedriveAllow reads a RedriveAllowPolicy; ok is false for one SQS
// refuses: no JSON object, an unknown redrivePermission, or
// sourceQueueArns other than 1 to 10 ARNs with byQueue. The empty
// policy is allowAll.
func parseRedriveAllow(v string) (p redriveAllowPolicy, ok bool) {
	if v == "" {
		return redriveAllowPolicy{RedrivePermission: "allowAll"}, true
	}
	if json.Unmarshal([]byte(v), &p) != nil {
		return p, false
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
		return p, p.SourceQueueArns == nil
	case "byQueue":
		return p, len(p.SourceQueueArns) >= 1 && len(p.SourceQueueArns) <= maxRedriveSources
	}
	return p, false
}

// allows reports whether the queue whose ARN is source may name the
// queue with policy p as its dead-letter queue.
func (p redriveAllowPolicy) allows(source string) bool {
	switch p.RedrivePermission {
	case "denyAll":
		return false
	case "byQueue":
		return slices.Contains(p.SourceQueueArns, source)
	}
	return true
}

// isQueueARN reports whether s has the shape of a queue's ARN:
// arn:partition:sqs:region:account:name.
func isQueueARN(s string) bool {
	parts := strings.Split(s, ":")
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] == "sqs" &&
		parts[3] != "" && parts[4] != "" && parts[5] != ""
}

func inRange(v string, lo, hi int) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n >= lo && n <= hi
}

// parseConfig reads the effective settings from a queue's attributes.
func parseConfig(attrs map[string]string, fifo bool) config {
	get := func(name string, def int) int {
		if v, ok := attrs[name]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
		return def
	}
	c := config{
		DelaySeconds:           get("DelaySeconds", 0),
		MaximumMessageSize:     get("MaximumMessageSize", defaultMessageSize),
		MessageRetentionPeriod: get("MessageRetentionPeriod", defaultRetention),
		ReceiveWaitSeconds:     get("ReceiveMessageWaitTimeSeconds", 0),
		VisibilityTimeout:      get("VisibilityTimeout", defaultVisibility),
		FIFO:                   fifo,
		ContentBasedDedup:      attrs["ContentBasedDeduplication"] == "true",
	}
	if v := attrs["RedrivePolicy"]; v != "" {
		if p, err := parseRedrive(v); err == nil {
			c.Redrive = p
		}
	}
	return c
}

// sameAttributes reports the first attribute (in name order) that a
// CreateQueue request gives a value other than the existing queue's, or
// "". Attributes the request leaves out are not compared: "Amazon SQS
// returns this error only if the request includes attributes whose values
// differ from those of the existing queue" (QueueNameExists), so a
// CreateQueue that names only the queue returns its URL.
func sameAttributes(have, want map[string]string, fifo bool) string {
	d := defaults(fifo)
	names := make([]string, 0, len(want))
	for k := range want {
		names = append(names, k)
	}
	sortStrings(names)
	for _, k := range names {
		cur, ok := have[k]
		if !ok {
			cur = d[k]
		}
		if want[k] != cur {
			return k
		}
	}
	return ""
}
