package policy

import "strings"

// wording is how one service names, in its denials, the action and a
// call that is on no particular resource ("*"). Each entry rests on
// denials AWS answered and clients recorded.
type wording struct {
	// star names a call on "*": "" leaves " on resource" out, "*" keeps
	// it, and anything else is an ARN pattern where {region} and
	// {account} stand for the call's.
	star string
	// byAction names a call on "*" for one action, over star.
	byAction map[string]string
	// lower spells the action in lower case (SQS: "sqs:sendmessage").
	lower bool
	// prefix, when set, replaces the service prefix of the action
	// (SNS: "SNS:Publish").
	prefix string
	// quote puts the resource in double quotes (S3: on resource:
	// "arn:aws:s3:::bucket/key").
	quote bool
	// unnamed are the actions whose denials name no resource, whatever
	// resource they were decided on.
	unnamed map[string]bool
}

// wordings is keyed by the action's service prefix. A service not here
// names a resource as it is and leaves a call on "*" without " on
// resource", as the IAM guide's examples do.
var wordings = map[string]wording{
	// "lambda:ListFunctions on resource: *"
	"lambda": {star: "*"},
	// "ecr:GetAuthorizationToken on resource: *"; DescribeRepositories of
	// every repository names "repository/*".
	"ecr": {star: "*", byAction: map[string]string{
		"ecr:DescribeRepositories": "arn:aws:ecr:{region}:{account}:repository/*"}},
	// "ecs:ListClusters on resource: *"
	"ecs": {star: "*"},
	// "kms:ListKeys on resource: *"
	"kms": {star: "*"},
	// "s3:ListAllMyBuckets because ..." (decided on arn:aws:s3:::*);
	// "s3:PutObject on resource: \"arn:aws:s3:::bucket/key\" because ..."
	"s3": {quote: true, unnamed: map[string]bool{"s3:ListAllMyBuckets": true}},
	// "dynamodb:ListTables on resource: arn:aws:dynamodb:R:A:table/*"
	"dynamodb": {byAction: map[string]string{
		"dynamodb:ListTables": "arn:aws:dynamodb:{region}:{account}:table/*"}},
	// "sqs:listqueues on resource: arn:aws:sqs:R:A: because no
	// identity-based policy allows the sqs:listqueues action"
	"sqs": {lower: true, byAction: map[string]string{
		"sqs:ListQueues": "arn:aws:sqs:{region}:{account}:"}},
	// "SNS:ListTopics on resource: arn:aws:sns:R:A:*", "SNS:Publish on
	// resource: TOPIC"
	"sns": {prefix: "SNS", byAction: map[string]string{
		"sns:ListTopics": "arn:aws:sns:{region}:{account}:*"}},
	// "ssm:DescribeParameters on resource: arn:aws:ssm:R:A:*"
	"ssm": {byAction: map[string]string{
		"ssm:DescribeParameters": "arn:aws:ssm:{region}:{account}:*"}},
	// "logs:DescribeLogGroups on resource:
	// arn:aws:logs:R:A:log-group::log-stream:"
	"logs": {byAction: map[string]string{
		"logs:DescribeLogGroups": "arn:aws:logs:{region}:{account}:log-group::log-stream:"}},
	// "events:ListRules on resource: arn:aws:events:R:A:rule/*"
	"events": {byAction: map[string]string{
		"events:ListRules": "arn:aws:events:{region}:{account}:rule/*"}},
	// "states:ListStateMachines on resource:
	// arn:aws:states:R:A:stateMachine:*"
	"states": {byAction: map[string]string{
		"states:ListStateMachines": "arn:aws:states:{region}:{account}:stateMachine:*"}},
	// "cloudformation:ListStacks on resource:
	// arn:aws:cloudformation:R:A:stack/*/*"
	"cloudformation": {byAction: map[string]string{
		"cloudformation:ListStacks": "arn:aws:cloudformation:{region}:{account}:stack/*/*"}},
	// "iam:ListRoles on resource: arn:aws:iam::A:role/", and user/ for
	// ListUsers
	"iam": {byAction: map[string]string{
		"iam:ListRoles": "arn:aws:iam::{account}:role/",
		"iam:ListUsers": "arn:aws:iam::{account}:user/"}},
	// "cognito-idp:ListUserPools on resource: *"
	"cognito-idp": {star: "*"},
}

// Worded returns action and resource as the service that owns action
// names them in a denial, for a call in region by account: the action
// in the service's spelling, and the resource ("" for none, so that
// Message leaves " on resource" out). resource is the ARN the call was
// decided on, or "*".
func Worded(action, resource, region, account string) (string, string) {
	prefix, name, ok := strings.Cut(action, ":")
	if !ok {
		if resource == "*" {
			resource = ""
		}
		return action, resource
	}
	w := wordings[strings.ToLower(prefix)]
	if resource == "*" {
		resource = w.star
		if named, ok := w.byAction[action]; ok {
			resource = named
		}
		resource = strings.NewReplacer("{region}", region, "{account}", account).Replace(resource)
	}
	if w.unnamed[action] {
		resource = ""
	}
	if w.quote && resource != "" && resource != "*" {
		resource = `"` + resource + `"`
	}
	if w.prefix != "" {
		action = w.prefix + ":" + name
	}
	if w.lower {
		action = strings.ToLower(action)
	}
	return action, resource
}
