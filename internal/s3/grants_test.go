package s3

import (
	"errors"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

func TestParseGrantees(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []Grantee // ID, URI or EmailAddress with Type
		err  bool
	}{
		{in: `id="abc"`, want: []Grantee{{ID: strptr("abc"), Type: strptr("CanonicalUser")}}},
		{in: `id=abc, uri=http://acs.amazonaws.com/groups/global/AllUsers`, want: []Grantee{
			{ID: strptr("abc"), Type: strptr("CanonicalUser")},
			{URI: strptr(allUsers), Type: strptr("Group")}}},
		{in: `emailaddress=user1@example.com,emailAddress="user2@example.com"`, want: []Grantee{
			{EmailAddress: strptr("user1@example.com"), Type: strptr("AmazonCustomerByEmail")},
			{EmailAddress: strptr("user2@example.com"), Type: strptr("AmazonCustomerByEmail")}}},
		{in: `abc`, err: true},
		{in: `name=abc`, err: true},
		{in: `id=`, err: true},
		{in: `id=abc,`, err: true},
		{in: ``, err: true},
	} {
		got, err := parseGrantees("x-amz-grant-read", tc.in)
		if tc.err {
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Code != "InvalidArgument" {
				t.Errorf("%q: %v, want InvalidArgument", tc.in, err)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("%q: %v, %v; want %d grantees", tc.in, got, err, len(tc.want))
			continue
		}
		for i, g := range got {
			w := tc.want[i]
			if strDeref(g.ID) != strDeref(w.ID) || strDeref(g.URI) != strDeref(w.URI) ||
				strDeref(g.EmailAddress) != strDeref(w.EmailAddress) || *g.Type != *w.Type {
				t.Errorf("%q: grantee %d is %+v, want %+v", tc.in, i, *g, w)
			}
		}
	}
}

func FuzzParseGrantees(f *testing.F) {
	for _, s := range []string{`id="abc"`, `uri=http://acs.amazonaws.com/groups/global/AllUsers, id=x`,
		`emailAddress="a@b.c"`, `=`, `,`, `id=""`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseGrantees("x-amz-grant-read", s)
		if err == nil {
			for _, g := range got {
				if g.Type == nil || strDeref(g.ID)+strDeref(g.URI)+strDeref(g.EmailAddress) == "" {
					t.Fatalf("%q: grantee without type or value: %+v", s, *g)
				}
			}
		}
	})
}
