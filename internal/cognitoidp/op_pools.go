package cognitoidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/virga/virga/internal/store/keys"
)

// Pool defaults, from CreateUserPool's API reference and "Adding user
// pool password requirements".
const (
	defaultMinimumLength         = 8
	defaultTemporaryPasswordDays = 7
	// signingKeyBits is the size of the RSA keys tokens are signed with
	// (RS256, as the developer guide's token headers say).
	signingKeyBits = 2048
	poolIDLength   = 9  // us-east-1_ and nine letters and digits
	clientIDLength = 26 // lowercase letters and digits
	secretLength   = 51
)

// standardAttributes are the attributes every pool has, from "Working
// with user attributes".
var standardAttributes = []string{"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
	"locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture", "preferred_username",
	"profile", "sub", "updated_at", "website", "zoneinfo"}

func (s *Service) createUserPool(_ context.Context, in *CreateUserPoolRequest) (*CreateUserPoolResponse, error) {
	now := s.clock.Now()
	id := s.region + "_" + s.randomString(poolIDLength, alnum)
	cfg := UserPoolType{
		Id: &id, Name: in.PoolName, Policies: in.Policies, DeletionProtection: in.DeletionProtection,
		LambdaConfig: in.LambdaConfig, Status: ptr(StatusType("Enabled")), LastModifiedDate: &now, CreationDate: &now,
		AutoVerifiedAttributes: in.AutoVerifiedAttributes, AliasAttributes: in.AliasAttributes,
		UsernameAttributes: in.UsernameAttributes, SmsVerificationMessage: in.SmsVerificationMessage,
		EmailVerificationMessage: in.EmailVerificationMessage, EmailVerificationSubject: in.EmailVerificationSubject,
		VerificationMessageTemplate: in.VerificationMessageTemplate, SmsAuthenticationMessage: in.SmsAuthenticationMessage,
		UserAttributeUpdateSettings: in.UserAttributeUpdateSettings, MfaConfiguration: in.MfaConfiguration,
		DeviceConfiguration: in.DeviceConfiguration, EmailConfiguration: in.EmailConfiguration,
		SmsConfiguration: in.SmsConfiguration, UserPoolTags: in.UserPoolTags, AdminCreateUserConfig: in.AdminCreateUserConfig,
		UserPoolAddOns: in.UserPoolAddOns, UsernameConfiguration: in.UsernameConfiguration,
		AccountRecoverySetting: in.AccountRecoverySetting, EstimatedNumberOfUsers: ptr(int32(0)),
		Arn: ptr("arn:aws:cognito-idp:" + s.region + ":" + s.account + ":userpool/" + id),
	}
	if len(in.AliasAttributes) > 0 && len(in.UsernameAttributes) > 0 {
		return nil, ErrInvalidParameter.WithMessage("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	if cfg.Policies == nil {
		cfg.Policies = &UserPoolPolicyType{}
	}
	if cfg.Policies.PasswordPolicy == nil {
		cfg.Policies.PasswordPolicy = &PasswordPolicyType{RequireUppercase: ptr(true), RequireLowercase: ptr(true),
			RequireNumbers: ptr(true), RequireSymbols: ptr(true)}
	}
	pp := cfg.Policies.PasswordPolicy
	if pp.MinimumLength == nil {
		pp.MinimumLength = ptr(int32(defaultMinimumLength))
	}
	if pp.TemporaryPasswordValidityDays == nil {
		pp.TemporaryPasswordValidityDays = ptr(int32(defaultTemporaryPasswordDays))
	}
	for _, b := range []**bool{&pp.RequireUppercase, &pp.RequireLowercase, &pp.RequireNumbers, &pp.RequireSymbols} {
		if *b == nil {
			*b = ptr(false)
		}
	}
	if cfg.AdminCreateUserConfig == nil {
		cfg.AdminCreateUserConfig = &AdminCreateUserConfigType{AllowAdminCreateUserOnly: ptr(false)}
	}
	if cfg.DeletionProtection == nil {
		cfg.DeletionProtection = ptr(DeletionProtectionType("INACTIVE"))
	}
	if cfg.MfaConfiguration == nil {
		cfg.MfaConfiguration = ptr(UserPoolMfaType("OFF"))
	}
	if cfg.LambdaConfig == nil {
		cfg.LambdaConfig = &LambdaConfigType{}
	}
	schema, err := poolSchema(in.Schema)
	if err != nil {
		return nil, err
	}
	cfg.SchemaAttributes = schema
	p := &pool{Config: cfg}
	for range 2 {
		k, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		p.Keys = append(p.Keys, s.box.Seal(der))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.put1(poolKey(id), p); err != nil {
		return nil, err
	}
	return &CreateUserPoolResponse{UserPool: &p.Config}, nil
}

// poolSchema is a pool's schema: the standard attributes, with the
// request's settings for those it names, and its custom attributes,
// named custom:NAME.
func poolSchema(req []SchemaAttributeType) ([]SchemaAttributeType, error) {
	var out []SchemaAttributeType
	byName := map[string]SchemaAttributeType{}
	for _, a := range req {
		byName[deref(a.Name)] = a
	}
	for _, name := range standardAttributes {
		a := SchemaAttributeType{Name: ptr(name), AttributeDataType: ptr(AttributeDataType("String")),
			DeveloperOnlyAttribute: ptr(false), Mutable: ptr(name != "sub"), Required: ptr(name == "sub"),
			StringAttributeConstraints: &StringAttributeConstraintsType{MinLength: ptr("0"), MaxLength: ptr("2048")}}
		switch name {
		case "sub":
			a.StringAttributeConstraints = &StringAttributeConstraintsType{MinLength: ptr("1"), MaxLength: ptr("2048")}
		case "email_verified", "phone_number_verified":
			a.AttributeDataType, a.StringAttributeConstraints = ptr(AttributeDataType("Boolean")), nil
		case "updated_at":
			a.AttributeDataType, a.StringAttributeConstraints = ptr(AttributeDataType("Number")), nil
			a.NumberAttributeConstraints = &NumberAttributeConstraintsType{MinValue: ptr("0")}
		}
		if r, ok := byName[name]; ok {
			delete(byName, name)
			if r.Required != nil {
				a.Required = r.Required
			}
			if r.Mutable != nil && name != "sub" {
				a.Mutable = r.Mutable
			}
		}
		out = append(out, a)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := byName[n]
		if deref(a.Required) {
			return nil, ErrInvalidParameter.WithMessage("Required custom attributes are not supported currently.")
		}
		a.Name = ptr("custom:" + strings.TrimPrefix(n, "custom:"))
		if a.AttributeDataType == nil {
			a.AttributeDataType = ptr(AttributeDataType("String"))
		}
		if a.Mutable == nil {
			a.Mutable = ptr(true)
		}
		a.Required = ptr(false)
		if a.DeveloperOnlyAttribute == nil {
			a.DeveloperOnlyAttribute = ptr(false)
		}
		out = append(out, a)
	}
	return out, nil
}

func (s *Service) describeUserPool(_ context.Context, in *DescribeUserPoolRequest) (*DescribeUserPoolResponse, error) {
	p, err := s.loadPool(deref(in.UserPoolId))
	if err != nil {
		return nil, err
	}
	users, err := list[user](s, poolPrefix("user", deref(in.UserPoolId)))
	if err != nil {
		return nil, err
	}
	p.Config.EstimatedNumberOfUsers = ptr(int32(len(users)))
	return &DescribeUserPoolResponse{UserPool: &p.Config}, nil
}

func (s *Service) listUserPools(_ context.Context, in *ListUserPoolsRequest) (*ListUserPoolsResponse, error) {
	pools, err := list[pool](s, base("pool"))
	if err != nil {
		return nil, err
	}
	items := make([]string, len(pools))
	for i, p := range pools {
		items[i] = deref(p.Config.Id)
	}
	from, to, next, err := page(items, deref(in.NextToken), int(deref(in.MaxResults)), 60)
	if err != nil {
		return nil, err
	}
	out := &ListUserPoolsResponse{UserPools: []UserPoolDescriptionType{}, NextToken: next}
	for _, p := range pools[from:to] {
		c := p.Config
		out.UserPools = append(out.UserPools, UserPoolDescriptionType{Id: c.Id, Name: c.Name, LambdaConfig: c.LambdaConfig,
			Status: c.Status, LastModifiedDate: c.LastModifiedDate, CreationDate: c.CreationDate})
	}
	return out, nil
}

// page picks the page of items (in order) that starts after token,
// at most limit long (max when limit is 0); next is the token of the
// page after it, if any. A token is the last item of the page before.
func page(items []string, token string, limit, max int) (from, to int, next *string, err error) {
	if limit <= 0 || limit > max {
		limit = max
	}
	if token != "" {
		i, found := slices.BinarySearch(items, token)
		if !found {
			return 0, 0, nil, ErrInvalidParameter.WithMessage("Invalid pagination token")
		}
		from = i + 1
	}
	to = min(from+limit, len(items))
	if to < len(items) {
		next = ptr(items[to-1])
	}
	return from, to, next, nil
}

func (s *Service) updateUserPool(_ context.Context, in *UpdateUserPoolRequest) (*UpdateUserPoolResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(deref(in.UserPoolId))
	if err != nil {
		return nil, err
	}
	c := &p.Config
	// UpdateUserPool sets every setting it is given and returns those it
	// is not to their defaults, as its API reference warns.
	c.Policies = in.Policies
	if c.Policies == nil || c.Policies.PasswordPolicy == nil {
		c.Policies = &UserPoolPolicyType{PasswordPolicy: &PasswordPolicyType{MinimumLength: ptr(int32(defaultMinimumLength)),
			RequireUppercase: ptr(true), RequireLowercase: ptr(true), RequireNumbers: ptr(true), RequireSymbols: ptr(true),
			TemporaryPasswordValidityDays: ptr(int32(defaultTemporaryPasswordDays))}}
	}
	c.LambdaConfig = in.LambdaConfig
	if c.LambdaConfig == nil {
		c.LambdaConfig = &LambdaConfigType{}
	}
	if in.DeletionProtection != nil {
		c.DeletionProtection = in.DeletionProtection
	}
	c.AutoVerifiedAttributes = in.AutoVerifiedAttributes
	c.SmsVerificationMessage, c.EmailVerificationMessage, c.EmailVerificationSubject = in.SmsVerificationMessage, in.EmailVerificationMessage, in.EmailVerificationSubject
	c.VerificationMessageTemplate, c.SmsAuthenticationMessage = in.VerificationMessageTemplate, in.SmsAuthenticationMessage
	c.UserAttributeUpdateSettings, c.DeviceConfiguration = in.UserAttributeUpdateSettings, in.DeviceConfiguration
	c.EmailConfiguration, c.SmsConfiguration, c.UserPoolAddOns = in.EmailConfiguration, in.SmsConfiguration, in.UserPoolAddOns
	c.AccountRecoverySetting = in.AccountRecoverySetting
	if in.MfaConfiguration != nil {
		c.MfaConfiguration = in.MfaConfiguration
	}
	if in.UserPoolTags != nil {
		c.UserPoolTags = in.UserPoolTags
	}
	c.AdminCreateUserConfig = in.AdminCreateUserConfig
	if c.AdminCreateUserConfig == nil {
		c.AdminCreateUserConfig = &AdminCreateUserConfigType{AllowAdminCreateUserOnly: ptr(false)}
	}
	c.LastModifiedDate = ptr(s.clock.Now())
	return &UpdateUserPoolResponse{}, s.put1(poolKey(deref(c.Id)), p)
}

func (s *Service) deleteUserPool(_ context.Context, in *DeleteUserPoolRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := deref(in.UserPoolId)
	p, err := s.loadPool(id)
	if err != nil {
		return nil, err
	}
	if deref(p.Config.DeletionProtection) == "ACTIVE" {
		return nil, ErrInvalidParameter.WithMessage("The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	// A pool's domain is deleted first (DeleteUserPoolDomain), as on AWS.
	if deref(p.Config.Domain) != "" || deref(p.Config.CustomDomain) != "" {
		return nil, ErrInvalidParameter.WithMessage("User pool cannot be deleted. It has a domain configured that should be deleted first.")
	}
	clients, err := list[client](s, poolPrefix("client", id))
	if err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	for _, c := range clients {
		b.Delete(clientIndexKey(deref(c.Config.ClientId)))
	}
	for _, kind := range []string{"client", "user", "group", "resource"} {
		pre := poolPrefix(kind, id)
		b.DeleteRange(pre, keys.PrefixEnd(pre))
	}
	// Refresh tokens are keyed by token: find the pool's.
	pre := base("refresh")
	it, err := s.store.NewIter(pre, keys.PrefixEnd(pre))
	if err != nil {
		return nil, err
	}
	for ok := it.First(); ok; ok = it.Next() {
		var rt refreshToken
		if json.Unmarshal(it.Value(), &rt) == nil && rt.Pool == id {
			b.Delete(slices.Clone(it.Key()))
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	b.Delete(poolKey(id))
	delete(s.keys, id)
	return &noOutput{}, b.Commit()
}

// signingKeys returns a pool's signing keys, unsealed.
func (s *Service) signingKeys(p *pool) (*poolKeys, error) {
	id := deref(p.Config.Id)
	if k := s.keys[id]; k != nil {
		return k, nil
	}
	pk := &poolKeys{}
	for _, sk := range p.Keys {
		der, err := s.box.Open(sk)
		if err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, err
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			continue
		}
		pk.keys = append(pk.keys, signingKey{kid: keyID(&rk.PublicKey), key: rk})
	}
	s.keys[id] = pk
	return pk, nil
}
