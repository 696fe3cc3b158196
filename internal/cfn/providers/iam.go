package providers

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

// virga has no IAM yet. The IAM types here are recorded only: they get
// the names, ARNs and unique ids AWS would give them, so that templates
// can wire roles into functions, schedules and rules, but nothing is
// made anywhere and no permission is checked against them. When virga
// gets an IAM service these become providers that call it.

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::IAM::Role",
		Provider:     role{},
		Replace:      []string{"RoleName", "Path"},
		NameProperty: "RoleName",
		Attributes:   []string{"Arn", "RoleId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::Policy",
		Provider:   inlinePolicy{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:         "AWS::IAM::ManagedPolicy",
		Provider:     managedPolicy{},
		Replace:      []string{"ManagedPolicyName", "Description", "Path"},
		NameProperty: "ManagedPolicyName",
		Attributes: []string{"PolicyArn", "PolicyId", "DefaultVersionId", "AttachmentCount", "IsAttachable",
			"PermissionsBoundaryUsageCount", "CreateDate", "UpdateDate"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::InstanceProfile",
		Provider:   instanceProfile{},
		Replace:    []string{"InstanceProfileName", "Path"},
		Attributes: []string{"Arn"},
	})
}

// Prefixes of IAM's unique ids (a role's RoleId, a policy's PolicyId).
const (
	rolePrefix   = "AROA"
	policyPrefix = "ANPA"
	uniqueIDLen  = 21 // prefix and 17 upper-case letters and digits
)

// uniqueID is an IAM unique id with the given prefix.
func uniqueID(prefix string) string {
	return prefix + rand.Text()[:uniqueIDLen-len(prefix)]
}

// iamARN is arn:aws:iam::ACCOUNT:KIND/PATH/NAME, PATH being "/" when the
// template gives none.
func iamARN(r *resource.Request, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	account := ""
	if r.Env != nil {
		account = r.Env.Account
	}
	return fmt.Sprintf("arn:aws:iam::%s:%s%s%s", account, kind, path, name)
}

// role is AWS::IAM::Role, recorded: its physical ID and Ref are its name.
type role struct{}

func (role) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("RoleName")
	if name == "" {
		name = physicalName(r, maxRoleName)
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn": iamARN(r, "role", p.str("Path"), name), "RoleId": uniqueID(rolePrefix),
	}}, nil
}

// Update keeps the role's id: the role is the same one.
func (role) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (role) Delete(ctx context.Context, r *resource.Request) error { return nil }

// inlinePolicy is AWS::IAM::Policy, recorded: its physical ID and Ref
// are a generated name, as AWS CloudFormation's.
type inlinePolicy struct{}

func (inlinePolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	id := physicalName(r, maxPolicyName)
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (inlinePolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (inlinePolicy) Delete(ctx context.Context, r *resource.Request) error { return nil }

// managedPolicy is AWS::IAM::ManagedPolicy, recorded: its physical ID and
// Ref are its ARN. A change of its document makes a new default version
// (v2, v3, ...), as IAM does.
type managedPolicy struct{}

func (managedPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("ManagedPolicyName")
	if name == "" {
		name = physicalName(r, maxPolicyName)
	}
	arn := iamARN(r, "policy", p.str("Path"), name)
	now := time.Now().UTC().Format(time.RFC3339)
	attrs := map[string]any{
		"PolicyArn": arn, "PolicyId": uniqueID(policyPrefix), "DefaultVersionId": "v1",
		"IsAttachable": true, "PermissionsBoundaryUsageCount": 0, "CreateDate": now, "UpdateDate": now,
		"AttachmentCount": attachments(p),
	}
	return &resource.Result{PhysicalID: arn, Attributes: attrs}, nil
}

// attachments counts the groups, roles and users a policy is attached to.
func attachments(p props) int {
	return len(p.list("Groups")) + len(p.list("Roles")) + len(p.list("Users"))
}

func (managedPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	attrs := map[string]any{}
	for k, v := range r.Attributes {
		attrs[k] = v
	}
	if changed(old, p, "PolicyDocument") {
		n, _ := strconv.Atoi(strings.TrimPrefix(fmt.Sprint(attrs["DefaultVersionId"]), "v"))
		attrs["DefaultVersionId"] = "v" + strconv.Itoa(max(n, 1)+1)
		attrs["UpdateDate"] = time.Now().UTC().Format(time.RFC3339)
	}
	attrs["AttachmentCount"] = attachments(p)
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: attrs}, nil
}

func (managedPolicy) Delete(ctx context.Context, r *resource.Request) error { return nil }

// instanceProfile is AWS::IAM::InstanceProfile, recorded: its physical
// ID and Ref are its name.
type instanceProfile struct{}

func (instanceProfile) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("InstanceProfileName")
	if name == "" {
		name = physicalName(r, maxInstanceProfile)
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": iamARN(r, "instance-profile", p.str("Path"), name)}}, nil
}

func (instanceProfile) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (instanceProfile) Delete(ctx context.Context, r *resource.Request) error { return nil }
