package cognitoidentity

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// Credentials GetCredentialsForIdentity issues are a session of the
// role named as AWS names it, valid for an hour.
const (
	credentialsSession  = "CognitoIdentityCredentials"
	credentialsLifetime = time.Hour
)

// The condition keys a role's trust policy sees for Cognito identity
// pools' identities.
const (
	trustAud = "cognito-identity.amazonaws.com:aud"
	trustSub = "cognito-identity.amazonaws.com:sub"
	trustAMR = "cognito-identity.amazonaws.com:amr"
)

// amr is how an identity authenticated (the amr claim of its OpenID
// token, and the condition key of its roles' trust policies):
// "unauthenticated" for a guest; "authenticated", and each provider with
// the user's id there, for a signed-in user.
func amr(logins []login) []string {
	if len(logins) == 0 {
		return []string{"unauthenticated"}
	}
	out := []string{"authenticated"}
	for _, l := range logins {
		out = append(out, l.Provider, l.Provider+":CognitoSignIn:"+l.Subject)
	}
	return out
}

// callerIdentity is how API Gateway describes the signer of requests
// made with the identity's credentials.
func callerIdentity(ident *identity, logins []login) awsproto.CognitoIdentity {
	methods := amr(logins)
	c := awsproto.CognitoIdentity{PoolID: ident.Pool, IdentityID: ident.ID, AuthenticationType: methods[0],
		AMR: strings.Join(methods, "\n")}
	c.AuthenticationProvider = strings.Join(methods[1:], ",")
	return c
}

