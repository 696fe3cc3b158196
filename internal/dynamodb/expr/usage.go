package expr

import (
	"sort"
	"strings"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// Usage accumulates the expression attribute names and values used by the
// expressions of one request, so that the caller can apply DynamoDB's rule
// that every name and value provided is used by some expression. The zero
// Usage is ready to use.
type Usage struct {
	names  map[string]struct{}
	values map[string]struct{}
}

// Add records the placeholders one expression uses.
func (u *Usage) Add(r Refs) {
	if u.names == nil {
		u.names = map[string]struct{}{}
		u.values = map[string]struct{}{}
	}
	for _, n := range r.Names {
		u.names[n] = struct{}{}
	}
	for _, v := range r.Values {
		u.values[v] = struct{}{}
	}
}

// Check returns DynamoDB's error for names or values the request provided but
// no expression used; unused names are reported before unused values. Call it
// after every expression of the request parsed without error.
func (u *Usage) Check(names map[string]string, values map[string]attr.Value) error {
	var unused []string
	for n := range names {
		if _, ok := u.names[n]; !ok {
			unused = append(unused, n)
		}
	}
	if len(unused) > 0 {
		return &Error{Message: "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + joinSorted(unused) + "}"}
	}
	for v := range values {
		if _, ok := u.values[v]; !ok {
			unused = append(unused, v)
		}
	}
	if len(unused) > 0 {
		return &Error{Message: "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + joinSorted(unused) + "}"}
	}
	return nil
}

func joinSorted(keys []string) string {
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// CheckPlaceholders applies DynamoDB's checks on the keys of
// ExpressionAttributeNames and ExpressionAttributeValues themselves, before
// any expression is parsed: a map that is present must not be empty, each
// key must be '#' or ':' followed by letters, digits or underscores, and no
// name may be empty.
// nil maps (parameters not sent) pass.
func CheckPlaceholders(names map[string]string, values map[string]attr.Value) error {
	if names != nil {
		if len(names) == 0 {
			return &Error{Message: "ExpressionAttributeNames must not be empty"}
		}
		for _, k := range sortedKeys(names) {
			if !validPlaceholder(k, '#') {
				return &Error{Message: `ExpressionAttributeNames contains invalid key: Syntax error; key: "` + k + `"`}
			}
			if names[k] == "" {
				return &Error{Message: "ExpressionAttributeNames contains invalid value: Empty attribute name for key " + k}
			}
		}
	}
	if values != nil {
		if len(values) == 0 {
			return &Error{Message: "ExpressionAttributeValues must not be empty"}
		}
		for _, k := range sortedKeys(values) {
			if !validPlaceholder(k, ':') {
				return &Error{Message: `ExpressionAttributeValues contains invalid key: Syntax error; key: "` + k + `"`}
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func validPlaceholder(k string, prefix byte) bool {
	if len(k) < 2 || k[0] != prefix {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isIdentPart(k[i]) {
			return false
		}
	}
	return true
}
