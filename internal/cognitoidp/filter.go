package cognitoidp

import (
	"strings"
)

// A ListUsers filter, as ListUsers' API reference defines it:
//
//	filter   = ""  |  ws* attr ws* op ws* value ws*
//	attr     = username | email | phone_number | name | given_name |
//	           family_name | preferred_username | cognito:user_status |
//	           status | sub
//	op       = "="  (exact match)  |  "^="  (prefix match)
//	value    = '"' ( [^"\\] | '\\' any )* '"'
//
// cognito:user_status matches the status (CONFIRMED, ...) without regard
// to case; status is Enabled or Disabled; username matches with regard
// to case, the other attributes as stored.

// filterAttributes are the attributes ListUsers can filter on.
var filterAttributes = []string{"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub"}

// userFilter is a parsed ListUsers filter; the zero value matches all.
type userFilter struct {
	attr   string
	prefix bool
	value  string
}

var errFilter = ErrInvalidParameter.WithMessage("Error while parsing filter.")

// parseFilter parses a ListUsers filter.
func parseFilter(s string) (userFilter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return userFilter{}, nil
	}
	i := strings.IndexAny(s, "=^ \t")
	if i <= 0 {
		return userFilter{}, errFilter
	}
	f := userFilter{attr: s[:i]}
	rest := strings.TrimLeft(s[i:], " \t")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return userFilter{}, errFilter
	}
	rest = strings.TrimLeft(rest, " \t")
	if len(rest) < 2 || rest[0] != '"' {
		return userFilter{}, errFilter
	}
	var b strings.Builder
	j := 1
	for ; j < len(rest); j++ {
		c := rest[j]
		if c == '\\' && j+1 < len(rest) {
			j++
			b.WriteByte(rest[j])
			continue
		}
		if c == '"' {
			break
		}
		b.WriteByte(c)
	}
	if j >= len(rest) || strings.TrimSpace(rest[j+1:]) != "" {
		return userFilter{}, errFilter
	}
	f.value = b.String()
	known := false
	for _, a := range filterAttributes {
		if a == f.attr {
			known = true
		}
	}
	if !known {
		return userFilter{}, ErrInvalidParameter.WithMessage("Invalid search attribute: " + f.attr)
	}
	return f, nil
}

// matches reports whether a user passes the filter.
func (f userFilter) matches(u *user) bool {
	if f.attr == "" {
		return true
	}
	var v string
	fold := false
	switch f.attr {
	case "username":
		v = u.Username
	case "cognito:user_status":
		v, fold = u.Status, true
	case "status":
		v = "Disabled"
		if u.Enabled {
			v = "Enabled"
		}
	case "sub":
		v = u.Sub
	default:
		var ok bool
		if v, ok = u.Attributes[f.attr]; !ok {
			return false
		}
	}
	want := f.value
	if fold {
		v, want = strings.ToLower(v), strings.ToLower(want)
	}
	if f.prefix {
		return strings.HasPrefix(v, want)
	}
	return v == want
}
