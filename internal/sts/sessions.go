package sts

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// session is the stored form of temporary credentials.
type session struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	Expiration      time.Time `json:"expiration"`
	Account         string    `json:"account"`
	ARN             string    `json:"arn"`
	UserID          string    `json:"userId"`
	// Policy and PolicyARNs are the session policies AssumeRole was given.
	Policy     string   `json:"policy,omitempty"`
	PolicyARNs []string `json:"policyArns,omitempty"`
	// Federator is the identity that asked GetFederationToken for a
	// federated user's session (see awsproto.Caller.Federator).
	Federator string `json:"federator,omitempty"`
	// Cognito is the identity pool identity the session was issued for.
	Cognito awsproto.CognitoIdentity `json:"cognito,omitzero"`
}

// newSession makes fresh temporary credentials for the identity arn
// (with its user id, in account), valid for duration from now.
func (s *Service) newSession(duration time.Duration, account, arn, userID string) *session {
	return &session{
		AccessKeyID:     s.ids.AccessKeyID("ASIA"),
		SecretAccessKey: s.ids.Secret(),
		SessionToken:    s.ids.Token(sessionTokenLength),
		Expiration:      s.clock.Now().Add(duration).UTC().Truncate(time.Second),
		Account:         account,
		ARN:             arn,
		UserID:          userID,
	}
}

// sessionKey is where a session is stored: ("sts", "session", key id).
func sessionKey(accessKeyID string) []byte {
	k := keys.AppendString(nil, "sts")
	k = keys.AppendString(k, "session")
	return keys.AppendString(k, accessKeyID)
}

// saveSession stores s durably before the caller hands it out.
func (s *Service) saveSession(sess *session) error {
	v, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(sessionKey(sess.AccessKeyID), v)
	return b.Commit()
}

// LookupCredential returns the temporary credentials with the given access
// key id, or nil if STS never issued them. Expired credentials are
// returned too, so that the edge can answer ExpiredToken rather than
// InvalidClientTokenId; they are deleted once they have been expired for a
// day.
func (s *Service) LookupCredential(accessKeyID string) (*awsproto.Credential, error) {
	// Every request signed with a key that is not in the configuration
	// asks; most ask about keys STS never issued. Remember those answers.
	if _, unknown := s.unknownKeys.Load(accessKeyID); unknown {
		return nil, nil
	}
	v, err := s.store.Get(sessionKey(accessKeyID))
	if errors.Is(err, store.ErrNotFound) {
		s.rememberUnknown(accessKeyID)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var sess session
	if err := json.Unmarshal(v, &sess); err != nil {
		return nil, fmt.Errorf("sts: stored session %s: %w", accessKeyID, err)
	}
	if s.clock.Now().After(sess.Expiration.Add(forgetExpiredAfter)) {
		b := s.store.NewBatch()
		defer b.Close()
		b.Delete(sessionKey(accessKeyID))
		if err := b.Commit(); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return &awsproto.Credential{
		AccessKeyID:     sess.AccessKeyID,
		SecretAccessKey: sess.SecretAccessKey,
		SessionToken:    sess.SessionToken,
		Expires:         sess.Expiration,
		Caller: awsproto.Caller{
			AccessKeyID:  sess.AccessKeyID,
			SessionToken: sess.SessionToken,
			Account:      sess.Account,
			ARN:          sess.ARN,
			UserID:       sess.UserID,

			SessionPolicy:     sess.Policy,
			SessionPolicyARNs: strings.Join(sess.PolicyARNs, "\n"),
			Federator:         sess.Federator,
			Cognito:           sess.Cognito,
		},
	}, nil
}

// forgetExpiredAfter is how long expired credentials are remembered, so
// their use is reported as expired rather than unknown.
const forgetExpiredAfter = 24 * time.Hour

// maxUnknownKeys bounds the memory of unknown access keys; past it the
// memory starts afresh.
const maxUnknownKeys = 10000

// rememberUnknown records that STS never issued accessKeyID. Keys STS
// issues are random, so an issued key is never one remembered here.
func (s *Service) rememberUnknown(accessKeyID string) {
	if s.unknownCount.Add(1) > maxUnknownKeys {
		s.unknownKeys.Clear()
		s.unknownCount.Store(0)
	}
	s.unknownKeys.Store(accessKeyID, struct{}{})
}
