package scheduler

import (
	"encoding/base64"
	"errors"

	"github.com/virga/virga/internal/store/keys"
)

// A NextToken is where a listing stopped: the names (group, or group and
// schedule) of the last item it returned, tuple-encoded and in base64url,
// so that a listing resumes after that item even if items were created or
// deleted in between. Clients treat it as opaque.

// errBadToken is what decodeToken reports for a token it did not make.
var errBadToken = errors.New("scheduler: malformed NextToken")

// encodeToken returns the NextToken that resumes after the item named by
// names.
func encodeToken(names ...string) string {
	var b []byte
	for _, n := range names {
		b = keys.AppendString(b, n)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken returns the n names a token made by encodeToken holds.
func decodeToken(token string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) == 0 {
		return nil, errBadToken
	}
	vals, err := keys.Decode(b)
	if err != nil || len(vals) != n {
		return nil, errBadToken
	}
	out := make([]string, n)
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			return nil, errBadToken
		}
		out[i] = s
	}
	return out, nil
}

// tokenError is the ValidationException for a NextToken virga did not
// give out.
func tokenError() error { return invalid("The NextToken provided is invalid.") }
