package iam

import (
	"context"
)

// accountQuotas are the quota entries of GetAccountSummary's SummaryMap:
// IAM's default quotas ("IAM and AWS STS quotas"), which virga does not
// raise. The size quotas are the ones virga enforces (policydoc.go).
var accountQuotas = map[string]int32{
	"AccessKeysPerUserQuota":          maxAccessKeys,
	"AssumeRolePolicySizeQuota":       maxTrustPolicySize,
	"AttachedPoliciesPerGroupQuota":   10,
	"AttachedPoliciesPerRoleQuota":    10,
	"AttachedPoliciesPerUserQuota":    10,
	"GlobalEndpointTokenVersion":      1,
	"GroupPolicySizeQuota":            maxGroupInlineSize,
	"GroupsPerUserQuota":              10,
	"GroupsQuota":                     300,
	"InstanceProfilesQuota":           1000,
	"PoliciesQuota":                   1500,
	"PolicySizeQuota":                 maxManagedPolicySize,
	"PolicyVersionsInUseQuota":        10000,
	"RolePolicySizeQuota":             maxRoleInlineSize,
	"RolesQuota":                      1000,
	"ServerCertificatesQuota":         20,
	"SigningCertificatesPerUserQuota": 2,
	"UserPolicySizeQuota":             maxUserInlineSize,
	"UsersQuota":                      5000,
	"VersionsPerPolicyQuota":          maxPolicyVersions,
}

// getAccountSummary counts the account's entities from the store, next
// to IAM's quotas. The root user's access keys, signing certificates and
// MFA are not IAM's here: AccountAccessKeysPresent,
// AccountSigningCertificatesPresent and AccountMFAEnabled are 0, as are
// server certificates and identity providers, which virga does not have.
func (s *Service) getAccountSummary(ctx context.Context, _ *noInput) (*GetAccountSummaryResponse, error) {
	m := make(map[string]int32, len(accountQuotas)+16)
	for k, v := range accountQuotas {
		m[k] = v
	}
	for _, k := range []string{"AccountAccessKeysPresent", "AccountMFAEnabled", "AccountSigningCertificatesPresent", "Providers", "ServerCertificates"} {
		m[k] = 0
	}
	counts := []struct {
		kind, key string
	}{{kindUser, "Users"}, {kindGroup, "Groups"}, {kindRole, "Roles"}, {kindProfile, "InstanceProfiles"}, {kindMFA, "MFADevices"}}
	for _, c := range counts {
		n, err := s.count(c.kind)
		if err != nil {
			return nil, err
		}
		m[c.key] = n
	}
	var inUse, versions, policies int32
	err := each(s, kindMFA, func(d *mfaRecord) error {
		if d.User != "" {
			inUse++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(s, kindPolicy, func(p *policyRecord) error {
		policies++
		versions += int32(len(p.Versions))
		return nil
	})
	if err != nil {
		return nil, err
	}
	m["MFADevicesInUse"], m["Policies"], m["PolicyVersionsInUse"] = inUse, policies, versions
	return &GetAccountSummaryResponse{SummaryMap: m}, nil
}

// noInput is the input of an operation that takes none.
type noInput struct{}

// count is how many records of kind there are.
func (s *Service) count(kind string) (int32, error) {
	var n int32
	err := each(s, kind, func(*struct{}) error { n++; return nil })
	return n, err
}
