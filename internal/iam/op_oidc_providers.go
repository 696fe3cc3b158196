package iam

import (
	"context"
	"slices"
	"strings"
	"time"
)

// OpenID Connect identity providers (GitHub Actions' OIDC, EKS's): an
// issuer URL, the client ids (audiences) it issues tokens for, and the
// thumbprints of its certificates. virga keeps them as IAM does, and
// STS's AssumeRoleWithWebIdentity accepts the tokens of their issuers
// for their client ids (OpenIDConnectProvider).
//
//	("iam", "oidc", lower(host/path)) → oidcRecord

const kindOIDC = "oidc"

// Limits of an OpenID Connect provider, from IAM's quotas.
const (
	// maxOIDCClientIDs: "Client IDs per OpenID Connect provider: 100".
	maxOIDCClientIDs = 100
	// maxOIDCThumbprints: "Thumbprints per OpenID Connect provider: 5".
	maxOIDCThumbprints = 5
	// oidcThumbprintLen: a thumbprint is a SHA-1 hash, 40 hexadecimal
	// characters.
	oidcThumbprintLen = 40
)

type oidcRecord struct {
	URL         string      `json:"url"` // without https://
	ClientIDs   []string    `json:"clientIds,omitempty"`
	Thumbprints []string    `json:"thumbprints,omitempty"`
	Created     time.Time   `json:"created"`
	Tags        []tagRecord `json:"tags,omitempty"`
}

func (s *Service) oidcARN(url string) string { return s.arn("oidc-provider/", "", url) }

func noSuchOIDCProvider(arn string) error {
	return ErrNoSuchEntity.Withf("OpenIDConnect Provider not found for arn %s", arn)
}

// oidcKey is the record key of the provider an ARN names, "" when it
// names none of this account's.
func (s *Service) oidcKey(arn string) string {
	url, ok := strings.CutPrefix(arn, s.oidcARN(""))
	if !ok || url == "" {
		return ""
	}
	return url
}

func (s *Service) oidcProvider(arn string) (*oidcRecord, error) {
	key := s.oidcKey(arn)
	var p oidcRecord
	if key == "" {
		return nil, noSuchOIDCProvider(arn)
	}
	ok, err := s.get(kindOIDC, key, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchOIDCProvider(arn)
	}
	return &p, nil
}

