package e2e_test

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestDynamoDBListBackupsEmpty: with no backups, ListBackups answers an
// empty BackupSummaries list, as DynamoDB's list operations do, rather
// than leaving the member out.
func TestDynamoDBListBackupsEmpty(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	r := do(t, env, rawRequest{Body: `{}`, Headers: map[string]string{
		"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListBackups"}})
	if r.Status != 200 || strings.TrimSpace(string(r.Body)) != `{"BackupSummaries":[]}` {
		t.Fatalf("ListBackups with no backups: %d %s", r.Status, r.Body)
	}
}
