package eventpattern

import (
	"net/netip"
	"strconv"
	"strings"
)

// ipRange is a compiled {"cidr": "..."}: the addresses from lo to hi,
// inclusive, of one family.
type ipRange struct {
	lo, hi netip.Addr
}

// parseCIDR compiles a CIDR block with AWS's rules and reasons. As in AWS,
// the block runs from the address as written to that address with every
// host bit set, so "10.0.0.5/24" covers 10.0.0.5 to 10.0.0.255, and the
// mask must leave at least one host bit (IPv4 /32 and IPv6 /128 are
// refused).
func parseCIDR(s string) (ipRange, string) {
	addrText, bitsText, ok := strings.Cut(s, "/")
	if !ok || bitsText == "" || strings.Contains(bitsText, "/") {
		return ipRange{}, "Malformed CIDR, one '/' required"
	}
	bits, err := strconv.Atoi(bitsText)
	if err != nil {
		return ipRange{}, "Malformed CIDR, mask bits must be an integer"
	}
	if bits < 0 {
		return ipRange{}, "Malformed CIDR, mask bits must not be negative"
	}
	if !looksLikeIP(addrText) {
		return ipRange{}, "Nonstandard IP address: " + addrText
	}
	addr, ok := parseIP(addrText)
	if !ok {
		return ipRange{}, "Invalid IP address: " + addrText
	}
	if addr.Is4() && bits > 31 {
		return ipRange{}, "IPv4 mask bits must be < 32"
	}
	if addr.Is6() && bits > 127 {
		return ipRange{}, "IPv6 mask bits must be < 128"
	}
	hi := addr.AsSlice()
	for i := bits; i < len(hi)*8; i++ {
		hi[i/8] |= 0x80 >> (i % 8)
	}
	top, _ := netip.AddrFromSlice(hi)
	return ipRange{lo: addr, hi: top}, ""
}

// contains reports whether a is in the range.
func (r ipRange) contains(a netip.Addr) bool {
	return a.BitLen() == r.lo.BitLen() && r.lo.Compare(a) <= 0 && a.Compare(r.hi) <= 0
}

// looksLikeIP is AWS's test for text worth parsing as an address: four
// dot-separated runs of digits, or hex digits and colons with at least one
// colon. Anything else (host names, zones, mixed IPv4-in-IPv6 notation) is
// not an address.
func looksLikeIP(s string) bool {
	if strings.Contains(s, ":") {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == ':') {
				return false
			}
		}
		return true
	}
	groups := strings.Split(s, ".")
	if len(groups) != 4 {
		return false
	}
	for _, g := range groups {
		if g == "" {
			return false
		}
		for i := 0; i < len(g); i++ {
			if !isDigit(g[i]) {
				return false
			}
		}
	}
	return true
}

// parseIP parses an address that looksLikeIP. IPv4-mapped IPv6 addresses
// become IPv4, as they do in AWS's engine.
func parseIP(s string) (netip.Addr, bool) {
	if !looksLikeIP(s) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
