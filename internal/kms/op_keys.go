package kms

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// Deletion window limits, from the ScheduleKeyDeletion API reference:
// "This value is optional. If you include a value, it must be between 7
// and 30, inclusive. If you do not include a value, it defaults to 30."
const (
	minPendingDays     = 7
	maxPendingDays     = 30
	defaultPendingDays = 30
)

// List limits: ListKeys and ListAliases return up to 100 entries by
// default, ListResourceTags 50; Limit may be 1-1000 (the model's bounds).
const (
	defaultListLimit = 100
	defaultTagsLimit = 50
)

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (s *Service) createKey(ctx context.Context, in *CreateKeyRequest) (*CreateKeyResponse, error) {
	if o := deref(in.Origin); o != "" && o != "AWS_KMS" {
		return nil, ErrUnsupportedOperation.WithMessage("Origin " + string(o) + " is not supported.")
	}
	if deref(in.MultiRegion) {
		return nil, ErrUnsupportedOperation.WithMessage("Multi-Region keys are not supported.")
	}
	if in.CustomKeyStoreId != nil || in.XksKeyId != nil {
		return nil, ErrUnsupportedOperation.WithMessage("Custom key stores are not supported.")
	}
	spec := string(deref(in.KeySpec))
	if cmk := string(deref(in.CustomerMasterKeySpec)); cmk != "" {
		if spec != "" && spec != cmk {
			return nil, ErrValidation.WithMessage("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec instead.")
		}
		spec = cmk
	}
	if spec == "" {
		spec = specSymmetric
	}
	if spec == "SM2" {
		return nil, ErrUnsupportedOperation.WithMessage("KeySpec SM2 is supported only in China Regions.")
	}
	usage := string(deref(in.KeyUsage))
	if usage == "" {
		usage = usageEncrypt
	}
	if allowed := usagesFor(spec); !slices.Contains(allowed, usage) {
		// AWS words it as a recorded CreateKey response does.
		return nil, ErrValidation.WithMessage(fmt.Sprintf("The operation failed because the KeyUsage value of the CMK is %s. To perform this operation, the KeyUsage value must be %s.", usage, allowed[0]))
	}
	policy := deref(in.Policy)
	if policy != "" && !json.Valid([]byte(policy)) {
		return nil, ErrMalformedPolicy.WithMessage("The key policy is not valid JSON.")
	}
	if err := checkTags(ctx, in.Tags); err != nil {
		return nil, err
	}
	k, err := s.newKey(spec, usage, managerCustomer, deref(in.Description), policy)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		k.setTag(deref(t.TagKey), deref(t.TagValue))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.saveKey(k); err != nil {
		return nil, err
	}
	return &CreateKeyResponse{KeyMetadata: k.metadata(s.account)}, nil
}

// checkTags refuses tag keys with the aws: prefix, which is reserved
// to AWS (CloudFormation's aws:cloudformation: tags, which ctx allows).
func checkTags(ctx context.Context, tags []Tag) error {
	if _, ok := awsproto.ForbiddenTagKey(ctx, tags, func(t Tag) string { return deref(t.TagKey) }); ok {
		return ErrTag.WithMessage("Tags beginning with aws: are reserved")
	}
	return nil
}

func (s *Service) describeKey(_ context.Context, in *DescribeKeyRequest) (*DescribeKeyResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolve(deref(in.KeyId))
	if err != nil {
		return nil, err
	}
	return &DescribeKeyResponse{KeyMetadata: k.metadata(s.account)}, nil
}

// page returns the entries after marker (the name of the last entry of
// the previous page) up to limit, and the next marker if more remain.
func page[T any](all []T, name func(T) string, marker *string, limit *int32, def int) ([]T, *string) {
	start := 0
	if m := deref(marker); m != "" {
		i := slices.IndexFunc(all, func(v T) bool { return name(v) > m })
		if i < 0 {
			i = len(all)
		}
		start = i
	}
	n := def
	if limit != nil {
		n = int(*limit)
	}
	end := min(start+n, len(all))
	var next *string
	if end < len(all) {
		next = ptr(name(all[end-1]))
	}
	return all[start:end], next
}

func (s *Service) listKeys(_ context.Context, in *ListKeysRequest) (*ListKeysResponse, error) {
	s.mu.Lock()
	ks, err := s.allKeys()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	pg, next := page(ks, func(k *key) string { return k.ID }, in.Marker, in.Limit, defaultListLimit)
	out := &ListKeysResponse{Keys: []KeyListEntry{}, NextMarker: next, Truncated: ptr(next != nil)}
	for _, k := range pg {
		out.Keys = append(out.Keys, KeyListEntry{KeyId: ptr(k.ID), KeyArn: ptr(k.ARN)})
	}
	return out, nil
}

// update resolves a key, applies f to it under s.mu and saves it.
func (s *Service) update(ref string, f func(k *key) error) (*key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolveKey(ref)
	if err != nil {
		return nil, err
	}
	if err := f(k); err != nil {
		return nil, err
	}
	return k, s.saveKey(k)
}

