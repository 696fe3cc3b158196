package e2e_test

import (
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
	type acl struct {
		Owner  struct{ ID string }
		Grants []struct {
			Grantee    struct{ ID, Type string }
			Permission string
		}
	}
	for _, args := range [][]string{
		{"s3api", "get-bucket-acl", "--bucket", "acl-bucket"},
		{"s3api", "get-object-acl", "--bucket", "acl-bucket", "--key", "k"},
	} {
		var got acl
		cliJSON(t, env.CLI(t, args...), &got)
		if len(got.Grants) != 1 || got.Grants[0].Grantee.Type != "CanonicalUser" ||
			got.Grants[0].Grantee.ID != got.Owner.ID || got.Grants[0].Permission != "FULL_CONTROL" {
			t.Errorf("%s: %+v, want the owner's one FULL_CONTROL grant", args[1], got)
		}
	}
}
