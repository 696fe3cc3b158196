package secretsmanager

import (
	"strings"
	"testing"
)

// FuzzNameFromARN checks that what nameFromARN returns comes from the
// ARN: the full name ends it, and the trimmed name starts the full one.
func FuzzNameFromARN(f *testing.F) {
	for _, s := range []string{"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbC123", "arn:aws:secretsmanager:r:a:secret:x", "arn::::::", "db"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		full, trimmed, ok := nameFromARN(arn)
		if !ok {
			return
		}
		if full == "" || !strings.HasSuffix(arn, ":secret:"+full) || !strings.HasPrefix(full, trimmed) || trimmed == "" {
			t.Fatalf("%q: full %q, trimmed %q", arn, full, trimmed)
		}
	})
}