// customerOnly refuses changes to AWS managed keys, which AWS manages.
func (k *key) customerOnly() error {
	if k.Manager == managerAWS {
		return ErrUnsupportedOperation.WithMessage(k.ARN + " is an AWS managed key, which you cannot change.")
	}
	return nil
}

func (s *Service) enableKey(_ context.Context, in *EnableKeyRequest) (*noOutput, error) {
	_, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.notPending(); err != nil {
			return err
		}
		// A key whose rotation fell due while it was disabled rotates
		// as it is enabled, and its schedule starts again from then.
		now := s.clock.Now().UnixMilli()
		if k.State == stateDisabled && k.Rotation && time.Duration(now-k.Rotated)*time.Millisecond >= k.period() {
			k.Rotated = now
			if err := s.rotate(k, now, false); err != nil {
				return err
			}
		}
		k.State = stateEnabled
		return nil
	})
	return &noOutput{}, err
}

func (s *Service) disableKey(_ context.Context, in *DisableKeyRequest) (*noOutput, error) {
	_, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.notPending(); err != nil {
			return err
		}
		k.State = stateDisabled
		return nil
	})
	return &noOutput{}, err
}

func (s *Service) scheduleKeyDeletion(_ context.Context, in *ScheduleKeyDeletionRequest) (*ScheduleKeyDeletionResponse, error) {
	days := int32(defaultPendingDays)
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
		if days < minPendingDays || days > maxPendingDays {
			bound := "greater than or equal to " + strconv.Itoa(minPendingDays)
			if days > maxPendingDays {
				bound = "less than or equal to " + strconv.Itoa(maxPendingDays)
			}
			return nil, ErrValidation.WithMessage(fmt.Sprintf("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value %s", days, bound))
		}
	}
	k, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.notPending(); err != nil {
			return err
		}
		k.State = statePendingDeletion
		k.PendingDays = days
		k.DeletionAt = s.clock.Now().Add(time.Duration(days) * 24 * time.Hour).UnixMilli()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ScheduleKeyDeletionResponse{KeyId: ptr(k.ARN), DeletionDate: ptr(msTime(k.DeletionAt)),
		KeyState: ptr(KeyState(k.State)), PendingWindowInDays: ptr(days)}, nil
}

// cancelKeyDeletion leaves the key disabled, as AWS does: "the key
// state of the KMS key is Disabled".
func (s *Service) cancelKeyDeletion(_ context.Context, in *CancelKeyDeletionRequest) (*CancelKeyDeletionResponse, error) {
	k, err := s.update(deref(in.KeyId), func(k *key) error {
		if k.State != statePendingDeletion {
			return ErrInvalidState.WithMessage(k.ARN + " is not pending deletion.")
		}
		k.State, k.DeletionAt, k.PendingDays = stateDisabled, 0, 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CancelKeyDeletionResponse{KeyId: ptr(k.ARN)}, nil
}

func (s *Service) updateKeyDescription(_ context.Context, in *UpdateKeyDescriptionRequest) (*noOutput, error) {
	_, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.notPending(); err != nil {
			return err
		}
		k.Description = deref(in.Description)
		return nil
	})
	return &noOutput{}, err
}

// policyName is the only name a key policy has.
const policyName = "default"

func checkPolicyName(name *string) error {
	if n := deref(name); n != "" && n != policyName {
		return ErrNotFound.WithMessage("No such policy exists")
	}
	return nil
}

func (s *Service) getKeyPolicy(_ context.Context, in *GetKeyPolicyRequest) (*GetKeyPolicyResponse, error) {
	if err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolveKey(deref(in.KeyId))
	if err != nil {
		return nil, err
	}
	return &GetKeyPolicyResponse{Policy: ptr(k.Policy)}, nil
}

func (s *Service) putKeyPolicy(_ context.Context, in *PutKeyPolicyRequest) (*noOutput, error) {
	if err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	if !json.Valid([]byte(deref(in.Policy))) {
		return nil, ErrMalformedPolicy.WithMessage("The key policy is not valid JSON.")
	}
	_, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.notPending(); err != nil {
			return err
		}
		k.Policy = deref(in.Policy)
		return nil
	})
	return &noOutput{}, err
}

func (s *Service) listKeyPolicies(_ context.Context, in *ListKeyPoliciesRequest) (*ListKeyPoliciesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.resolveKey(deref(in.KeyId)); err != nil {
		return nil, err
	}
	return &ListKeyPoliciesResponse{PolicyNames: []string{policyName}, Truncated: ptr(false)}, nil
}

// rotatable refuses rotation settings for keys that are not symmetric
// encryption keys: "Automatic key rotation is supported only on
// symmetric encryption KMS keys."
func (k *key) rotatable() error {
	if k.Spec != specSymmetric {
		return ErrUnsupportedOperation.WithMessage(k.ARN + " key usage or key spec does not support automatic key rotation.")
	}
	return nil
}

