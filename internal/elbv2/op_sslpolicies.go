package elbv2

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// sslPolicy is one of AWS's predefined security policies: the TLS
// protocols and the ciphers, in the load balancer's order of preference,
// it negotiates with clients (the security policy tables of the
// Application and Network Load Balancers guides). virga terminates no
// TLS: the policies are described and checked by name only.
type sslPolicy struct {
	name      string
	protocols []string
	ciphers   []string
}

// Cipher suites, by the names DescribeSSLPolicies gives them.
var (
	tls13Ciphers = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}
	// ecdheGCM are the forward-secret AEAD suites of TLS 1.2.
	ecdheGCM = []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
		"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"}
	// ecdhe12 are the forward-secret suites of TLS 1.2, GCM and CBC-SHA2.
	ecdhe12 = []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
		"ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
		"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384"}
	// ecdheAll are the forward-secret suites, CBC-SHA1 ones included, in
	// ELBSecurityPolicy-2016-08's order.
	ecdheAll = []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
		"ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA",
		"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-SHA384",
		"ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA", "ECDHE-ECDSA-AES256-SHA"}
	// rsa12 are the RSA key exchange suites of TLS 1.2.
	rsa12 = []string{"AES128-GCM-SHA256", "AES128-SHA256", "AES256-GCM-SHA384", "AES256-SHA256"}
	// compat are ELBSecurityPolicy-2016-08's suites: every ECDHE one,
	// then RSA key exchange with SHA-1 and SHA-2.
	compat = concat(ecdheAll, []string{"AES128-GCM-SHA256", "AES128-SHA256", "AES128-SHA",
		"AES256-GCM-SHA384", "AES256-SHA256", "AES256-SHA"})
)

// TLS protocol versions, by the names DescribeSSLPolicies gives them.
var (
	tls10Up = []string{"TLSv1", "TLSv1.1", "TLSv1.2"}
	tls11Up = []string{"TLSv1.1", "TLSv1.2"}
	tls12   = []string{"TLSv1.2"}
	tls12Up = []string{"TLSv1.2", "TLSv1.3"}
)

// sslPolicies are the predefined policies virga knows: ELBSecurityPolicy-2016-08
// (the default of listeners created through the API), the other
// ELBSecurityPolicy-TLS- and -FS- ones, and the TLS 1.3 ones of 2021
// (the names AWS CDK's SslPolicy offers), and, added at init, the FIPS and
// post-quantum ones (derivedPolicies).
var sslPolicies = []sslPolicy{
	{name: "ELBSecurityPolicy-2016-08", protocols: tls10Up, ciphers: compat},
	{name: "ELBSecurityPolicy-TLS13-1-2-2021-06", protocols: tls12Up, ciphers: concat(tls13Ciphers, ecdhe12)},
	{name: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", protocols: tls12Up, ciphers: concat(tls13Ciphers, ecdheGCM)},
	{name: "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", protocols: tls12Up, ciphers: concat(tls13Ciphers, ecdhe12, rsa12)},
	{name: "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", protocols: tls12Up, ciphers: concat(tls13Ciphers, compat)},
	{name: "ELBSecurityPolicy-TLS13-1-1-2021-06", protocols: []string{"TLSv1.1", "TLSv1.2", "TLSv1.3"}, ciphers: concat(tls13Ciphers, compat)},
	{name: "ELBSecurityPolicy-TLS13-1-0-2021-06", protocols: []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}, ciphers: concat(tls13Ciphers, compat)},
	{name: "ELBSecurityPolicy-TLS13-1-3-2021-06", protocols: []string{"TLSv1.3"}, ciphers: tls13Ciphers},
	{name: "ELBSecurityPolicy-TLS-1-0-2015-04", protocols: tls10Up, ciphers: concat(compat, []string{"DES-CBC3-SHA"})},
	{name: "ELBSecurityPolicy-TLS-1-1-2017-01", protocols: tls11Up, ciphers: compat},
	{name: "ELBSecurityPolicy-TLS-1-2-2017-01", protocols: tls12, ciphers: concat(ecdhe12, rsa12)},
	{name: "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", protocols: tls12, ciphers: compat},
	{name: "ELBSecurityPolicy-FS-2018-06", protocols: tls10Up, ciphers: ecdheAll},
	{name: "ELBSecurityPolicy-FS-1-1-2019-08", protocols: tls11Up, ciphers: ecdheAll},
	{name: "ELBSecurityPolicy-FS-1-2-2019-08", protocols: tls12, ciphers: ecdheAll},
	{name: "ELBSecurityPolicy-FS-1-2-Res-2019-08", protocols: tls12, ciphers: ecdhe12},
	{name: "ELBSecurityPolicy-FS-1-2-Res-2020-10", protocols: tls12, ciphers: ecdheGCM},
}

func init() {
	for _, d := range derivedPolicies {
		base, err := findSSLPolicy("ELBSecurityPolicy-" + d.base)
		if err != nil {
			panic(err)
		}
		ciphers := base.ciphers
		if d.fips {
			ciphers = slices.DeleteFunc(slices.Clone(ciphers), func(c string) bool { return strings.Contains(c, "CHACHA20") })
		}
		sslPolicies = append(sslPolicies, sslPolicy{name: "ELBSecurityPolicy-" + d.name, protocols: base.protocols, ciphers: ciphers})
	}
}

