package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/iam"
	"github.com/virga/virga/internal/iam/policy"
)

// servicePrincipals decides, with --auth iam, the calls services make to
// each other on behalf of their resources, as AWS does: SNS sending to a
// queue, EventBridge and S3 invoking a function or sending to a queue or
// topic, API Gateway invoking a function. The target's resource-based
// policy must allow the sender's service principal the action, with
// aws:SourceArn and aws:SourceAccount naming the sending resource. It is
// nil without --auth iam, and nothing is checked.
type servicePrincipals struct {
	authz *iam.Authorizer
	// byService are the services whose resource policies are consulted,
	// by the service part of an ARN: sqs, sns, lambda.
	byService map[string]*awsproto.Service
}

// actions are what each target service's policy must allow a service
// principal that delivers to it.
var senderActions = map[string]string{"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction"}

// permitted is check for services that validate a destination before
// they send to it (S3's PutBucketNotificationConfiguration).
func (t *targets) permitted(ctx context.Context, target string, s deliver.Sender) error {
	return t.principals.check(ctx, s, target)
}

// check returns nil when the resource-based policy of target allows
// sender to deliver to it, or the target service's AccessDenied when it
// does not. Targets that take no resource-based policy (event buses,
// state machines, which AWS reaches with a role's permissions) are not
// checked.
func (p *servicePrincipals) check(ctx context.Context, s deliver.Sender, target string) error {
	if p == nil {
		return nil
	}
	kind := deliver.Service(target)
	action, ok := senderActions[kind]
	if !ok {
		return nil
	}
	svc := p.byService[kind]
	if svc == nil {
		return nil
	}
	allowed, err := p.authz.AllowsService(ctx, svc, s.Principal, action, target, s.SourceARN, s.SourceAccount)
	if err != nil || allowed {
		return err
	}
	worded, res := policy.Worded(action, target, "", "") // target is an ARN: no region needed
	return fmt.Errorf("%w: %w", deliver.ErrNotAuthorized,
		svc.AccessDenied.WithMessage(policy.Decision{PolicyType: policy.ResourceBased}.Message(s.Principal, worded, res)))
}

// callerCredentials is the credentials value with which a REST API
// integration acts as its caller rather than as a role.
const callerCredentials = "arn:aws:iam::*:user/*"

// apiGatewayInvoke decides, with --auth iam, whether API Gateway (REST
// and HTTP APIs alike) may invoke function for sourceARN, a method's,
// route's or authorizer's execute-api ARN: with roleARN (credentials on
// the integration or authorizer), as a session of that role, which must
// trust apigateway.amazonaws.com and allow lambda:InvokeFunction;
// without, by the function's policy, which must allow
// apigateway.amazonaws.com with aws:SourceArn sourceARN.
func (t *targets) apiGatewayInvoke(ctx context.Context, account, function, sourceARN, roleARN string) error {
	const principal = "apigateway.amazonaws.com"
	switch roleARN {
	case "":
		return t.principals.check(ctx, deliver.Sender{Principal: principal, SourceARN: sourceARN, SourceAccount: account}, function)
	case callerCredentials:
		// The caller's own credentials: not decided here.
		return nil
	}
	return t.roles.check(ctx, deliver.Role{ARN: roleARN, Principal: principal, SourceARN: sourceARN, SourceAccount: account}, function)
}

// roleActions are what a role a service sends with must allow on each
// kind of target: SendMessage to a queue, Publish to a topic,
// InvokeFunction on a function, PutEvents on an event bus,
// StartExecution on a state machine, PutObject on a bucket's object and
// PutRecord on a Firehose stream.
var roleActions = map[string]string{"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
	"events": "events:PutEvents", "states": "states:StartExecution", "kinesis": "kinesis:PutRecord", "s3": "s3:PutObject",
	"firehose": "firehose:PutRecord"}

// roleSessions decides, with --auth iam, the sends a service makes with
// a role it was given (a schedule's RoleArn, a rule target's RoleArn, a
// function's execution role): the role's trust policy must let the
// service assume it, and the session is then held to the role's
// policies and the target's resource-based policy, as AWS does. It is
// nil without --auth iam, and nothing is checked.
type roleSessions struct {
	authz  *iam.Authorizer
	region string
	ids    interface{ Hex(int) string }
	// service finds a target's service, for its resource-based policy
	// and its AccessDenied error, by the service part of its ARN; "sts"
	// gives roles' trust policies.
	service func(name string) *awsproto.Service
}

// check returns nil when r may be assumed by its service and allows the
// send to target, or an error wrapping deliver.ErrNotAuthorized and the
// AccessDenied error AWS answers: STS's when the role may not be
// assumed, the target service's when the role does not allow the send.
func (s *roleSessions) check(ctx context.Context, r deliver.Role, target string) error {
	if s == nil {
		return nil
	}
	if r.Principal != "" {
		if err := s.assume(ctx, r); err != nil {
			return err
		}
	}
	kind := deliver.Service(target)
	action, ok := roleActions[kind]
	if !ok {
		return nil
	}
	return s.authorize(ctx, r.ARN, r.Session, action, target)
}

// trusts is deliver.Trust: whether r's role exists and its trust policy
// lets r.Principal assume it.
func (s *roleSessions) trusts(ctx context.Context, r deliver.Role) (bool, error) {
	return s.authz.AllowsService(ctx, s.service("sts"), r.Principal, "sts:AssumeRole", r.ARN, r.SourceARN, r.SourceAccount)
}

// assume decides whether r's service may assume r: its trust policy
// must allow the service principal sts:AssumeRole.
func (s *roleSessions) assume(ctx context.Context, r deliver.Role) error {
	sts := s.service("sts")
	ok, err := s.authz.AllowsService(ctx, sts, r.Principal, "sts:AssumeRole", r.ARN, r.SourceARN, r.SourceAccount)
	if err != nil || ok {
		return err
	}
	denied := iam.ErrDenied
	if sts != nil {
		denied = sts.AccessDenied
	}
	return fmt.Errorf("%w: %w", deliver.ErrNotAuthorized,
		denied.WithMessage(policy.Decision{PolicyType: policy.ResourceBased}.Message(r.Principal, "sts:AssumeRole", r.ARN)))
}

// authorize decides action on resource for a session of roleARN (named
// session, or anew when it is empty), and words a refusal as the
// resource's service does.
func (s *roleSessions) authorize(ctx context.Context, roleARN, session, action, resource string) error {
	svc := s.service(deliver.Service(resource))
	if session == "" {
		session = s.ids.Hex(16)
	}
	err := s.authz.AuthorizeRole(ctx, roleARN, session, s.region, svc, action, resource)
	if err == nil {
		return nil
	}
	if svc != nil && errors.Is(err, iam.ErrDenied) {
		msg := err.Error()
		if e := apierr.As(err); e != nil {
			msg = e.Message
		}
		err = svc.AccessDenied.WithMessage(msg)
	}
	return fmt.Errorf("%w: %w", deliver.ErrNotAuthorized, err)
}