func (s *Service) setRotation(ref string, on bool, days *int32) error {
	_, err := s.update(ref, func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.usable(); err != nil {
			return err
		}
		if err := k.rotatable(); err != nil {
			return err
		}
		if on && !k.Rotation {
			// The first rotation is a period after rotation is enabled.
			k.Rotated = s.clock.Now().UnixMilli()
		}
		if on && days != nil {
			k.RotationDays = *days
		}
		k.Rotation = on
		return nil
	})
	return err
}

func (s *Service) enableKeyRotation(_ context.Context, in *EnableKeyRotationRequest) (*noOutput, error) {
	return &noOutput{}, s.setRotation(deref(in.KeyId), true, in.RotationPeriodInDays)
}

func (s *Service) disableKeyRotation(_ context.Context, in *DisableKeyRotationRequest) (*noOutput, error) {
	return &noOutput{}, s.setRotation(deref(in.KeyId), false, nil)
}

func (s *Service) getKeyRotationStatus(_ context.Context, in *GetKeyRotationStatusRequest) (*GetKeyRotationStatusResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolveKey(deref(in.KeyId))
	if err != nil {
		return nil, err
	}
	if err := k.notPending(); err != nil {
		return nil, err
	}
	if err := k.rotatable(); err != nil {
		return nil, err
	}
	out := &GetKeyRotationStatusResponse{KeyId: ptr(k.ID), KeyRotationEnabled: ptr(k.Rotation)}
	if k.Rotation {
		out.RotationPeriodInDays = ptr(int32(k.period() / (24 * time.Hour)))
		out.NextRotationDate = ptr(msTime(time.UnixMilli(k.Rotated).Add(k.period()).UnixMilli()))
	}
	return out, nil
}

// rotateKeyOnDemand rotates the key material at once (AWS does it in
// the background; here it is done when the call returns, so
// OnDemandRotationStartDate never shows).
func (s *Service) rotateKeyOnDemand(_ context.Context, in *RotateKeyOnDemandRequest) (*RotateKeyOnDemandResponse, error) {
	k, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.usable(); err != nil {
			return err
		}
		if err := k.rotatable(); err != nil {
			return err
		}
		n := 0
		for _, r := range k.Rotations {
			if r.OnDemand {
				n++
			}
		}
		if n >= maxOnDemandRotations {
			return ErrLimitExceeded.WithMessage(fmt.Sprintf("%s has been rotated on demand %d times, the most a key can be.", k.ARN, maxOnDemandRotations))
		}
		return s.rotate(k, s.clock.Now().UnixMilli(), true)
	})
	if err != nil {
		return nil, err
	}
	return &RotateKeyOnDemandResponse{KeyId: ptr(k.ID)}, nil
}

func (s *Service) listKeyRotations(_ context.Context, in *ListKeyRotationsRequest) (*ListKeyRotationsResponse, error) {
	s.mu.Lock()
	k, err := s.resolveKey(deref(in.KeyId))
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := k.rotatable(); err != nil {
		return nil, err
	}
	type indexed struct {
		name string
		r    rotation
	}
	all := make([]indexed, len(k.Rotations))
	for i, r := range k.Rotations {
		all[i] = indexed{fmt.Sprintf("%08d", i), r}
	}
	pg, next := page(all, func(e indexed) string { return e.name }, in.Marker, in.Limit, defaultListLimit)
	out := &ListKeyRotationsResponse{Rotations: []RotationsListEntry{}, NextMarker: next, Truncated: ptr(next != nil)}
	for _, e := range pg {
		typ := RotationType("AUTOMATIC")
		if e.r.OnDemand {
			typ = "ON_DEMAND"
		}
		out.Rotations = append(out.Rotations, RotationsListEntry{KeyId: ptr(k.ID), RotationDate: ptr(msTime(e.r.At)), RotationType: ptr(typ)})
	}
	return out, nil
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*noOutput, error) {
	if err := checkTags(ctx, in.Tags); err != nil {
		return nil, err
	}
	_, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.notPending(); err != nil {
			return err
		}
		for _, t := range in.Tags {
			k.setTag(deref(t.TagKey), deref(t.TagValue))
		}
		return nil
	})
	return &noOutput{}, err
}

func (s *Service) untagResource(_ context.Context, in *UntagResourceRequest) (*noOutput, error) {
	_, err := s.update(deref(in.KeyId), func(k *key) error {
		if err := k.customerOnly(); err != nil {
			return err
		}
		if err := k.notPending(); err != nil {
			return err
		}
		k.removeTags(in.TagKeys)
		return nil
	})
	return &noOutput{}, err
}

func (s *Service) listResourceTags(_ context.Context, in *ListResourceTagsRequest) (*ListResourceTagsResponse, error) {
	s.mu.Lock()
	k, err := s.resolveKey(deref(in.KeyId))
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(k.Tags)
	slices.SortFunc(tags, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
	pg, next := page(tags, func(t tag) string { return t.Key }, in.Marker, in.Limit, defaultTagsLimit)
	out := &ListResourceTagsResponse{Tags: []Tag{}, NextMarker: next, Truncated: ptr(next != nil)}
	for _, t := range pg {
		out.Tags = append(out.Tags, Tag{TagKey: ptr(t.Key), TagValue: ptr(t.Value)})
	}
	return out, nil
}
