package elbv2

import (
	"slices"
	"strings"
	"testing"
)

// TestFIPSAndPostQuantumPolicies: the FIPS and post-quantum policy names
// AWS documents are accepted, keep their TLS 1.3 base's protocols, and a
// FIPS one has no ChaCha20 suite.
func TestFIPSAndPostQuantumPolicies(t *testing.T) {
	for _, name := range []string{"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
		"ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04"} {
		if err := checkSSLPolicy(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	fips, _ := findSSLPolicy("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04")
	base, _ := findSSLPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06")
	if fips == nil || base == nil || !slices.Equal(fips.protocols, base.protocols) {
		t.Fatalf("FIPS policy %+v, base %+v", fips, base)
	}
	if slices.ContainsFunc(fips.ciphers, func(c string) bool { return strings.Contains(c, "CHACHA20") }) || len(fips.ciphers) != len(base.ciphers)-1 {
		t.Errorf("FIPS ciphers %v, base %v", fips.ciphers, base.ciphers)
	}
	if !slices.Contains(base.ciphers, "TLS_CHACHA20_POLY1305_SHA256") {
		t.Error("deriving the FIPS policy changed its base's ciphers")
	}
	if err := checkSSLPolicy("ELBSecurityPolicy-TLS13-1-2-2099-01"); err == nil {
		t.Error("an unknown policy name is accepted")
	}
}
