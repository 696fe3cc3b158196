package lambda

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/deliver"
)

// RoleCheck decides, with --auth iam, whether a session of roleARN named
// session (the function's name, as Lambda names its execution role's
// sessions) may perform action on resource: nil when allowed, or an
// error whose message is AWS's wording of the denial.
type RoleCheck func(ctx context.Context, roleARN, session, action, resource string) error

// EnforceRoles makes Lambda hold functions' execution roles to their
// trust and permissions policies (--auth iam), as AWS does:
// CreateFunction and UpdateFunctionConfiguration refuse a role whose
// trust policy does not let lambda.amazonaws.com assume it (trust) and a
// dead-letter queue the role may not send to, CreateEventSourceMapping
// checks that the role can read the source and the pollers read as the
// role, and an event invoke configuration's destinations must be ones
// the role may send to.
func (s *Service) EnforceRoles(check RoleCheck, trust deliver.Trust) {
	s.roleCheck, s.trust = check, trust
}

// servicePrincipal is the principal Lambda assumes execution roles as.
const servicePrincipal = "lambda.amazonaws.com"

// checkExecutionRole refuses, as CreateFunction and
// UpdateFunctionConfiguration do, an execution role Lambda cannot
// assume (missing, or its trust policy does not allow
// lambda.amazonaws.com sts:AssumeRole) and a dead-letter target the role
// may not send to. role is the role the function will have, dlq its
// dead-letter target ("" for none); function names the role's session.
// It takes no lock.
func (s *Service) checkExecutionRole(ctx context.Context, role, function, dlq string) error {
	if s.trust == nil || role == "" {
		return nil
	}
	ok, err := s.trust(ctx, deliver.Role{ARN: role, Principal: servicePrincipal})
	if err != nil {
		return err
	}
	if !ok {
		return invalidParameter("The role defined for the function cannot be assumed by Lambda.")
	}
	if dlq == "" || s.roleCheck == nil {
		return nil
	}
	var action, service string
	switch deliver.Service(dlq) {
	case "sqs":
		action, service = "SendMessage", "SQS"
	case "sns":
		action, service = "Publish", "SNS"
	default:
		return nil
	}
	if s.roleCheck(ctx, role, function, strings.ToLower(service)+":"+action, dlq) != nil {
		return invalidParameter("The provided execution role does not have permissions to call %s on %s", action, service)
	}
	return nil
}

