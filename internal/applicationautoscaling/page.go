package applicationautoscaling

import (
	"bytes"
	"encoding/base64"
)

// defaultMaxResults is a page's size when MaxResults is not given, and
// its largest ("The maximum value is 50").
const defaultMaxResults = 50

// page returns the items after the one whose store key token names, at
// most maxResults of them, and the token of the page after, if any. A
// token is the last key returned, in base64url, so that a listing
// resumes after it even when items come and go in between.
func page[T any](items []T, ks [][]byte, token *string, maxResults *int32) ([]T, *string, error) {
	start := 0
	if token != nil {
		after, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil || len(after) == 0 {
			return nil, nil, ErrInvalidNextToken
		}
		for start < len(ks) && bytes.Compare(ks[start], after) <= 0 {
			start++
		}
	}
	n := int(deref(maxResults))
	if n <= 0 || n > defaultMaxResults {
		n = defaultMaxResults
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		next = ptr(base64.RawURLEncoding.EncodeToString(ks[end-1]))
	}
	return items[start:end], next, nil
}

// filter keeps the items (and their keys) keep accepts.
func filter[T any](items []T, ks [][]byte, keep func(*T) bool) ([]T, [][]byte) {
	var out []T
	var outKeys [][]byte
	for i := range items {
		if keep(&items[i]) {
			out = append(out, items[i])
			outKeys = append(outKeys, ks[i])
		}
	}
	return out, outKeys
}
