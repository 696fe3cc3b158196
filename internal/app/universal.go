package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/deliver"
)

// sdkServiceNames maps the AWS SDK service identifiers that universal
// targets name their service by (arn:aws:scheduler:::aws-sdk:sfn:...)
// to the name Service knows the service by, where the two differ.
var sdkServiceNames = map[string]string{
	"sfn":                     "states",
	"eventbridge":             "events",
	"cloudwatchlogs":          "logs",
	"cloudwatch":              "monitoring",
	"cognitoidentity":         "cognito-identity",
	"cognitoidentityprovider": "cognito-idp",
	"elasticloadbalancingv2":  "elasticloadbalancing",
}

// universalOperation returns the in-process service and the operation a
// universal target's service and API action name: the action is the
// operation's name in camel case (sendMessage), matched without regard
// to case, as AWS's own examples spell some (getQueueURL).
func (a *App) universalOperation(service, action string) (*awsproto.Service, string, bool) {
	name := service
	if n, ok := sdkServiceNames[service]; ok {
		name = n
	}
	svc := a.Service(name)
	if svc == nil {
		return nil, "", false
	}
	for _, o := range svc.Operations {
		if strings.EqualFold(o.Name, action) {
			return svc, o.Name, true
		}
	}
	return nil, "", false
}

// sdkOperation is Step Functions' Deps.SDK: the service and operation
// an AWS SDK integration (arn:aws:states:::aws-sdk:service:apiAction)
// names, found as a universal target's are.
func (a *App) sdkOperation(service, action string) (string, *awsproto.Operation, bool) {
	svc, op, ok := a.universalOperation(service, action)
	if !ok {
		return "", nil, false
	}
	return inProcessName(svc), svc.Operation(op), true
}

// hasUniversalOperation is Scheduler's Deps.Operations.
func (a *App) hasUniversalOperation(service, action string) bool {
	_, _, ok := a.universalOperation(service, action)
	return ok
}

// callUniversal runs a universal target's API action with m's body as
// its request parameters, in process: unchecked, or, with --auth iam, as
// a session of m's role held to its policies and the resource's (roles
// is then set, and the router has checked the role's trust).
func (a *App) callUniversal(ctx context.Context, roles *roleSessions, arn string, m deliver.Message) error {
	service, action, ok := deliver.Universal(arn)
	if !ok {
		return fmt.Errorf("virga cannot deliver to %s", arn)
	}
	svc, op, ok := a.universalOperation(service, action)
	if !ok {
		return fmt.Errorf("virga has no API action %s of %s for universal target %s", action, service, arn)
	}
	var params map[string]any
	d := json.NewDecoder(strings.NewReader(string(m.Body)))
	d.UseNumber()
	if err := d.Decode(&params); err != nil || params == nil {
		return svc.ValidationError.WithMessage("The request parameters of a universal target must be a JSON object.")
	}
	_, err := a.callAsRole(ctx, roles, m.Role, svc, op, params)
	return err
}

// callAsRole runs an operation of svc in process for a target's
// delivery: unchecked, or, with --auth iam, as a session of role held to
// its policies and the resource's (roles is then set, and the router has
// checked the role's trust).
func (a *App) callAsRole(ctx context.Context, roles *roleSessions, role *deliver.Role, svc *awsproto.Service, op string,
	params map[string]any) (map[string]any, error) {
	host := strings.TrimPrefix(strings.TrimPrefix(a.endpoint(), "http://"), "https://")
	opts := awsproto.CallOptions{Host: host, RequestID: a.ids.UUID()}
	if roles != nil && role != nil {
		opts.Caller, opts.Authorizer, opts.Region = roles.authz.RoleSession(role.ARN, a.ids.Hex(16)), roles.authz, roles.region
	}
	return svc.Call(ctx, opts, op, params)
}

// runTask is the router's RunTask for ECS cluster targets: a call of
// ECS's RunTask as the target's role.
func (a *App) runTask(ctx context.Context, roles *roleSessions, role *deliver.Role, params map[string]any) (map[string]any, error) {
	svc := a.Service("ecs")
	if svc == nil {
		return nil, errors.New("virga has no ECS service")
	}
	return a.callAsRole(ctx, roles, role, svc, "RunTask", params)
}
