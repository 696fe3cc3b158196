package providers

import (
	"context"
	"errors"
	"fmt"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::KMS::Key",
		Provider:   kmsKey{},
		Attributes: []string{"Arn", "KeyId"},
		Tags:       resource.TagList,
	})
	resource.Register(&resource.Type{
		Name:         "AWS::KMS::Alias",
		Required:     []string{"AliasName", "TargetKeyId"},
		Provider:     kmsAlias{},
		Replace:      []string{"AliasName"},
		NameProperty: "AliasName",
		Attributes:   []string{},
	})
}

// kmsKey is AWS::KMS::Key: CreateKey with KeySpec, KeyUsage, KeyPolicy
// (an object or its text; the default policy without one), Description
// and Tags, then DisableKey for Enabled false and EnableKeyRotation (with
// RotationPeriodInDays) for EnableKeyRotation true. Its physical ID and Ref are the key id; GetAtt
// Arn and KeyId. An update changes the description, policy, state,
// rotation and tags in place; a change of KeySpec, KeyUsage, Origin or
// MultiRegion fails, as CloudFormation refuses it rather than replace
// (and so delete) a key. Delete schedules the key's deletion after
// PendingWindowInDays (7-30, default 30).
type kmsKey struct{}

var kmsKeyKinds = map[string]kind{"Enabled": boolean, "EnableKeyRotation": boolean, "PendingWindowInDays": number, "MultiRegion": boolean,
	"RotationPeriodInDays": number}

// rotationInput is EnableKeyRotation's input for a key's properties.
func rotationInput(id string, p props) map[string]any {
	return p.pick(map[string]any{"KeyId": id}, "RotationPeriodInDays")
}

// kmsKeyFixed are the properties a key keeps for its life.
var kmsKeyFixed = []string{"KeySpec", "KeyUsage", "Origin", "MultiRegion"}

func (kmsKey) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, kmsKeyKinds)
	in := p.pick(map[string]any{}, "Description", "KeySpec", "KeyUsage", "Origin", "MultiRegion", "BypassPolicyLockoutSafetyCheck")
	if p.has("KeyPolicy") {
		policy, err := jsonText(p["KeyPolicy"])
		if err != nil {
			return nil, err
		}
		in["Policy"] = policy
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = kmsTags(tags)
	}
	out, err := call(ctx, r, "kms", "CreateKey", in)
	if err != nil {
		return nil, err
	}
	md := asMap(out["KeyMetadata"])
	id, arn := outStr(md, "KeyId"), outStr(md, "Arn")
	res := &resource.Result{PhysicalID: id, Attributes: map[string]any{"Arn": arn, "KeyId": id}}
	if p.has("Enabled") && !p.flag("Enabled") {
		if _, err := call(ctx, r, "kms", "DisableKey", map[string]any{"KeyId": id}); err != nil {
			return res, err
		}
	}
	if p.flag("EnableKeyRotation") {
		if _, err := call(ctx, r, "kms", "EnableKeyRotation", rotationInput(id, p)); err != nil {
			return res, err
		}
	}
	return res, nil
}

// kmsTags is a tag map as KMS's TagKey/TagValue list.
func kmsTags(m map[string]string) []any {
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"TagKey": k, "TagValue": m[k]})
	}
	return out
}

func (kmsKey) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, kmsKeyKinds)
	id := r.PhysicalID
	for _, f := range kmsKeyFixed {
		if changed(old, p, f) {
			return nil, fmt.Errorf("AWS::KMS::Key: %s cannot be changed on an existing KMS key", f)
		}
	}
	enabled := !p.has("Enabled") || p.flag("Enabled")
	wasEnabled := !old.has("Enabled") || old.flag("Enabled")
	// A disabled key takes no rotation change: enable it first.
	if enabled && !wasEnabled {
		if _, err := call(ctx, r, "kms", "EnableKey", map[string]any{"KeyId": id}); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "Description") {
		if _, err := call(ctx, r, "kms", "UpdateKeyDescription", map[string]any{"KeyId": id, "Description": p.str("Description")}); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "KeyPolicy") && p.has("KeyPolicy") {
		policy, err := jsonText(p["KeyPolicy"])
		if err != nil {
			return nil, err
		}
		if _, err := call(ctx, r, "kms", "PutKeyPolicy", map[string]any{"KeyId": id, "PolicyName": "default", "Policy": policy}); err != nil {
			return nil, err
		}
	}
	switch {
	case p.flag("EnableKeyRotation") && changed(old, p, "EnableKeyRotation", "RotationPeriodInDays"):
		if _, err := call(ctx, r, "kms", "EnableKeyRotation", rotationInput(id, p)); err != nil {
			return nil, err
		}
	case !p.flag("EnableKeyRotation") && changed(old, p, "EnableKeyRotation"):
		if _, err := call(ctx, r, "kms", "DisableKeyRotation", map[string]any{"KeyId": id}); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "kms", "UntagResource", map[string]any{"KeyId": id, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "kms", "TagResource", map[string]any{"KeyId": id, "Tags": kmsTags(set)}); err != nil {
			return nil, err
		}
	}
	if !enabled && wasEnabled {
		if _, err := call(ctx, r, "kms", "DisableKey", map[string]any{"KeyId": id}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: id, Attributes: r.Attributes}, nil
}

// Delete schedules the key's deletion; a key already pending deletion
// or gone is deleted enough.
func (kmsKey) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, kmsKeyKinds)
	in := map[string]any{"KeyId": r.PhysicalID}
	if p.has("PendingWindowInDays") {
		in["PendingWindowInDays"] = p["PendingWindowInDays"]
	}
	_, err := call(ctx, r, "kms", "ScheduleKeyDeletion", in)
	var e *apierr.Error
	if errors.As(err, &e) && e.Code == "KMSInvalidStateException" {
		return nil
	}
	return ignoreGone(err)
}

// kmsAlias is AWS::KMS::Alias: CreateAlias, UpdateAlias for a new
// TargetKeyId, DeleteAlias. Its physical ID and Ref are the alias name;
// a new AliasName replaces it.
type kmsAlias struct{}

func (kmsAlias) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, nil)
	name := p.str("AliasName")
	if _, err := call(ctx, r, "kms", "CreateAlias", map[string]any{"AliasName": name, "TargetKeyId": p.str("TargetKeyId")}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

func (kmsAlias) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, nil)
	if changed(old, p, "TargetKeyId") {
		if _, err := call(ctx, r, "kms", "UpdateAlias", map[string]any{"AliasName": r.PhysicalID, "TargetKeyId": p.str("TargetKeyId")}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (kmsAlias) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "kms", "DeleteAlias", map[string]any{"AliasName": r.PhysicalID})
	return ignoreGone(err)
}
