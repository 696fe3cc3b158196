package stepfunctions

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/stepfunctions/asl"
)

// RoleCheck decides, with --auth iam, whether a session of roleARN may
// perform action on resource (a function's ARN for lambda:InvokeFunction):
// nil when allowed, or an error whose message is AWS's wording of the
// denial.
type RoleCheck func(ctx context.Context, roleARN, session, action, resource string) error

// EnforceRoles makes Task states that invoke a function do so as a
// session of their state machine's role (--auth iam).
func (s *Service) EnforceRoles(check RoleCheck) { s.roleCheck = check }

// functionARN is the ARN of a function a task names by name, name with
// a qualifier, partial ARN (ACCOUNT:function:NAME) or ARN.
func (s *Service) functionARN(fn string) string {
	switch {
	case strings.HasPrefix(fn, "arn:"):
		return fn
	case strings.Contains(fn, ":function:"):
		return "arn:aws:lambda:" + s.region + ":" + fn
	}
	return "arn:aws:lambda:" + s.region + ":" + s.account + ":function:" + fn
}

// authorizeInvoke decides lambda:InvokeFunction on fn for a session of
// the execution's role. Lambda refuses it with AccessDeniedException,
// which fails the task as Step Functions reports a Lambda service error
// (Lambda.AWSLambdaException), its cause Lambda's message followed by
// the error's service, status, code and request id.
func (x *execEnv) authorizeInvoke(ctx context.Context, fn string) error {
	if x.s.roleCheck == nil {
		return nil
	}
	x.r.mu.Lock()
	role := x.r.exec.RoleArn
	x.r.mu.Unlock()
	err := x.s.roleCheck(ctx, role, x.s.ids.Hex(16), "lambda:InvokeFunction", x.s.functionARN(fn))
	if err == nil {
		return nil
	}
	msg := err.Error()
	if ae := apierr.As(err); ae != nil {
		msg = ae.Message
	}
	return &asl.Failure{Name: "Lambda.AWSLambdaException", Cause: fmt.Sprintf(
		"%s (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: %s; Proxy: null)", msg, x.s.ids.UUID())}
}
