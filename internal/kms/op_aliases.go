package kms

import (
	"context"
	"regexp"
	"sort"
	"strings"
)

// aliasPattern is what an alias name must match: "alias/" and then
// letters, digits, slashes, underscores and dashes.
var aliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)

// checkAliasName refuses names without the alias/ prefix, with other
// characters, and in AWS's reserved alias/aws/ space.
func checkAliasName(name string) error {
	if !aliasPattern.MatchString(name) {
		return ErrValidation.WithMessage("1 validation error detected: Value '" + name + "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$")
	}
	if strings.HasPrefix(name, reservedAliasPrefix) {
		return ErrNotAuthorized.WithMessage("Cannot create or modify an alias with the reserved prefix alias/aws/")
	}
	return nil
}

// aliasTarget resolves the TargetKeyId of CreateAlias and UpdateAlias,
// which must name a customer managed key by key id or key ARN.
func (s *Service) aliasTarget(ref string) (*key, error) {
	if strings.HasPrefix(ref, "alias/") || aliasFromARN(ref) != "" {
		return nil, ErrValidation.WithMessage("Aliases must refer to keys. Not aliases")
	}
	k, err := s.resolveKey(ref)
	if err != nil {
		return nil, err
	}
	if err := k.notPending(); err != nil {
		return nil, err
	}
	if k.Manager == managerAWS {
		return nil, ErrNotAuthorized.WithMessage("An alias cannot refer to an AWS managed key")
	}
	return k, nil
}

func (s *Service) createAlias(_ context.Context, in *CreateAliasRequest) (*noOutput, error) {
	name := deref(in.AliasName)
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.aliasTarget(deref(in.TargetKeyId))
	if err != nil {
		return nil, err
	}
	old, err := s.loadAlias(name)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return nil, ErrAlreadyExists.WithMessage("An alias with the name " + s.aliasARN(name) + " already exists")
	}
	now := s.clock.Now().UnixMilli()
	return &noOutput{}, s.saveAlias(&alias{Name: name, KeyID: k.ID, Created: now, Updated: now})
}

// keyType is what UpdateAlias requires the old and new key to share:
// "both symmetric or both asymmetric or both HMAC", and the key usage.
func (k *key) keyType() string {
	kind := "asymmetric"
	switch {
	case k.Spec == specSymmetric:
		kind = "symmetric"
	case hmacKeySizes[k.Spec] != 0:
		kind = "HMAC"
	}
	return kind + "/" + k.Usage
}

func (s *Service) updateAlias(_ context.Context, in *UpdateAliasRequest) (*noOutput, error) {
	name := deref(in.AliasName)
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.loadAlias(name)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, s.aliasNotFound(name)
	}
	k, err := s.aliasTarget(deref(in.TargetKeyId))
	if err != nil {
		return nil, err
	}
	if old, err := s.loadKey(a.KeyID); err != nil {
		return nil, err
	} else if old != nil && old.keyType() != k.keyType() {
		return nil, ErrValidation.WithMessage("Alias " + s.aliasARN(name) + " cannot be changed from a key of type " + old.keyType() + " to a key of type " + k.keyType())
	}
	a.KeyID = k.ID
	a.Updated = s.clock.Now().UnixMilli()
	return &noOutput{}, s.saveAlias(a)
}

func (s *Service) deleteAlias(_ context.Context, in *DeleteAliasRequest) (*noOutput, error) {
	name := deref(in.AliasName)
	if !strings.HasPrefix(name, "alias/") {
		return nil, ErrValidation.WithMessage("1 validation error detected: Value '" + name + "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$")
	}
	if strings.HasPrefix(name, reservedAliasPrefix) {
		return nil, ErrNotAuthorized.WithMessage("Cannot create or modify an alias with the reserved prefix alias/aws/")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.loadAlias(name)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, s.aliasNotFound(name)
	}
	return &noOutput{}, s.deleteAliasRecord(name)
}

// listAliases lists the account's aliases in name order, with the
// predefined aliases of AWS managed keys not made yet (they have no
// TargetKeyId, as on AWS). With KeyId, only that key's aliases.
func (s *Service) listAliases(_ context.Context, in *ListAliasesRequest) (*ListAliasesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	as, err := s.aliases()
	if err != nil {
		return nil, err
	}
	var entries []AliasListEntry
	seen := map[string]bool{}
	filter := ""
	if ref := deref(in.KeyId); ref != "" {
		if strings.HasPrefix(ref, "alias/") || aliasFromARN(ref) != "" {
			return nil, ErrInvalidArn.WithMessage("KeyId must be a key id or key ARN, not an alias")
		}
		k, err := s.resolveKey(ref)
		if err != nil {
			return nil, err
		}
		filter = k.ID
	}
	for _, a := range as {
		k, err := s.loadKey(a.KeyID)
		if err != nil {
			return nil, err
		}
		if k == nil {
			continue // deleted with its key
		}
		seen[a.Name] = true
		if filter != "" && a.KeyID != filter {
			continue
		}
		entries = append(entries, AliasListEntry{AliasName: ptr(a.Name), AliasArn: ptr(s.aliasARN(a.Name)), TargetKeyId: ptr(a.KeyID),
			CreationDate: ptr(msTime(a.Created)), LastUpdatedDate: ptr(msTime(a.Updated))})
	}
	if filter == "" {
		for name := range managedAliases {
			if !seen[name] {
				entries = append(entries, AliasListEntry{AliasName: ptr(name), AliasArn: ptr(s.aliasARN(name))})
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool { return *entries[i].AliasName < *entries[j].AliasName })
	pg, next := page(entries, func(e AliasListEntry) string { return *e.AliasName }, in.Marker, in.Limit, defaultListLimit)
	if pg == nil {
		pg = []AliasListEntry{}
	}
	return &ListAliasesResponse{Aliases: pg, NextMarker: next, Truncated: ptr(next != nil)}, nil
}
