package kms

import (
	"fmt"
	"slices"
	"strings"
)

// defaultPolicy is the key policy CreateKey gives a key whose request
// has none: it lets the account's IAM policies decide.
func (s *Service) defaultPolicy() string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + s.account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// managedAliases are the AWS managed keys virga's services name, by
// alias, with the description AWS gives each. AWS makes such a key the
// first time it is referred to.
var managedAliases = map[string]string{
	"alias/aws/secretsmanager": "Default key that protects my Secrets Manager data when no other key is defined",
	"alias/aws/ssm":            "Default key that protects my SSM Parameter Store data when no other key is defined",
	"alias/aws/s3":             "Default key that protects my S3 objects when no other key is defined",
	"alias/aws/sqs":            "Default key that protects my SQS messages when no other key is defined",
	"alias/aws/sns":            "Default key that protects my SNS data when no other key is defined",
	"alias/aws/dynamodb":       "Default key that protects my DynamoDB data when no other key is defined",
	"alias/aws/lambda":         "Default key that protects my Lambda functions when no other key is defined",
	// Wording unconfirmed: the description of Kinesis's key follows the
	// others'.
	"alias/aws/kinesis": "Default key that protects my Kinesis data when no other key is defined",
}

// reservedAliasPrefix begins the aliases of AWS managed keys.
const reservedAliasPrefix = "alias/aws/"

func (s *Service) keyNotFound(id string) error {
	return ErrNotFound.WithMessage("Key '" + s.keyARN(id) + "' does not exist")
}

func (s *Service) aliasNotFound(name string) error {
	return ErrNotFound.WithMessage("Alias " + s.aliasARN(name) + " is not found.")
}

