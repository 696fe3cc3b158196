package iam

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// LookupCredential returns the access key CreateAccessKey issued with the
// given id, as the edge asks for every request signed with a key that is
// not in the configuration, or nil if IAM did not issue it or it is
// inactive (AWS refuses requests signed with an inactive key).
func (s *Service) LookupCredential(accessKeyID string) (*awsproto.Credential, error) {
	// Every request signed with a key virga's configuration does not
	// hold comes here first; only keys IAM could have made are looked
	// up in the store.
	if !strings.HasPrefix(accessKeyID, keyPrefix) {
		return nil, nil
	}
	owner, err := s.keyOwner(accessKeyID)
	if err != nil || owner == "" {
		return nil, err
	}
	var u userRecord
	ok, err := s.get(kindUser, owner, &u)
	if err != nil || !ok {
		return nil, err
	}
	for _, k := range u.Keys {
		if k.ID != accessKeyID {
			continue
		}
		if k.Status != "Active" {
			return nil, nil
		}
		return &awsproto.Credential{
			AccessKeyID:     k.ID,
			SecretAccessKey: k.Secret,
			Caller: awsproto.Caller{
				AccessKeyID: k.ID,
				Account:     s.account,
				ARN:         s.arn("user", u.Path, u.Name),
				UserID:      u.ID,
			},
		}, nil
	}
	return nil, nil
}
