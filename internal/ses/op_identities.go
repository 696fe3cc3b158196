package ses

import (
	"context"
	"strconv"
	"strings"
)

// maxListItems is ListIdentities' largest (and default) page: "The
// maximum number of identities per page. Possible values are 1-1000
// inclusive."
const maxListItems = 1000

func (s *Service) verifyEmailIdentity(_ context.Context, in *VerifyEmailIdentityRequest) (*VerifyEmailIdentityResponse, error) {
	if err := checkEmail(*in.EmailAddress); err != nil {
		return nil, err
	}
	if _, _, err := s.AddIdentity(*in.EmailAddress, false); err != nil {
		return nil, err
	}
	return &VerifyEmailIdentityResponse{}, nil
}

// verifyEmailAddress is VerifyEmailIdentity's deprecated predecessor.
func (s *Service) verifyEmailAddress(_ context.Context, in *VerifyEmailAddressRequest) (*noOutput, error) {
	if err := checkEmail(*in.EmailAddress); err != nil {
		return nil, err
	}
	if _, _, err := s.AddIdentity(*in.EmailAddress, false); err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

func (s *Service) verifyDomainIdentity(_ context.Context, in *VerifyDomainIdentityRequest) (*VerifyDomainIdentityResponse, error) {
	d := *in.Domain
	if err := checkDomain(d); err != nil {
		return nil, err
	}
	id, _, err := s.AddIdentity(d, true)
	if err != nil {
		return nil, err
	}
	return &VerifyDomainIdentityResponse{VerificationToken: &id.Token}, nil
}

// checkDomain refuses a name that is not a domain.
func checkDomain(d string) error {
	if d == "" || strings.ContainsAny(d, "@ /") {
		return invalidValue("Invalid domain name " + d + ".")
	}
	return nil
}

// checkEmail refuses an address that is not one.
func checkEmail(addr string) error {
	if a, ok := bareAddress(addr); !ok || a != strings.TrimSpace(addr) {
		return invalidValue("Invalid email address<" + addr + ">.")
	}
	return nil
}

func (s *Service) listIdentities(_ context.Context, in *ListIdentitiesRequest) (*ListIdentitiesResponse, error) {
	typ := deref(in.IdentityType)
	if typ != "" && typ != IdentityEmailAddress && typ != IdentityDomain {
		return nil, invalidValue("Invalid IdentityType " + typ + ".")
	}
	limit := maxListItems
	if in.MaxItems != nil && *in.MaxItems > 0 && int(*in.MaxItems) < limit {
		limit = int(*in.MaxItems)
	}
	names := []string{}
	for _, id := range s.Identities(typ) {
		names = append(names, id.Name)
	}
	page, next, err := paginate(names, deref(in.NextToken), limit)
	if err != nil {
		return nil, err
	}
	return &ListIdentitiesResponse{Identities: page, NextToken: next}, nil
}

// paginate returns a page of names after the token and the token of the
// next page.
func paginate(names []string, token string, limit int) ([]string, *string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(names) {
			return nil, nil, invalidValue("Invalid NextToken.")
		}
		start = n
	}
	end := min(start+limit, len(names))
	var next *string
	if end < len(names) {
		next = ptr(strconv.Itoa(end))
	}
	return names[start:end], next, nil
}

func (s *Service) listVerifiedEmailAddresses(_ context.Context, _ *noInput) (*ListVerifiedEmailAddressesResponse, error) {
	out := &ListVerifiedEmailAddressesResponse{VerifiedEmailAddresses: []string{}}
	for _, id := range s.Identities(IdentityEmailAddress) {
		out.VerifiedEmailAddresses = append(out.VerifiedEmailAddresses, id.Name)
	}
	return out, nil
}

// getIdentityVerificationAttributes reports each identity virga knows as
// Success (verification succeeds at once) and leaves out the ones it does
// not, as SES does.
func (s *Service) getIdentityVerificationAttributes(_ context.Context, in *GetIdentityVerificationAttributesRequest) (*GetIdentityVerificationAttributesResponse, error) {
	out := &GetIdentityVerificationAttributesResponse{VerificationAttributes: map[string]IdentityVerificationAttributes{}}
	for _, name := range in.Identities {
		id, ok := s.Identity(name)
		if !ok {
			continue
		}
		a := IdentityVerificationAttributes{VerificationStatus: ptr("Success")}
		if id.Token != "" {
			a.VerificationToken = ptr(id.Token)
		}
		out.VerificationAttributes[name] = a
	}
	return out, nil
}

// deleteIdentity deletes an identity; deleting one that does not exist
// succeeds.
func (s *Service) deleteIdentity(_ context.Context, in *DeleteIdentityRequest) (*DeleteIdentityResponse, error) {
	if _, err := s.DeleteIdentity(*in.Identity); err != nil {
		return nil, err
	}
	return &DeleteIdentityResponse{}, nil
}

func (s *Service) deleteVerifiedEmailAddress(_ context.Context, in *DeleteVerifiedEmailAddressRequest) (*noOutput, error) {
	if _, err := s.DeleteIdentity(*in.EmailAddress); err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}