// executionRole is the execution role of the function (or version) a
// function ARN or name names, and the function's name; "" when there is
// none.
func (s *Service) executionRole(function string, qualifier *string) (role, name string) {
	t, err := s.parseTarget(function, qualifier)
	if err != nil {
		return "", ""
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn := s.functions[t.Name]
	if fn == nil {
		return "", ""
	}
	v, err := s.resolveInvocation(fn, t)
	if err != nil || v == nil {
		return "", ""
	}
	return deref(v.Config.Role), t.Name
}

// latestRole is the execution role and dead-letter target of $LATEST of
// the function a name or ARN names, and the function's name; all ""
// when there is none.
func (s *Service) latestRole(function string) (role, dlq, name string) {
	t, err := s.parseTarget(function, nil)
	if err != nil {
		return "", "", ""
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn := s.functions[t.Name]
	if fn == nil || fn.Latest == nil {
		return "", "", ""
	}
	return deref(fn.Latest.Config.Role), deadLetterTarget(fn.Latest.Config.DeadLetterConfig), t.Name
}

// deadLetterTarget is a DeadLetterConfig's target, or "".
func deadLetterTarget(d *DeadLetterConfig) string {
	if d == nil {
		return ""
	}
	return deref(d.TargetArn)
}

// roleFor is the deliver.Role Lambda sends a function's destinations and
// dead letters with: its execution role. Lambda assumes it when it
// creates the function, so no trust is checked here.
func roleFor(role, function string) *deliver.Role {
	if role == "" {
		return nil
	}
	return &deliver.Role{ARN: role, Session: function}
}

// checkDestinationsRole refuses an event invoke configuration's
// destinations that the execution role of the function (or version) it
// is for may not send to. It runs before the configuration is written,
// without s.mu.
func (s *Service) checkDestinationsRole(ctx context.Context, function string, qualifier *string, d *DestinationConfig) error {
	if s.roleCheck == nil || d == nil {
		return nil
	}
	role, name := s.executionRole(function, qualifier)
	if d.OnSuccess != nil {
		if err := s.checkDestinationRole(ctx, role, name, d.OnSuccess.Destination); err != nil {
			return err
		}
	}
	if d.OnFailure != nil {
		return s.checkDestinationRole(ctx, role, name, d.OnFailure.Destination)
	}
	return nil
}

// destinationActions are the actions the execution role needs on each
// kind of destination, in the order they are checked: a bucket must let
// it write any object and list them.
var destinationActions = map[string][]string{"sqs": {"SendMessage"}, "sns": {"Publish"}, "lambda": {"InvokeFunction"},
	"events": {"PutEvents"}, "s3": {"PutObject", "ListBucket"}}

// checkDestinationRole refuses a destination the execution role may not
// send to, as PutFunctionEventInvokeConfig does on AWS. It takes no
// lock: the caller must not hold s.mu, as the check reads function
// policies.
func (s *Service) checkDestinationRole(ctx context.Context, role, function string, dest *string) error {
	if s.roleCheck == nil || role == "" || dest == nil || *dest == "" {
		return nil
	}
	kind := deliver.Service(*dest)
	for _, action := range destinationActions[kind] {
		resource := *dest
		if action == "PutObject" {
			resource += "/*" // any object of the bucket
		}
		if s.roleCheck(ctx, role, function, kind+":"+action, resource) != nil {
			return invalidParameter("The function's execution role does not have permissions to call %s on %s", action, *dest)
		}
	}
	return nil
}

// Actions an event source mapping's poller performs as the function's
// execution role, in the order Lambda checks them.
var (
	queueActions  = []string{"ReceiveMessage", "DeleteMessage", "GetQueueAttributes"}
	streamActions = []string{"GetRecords", "GetShardIterator", "DescribeStream"}
)

// checkSourceRole refuses a mapping whose function's execution role
// cannot read the source, with CreateEventSourceMapping's messages.
func (s *Service) checkSourceRole(ctx context.Context, role, function, kind, source string) error {
	if s.roleCheck == nil || role == "" {
		return nil
	}
	switch kind {
	case "sqs":
		for _, a := range queueActions {
			if s.roleCheck(ctx, role, function, "sqs:"+a, source) != nil {
				return invalidParameter("The function execution role does not have permissions to call %s on SQS", a)
			}
		}
	case "kinesis", "dynamodb":
		for _, a := range streamActions {
			if s.roleCheck(ctx, role, function, kind+":"+a, source) != nil {
				return invalidParameter("Cannot access stream %s. Please ensure the role can perform the GetRecords, GetShardIterator, "+
					"DescribeStream, and ListStreams Actions on your stream in IAM.", source)
			}
		}
	}
	return nil
}

// pollAllowed decides one read of a mapping's source as the function's
// execution role: nil, or the denial the poller reports.
func (s *Service) pollAllowed(ctx context.Context, cfg EventSourceMappingConfiguration) error {
	if s.roleCheck == nil {
		return nil
	}
	source := *cfg.EventSourceArn
	action := "sqs:ReceiveMessage"
	if kind := sourceKind(source); kind != "sqs" {
		action = kind + ":GetRecords"
	}
	role, name := s.executionRole(*cfg.FunctionArn, nil)
	if role == "" {
		return nil // the function is gone; its invocation fails
	}
	return s.roleCheck(ctx, role, name, action, source)
}
