package eventpattern

import (
	"net/netip"
	"testing"
)

func TestParseCIDR(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     string
		lo, hi string
		reason string
	}{
		{"10.0.0.0/24", "10.0.0.0", "10.0.0.255", ""},
		{"10.0.0.5/24", "10.0.0.5", "10.0.0.255", ""},
		{"10.0.0.0/31", "10.0.0.0", "10.0.0.1", ""},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255", ""},
		{"172.16.0.0/12", "172.16.0.0", "172.31.255.255", ""},
		{"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", ""},
		{"2001:db8::/127", "2001:db8::", "2001:db8::1", ""},
		{"::ffff:a00:0/8", "10.0.0.0", "10.255.255.255", ""},
		{"10.0.0.0/+8", "10.0.0.0", "10.255.255.255", ""},
		{"10.0.0.0", "", "", "Malformed CIDR, one '/' required"},
		{"10.0.0.0/", "", "", "Malformed CIDR, one '/' required"},
		{"10.0.0.0/8/8", "", "", "Malformed CIDR, one '/' required"},
		{"10.0.0.0/eight", "", "", "Malformed CIDR, mask bits must be an integer"},
		{"10.0.0.0/-8", "", "", "Malformed CIDR, mask bits must not be negative"},
		{"/8", "", "", "Nonstandard IP address: "},
		{"::ffff:10.0.0.0/8", "", "", "Nonstandard IP address: ::ffff:10.0.0.0"},
		{"fe80::1%eth0/64", "", "", "Nonstandard IP address: fe80::1%eth0"},
		{"1.2.3.999/8", "", "", "Invalid IP address: 1.2.3.999"},
		{":::/8", "", "", "Invalid IP address: :::"},
		{"10.0.0.0/32", "", "", "IPv4 mask bits must be < 32"},
		{"::/128", "", "", "IPv6 mask bits must be < 128"},
	}
	for _, tc := range cases {
		r, reason := parseCIDR(tc.in)
		if reason != tc.reason {
			t.Errorf("parseCIDR(%q) reason = %q, want %q", tc.in, reason, tc.reason)
			continue
		}
		if reason != "" {
			continue
		}
		if lo := netip.MustParseAddr(tc.lo); r.lo != lo {
			t.Errorf("parseCIDR(%q) lo = %v, want %v", tc.in, r.lo, lo)
		}
		if hi := netip.MustParseAddr(tc.hi); r.hi != hi {
			t.Errorf("parseCIDR(%q) hi = %v, want %v", tc.in, r.hi, hi)
		}
	}
}

func TestParseIP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want string // "" when not an address
	}{
		{"10.0.0.1", "10.0.0.1"},
		{"::1", "::1"},
		{"::ffff:a00:1", "10.0.0.1"},
		{"2001:DB8::1", "2001:db8::1"},
		{"10.0.0", ""},
		{"10.0.0.1.1", ""},
		{"010.0.0.1", ""},
		{"host", ""},
		{"", ""},
		{"1.2.3.4/8", ""},
	}
	for _, tc := range cases {
		a, ok := parseIP(tc.in)
		switch {
		case tc.want == "" && ok:
			t.Errorf("parseIP(%q) = %v, want no address", tc.in, a)
		case tc.want != "" && (!ok || a != netip.MustParseAddr(tc.want)):
			t.Errorf("parseIP(%q) = %v, %v, want %s", tc.in, a, ok, tc.want)
		}
	}
}
