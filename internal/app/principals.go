package app

import (
	"context"
	"fmt"

	"github.com/virga/virga/internal/awsproto"
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
