package e2e_test

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestS3CLIAcl runs the aws CLI's get-bucket-acl and get-object-acl
// examples: the grantee's xsi:type attribute comes with its namespace
// declared, or the CLI's XML parser rejects the whole answer.
func TestS3CLIAcl(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cliOK(t, env.CLI(t, "s3api", "create-bucket", "--bucket", "acl-bucket"), "create-bucket")
	cliOK(t, env.CLI(t, "s3api", "put-object", "--bucket", "acl-bucket", "--key", "k"), "put-object")
	for what, got := range cliACLs(t, env, "acl-bucket", "k") {
		if len(got.Grants) != 1 || got.Grants[0].Grantee.Type != "CanonicalUser" ||
			got.Grants[0].Grantee.ID != got.Owner.ID || got.Grants[0].Permission != "FULL_CONTROL" {
			t.Errorf("%s: %+v, want the owner's one FULL_CONTROL grant", what, got)
		}
	}
}

// TestS3CLIAclGrants runs the put-bucket-acl and put-object-acl examples,
// which give an ACL as x-amz-grant-* headers: the ACL becomes exactly the
// grants listed, and a bucket with ACLs disabled (the default) refuses
// them.
func TestS3CLIAclGrants(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cliOK(t, env.CLI(t, "s3api", "create-bucket", "--bucket", "grants-bucket", "--object-ownership", "ObjectWriter"), "create-bucket")
	cliOK(t, env.CLI(t, "s3api", "put-object", "--bucket", "grants-bucket", "--key", "k"), "put-object")
	var owner struct{ Owner struct{ ID string } }
	cliJSON(t, env.CLI(t, "s3api", "get-bucket-acl", "--bucket", "grants-bucket"), &owner)
	const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
	cliOK(t, env.CLI(t, "s3api", "put-bucket-acl", "--bucket", "grants-bucket",
		"--grant-full-control", "id="+owner.Owner.ID, "--grant-read", "uri="+allUsers), "put-bucket-acl")
	cliOK(t, env.CLI(t, "s3api", "put-object-acl", "--bucket", "grants-bucket", "--key", "k",
		"--grant-full-control", "id="+owner.Owner.ID, "--grant-read", "uri="+allUsers), "put-object-acl")
	for what, got := range cliACLs(t, env, "grants-bucket", "k") {
		if len(got.Grants) != 2 || got.Grants[0].Grantee.ID != owner.Owner.ID || got.Grants[0].Permission != "FULL_CONTROL" ||
			got.Grants[1].Grantee.URI != allUsers || got.Grants[1].Grantee.Type != "Group" || got.Grants[1].Permission != "READ" {
			t.Errorf("%s: %+v, want the owner's FULL_CONTROL and AllUsers' READ", what, got)
		}
	}
	if res := env.CLI(t, "s3api", "put-bucket-acl", "--bucket", "grants-bucket", "--acl", "private",
		"--grant-read", "uri="+allUsers); !strings.Contains(res.Stderr, "InvalidRequest") {
		t.Errorf("canned ACL and grants: %+v, want InvalidRequest", res)
	}
	if res := env.CLI(t, "s3api", "put-bucket-acl", "--bucket", "grants-bucket",
		"--grant-read", "everyone"); !strings.Contains(res.Stderr, "InvalidArgument") {
		t.Errorf("malformed grant: %+v, want InvalidArgument", res)
	}

	cliOK(t, env.CLI(t, "s3api", "create-bucket", "--bucket", "enforced-bucket"), "create-bucket")
	if res := env.CLI(t, "s3api", "put-bucket-acl", "--bucket", "enforced-bucket",
		"--grant-read", "uri="+allUsers); !strings.Contains(res.Stderr, "AccessControlListNotSupported") {
		t.Errorf("grants on a bucket without ACLs: %+v, want AccessControlListNotSupported", res)
	}
}

// cliACL is what get-bucket-acl and get-object-acl print.
type cliACL struct {
	Owner  struct{ ID string }
	Grants []struct {
		Grantee    struct{ ID, URI, Type string }
		Permission string
	}
}

// cliACLs runs get-bucket-acl for bucket and get-object-acl for its key.
func cliACLs(t *testing.T, env *e2e.Env, bucket, key string) map[string]cliACL {
	t.Helper()
	var b, o cliACL
	cliJSON(t, env.CLI(t, "s3api", "get-bucket-acl", "--bucket", bucket), &b)
	cliJSON(t, env.CLI(t, "s3api", "get-object-acl", "--bucket", bucket, "--key", key), &o)
	return map[string]cliACL{"get-bucket-acl": b, "get-object-acl": o}
}

// TestS3CLILogging runs the put-bucket-logging and get-bucket-logging
// examples: the logging status is recorded and reported, an empty
// status turns it off, and a target bucket that does not exist is
// refused.
func TestS3CLILogging(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cliOK(t, env.CLI(t, "s3api", "create-bucket", "--bucket", "logged"), "create-bucket")
	if out := cliOK(t, env.CLI(t, "s3api", "get-bucket-logging", "--bucket", "logged"), "get-bucket-logging"); strings.TrimSpace(out) != "" {
		t.Errorf("logging of a new bucket: %q, want nothing", out)
	}
	cliOK(t, env.CLI(t, "s3api", "put-bucket-logging", "--bucket", "logged", "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"logged","TargetPrefix":"Logs/"}}`), "put-bucket-logging")
	var got struct {
		LoggingEnabled struct{ TargetBucket, TargetPrefix string }
	}
	cliJSON(t, env.CLI(t, "s3api", "get-bucket-logging", "--bucket", "logged"), &got)
	if got.LoggingEnabled.TargetBucket != "logged" || got.LoggingEnabled.TargetPrefix != "Logs/" {
		t.Errorf("get-bucket-logging = %+v", got)
	}
	if res := env.CLI(t, "s3api", "put-bucket-logging", "--bucket", "logged", "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"nowhere","TargetPrefix":"Logs/"}}`); !strings.Contains(res.Stderr, "InvalidTargetBucketForLogging") {
		t.Errorf("missing target: %+v, want InvalidTargetBucketForLogging", res)
	}
	cliOK(t, env.CLI(t, "s3api", "put-bucket-logging", "--bucket", "logged", "--bucket-logging-status", "{}"), "logging off")
	if out := cliOK(t, env.CLI(t, "s3api", "get-bucket-logging", "--bucket", "logged"), "get-bucket-logging"); strings.TrimSpace(out) != "" {
		t.Errorf("logging turned off: %q, want nothing", out)
	}
}
