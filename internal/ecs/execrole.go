package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// ExecutionCheck decides a call the ECS agent makes for a task with its
// execution role: whether a session of roleARN named session may
// perform action on resource, the resource's policy (if service, the
// called service's signing name, has one) counting too. A refusal is
// an error whose message is IAM's wording. internal/app wires it to the
// IAM authorizer with --auth iam.
type ExecutionCheck func(ctx context.Context, roleARN, session, service, action, resource string) error

// EnforceExecutionRoles has tasks with an execution role read their
// secrets, environment files and registry credentials and open their
// awslogs streams as that role, held to its policies by check. Without
// it (and for tasks without an execution role, whose agent would use
// the container instance's role) they use virga's own rights. Call it
// before Run.
func (s *Service) EnforceExecutionRoles(check ExecutionCheck) { s.execCheck = check }

// executionRole is the role a task's agent works with: the override's,
// else the definition's; "" for none.
func executionRole(t *task) string {
	if t.T.Overrides != nil && deref(t.T.Overrides.ExecutionRoleArn) != "" {
		return deref(t.T.Overrides.ExecutionRoleArn)
	}
	return deref(t.Def.ExecutionRoleArn)
}

// execAllowed checks one call of the execution role; nil when roles
// are not enforced or the task has none. A denial is returned as the
// SDK of the ECS agent words it: "AccessDeniedException: MESSAGE".
func (s *Service) execAllowed(ctx context.Context, role, taskID, service, action, resource string) error {
	if s.execCheck == nil || role == "" {
		return nil
	}
	err := s.execCheck(ctx, role, taskID, service, action, resource)
	if e := apierr.As(err); e != nil {
		return errors.New(e.Code + ": " + e.Message)
	}
	return err
}

// isECRImage says whether an image is in an ECR private registry
// (ACCOUNT.dkr.ecr.REGION.HOST/...), whose pulls take a registry
// authorization token.
func isECRImage(image string) bool {
	host, _, ok := strings.Cut(image, "/")
	return ok && strings.Contains(host, ".dkr.ecr.")
}

// checkRegistryAuth is the agent getting an ECR authorization token
// with the execution role before it pulls an ECR image: ECS stops the
// task when GetAuthorizationToken is refused.
func (s *Service) checkRegistryAuth(ctx context.Context, t *task) error {
	role := executionRole(t)
	for _, cd := range t.Def.ContainerDefinitions {
		if !isECRImage(deref(cd.Image)) {
			continue
		}
		if err := s.execAllowed(ctx, role, t.ID, "ecr", "ecr:GetAuthorizationToken", "*"); err != nil {
			return fmt.Errorf("%sunable to retrieve ecr registry auth: service call has been retried 1 time(s): %v", secretsPrefix, err)
		}
		return nil
	}
	return nil
}

// secretResource is the ARN a secret reference is authorized on:
// secretsmanager:GetSecretValue on the secret's ARN, ssm:GetParameters
// on the parameter's.
func (s *Service) secretResource(r secretRef) (service, action, arn string) {
	if r.secret {
		return "secretsmanager", "secretsmanager:GetSecretValue", r.id
	}
	if strings.HasPrefix(r.raw, "arn:") {
		return "ssm", "ssm:GetParameters", r.raw
	}
	return "ssm", "ssm:GetParameters", "arn:aws:ssm:" + s.region + ":" + s.account + ":parameter/" + strings.TrimPrefix(r.id, "/")
}

// logGroupARN is a log group's ARN, on which IAM authorizes
// CreateLogGroup and CreateLogStream (PutLogEvents on the stream's,
// GROUP_ARN:log-stream:STREAM).
func (s *Service) logGroupARN(group string) string {
	return "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:" + group
}

// checkLogStream is the awslogs driver's calls with the execution role
// as it opens a container's stream: CreateLogGroup (with
// awslogs-create-group), CreateLogStream and PutLogEvents.
func (s *Service) checkLogStream(ctx context.Context, role, taskID, group, stream string, create bool) error {
	if create {
		if err := s.execAllowed(ctx, role, taskID, "logs", "logs:CreateLogGroup", s.logGroupARN(group)); err != nil {
			return err
		}
	}
	if err := s.execAllowed(ctx, role, taskID, "logs", "logs:CreateLogStream", s.logGroupARN(group)); err != nil {
		return err
	}
	return s.execAllowed(ctx, role, taskID, "logs", "logs:PutLogEvents", s.logGroupARN(group)+":log-stream:"+stream)
}
