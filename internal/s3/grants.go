package s3

import (
	"strings"
)

// grantHeaders are a request's x-amz-grant-* headers, which give an ACL
// as explicit grants instead of a canned ACL: each is a comma-separated
// list of grantees, id="canonical user id", uri="group uri" or
// emailAddress="address" (the quotes are optional, as the aws CLI's
// examples leave them out). Objects have no WRITE grant, so Write is nil
// for them.
type grantHeaders struct {
	FullControl, Read, ReadACP, Write, WriteACP *string
}

// any reports whether a request sent any grant header.
func (g grantHeaders) any() bool {
	return g.FullControl != nil || g.Read != nil || g.ReadACP != nil || g.Write != nil || g.WriteACP != nil
}

// grantACL is the ACL the headers give: exactly the grants they list
// (the owner gets no grant it was not given), owned by the account; nil
// when no header was sent.
func (s *Service) grantACL(g grantHeaders) (*AccessControlPolicy, error) {
	if !g.any() {
		return nil, nil
	}
	acl := &AccessControlPolicy{Owner: s.owner(), Grants: []Grant{}}
	for _, h := range []struct {
		header, permission string
		value              *string
	}{
		{"x-amz-grant-full-control", "FULL_CONTROL", g.FullControl},
		{"x-amz-grant-read", "READ", g.Read},
		{"x-amz-grant-read-acp", "READ_ACP", g.ReadACP},
		{"x-amz-grant-write", "WRITE", g.Write},
		{"x-amz-grant-write-acp", "WRITE_ACP", g.WriteACP},
	} {
		if h.value == nil {
			continue
		}
		grantees, err := parseGrantees(h.header, *h.value)
		if err != nil {
			return nil, err
		}
		for _, g := range grantees {
			acl.Grants = append(acl.Grants, Grant{Grantee: g, Permission: strptr(h.permission)})
		}
	}
	return acl, nil
}

// parseGrantees reads one grant header's list of grantees.
func parseGrantees(header, value string) ([]*Grantee, error) {
	var out []*Grantee
	for _, item := range strings.Split(value, ",") {
		key, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if !ok || v == "" {
			return nil, invalidArgument(header, value, "Argument format not recognized")
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "id":
			out = append(out, &Grantee{ID: strptr(v), Type: strptr("CanonicalUser")})
		case "uri":
			out = append(out, &Grantee{URI: strptr(v), Type: strptr("Group")})
		case "emailaddress":
			out = append(out, &Grantee{EmailAddress: strptr(v), Type: strptr("AmazonCustomerByEmail")})
		default:
			return nil, invalidArgument(header, value, "Argument format not recognized")
		}
	}
	return out, nil
}
