package cognitoidp

import (
	"slices"
	"testing"
)

func TestGroupRoles(t *testing.T) {
	t.Parallel()
	g := func(name, role string, precedence *int32) GroupType {
		return GroupType{GroupName: &name, RoleArn: &role, Precedence: precedence}
	}
	one, two := ptr(int32(1)), ptr(int32(2))
	for _, tc := range []struct {
		name      string
		groups    []GroupType // in userGroups' order
		roles     []string
		preferred string
	}{
		{"none", nil, nil, ""},
		{"lowest precedence wins", []GroupType{g("a", "r1", one), g("b", "r2", two)}, []string{"r1", "r2"}, "r1"},
		{"a group without a role is passed over", []GroupType{g("a", "", one), g("b", "r2", two)}, []string{"r2"}, "r2"},
		{"same precedence, different roles", []GroupType{g("a", "r1", one), g("b", "r2", one)}, []string{"r1", "r2"}, ""},
		{"same precedence, same role", []GroupType{g("a", "r1", one), g("b", "r1", one)}, []string{"r1"}, "r1"},
		{"no precedence ranks last", []GroupType{g("a", "r1", two), g("b", "r2", nil)}, []string{"r1", "r2"}, "r1"},
		{"only groups without precedence", []GroupType{g("a", "r1", nil)}, []string{"r1"}, "r1"},
		{"groups without precedence, different roles", []GroupType{g("a", "r1", nil), g("b", "r2", nil)}, []string{"r1", "r2"}, ""},
	} {
		roles, preferred := groupRoles(tc.groups)
		if !slices.Equal(roles, tc.roles) || preferred != tc.preferred {
			t.Errorf("%s: roles %v, preferred %q; want %v, %q", tc.name, roles, preferred, tc.roles, tc.preferred)
		}
	}
}
