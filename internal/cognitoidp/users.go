package cognitoidp

import (
	"slices"
	"sort"
	"strings"
)

// Users' statuses, as UserType's UserStatus names them.
const (
	statusUnconfirmed   = "UNCONFIRMED"
	statusConfirmed     = "CONFIRMED"
	statusForceChange   = "FORCE_CHANGE_PASSWORD"
	statusResetRequired = "RESET_REQUIRED"
)

// caseSensitive reports whether the pool's user names are case
// sensitive (UsernameConfiguration; CreateUserPool's default is
// case-sensitive when the request does not say).
func caseSensitive(p *pool) bool {
	return p.Config.UsernameConfiguration == nil || deref(p.Config.UsernameConfiguration.CaseSensitive)
}

// userKeyName is the name a user is stored under.
func userKeyName(p *pool, name string) string {
	if caseSensitive(p) {
		return name
	}
	return strings.ToLower(name)
}

// usernameAttribute is the attribute (email or phone_number) a pool with
// UsernameAttributes takes user names to be, given what the user typed.
func usernameAttribute(p *pool, name string) string {
	for _, a := range p.Config.UsernameAttributes {
		if a == "email" && strings.Contains(name, "@") {
			return "email"
		}
		if a == "phone_number" && strings.HasPrefix(name, "+") {
			return "phone_number"
		}
	}
	return ""
}

// findUser finds a user by user name, by sub, or by an attribute the
// pool lets users sign in with (UsernameAttributes, or AliasAttributes
// when the attribute is verified, as "Customizing sign-in attributes"
// describes). A missing user is (nil, nil).
func (s *Service) findUser(p *pool, name string) (*user, error) {
	poolID := deref(p.Config.Id)
	var u user
	ok, err := s.get(userKey(poolID, userKeyName(p, name)), &u)
	if err != nil || ok {
		return &u, err
	}
	users, err := list[user](s, poolPrefix("user", poolID))
	if err != nil {
		return nil, err
	}
	aliases := []string{}
	for _, a := range p.Config.UsernameAttributes {
		aliases = append(aliases, string(a))
	}
	for _, a := range p.Config.AliasAttributes {
		aliases = append(aliases, string(a))
	}
	for _, u := range users {
		if u.Sub == name {
			return u, nil
		}
		for _, a := range aliases {
			v, has := u.Attributes[a]
			if !has || !strings.EqualFold(v, name) {
				continue
			}
			if slices.Contains(p.Config.UsernameAttributes, UsernameAttributeType(a)) || a == "preferred_username" ||
				u.Attributes[a+"_verified"] == "true" {
				return u, nil
			}
		}
	}
	return nil, nil
}

// mustFindUser is findUser for operations that fail on a missing user.
func (s *Service) mustFindUser(p *pool, name string) (*user, error) {
	u, err := s.findUser(p, name)
	if err == nil && u == nil {
		err = ErrUserNotFound
	}
	return u, err
}

// schemaAttribute returns the pool's schema entry for an attribute.
func schemaAttribute(p *pool, name string) *SchemaAttributeType {
	for i := range p.Config.SchemaAttributes {
		if deref(p.Config.SchemaAttributes[i].Name) == name {
			return &p.Config.SchemaAttributes[i]
		}
	}
	return nil
}

// checkAttributes checks attributes against the pool's schema: each must
// exist and, when creating is false, be mutable.
func checkAttributes(p *pool, attrs []AttributeType, creating bool) error {
	var msgs []string
	for _, a := range attrs {
		name := deref(a.Name)
		sa := schemaAttribute(p, name)
		switch {
		case sa == nil:
			msgs = append(msgs, name+": Attribute does not exist in the schema.")
		case name == "sub":
			msgs = append(msgs, name+": cannot modify an immutable attribute.")
		case !creating && !deref(sa.Mutable):
			msgs = append(msgs, name+": cannot modify an immutable attribute.")
		}
	}
	if len(msgs) > 0 {
		return ErrInvalidParameter.WithMessage("Attributes did not conform to the schema: " + strings.Join(msgs, "\n") + "\n")
	}
	return nil
}

// checkRequired refuses a new user that lacks a required attribute.
func checkRequired(p *pool, u *user) error {
	var msgs []string
	for _, sa := range p.Config.SchemaAttributes {
		name := deref(sa.Name)
		if deref(sa.Required) && name != "sub" && u.Attributes[name] == "" {
			msgs = append(msgs, name+": The attribute "+name+" is required")
		}
	}
	if len(msgs) > 0 {
		return ErrInvalidParameter.WithMessage("Attributes did not conform to the schema: " + strings.Join(msgs, "\n"))
	}
	return nil
}

// attributeList renders a user's attributes, sub first, then by name.
func (u *user) attributeList(only []string) []AttributeType {
	names := make([]string, 0, len(u.Attributes))
	for n := range u.Attributes {
		if len(only) == 0 || slices.Contains(only, n) {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "sub") != (names[j] == "sub") {
			return names[i] == "sub"
		}
		return names[i] < names[j]
	})
	out := make([]AttributeType, len(names))
	for i, n := range names {
		out[i] = AttributeType{Name: ptr(n), Value: ptr(u.Attributes[n])}
	}
	return out
}

func (s *Service) userType(u *user, only []string) UserType {
	created, modified := msTime(u.Created), msTime(u.Modified)
	return UserType{Username: ptr(u.Username), Attributes: u.attributeList(only), UserCreateDate: &created,
		UserLastModifiedDate: &modified, Enabled: ptr(u.Enabled), UserStatus: ptr(UserStatusType(u.Status))}
}
