package secretsmanager

import (
	"context"
	"encoding/base64"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Deletion limits, from the DeleteSecret API reference.
const (
	minRecoveryDays     = 7
	maxRecoveryDays     = 30
	defaultRecoveryDays = 30
)

func (s *Service) createSecret(_ context.Context, in *CreateSecretRequest) (*CreateSecretResponse, error) {
	name := deref(in.Name)
	if !validName(name) {
		return nil, ErrValidation.WithMessage(nameMessage)
	}
	v := value{str: in.SecretString, binary: in.SecretBinary}
	if err := v.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.loadName(name)
	if err != nil {
		return nil, err
	}
	if old != nil {
		if old.Deleted != 0 {
			return nil, ErrInvalidRequest.WithMessage("You can't create this secret because a secret with this name is already scheduled for deletion.")
		}
		// A retry of the same request (same token, same value) succeeds.
		if tok := deref(in.ClientRequestToken); tok != "" && v.present() {
			if ver := old.version(tok); ver != nil && s.same(ver, v) {
				return &CreateSecretResponse{ARN: ptr(old.ARN), Name: ptr(old.Name), VersionId: ptr(ver.ID)}, nil
			}
		}
		return nil, ErrResourceExists.WithMessage("The operation failed because the secret " + name + " already exists.")
	}
	now := s.clock.Now().UnixMilli()
	sec := &secret{Name: name, ARN: s.arn(name), Description: in.Description, KmsKeyID: deref(in.KmsKeyId), Created: now, Changed: now}
	for _, t := range in.Tags {
		sec.setTag(deref(t.Key), deref(t.Value))
	}
	out := &CreateSecretResponse{ARN: ptr(sec.ARN), Name: ptr(name)}
	if v.present() {
		ver, _, err := s.addVersion(sec, deref(in.ClientRequestToken), v, nil)
		if err != nil {
			return nil, err
		}
		out.VersionId = ptr(ver.ID)
	}
	if err := s.save(sec); err != nil {
		return nil, err
	}
	return out, nil
}

func (sec *secret) setTag(k, v string) {
	for i := range sec.Tags {
		if sec.Tags[i].Key == k {
			sec.Tags[i].Value = v
			return
		}
	}
	sec.Tags = append(sec.Tags, tag{Key: k, Value: v})
}

func (sec *secret) tags() []Tag {
	out := []Tag{}
	for _, t := range sec.Tags {
		out = append(out, Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out
}

func (s *Service) updateSecret(_ context.Context, in *UpdateSecretRequest) (*UpdateSecretResponse, error) {
	v := value{str: in.SecretString, binary: in.SecretBinary}
	if err := v.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	out := &UpdateSecretResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}
	if in.Description != nil {
		sec.Description = in.Description
	}
	if in.KmsKeyId != nil {
		sec.KmsKeyID = *in.KmsKeyId
	}
	if v.present() {
		ver, _, err := s.addVersion(sec, deref(in.ClientRequestToken), v, nil)
		if err != nil {
			return nil, err
		}
		out.VersionId = ptr(ver.ID)
	}
	sec.Changed = s.clock.Now().UnixMilli()
	return out, s.save(sec)
}

func (sec *secret) stages() map[string][]string {
	out := map[string][]string{}
	for _, v := range sec.Versions {
		if len(v.Stages) > 0 {
			out[v.ID] = slices.Clone(v.Stages)
		}
	}
	return out
}

func (s *Service) describeSecret(_ context.Context, in *DescribeSecretRequest) (*DescribeSecretResponse, error) {
	sec, err := s.mustFind(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	out := &DescribeSecretResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name), Description: sec.Description,
		RotationEnabled: ptr(sec.RotationOn), RotationRules: sec.RotationRules, LastRotatedDate: millis(sec.Rotated), LastChangedDate: millis(sec.Changed), LastAccessedDate: millis(sec.Accessed),
		DeletedDate: millis(sec.DeletionAt), Tags: sec.tags(), VersionIdsToStages: sec.stages(), CreatedDate: millis(sec.Created)}
	if sec.KmsKeyID != "" {
		out.KmsKeyId = ptr(sec.KmsKeyID)
	}
	if sec.RotationLambda != "" {
		out.RotationLambdaARN = ptr(sec.RotationLambda)
	}
	return out, nil
}

func (s *Service) listSecretVersionIds(_ context.Context, in *ListSecretVersionIdsRequest) (*ListSecretVersionIdsResponse, error) {
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	var all []SecretVersionsListEntry
	for i := len(sec.Versions) - 1; i >= 0; i-- {
		v := sec.Versions[i]
		if len(v.Stages) == 0 && !deref(in.IncludeDeprecated) {
			continue
		}
		all = append(all, SecretVersionsListEntry{VersionId: ptr(v.ID), VersionStages: slices.Clone(v.Stages),
			LastAccessedDate: millis(v.Accessed), CreatedDate: millis(v.Created)})
	}
	page, next, err := paginate(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListSecretVersionIdsResponse{Versions: page, NextToken: next, ARN: ptr(sec.ARN), Name: ptr(sec.Name)}, nil
}

// paginate cuts a page from items; the token is the offset of the next
// page.
func paginate[T any](items []T, max *int32, token *string) ([]T, *string, error) {
	start := 0
	if token != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*token)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, nil, ErrInvalidParameter.WithMessage("Invalid NextToken.")
		}
		start = n
	}
	limit := 100
	if max != nil {
		limit = int(*max)
	}
	end := min(start+limit, len(items))
	page := items[start:end]
	if page == nil {
		page = []T{}
	}
	if end < len(items) {
		t := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		return page, &t, nil
	}
	return page, nil, nil
}