// validKeyID reports whether id has the form of a key id (a UUID).
func validKeyID(id string) bool {
	if len(id) != keyIDLength {
		return false
	}
	for i, c := range []byte(id) {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// resolve returns the key a KeyId names: a key id, a key ARN, an alias
// name or an alias ARN. An AWS managed key's alias makes the key the
// first time. The caller holds s.mu.
func (s *Service) resolve(ref string) (*key, error) {
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		if id := keyIDFromARN(ref); id != "" {
			return s.keyByARN(ref, id)
		}
		name = aliasFromARN(ref)
		if name == "" {
			return nil, ErrNotFound.WithMessage("Invalid arn " + ref)
		}
		if ref != s.aliasARN(name) {
			// Another account's or Region's alias.
			return nil, ErrNotFound.WithMessage("Alias " + ref + " is not found.")
		}
	}
	if strings.HasPrefix(name, "alias/") {
		a, err := s.loadAlias(name)
		if err != nil {
			return nil, err
		}
		if a == nil {
			if _, ok := managedAliases[name]; ok {
				return s.createManagedKey(name)
			}
			return nil, s.aliasNotFound(name)
		}
		k, err := s.loadKey(a.KeyID)
		if err != nil {
			return nil, err
		}
		if k == nil {
			return nil, s.aliasNotFound(name)
		}
		return k, nil
	}
	return s.keyByID(ref)
}

// resolveKey returns the key a key id or key ARN names, for the
// operations that take no alias ("Specify the key ID or key ARN of the
// KMS key"): an alias is an invalid key id there. The caller holds s.mu.
func (s *Service) resolveKey(ref string) (*key, error) {
	if id := keyIDFromARN(ref); id != "" {
		return s.keyByARN(ref, id)
	}
	return s.keyByID(ref)
}

// keyByARN returns the key of a key ARN; another account's or Region's
// key does not exist here.
func (s *Service) keyByARN(arn, id string) (*key, error) {
	if arn != s.keyARN(id) {
		return nil, ErrNotFound.WithMessage("Key '" + arn + "' does not exist")
	}
	return s.keyByID(id)
}

func (s *Service) keyByID(id string) (*key, error) {
	if !validKeyID(id) {
		return nil, ErrNotFound.WithMessage("Invalid keyId '" + id + "'")
	}
	k, err := s.loadKey(strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, s.keyNotFound(id)
	}
	return k, nil
}

// createManagedKey makes the AWS managed key behind one of
// managedAliases, and the alias. AWS managed keys are symmetric and
// rotate every year.
func (s *Service) createManagedKey(aliasName string) (*key, error) {
	k, err := s.newKey(specSymmetric, usageEncrypt, managerAWS, managedAliases[aliasName], "")
	if err != nil {
		return nil, err
	}
	k.Rotation = true
	if err := s.saveKey(k); err != nil {
		return nil, err
	}
	now := s.clock.Now().UnixMilli()
	if err := s.saveAlias(&alias{Name: aliasName, KeyID: k.ID, Created: now, Updated: now}); err != nil {
		return nil, err
	}
	return k, nil
}

// newKey makes a key with fresh key material (not yet saved).
func (s *Service) newKey(spec, usage, manager, description, policy string) (*key, error) {
	m, err := newMaterial(spec, s.rand)
	if err != nil {
		return nil, err
	}
	if policy == "" {
		policy = s.defaultPolicy()
	}
	id := s.ids.UUID()
	now := s.clock.Now().UnixMilli()
	return &key{ID: id, ARN: s.keyARN(id), Created: now, State: stateEnabled, Description: description, Usage: usage,
		Spec: spec, Manager: manager, Policy: policy, Material: [][]byte{s.box.Seal(m)}, Rotated: now}, nil
}

// usable is nil for a key that cryptographic operations may use, and
// otherwise the error they fail with.
func (k *key) usable() error {
	switch k.State {
	case stateDisabled:
		return ErrDisabled.WithMessage(k.ARN + " is disabled.")
	case statePendingDeletion:
		return ErrInvalidState.WithMessage(k.ARN + " is pending deletion.")
	}
	return nil
}

// notPending is nil unless the key is pending deletion, which the
// management operations refuse.
func (k *key) notPending() error {
	if k.State == statePendingDeletion {
		return ErrInvalidState.WithMessage(k.ARN + " is pending deletion.")
	}
	return nil
}

// forUse resolves a key for a cryptographic operation that needs the
// given key usage.
func (s *Service) forUse(ref, usage, op string) (*key, error) {
	k, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	if err := k.usable(); err != nil {
		return nil, err
	}
	if k.Usage != usage {
		return nil, ErrInvalidKeyUsage.WithMessage(fmt.Sprintf("%s key usage is %s which is not valid for %s.", k.ARN, k.Usage, op))
	}
	return k, nil
}

// material opens a generation of the key's material; -1 is the newest.
func (s *Service) material(k *key, gen int) ([]byte, error) {
	if gen < 0 {
		gen = len(k.Material) - 1
	}
	if gen >= len(k.Material) {
		return nil, ErrInvalidCiphertext
	}
	return s.box.Open(k.Material[gen])
}

func (k *key) metadata(account string) *KeyMetadata {
	md := &KeyMetadata{
		AWSAccountId:          ptr(account),
		KeyId:                 ptr(k.ID),
		Arn:                   ptr(k.ARN),
		CreationDate:          ptr(msTime(k.Created)),
		Enabled:               ptr(k.State == stateEnabled),
		Description:           ptr(k.Description),
		KeyUsage:              ptr(KeyUsageType(k.Usage)),
		KeyState:              ptr(KeyState(k.State)),
		Origin:                ptr(OriginType("AWS_KMS")),
		KeyManager:            ptr(KeyManagerType(k.Manager)),
		CustomerMasterKeySpec: ptr(CustomerMasterKeySpec(k.Spec)),
		KeySpec:               ptr(KeySpec(k.Spec)),
		EncryptionAlgorithms:  encryptionAlgorithms(k.Spec, k.Usage),
		SigningAlgorithms:     signingAlgorithms(k.Spec, k.Usage),
		MacAlgorithms:         macAlgorithms(k.Spec),
		MultiRegion:           ptr(false),
	}
	if k.State == statePendingDeletion {
		md.DeletionDate = ptr(msTime(k.DeletionAt))
		md.PendingDeletionWindowInDays = ptr(k.PendingDays)
	}
	return md
}

func (k *key) setTag(name, value string) {
	for i := range k.Tags {
		if k.Tags[i].Key == name {
			k.Tags[i].Value = value
			return
		}
	}
	k.Tags = append(k.Tags, tag{Key: name, Value: value})
}

func (k *key) removeTags(names []string) {
	k.Tags = slices.DeleteFunc(k.Tags, func(t tag) bool { return slices.Contains(names, t.Key) })
}