// updateOIDCWith changes the provider arn names with f and stores it.
func (s *Service) updateOIDCWith(arn string, f func(*oidcRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.oidcProvider(arn)
	if err != nil {
		return err
	}
	if err := f(p); err != nil {
		return err
	}
	return s.commit(new(change).put(kindOIDC, p.URL, p))
}

func checkThumbprints(list []string) error {
	if len(list) > maxOIDCThumbprints {
		return ErrLimitExceeded.Withf("Thumbprint list must contain at most %d thumbprints.", maxOIDCThumbprints)
	}
	for _, t := range list {
		if len(t) != oidcThumbprintLen || strings.Trim(strings.ToLower(t), "0123456789abcdef") != "" {
			return ErrInvalidInput.Withf("Thumbprint %s is not a 40-character hexadecimal string.", t)
		}
	}
	return nil
}

func (s *Service) createOpenIDConnectProvider(ctx context.Context, in *CreateOpenIDConnectProviderRequest) (*CreateOpenIDConnectProviderResponse, error) {
	raw := *in.Url
	url, ok := strings.CutPrefix(raw, "https://")
	if !ok || url == "" || strings.ContainsAny(url, "?#") {
		return nil, ErrInvalidInput.Withf("Invalid URL %s: it must begin with https:// and have no query or fragment.", raw)
	}
	url = strings.TrimSuffix(url, "/")
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	ids := []string{}
	for _, id := range in.ClientIDList {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxOIDCClientIDs {
		return nil, ErrLimitExceeded.Withf("Client ID list must contain at most %d client ids.", maxOIDCClientIDs)
	}
	if len(in.Tags) > maxTagsPerEntity {
		return nil, tooManyTags()
	}
	p := &oidcRecord{URL: url, ClientIDs: ids, Thumbprints: in.ThumbprintList,
		Created: s.clock.Now().UTC().Truncate(time.Second), Tags: mergeTags(nil, in.Tags)}
	s.mu.Lock()
	defer s.mu.Unlock()
	var have oidcRecord
	if ok, err := s.get(kindOIDC, url, &have); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrEntityAlreadyExists.Withf("Provider with url https://%s already exists.", have.URL)
	}
	if err := s.commit(new(change).put(kindOIDC, url, p)); err != nil {
		return nil, err
	}
	return &CreateOpenIDConnectProviderResponse{OpenIDConnectProviderArn: ptr(s.oidcARN(url)), Tags: tagsOut(p.Tags)}, nil
}

func (s *Service) getOpenIDConnectProvider(ctx context.Context, in *GetOpenIDConnectProviderRequest) (*GetOpenIDConnectProviderResponse, error) {
	p, err := s.oidcProvider(*in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return &GetOpenIDConnectProviderResponse{Url: ptr(p.URL), ClientIDList: append([]string{}, p.ClientIDs...),
		ThumbprintList: append([]string{}, p.Thumbprints...), CreateDate: ptr(p.Created), Tags: tagsOut(p.Tags)}, nil
}

func (s *Service) listOpenIDConnectProviders(ctx context.Context, in *ListOpenIDConnectProvidersRequest) (*ListOpenIDConnectProvidersResponse, error) {
	all, err := all[oidcRecord](s, kindOIDC)
	if err != nil {
		return nil, err
	}
	out := &ListOpenIDConnectProvidersResponse{OpenIDConnectProviderList: []OpenIDConnectProviderListEntry{}}
	for _, p := range all {
		out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList, OpenIDConnectProviderListEntry{Arn: ptr(s.oidcARN(p.URL))})
	}
	return out, nil
}

func (s *Service) deleteOpenIDConnectProvider(ctx context.Context, in *DeleteOpenIDConnectProviderRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.oidcProvider(*in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return nil, s.commit(new(change).del(kindOIDC, p.URL))
}

func (s *Service) updateOpenIDConnectProviderThumbprint(ctx context.Context, in *UpdateOpenIDConnectProviderThumbprintRequest) (*noOutput, error) {
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	return nil, s.updateOIDCWith(*in.OpenIDConnectProviderArn, func(p *oidcRecord) error {
		p.Thumbprints = in.ThumbprintList
		return nil
	})
}

func (s *Service) addClientIDToOpenIDConnectProvider(ctx context.Context, in *AddClientIDToOpenIDConnectProviderRequest) (*noOutput, error) {
	return nil, s.updateOIDCWith(*in.OpenIDConnectProviderArn, func(p *oidcRecord) error {
		if slices.Contains(p.ClientIDs, *in.ClientID) {
			return nil
		}
		if len(p.ClientIDs) >= maxOIDCClientIDs {
			return ErrLimitExceeded.Withf("Client ID list must contain at most %d client ids.", maxOIDCClientIDs)
		}
		p.ClientIDs = append(p.ClientIDs, *in.ClientID)
		return nil
	})
}

func (s *Service) removeClientIDFromOpenIDConnectProvider(ctx context.Context, in *RemoveClientIDFromOpenIDConnectProviderRequest) (*noOutput, error) {
	return nil, s.updateOIDCWith(*in.OpenIDConnectProviderArn, func(p *oidcRecord) error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(id string) bool { return id == *in.ClientID })
		return nil
	})
}

func (s *Service) tagOpenIDConnectProvider(ctx context.Context, in *TagOpenIDConnectProviderRequest) (*noOutput, error) {
	return nil, s.updateOIDCWith(*in.OpenIDConnectProviderArn, func(p *oidcRecord) error {
		tags := mergeTags(append([]tagRecord(nil), p.Tags...), in.Tags)
		if len(tags) > maxTagsPerEntity {
			return tooManyTags()
		}
		p.Tags = tags
		return nil
	})
}

func (s *Service) untagOpenIDConnectProvider(ctx context.Context, in *UntagOpenIDConnectProviderRequest) (*noOutput, error) {
	return nil, s.updateOIDCWith(*in.OpenIDConnectProviderArn, func(p *oidcRecord) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
}

func (s *Service) listOpenIDConnectProviderTags(ctx context.Context, in *ListOpenIDConnectProviderTagsRequest) (*ListOpenIDConnectProviderTagsResponse, error) {
	p, err := s.oidcProvider(*in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := pageTags(p.Tags, in.Marker, in.MaxItems)
	return &ListOpenIDConnectProviderTagsResponse{Tags: got, IsTruncated: truncated, Marker: marker}, nil
}

// OpenIDConnectProvider returns the ARN and client ids (audiences) of
// the OpenID Connect provider whose URL is issuer (without https://),
// as STS checks AssumeRoleWithWebIdentity's tokens against them; false
// when the account has no such provider.
func (s *Service) OpenIDConnectProvider(issuer string) (arn string, clientIDs []string, ok bool, err error) {
	var p oidcRecord
	if ok, err = s.get(kindOIDC, strings.TrimSuffix(issuer, "/"), &p); err != nil || !ok {
		return "", nil, false, err
	}
	return s.oidcARN(p.URL), p.ClientIDs, true, nil
}