// getId returns the identity of the Logins' user in the pool, made the
// first time, or a new guest identity when there are no Logins.
func (s *Service) getId(ctx context.Context, in *GetIdInput) (*GetIdResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(*in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if len(in.Logins) == 0 {
		if !deref(p.Config.AllowUnauthenticatedIdentities) {
			return nil, ErrNotAuthorized.WithMessage(msgUnauthenticated)
		}
		ident := s.newIdentity(*in.IdentityPoolId)
		w := &write{}
		putIdentity(w, ident)
		return &GetIdResponse{IdentityId: &ident.ID}, s.commit(w)
	}
	logins, err := s.verifyLogins(p, in.Logins)
	if err != nil {
		return nil, err
	}
	ident, err := s.linkedIdentity(*in.IdentityPoolId, logins)
	if err != nil {
		return nil, err
	}
	if ident == nil {
		ident = s.newIdentity(*in.IdentityPoolId)
	}
	w := &write{}
	if s.link(ident, logins) {
		putIdentity(w, ident)
	}
	return &GetIdResponse{IdentityId: &ident.ID}, s.commit(w)
}

func (s *Service) newIdentity(pool string) *identity {
	now := s.clock.Now().UTC()
	return &identity{ID: s.region + ":" + s.ids.UUID(), Pool: pool, Created: now, Modified: now}
}

// linkedIdentity is the identity the logins are linked to in the pool,
// or nil when none is.
func (s *Service) linkedIdentity(pool string, logins []login) (*identity, error) {
	var found *identity
	for _, l := range logins {
		var id string
		ok, err := s.get(loginKey(pool, l.Provider, l.Subject), &id)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if found != nil && found.ID != id {
			return nil, ErrResourceConflict.WithMessage("The logins are linked to different identities.")
		}
		if found, err = s.loadIdentity(id); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// link adds the logins the identity does not have yet; it reports
// whether there were any.
func (s *Service) link(ident *identity, logins []login) bool {
	changed := false
	for _, l := range logins {
		if ident.Logins[l.Provider] == l.Subject {
			continue
		}
		if ident.Logins == nil {
			ident.Logins = map[string]string{}
		}
		ident.Logins[l.Provider] = l.Subject
		ident.Modified = s.clock.Now().UTC()
		changed = true
	}
	return changed
}

// putIdentity writes an identity and its indexes.
func putIdentity(w *write, ident *identity) {
	w.set(identityKey(ident.ID), ident)
	w.set(poolIdentityKey(ident.Pool, ident.ID), ident.ID)
	for provider, subject := range ident.Logins {
		w.set(loginKey(ident.Pool, provider, subject), ident.ID)
	}
}

// deleteIdentity deletes an identity and its indexes.
func deleteIdentity(w *write, ident *identity) {
	w.del(identityKey(ident.ID))
	w.del(poolIdentityKey(ident.Pool, ident.ID))
	for provider, subject := range ident.Logins {
		w.del(loginKey(ident.Pool, provider, subject))
	}
}

// session checks a request for an identity's credentials or token: the
// identity exists, and either it is a guest of a pool that allows
// guests and no Logins are given, or the Logins verify and are the
// identity's own (or no other identity's, and are linked to it). It
// returns the identity, its pool and the verified logins.
func (s *Service) session(identityID string, logins map[string]string) (*identity, *identityPool, []login, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ident, err := s.loadIdentity(identityID)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := s.loadPool(ident.Pool)
	if errors.Is(err, ErrResourceNotFound) {
		return nil, nil, nil, identityNotFound(identityID)
	} else if err != nil {
		return nil, nil, nil, err
	}
	if len(logins) == 0 {
		if len(ident.Logins) > 0 {
			return nil, nil, nil, ErrNotAuthorized.WithMessage(msgLoginsDontMatch)
		}
		if !deref(p.Config.AllowUnauthenticatedIdentities) {
			return nil, nil, nil, ErrNotAuthorized.WithMessage(msgUnauthenticated)
		}
		return ident, p, nil, nil
	}
	verified, err := s.verifyLogins(p, logins)
	if err != nil {
		return nil, nil, nil, err
	}
	linked, err := s.linkedIdentity(ident.Pool, verified)
	if err != nil {
		return nil, nil, nil, err
	}
	if linked != nil && linked.ID != ident.ID {
		return nil, nil, nil, ErrNotAuthorized.WithMessage(msgLoginsDontMatch)
	}
	if s.link(ident, verified) {
		w := &write{}
		putIdentity(w, ident)
		if err := s.commit(w); err != nil {
			return nil, nil, nil, err
		}
	}
	return ident, p, verified, nil
}

func (s *Service) getCredentialsForIdentity(ctx context.Context, in *GetCredentialsForIdentityInput) (*GetCredentialsForIdentityResponse, error) {
	ident, p, logins, err := s.session(*in.IdentityId, in.Logins)
	if err != nil {
		return nil, err
	}
	role, err := p.role(logins, deref(in.CustomRoleArn))
	if err != nil {
		return nil, err
	}
	if s.trusts != nil {
		ok, err := s.trusts(ctx, role, map[string][]string{trustAud: {ident.Pool}, trustSub: {ident.ID}, trustAMR: amr(logins)})
		if err != nil {
			return nil, err
		}
		if !ok {
			s.log.Warn("cognito-identity: the role's trust policy does not allow cognito-identity.amazonaws.com", "pool", ident.Pool, "role", role)
			return nil, ErrInvalidPoolConfig
		}
	}
	cred, err := s.roles.AssumeRole(role, credentialsSession, credentialsLifetime, callerIdentity(ident, logins))
	if err != nil {
		s.log.Warn("cognito-identity: the pool's role cannot be assumed", "pool", ident.Pool, "role", role, "err", err)
		return nil, ErrInvalidPoolConfig
	}
	return &GetCredentialsForIdentityResponse{IdentityId: &ident.ID, Credentials: &Credentials{
		AccessKeyId: &cred.AccessKeyID, SecretKey: &cred.SecretAccessKey, SessionToken: &cred.SessionToken,
		Expiration: &cred.Expiration,
	}}, nil
}

func (s *Service) getOpenIdToken(ctx context.Context, in *GetOpenIdTokenInput) (*GetOpenIdTokenResponse, error) {
	ident, _, logins, err := s.session(*in.IdentityId, in.Logins)
	if err != nil {
		return nil, err
	}
	token, err := s.openIDToken(ident, logins)
	if err != nil {
		return nil, err
	}
	return &GetOpenIdTokenResponse{IdentityId: &ident.ID, Token: &token}, nil
}

func (s *Service) describeIdentity(ctx context.Context, in *DescribeIdentityInput) (*IdentityDescription, error) {
	ident, err := s.loadIdentity(*in.IdentityId)
	if err != nil {
		return nil, err
	}
	return ident.description(), nil
}

func (ident *identity) description() *IdentityDescription {
	logins := slices.Sorted(maps.Keys(ident.Logins))
	if logins == nil {
		logins = []string{}
	}
	return &IdentityDescription{IdentityId: ptr(ident.ID), Logins: logins,
		CreationDate: ptr(ident.Created), LastModifiedDate: ptr(ident.Modified)}
}

// eachIdentity calls f with the pool's identities after the one with id
// after ("" from the first) until f returns false.
func (s *Service) eachIdentity(pool string, after *string, f func(*identity) bool) error {
	var from []byte
	if after != nil {
		from = poolIdentityKey(pool, *after)
	}
	return s.scan(poolIdentities(pool), from, func(k, v []byte) (bool, error) {
		var id string
		if err := jsonUnmarshal(v, &id); err != nil {
			return false, err
		}
		var ident identity
		if ok, err := s.get(identityKey(id), &ident); err != nil || !ok {
			return err == nil, err
		}
		return f(&ident), nil
	})
}

func (s *Service) listIdentities(ctx context.Context, in *ListIdentitiesInput) (*ListIdentitiesResponse, error) {
	if _, err := s.loadPool(*in.IdentityPoolId); err != nil {
		return nil, err
	}
	out := &ListIdentitiesResponse{IdentityPoolId: in.IdentityPoolId, Identities: []IdentityDescription{}}
	max := int(*in.MaxResults)
	err := s.eachIdentity(*in.IdentityPoolId, in.NextToken, func(ident *identity) bool {
		if len(out.Identities) == max {
			out.NextToken = out.Identities[max-1].IdentityId
			return false
		}
		out.Identities = append(out.Identities, *ident.description())
		return true
	})
	return out, err
}

func (s *Service) deleteIdentities(ctx context.Context, in *DeleteIdentitiesInput) (*DeleteIdentitiesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &write{}
	for _, id := range in.IdentityIdsToDelete {
		ident, err := s.loadIdentity(id)
		if errors.Is(err, ErrResourceNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		deleteIdentity(w, ident)
	}
	return &DeleteIdentitiesResponse{UnprocessedIdentityIds: []UnprocessedIdentityId{}}, s.commit(w)
}