// derivedPolicies are the FIPS policies of 2023 and the post-quantum ones
// of 2025, each named with the TLS 1.3 policy of 2021 whose protocols and
// suites it keeps. A FIPS policy leaves out ChaCha20, which FIPS 140 does
// not approve; a post-quantum one adds hybrid ML-KEM key exchange, which
// is no cipher suite and so not listed. The names are AWS's (the security
// policy tables of the load balancer guides); the suites are derived this
// way, not copied from those tables.
var derivedPolicies = []struct {
	name, base string
	fips       bool
}{
	{"TLS13-1-3-FIPS-2023-04", "TLS13-1-3-2021-06", true},
	{"TLS13-1-2-Res-FIPS-2023-04", "TLS13-1-2-Res-2021-06", true},
	{"TLS13-1-2-FIPS-2023-04", "TLS13-1-2-2021-06", true},
	{"TLS13-1-2-Ext0-FIPS-2023-04", "TLS13-1-2-2021-06", true},
	{"TLS13-1-2-Ext1-FIPS-2023-04", "TLS13-1-2-Ext1-2021-06", true},
	{"TLS13-1-2-Ext2-FIPS-2023-04", "TLS13-1-2-Ext2-2021-06", true},
	{"TLS13-1-1-FIPS-2023-04", "TLS13-1-1-2021-06", true},
	{"TLS13-1-0-FIPS-2023-04", "TLS13-1-0-2021-06", true},
	{"TLS13-1-2-PQ-2025-09", "TLS13-1-2-2021-06", false},
	{"TLS13-1-2-Res-PQ-2025-09", "TLS13-1-2-Res-2021-06", false},
	{"TLS13-1-2-Ext1-PQ-2025-09", "TLS13-1-2-Ext1-2021-06", false},
	{"TLS13-1-2-Ext2-PQ-2025-09", "TLS13-1-2-Ext2-2021-06", false},
	{"TLS13-1-3-PQ-2025-09", "TLS13-1-3-2021-06", false},
	{"TLS13-1-2-FIPS-PQ-2025-09", "TLS13-1-2-2021-06", true},
	{"TLS13-1-2-Res-FIPS-PQ-2025-09", "TLS13-1-2-Res-2021-06", true},
	{"TLS13-1-2-Ext0-FIPS-PQ-2025-09", "TLS13-1-2-2021-06", true},
	{"TLS13-1-2-Ext1-FIPS-PQ-2025-09", "TLS13-1-2-Ext1-2021-06", true},
	{"TLS13-1-2-Ext2-FIPS-PQ-2025-09", "TLS13-1-2-Ext2-2021-06", true},
	{"TLS13-1-3-FIPS-PQ-2025-09", "TLS13-1-3-2021-06", true},
}

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

// findSSLPolicy returns the predefined policy a name names, or
// SSLPolicyNotFound.
func findSSLPolicy(name string) (*sslPolicy, error) {
	for i := range sslPolicies {
		if sslPolicies[i].name == name {
			return &sslPolicies[i], nil
		}
	}
	return nil, ErrSSLPolicyNotFound.WithMessage(fmt.Sprintf("SSL policy '%s' not found", name))
}

// checkSSLPolicy returns SSLPolicyNotFound for a policy name given
// ("" is none) that is not a predefined policy's.
func checkSSLPolicy(name string) error {
	if name == "" {
		return nil
	}
	_, err := findSSLPolicy(name)
	return err
}

func (p *sslPolicy) shape() SslPolicy {
	out := SslPolicy{Name: ptr(p.name), SslProtocols: p.protocols, Ciphers: []Cipher{},
		SupportedLoadBalancerTypes: []string{"application", "network"}}
	for i, c := range p.ciphers {
		out.Ciphers = append(out.Ciphers, Cipher{Name: ptr(c), Priority: ptr(int32(i + 1))})
	}
	return out
}

func (s *Service) describeSSLPolicies(ctx context.Context, in *DescribeSSLPoliciesInput) (*DescribeSSLPoliciesOutput, error) {
	var list []*sslPolicy
	switch lbType := deref(in.LoadBalancerType); lbType {
	case "", "application", "network":
	case "gateway":
		// Gateway Load Balancers terminate no TLS: no policy is theirs.
		return &DescribeSSLPoliciesOutput{SslPolicies: []SslPolicy{}}, nil
	default:
		return nil, validation("Load balancer type '%s' must be one of 'application, network, gateway'", lbType)
	}
	if len(in.Names) == 0 {
		for i := range sslPolicies {
			list = append(list, &sslPolicies[i])
		}
	}
	for _, name := range in.Names {
		p, err := findSSLPolicy(name)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	page, next, err := paginate(list, in.Marker, in.PageSize)
	if err != nil {
		return nil, err
	}
	out := &DescribeSSLPoliciesOutput{SslPolicies: []SslPolicy{}, NextMarker: next}
	for _, p := range page {
		out.SslPolicies = append(out.SslPolicies, p.shape())
	}
	return out, nil
}
