package stepfunctions

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/stepfunctions/asl"
)

// RoleCheck decides, with --auth iam, whether a session of roleARN may
// perform action on resource (a function's ARN for lambda:InvokeFunction):
// nil when allowed, or an error whose message is AWS's wording of the
// denial.
type RoleCheck func(ctx context.Context, roleARN, session, action, resource string) error

// RoleCaller runs an operation of a service in-process as a session of
// roleARN, authorized as the edge authorizes a call of that session:
// a denial is the service's AccessDenied error.
type RoleCaller func(ctx context.Context, roleARN, service, op string, input map[string]any) (map[string]any, error)

// EnforceRoles makes Task states do what they do as a session of their
// state machine's role (--auth iam): check decides the functions they
// invoke and the executions they start, and call runs the optimized
// service integrations.
//
// trust decides, at CreateStateMachine and UpdateStateMachine, whether
// Step Functions may assume the role given (checkTrust).
func (s *Service) EnforceRoles(check RoleCheck, call RoleCaller, trust deliver.Trust) {
	s.roleCheck, s.roleCall, s.trust = check, call, trust
}

// checkTrust refuses, as CreateStateMachine and UpdateStateMachine do, a
// role Step Functions cannot assume: one that does not exist, or whose
// trust policy allows sts:AssumeRole neither to states.amazonaws.com nor
// to the regional states.REGION.amazonaws.com. It takes no lock.
func (s *Service) checkTrust(ctx context.Context, roleARN string) error {
	if s.trust == nil {
		return nil
	}
	for _, principal := range []string{"states.amazonaws.com", "states." + s.region + ".amazonaws.com"} {
		ok, err := s.trust(ctx, deliver.Role{ARN: roleARN, Principal: principal})
		if err != nil || ok {
			return err
		}
	}
	return errAccessDenied.WithMessage("Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.")
}

// role is the role the execution runs as.
func (x *execEnv) role() string {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	return x.r.exec.RoleArn
}

// callIntegration runs an optimized integration's operation, as the
// execution's role when roles are enforced.
func (x *execEnv) callIntegration(ctx context.Context, service, op string, params map[string]any) (map[string]any, error) {
	if x.s.roleCall != nil {
		return x.s.roleCall(ctx, x.role(), service, op, params)
	}
	return x.s.call(ctx, service, op, params)
}

// authorizeStart decides states:StartExecution on a child state machine
// for a session of the execution's role; a refusal fails the task as
// Step Functions reports the API's AccessDeniedException.
func (x *execEnv) authorizeStart(ctx context.Context, machineARN string) error {
	if x.s.roleCheck == nil {
		return nil
	}
	err := x.s.roleCheck(ctx, x.role(), x.s.ids.Hex(16), "states:StartExecution", machineARN)
	if err == nil {
		return nil
	}
	msg := err.Error()
	if ae := apierr.As(err); ae != nil {
		msg = ae.Message
	}
	return stepFunctionsError(errAccessDenied.WithMessage(msg), x.s.ids.UUID())
}

// errAccessDenied is Step Functions' answer to a call IAM refuses.
var errAccessDenied = apierr.New("AccessDeniedException", 400, "")

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
	err := x.s.roleCheck(ctx, x.role(), x.s.ids.Hex(16), "lambda:InvokeFunction", x.s.functionARN(fn))
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
