package kms

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Key states, as KeyMetadata.KeyState spells them.
const (
	stateEnabled         = "Enabled"
	stateDisabled        = "Disabled"
	statePendingDeletion = "PendingDeletion"
)

// Key managers.
const (
	managerCustomer = "CUSTOMER"
	managerAWS      = "AWS"
)

// defaultRotationDays is the default RotationPeriodInDays: "The default
// value is 365 days", and AWS managed keys rotate every year.
const defaultRotationDays = 365

// maxOnDemandRotations: "You can perform on-demand key rotation a maximum
// of 25 times per KMS key."
const maxOnDemandRotations = 25

// key is a KMS key. Material holds its key material, sealed, one entry
// per generation: rotation appends a generation, and ciphertexts name
// the generation they were made with, so older ones keep decrypting.
type key struct {
	ID          string   `json:"id"`
	ARN         string   `json:"arn"`
	Created     int64    `json:"created"` // epoch ms
	State       string   `json:"state"`
	Description string   `json:"description"`
	Usage       string   `json:"usage"`
	Spec        string   `json:"spec"`
	Manager     string   `json:"manager"`
	Policy      string   `json:"policy"`
	Tags        []tag    `json:"tags,omitempty"`
	Material    [][]byte `json:"material"` // sealed, oldest first
	// DeletionAt is when a key pending deletion is deleted (epoch ms);
	// PendingDays is the window ScheduleKeyDeletion was given.
	DeletionAt  int64 `json:"deletionAt,omitempty"`
	PendingDays int32 `json:"pendingDays,omitempty"`
	// Rotation: whether automatic rotation is on, every how many days
	// (0 is the default), and when the automatic schedule was last
	// anchored (rotation enabled, or the last automatic rotation; epoch
	// ms): the next automatic rotation is a period after it. On-demand
	// rotations leave the schedule alone, as AWS's do.
	Rotation     bool       `json:"rotation,omitempty"`
	RotationDays int32      `json:"rotationDays,omitempty"`
	Rotated      int64      `json:"rotated,omitempty"`
	Rotations    []rotation `json:"rotations,omitempty"`
}

// rotation is one completed rotation of a key's material.
type rotation struct {
	At       int64 `json:"at"` // epoch ms
	OnDemand bool  `json:"onDemand,omitempty"`
}

// period is the key's automatic rotation period.
func (k *key) period() time.Duration {
	days := k.RotationDays
	if days == 0 {
		days = defaultRotationDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// rotate adds a generation of key material.
func (s *Service) rotate(k *key, at int64, onDemand bool) error {
	m, err := newMaterial(k.Spec, s.rand)
	if err != nil {
		return err
	}
	k.Material = append(k.Material, s.box.Seal(m))
	k.Rotations = append(k.Rotations, rotation{At: at, OnDemand: onDemand})
	return nil
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// alias is an alias and the key it points at.
type alias struct {
	Name    string `json:"name"`
	KeyID   string `json:"keyId"`
	Created int64  `json:"created"`
	Updated int64  `json:"updated"`
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "kms"), kind)
}

func dataKeyKey() []byte          { return base("datakey") }
func keyKey(id string) []byte     { return keys.AppendString(base("key"), id) }
func aliasKey(name string) []byte { return keys.AppendString(base("alias"), name) }
func (s *Service) keyARN(id string) string {
	return "arn:aws:kms:" + s.region + ":" + s.account + ":key/" + id
}
func (s *Service) aliasARN(name string) string {
	return "arn:aws:kms:" + s.region + ":" + s.account + ":" + name
}

func getJSON[T any](st store.Store, k []byte) (*T, error) {
	raw, err := st.Get(k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// loadKey returns the key with the id, nil if there is none. A key
// past its deletion date is deleted, with its aliases; a key whose
// rotation is due gets new key material. The caller holds s.mu.
func (s *Service) loadKey(id string) (*key, error) {
	k, err := getJSON[key](s.store, keyKey(id))
	if err != nil || k == nil {
		return nil, err
	}
	now := s.clock.Now()
	if k.State == statePendingDeletion && now.UnixMilli() >= k.DeletionAt {
		return nil, s.purge(k.ID)
	}
	// A disabled key does not rotate; EnableKey catches up.
	if k.Rotation && k.State == stateEnabled && now.Sub(time.UnixMilli(k.Rotated)) >= k.period() {
		// Rotations the clock has passed since the last one, each a
		// period after the previous.
		for now.Sub(time.UnixMilli(k.Rotated)) >= k.period() {
			k.Rotated = time.UnixMilli(k.Rotated).Add(k.period()).UnixMilli()
			if err := s.rotate(k, k.Rotated, false); err != nil {
				return nil, err
			}
		}
		if err := s.saveKey(k); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func (s *Service) saveKey(k *key) error {
	raw, err := json.Marshal(k)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(keyKey(k.ID), raw)
	return b.Commit()
}

// purge deletes a key and the aliases that point at it.
func (s *Service) purge(id string) error {
	as, err := s.aliases()
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(keyKey(id))
	for _, a := range as {
		if a.KeyID == id {
			b.Delete(aliasKey(a.Name))
		}
	}
	return b.Commit()
}

func (s *Service) saveAlias(a *alias) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(aliasKey(a.Name), raw)
	return b.Commit()
}

func (s *Service) loadAlias(name string) (*alias, error) {
	return getJSON[alias](s.store, aliasKey(name))
}

func (s *Service) deleteAliasRecord(name string) error {
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(aliasKey(name))
	return b.Commit()
}

// scan decodes every value under a prefix, in key order.
func scan[T any](st store.Store, lower []byte) ([]*T, error) {
	it, err := st.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return nil, err
	}
	var out []*T
	for ok := it.First(); ok; ok = it.Next() {
		var v T
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, &v)
	}
	return out, it.Close()
}

// aliases returns every alias, in name order.
func (s *Service) aliases() ([]*alias, error) { return scan[alias](s.store, base("alias")) }

// allKeys returns every key, in id order, those past their deletion date
// deleted on the way. The caller holds s.mu.
func (s *Service) allKeys() ([]*key, error) {
	ks, err := scan[key](s.store, base("key"))
	if err != nil {
		return nil, err
	}
	out := ks[:0]
	for _, k := range ks {
		live, err := s.loadKey(k.ID)
		if err != nil {
			return nil, err
		}
		if live != nil {
			out = append(out, live)
		}
	}
	return out, nil
}

// keyIDFromARN returns the key id of a key ARN
// (arn:aws:kms:REGION:ACCOUNT:key/ID), or "" for anything else.
func keyIDFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" {
		return ""
	}
	id, ok := strings.CutPrefix(parts[5], "key/")
	if !ok {
		return ""
	}
	return id
}

// aliasFromARN returns the alias name (alias/...) of an alias ARN, or "".
func aliasFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" || !strings.HasPrefix(parts[5], "alias/") {
		return ""
	}
	return parts[5]
}
