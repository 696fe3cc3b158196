package providers

import (
	"crypto/rand"
	randv2 "math/rand/v2"

	"github.com/virga/virga/internal/cfn/resource"
)

// randomLen is the length of the random part of the names CloudFormation
// makes (13 upper-case letters and digits, as in
// "mystack-Queue-1T2Y3ZQ4W5V6X").
const randomLen = 13

// Name limits of the services, as their documentation states them.
const (
	maxTableName       = 255 // DynamoDB table names: 3 to 255 characters
	maxFunctionName    = 64  // Lambda function names: 64 characters
	maxStatementID     = 100 // Lambda permission statement ids
	maxLayerName       = 140 // Lambda layer names
	maxQueueName       = 80  // SQS queue names, .fifo included
	maxTopicName       = 256 // SNS topic names, .fifo included
	maxRuleName        = 64  // EventBridge rule names
	maxEventBusName    = 256 // EventBridge event bus names
	maxArchiveName     = 48  // EventBridge archive names
	maxScheduleName    = 64  // EventBridge Scheduler schedule and group names
	maxLogGroupName    = 512 // CloudWatch Logs log group names
	maxRoleName        = 64  // IAM role names
	maxPolicyName      = 128 // IAM policy and managed policy names
	maxInstanceProfile = 128 // IAM instance profile names
	maxUserName        = 64  // IAM user names
	maxGroupName       = 128 // IAM group names
	// maxPolicyID bounds the generated physical IDs of the policy types
	// that have no name of their own (SQS queue and SNS topic policies).
	maxPolicyID = 255
)

// handlerRandomLen is the length of the random part of the names
// CloudFormation's newer resource handlers make (12 letters of both
// cases and digits, as in "app-Function-dOcfAtYoEiGo" or, from a logical
// ID alone, "Flow-3ypO3dryEmXE").
const handlerRandomLen = 12

// maxLogicalName bounds the names the handlers make from a logical ID
// alone where the type sets no bound of its own: a state machine is
// named "LogicalId-RANDOM" within 40 characters, its logical ID cut to
// the first 27.
const maxLogicalName = 40

// logicalName is the name CloudFormation gives a resource its template
// does not name, for the types that name it by its logical ID alone
// (state machines and their aliases, whose names omit the stack's): the
// logical ID, shortened to fit, a hyphen and handlerRandomLen random
// letters and digits, within max characters.
func logicalName(r *resource.Request, max int) string {
	return generatedName("", r.LogicalID, mixedRandomPart(), max, "")
}

// handlerName is physicalName for the types whose newer handlers make
// the name (Lambda functions): STACK-LOGICALID-RANDOM with
// handlerRandomLen random letters of both cases and digits.
func handlerName(r *resource.Request, max int) string {
	return generatedName(r.StackName, r.LogicalID, mixedRandomPart(), max, "")
}

// physicalName is the name CloudFormation gives a resource its template
// does not name: the stack's name, the logical ID and a random part,
// joined by hyphens, within max characters. When the whole is too long
// the longer of the stack name and the logical ID is shortened first, so
// that both stay recognizable.
func physicalName(r *resource.Request, max int) string {
	return physicalNameWithSuffix(r, max, "")
}

// physicalNameWithSuffix is physicalName for names that must end with
// suffix (a FIFO queue's or topic's ".fifo"), which counts in max.
func physicalNameWithSuffix(r *resource.Request, max int, suffix string) string {
	return generatedName(r.StackName, r.LogicalID, randomPart(), max, suffix)
}

// generatedName joins stack, logical and random within max characters,
// then suffix.
func generatedName(stack, logical, random string, max int, suffix string) string {
	budget := max - len(suffix) - len(random) - 1 // "-" before random
	stem := fitStem(stack, logical, budget)
	if stem == "" {
		name := random
		if len(name) > max-len(suffix) {
			name = name[:max-len(suffix)]
		}
		return name + suffix
	}
	return stem + "-" + random + suffix
}

// fitStem joins stack and logical with a hyphen in at most budget
// characters, shortening the longer of the two first.
func fitStem(stack, logical string, budget int) string {
	switch {
	case stack == "":
		return truncate(logical, budget)
	case logical == "":
		return truncate(stack, budget)
	}
	if budget < len("s-l") {
		return truncate(logical, budget)
	}
	for len(stack)+1+len(logical) > budget {
		if len(stack) >= len(logical) {
			stack = stack[:len(stack)-1]
		} else {
			logical = logical[:len(logical)-1]
		}
	}
	return stack + "-" + logical
}

func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// mixedRandomPart is handlerRandomLen random letters of both cases and
// digits.
func mixedRandomPart() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, handlerRandomLen)
	for i := range b {
		b[i] = alphabet[randv2.IntN(len(alphabet))]
	}
	return string(b)
}

// randomPart is randomLen random upper-case letters and digits
// (crypto/rand's Text uses the base32 alphabet, A-Z and 2-7).
func randomPart() string {
	return rand.Text()[:randomLen]
}
