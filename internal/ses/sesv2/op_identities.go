package sesv2

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/ses"
)

// identityType is v2's name for an identity's type.
func identityType(id ses.Identity) string {
	if id.Type == ses.IdentityDomain {
		return "DOMAIN"
	}
	return "EMAIL_ADDRESS"
}

// dkimAttributes are an identity's Easy DKIM attributes: a domain signs
// with three tokens (stable, derived from its name) and, as verification
// succeeds at once, its status is SUCCESS; an email address has none of
// its own.
func dkimAttributes(id ses.Identity) *DkimAttributes {
	if id.Type != ses.IdentityDomain {
		return &DkimAttributes{SigningEnabled: ptr(false), Status: ptr("NOT_STARTED"), Tokens: []string{}}
	}
	tokens := make([]string, 3)
	for i := range tokens {
		sum := sha256.Sum256([]byte(strconv.Itoa(i) + "/" + strings.ToLower(id.Name)))
		tokens[i] = hex.EncodeToString(sum[:16])
	}
	return &DkimAttributes{SigningEnabled: ptr(true), Status: ptr("SUCCESS"), Tokens: tokens,
		SigningAttributesOrigin: ptr("AWS_SES"), CurrentSigningKeyLength: ptr("RSA_2048_BIT"), NextSigningKeyLength: ptr("RSA_2048_BIT")}
}

func (s *Service) createEmailIdentity(_ context.Context, in *CreateEmailIdentityRequest) (*CreateEmailIdentityResponse, error) {
	name := *in.EmailIdentity
	domain := !strings.Contains(name, "@")
	id, created, err := s.core.AddIdentity(name, domain)
	if err != nil {
		return nil, err
	}
	if !created {
		return nil, ErrAlreadyExists.Withf("Email identity %s already exist.", name)
	}
	return &CreateEmailIdentityResponse{IdentityType: ptr(identityType(id)), VerifiedForSendingStatus: ptr(true),
		DkimAttributes: dkimAttributes(id)}, nil
}

func notFoundIdentity(name string) error {
	return ErrNotFound.Withf("Email identity %s does not exist.", name)
}

func (s *Service) getEmailIdentity(_ context.Context, in *GetEmailIdentityRequest) (*GetEmailIdentityResponse, error) {
	id, ok := s.core.Identity(*in.EmailIdentity)
	if !ok {
		return nil, notFoundIdentity(*in.EmailIdentity)
	}
	return &GetEmailIdentityResponse{IdentityType: ptr(identityType(id)), FeedbackForwardingStatus: ptr(true),
		VerifiedForSendingStatus: ptr(true), VerificationStatus: ptr("SUCCESS"), DkimAttributes: dkimAttributes(id),
		Policies: map[string]string{}, Tags: []Tag{}}, nil
}

// maxPageSize is ListEmailIdentities' largest page ("The value you
// specify has to be at least 0, and can be no more than 1000").
const maxPageSize = 1000

func (s *Service) listEmailIdentities(_ context.Context, in *ListEmailIdentitiesRequest) (*ListEmailIdentitiesResponse, error) {
	return s.listIdentities(deref(in.NextToken), in.PageSize)
}

// listEmailIdentitiesBody is ListEmailIdentities as current SDKs call it,
// POST /v2/email/list-identities. Its Filter is not supported: a request
// that sets one is refused rather than answered unfiltered.
func (s *Service) listEmailIdentitiesBody(_ context.Context, in *ListEmailIdentitiesBodyRequest) (*ListEmailIdentitiesResponse, error) {
	if len(in.Filter) > 0 {
		return nil, ErrBadRequest.WithMessage("virga does not support ListEmailIdentities filters.")
	}
	return s.listIdentities(deref(in.NextToken), in.PageSize)
}

func (s *Service) listIdentities(token string, size *int32) (*ListEmailIdentitiesResponse, error) {
	ids := s.core.Identities("")
	start, end, next, err := page(len(ids), token, pageSize(size, maxPageSize))
	if err != nil {
		return nil, err
	}
	out := &ListEmailIdentitiesResponse{EmailIdentities: []IdentityInfo{}, NextToken: next}
	for _, id := range ids[start:end] {
		out.EmailIdentities = append(out.EmailIdentities, IdentityInfo{IdentityType: ptr(identityType(id)),
			IdentityName: ptr(id.Name), SendingEnabled: ptr(true), VerificationStatus: ptr("SUCCESS")})
	}
	return out, nil
}

func (s *Service) deleteEmailIdentity(_ context.Context, in *DeleteEmailIdentityRequest) (*DeleteEmailIdentityResponse, error) {
	deleted, err := s.core.DeleteIdentity(*in.EmailIdentity)
	if err != nil {
		return nil, err
	}
	if !deleted {
		return nil, notFoundIdentity(*in.EmailIdentity)
	}
	return &DeleteEmailIdentityResponse{}, nil
}

// pageSize is a request's page size, the largest when it names none.
func pageSize(p *int32, largest int) int {
	if p == nil || *p <= 0 || int(*p) > largest {
		return largest
	}
	return int(*p)
}

// page returns the bounds of the page of n items after the token, and
// the token of the next page.
func page(n int, token string, limit int) (start, end int, next *string, err error) {
	if token != "" {
		start, err = strconv.Atoi(token)
		if err != nil || start < 0 || start > n {
			return 0, 0, nil, ErrBadRequest.WithMessage("Invalid NextToken.")
		}
	}
	end = min(start+limit, n)
	if end < n {
		next = ptr(strconv.Itoa(end))
	}
	return start, end, next, nil
}