func (s *Service) listSecrets(_ context.Context, in *ListSecretsRequest) (*ListSecretsResponse, error) {
	all, err := s.all()
	if err != nil {
		return nil, err
	}
	var entries []SecretListEntry
	var created []int64
	for _, sec := range all {
		if sec.Deleted != 0 && !deref(in.IncludePlannedDeletion) {
			continue
		}
		if !matchFilters(sec, in.Filters) {
			continue
		}
		e := SecretListEntry{ARN: ptr(sec.ARN), Name: ptr(sec.Name), Description: sec.Description,
			RotationEnabled: ptr(sec.RotationOn), RotationRules: sec.RotationRules, LastRotatedDate: millis(sec.Rotated), LastChangedDate: millis(sec.Changed), LastAccessedDate: millis(sec.Accessed),
			DeletedDate: millis(sec.DeletionAt), Tags: sec.tags(), SecretVersionsToStages: sec.stages(), CreatedDate: millis(sec.Created)}
		if sec.KmsKeyID != "" {
			e.KmsKeyId = ptr(sec.KmsKeyID)
		}
		if sec.RotationLambda != "" {
			e.RotationLambdaARN = ptr(sec.RotationLambda)
		}
		entries = append(entries, e)
		created = append(created, sec.Created)
	}
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	desc := deref(in.SortOrder) == "desc"
	sort.SliceStable(idx, func(a, b int) bool {
		if desc {
			return created[idx[a]] > created[idx[b]]
		}
		return created[idx[a]] < created[idx[b]]
	})
	sorted := make([]SecretListEntry, len(entries))
	for i, j := range idx {
		sorted[i] = entries[j]
	}
	page, next, err := paginate(sorted, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListSecretsResponse{SecretList: page, NextToken: next}, nil
}

// matchFilters applies ListSecrets' filters: keys are ANDed, a key's
// values ORed; a value matches as a prefix, and a value starting with
// "!" matches what does not have that prefix.
func matchFilters(sec *secret, filters []Filter) bool {
	for _, f := range filters {
		var fields []string
		switch deref(f.Key) {
		case "name":
			fields = []string{sec.Name}
		case "description":
			fields = []string{deref(sec.Description)}
		case "tag-key":
			for _, t := range sec.Tags {
				fields = append(fields, t.Key)
			}
		case "tag-value":
			for _, t := range sec.Tags {
				fields = append(fields, t.Value)
			}
		case "primary-region":
			fields = nil
		case "all":
			fields = []string{sec.Name, deref(sec.Description)}
			for _, t := range sec.Tags {
				fields = append(fields, t.Key, t.Value)
			}
		}
		matched := false
		for _, want := range f.Values {
			neg := strings.HasPrefix(want, "!")
			want = strings.TrimPrefix(want, "!")
			hit := false
			for _, field := range fields {
				if strings.HasPrefix(field, want) {
					hit = true
					break
				}
			}
			if hit != neg {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

func (s *Service) deleteSecret(_ context.Context, in *DeleteSecretRequest) (*DeleteSecretResponse, error) {
	force := deref(in.ForceDeleteWithoutRecovery)
	if force && in.RecoveryWindowInDays != nil {
		return nil, ErrInvalidParameter.WithMessage("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(defaultRecoveryDays)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < minRecoveryDays || days > maxRecoveryDays {
			return nil, ErrInvalidParameter.WithMessage("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.mustFind(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := &DeleteSecretResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}
	if force {
		out.DeletionDate = millis(now.UnixMilli())
		return out, s.purge(sec.Name)
	}
	if sec.Deleted != 0 {
		return nil, errMarkedForDeletion
	}
	sec.Deleted = now.UnixMilli()
	sec.DeletionAt = now.Add(time.Duration(days) * 24 * time.Hour).UnixMilli()
	out.DeletionDate = millis(sec.DeletionAt)
	return out, s.save(sec)
}

func (s *Service) restoreSecret(_ context.Context, in *RestoreSecretRequest) (*RestoreSecretResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.mustFind(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	if sec.Deleted != 0 {
		sec.Deleted, sec.DeletionAt = 0, 0
		sec.Changed = s.clock.Now().UnixMilli()
		if err := s.save(sec); err != nil {
			return nil, err
		}
	}
	return &RestoreSecretResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}, nil
}

// maxTags: "Maximum number of tags per secret: 50."
const maxTags = 50

func (s *Service) tagResource(_ context.Context, in *TagResourceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		sec.setTag(deref(t.Key), deref(t.Value))
	}
	if len(sec.Tags) > maxTags {
		return nil, ErrValidation.WithMessage("Number of tags exceeds the limit of 50 tags per secret.")
	}
	return &noOutput{}, s.save(sec)
}

func (s *Service) untagResource(_ context.Context, in *UntagResourceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	sec.Tags = slices.DeleteFunc(sec.Tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	return &noOutput{}, s.save(sec)
}
