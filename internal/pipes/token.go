package pipes

import (
	"encoding/base64"
	"errors"

	"github.com/virga/virga/internal/store/keys"
)

// A NextToken is the name of the last pipe a ListPipes page returned,
// tuple-encoded and in base64url, so that a listing resumes after it even
// if pipes were created or deleted in between.

var errBadToken = errors.New("pipes: malformed NextToken")

func encodeToken(name *string) string {
	return base64.RawURLEncoding.EncodeToString(keys.AppendString(nil, *name))
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
