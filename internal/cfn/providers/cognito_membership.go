package providers

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Cognito::UserPoolUserToGroupAttachment",
		Required: []string{"UserPoolId", "Username", "GroupName"},
		Provider: userToPoolGroup{},
		// Every property is create-only.
		Replace:    []string{"*"},
		Attributes: []string{},
	})
}

// userToPoolGroup is AWS::Cognito::UserPoolUserToGroupAttachment:
// AdminAddUserToGroup, and AdminRemoveUserFromGroup when deleted. Its
// physical ID and Ref are the schema's primary identifier,
// USERPOOLID|GROUPNAME|USERNAME. A user already in the group is
// refused with AlreadyExists, so that the stack's deletion never takes
// away a membership it did not make.
type userToPoolGroup struct{}

func (userToPoolGroup) args(p props) map[string]any {
	return map[string]any{"UserPoolId": p.str("UserPoolId"), "Username": p.str("Username"), "GroupName": p.str("GroupName")}
}

func (t userToPoolGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	id := strings.Join([]string{p.str("UserPoolId"), p.str("GroupName"), p.str("Username")}, "|")
	look := lookup{service: "cognito-idp", op: "AdminListGroupsForUser",
		in: map[string]any{"UserPoolId": p.str("UserPoolId"), "Username": p.str("Username")}, found: listing("Groups", "GroupName", p.str("GroupName"))}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, id)); err != nil {
		return nil, err
	}
	if _, err := call(ctx, r, "cognito-idp", "AdminAddUserToGroup", t.args(p)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{}}, nil
}

func (userToPoolGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (t userToPoolGroup) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "cognito-idp", "AdminRemoveUserFromGroup", t.args(props(r.Properties)))
	return ignoreGone(err)
}
