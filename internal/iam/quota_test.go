package iam

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// sizedPolicy returns a policy document of exactly n characters not
// counting white space, padded with white space IAM does not count.
func sizedPolicy(t *testing.T, n int) string {
	t.Helper()
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	tail := `"}]}`
	pad := n - len(head) - len(tail)
	if pad < 0 {
		t.Fatalf("no policy of %d characters", n)
	}
	return head + strings.Repeat("b", pad) + tail + "\n" + strings.Repeat(" ", 500)
}

func wantLimit(t *testing.T, what string, err error, message string) {
	t.Helper()
	e := apierr.As(err)
	if e == nil || e.Code != "LimitExceeded" || e.Status != 409 || e.Message != message {
		t.Errorf("%s: %v, want 409 LimitExceeded %q", what, err, message)
	}
}

// TestPolicySizeQuotas: IAM's quotas on policy sizes, counted without
// white space: 6,144 characters for a managed policy, 2,048 for a role's
// trust policy, and for the aggregate of an identity's inline policies
// 2,048 (user), 10,240 (role) and 5,120 (group).
func TestPolicySizeQuotas(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := New(Deps{Store: db, Clock: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), IDs: ids.New(nil), Account: "000000000000"})
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

	// Managed policies and their versions.
	if _, err := s.createPolicy(ctx, &CreatePolicyRequest{PolicyName: ptr("max"), PolicyDocument: ptr(sizedPolicy(t, 6144))}); err != nil {
		t.Fatalf("CreatePolicy of 6,144 characters: %v", err)
	}
	_, err = s.createPolicy(ctx, &CreatePolicyRequest{PolicyName: ptr("over"), PolicyDocument: ptr(sizedPolicy(t, 6145))})
	wantLimit(t, "CreatePolicy", err, "Cannot exceed quota for PolicySize: 6144")
	_, err = s.createPolicyVersion(ctx, &CreatePolicyVersionRequest{PolicyArn: ptr("arn:aws:iam::000000000000:policy/max"), PolicyDocument: ptr(sizedPolicy(t, 6145))})
	wantLimit(t, "CreatePolicyVersion", err, "Cannot exceed quota for PolicySize: 6144")

	// Trust policies.
	_, err = s.createRole(ctx, &CreateRoleRequest{RoleName: ptr("big"), AssumeRolePolicyDocument: ptr(trust + strings.Repeat(" ", 3000))})
	if err != nil {
		t.Fatalf("CreateRole with white space past 2,048: %v", err)
	}
	bigTrust := strings.Replace(trust, `"sts:AssumeRole"`, `["sts:AssumeRole","`+strings.Repeat("x", 2048)+`"]`, 1)
	_, err = s.createRole(ctx, &CreateRoleRequest{RoleName: ptr("bigger"), AssumeRolePolicyDocument: ptr(bigTrust)})
	wantLimit(t, "CreateRole", err, "Cannot exceed quota for ACLSizePerRole: 2048")
	_, err = s.updateAssumeRolePolicy(ctx, &UpdateAssumeRolePolicyRequest{RoleName: ptr("big"), PolicyDocument: ptr(bigTrust)})
	wantLimit(t, "UpdateAssumeRolePolicy", err, "Cannot exceed quota for ACLSizePerRole: 2048")

	// Inline policies, in aggregate; replacing one counts its new size only.
	if _, err := s.createUser(ctx, &CreateUserRequest{UserName: ptr("u")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.createGroup(ctx, &CreateGroupRequest{GroupName: ptr("g")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind  string
		limit int
		put   func(name, doc string) error
	}{
		{"user", 2048, func(n, d string) error {
			_, err := s.putUserPolicy(ctx, &PutUserPolicyRequest{UserName: ptr("u"), PolicyName: ptr(n), PolicyDocument: ptr(d)})
			return err
		}},
		{"role", 10240, func(n, d string) error {
			_, err := s.putRolePolicy(ctx, &PutRolePolicyRequest{RoleName: ptr("big"), PolicyName: ptr(n), PolicyDocument: ptr(d)})
			return err
		}},
		{"group", 5120, func(n, d string) error {
			_, err := s.putGroupPolicy(ctx, &PutGroupPolicyRequest{GroupName: ptr("g"), PolicyName: ptr(n), PolicyDocument: ptr(d)})
			return err
		}},
	} {
		name := map[string]string{"user": "u", "role": "big", "group": "g"}[c.kind]
		half := c.limit / 2
		if err := c.put("a", sizedPolicy(t, half)); err != nil {
			t.Fatalf("%s: first half: %v", c.kind, err)
		}
		if err := c.put("b", sizedPolicy(t, c.limit-half)); err != nil {
			t.Fatalf("%s: up to the quota: %v", c.kind, err)
		}
		if err := c.put("a", sizedPolicy(t, half)); err != nil {
			t.Fatalf("%s: replacing a policy with one of its size: %v", c.kind, err)
		}
		wantLimit(t, c.kind+" inline", c.put("c", sizedPolicy(t, 200)),
			"Maximum policy size of "+strconv.Itoa(c.limit)+" bytes exceeded for "+c.kind+" "+name)
	}
}
