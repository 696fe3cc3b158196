package secretsmanager

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// secret is a secret and its versions. Values are sealed.
type secret struct {
	Name        string           `json:"name"`
	ARN         string           `json:"arn"`
	Description *string          `json:"description,omitempty"`
	KmsKeyID    string           `json:"kmsKeyId,omitempty"`
	Tags        []tag            `json:"tags,omitempty"`
	Created     int64            `json:"created"` // epoch ms
	Changed     int64            `json:"changed"`
	Accessed    int64            `json:"accessed,omitempty"` // epoch ms, the day
	Deleted     int64            `json:"deleted,omitempty"`  // when DeleteSecret was called
	DeletionAt  int64            `json:"deletionAt,omitempty"`
	Versions    []*secretVersion `json:"versions,omitempty"` // oldest first
	// Rotation: the function, its rules, whether it is on, and when the
	// secret was last rotated.
	RotationLambda string             `json:"rotationLambda,omitempty"`
	RotationRules  *RotationRulesType `json:"rotationRules,omitempty"`
	RotationOn     bool               `json:"rotationOn,omitempty"`
	Rotated        int64              `json:"rotated,omitempty"`
	// Policy is the secret's resource policy, as PutResourcePolicy
	// took it; empty when it has none.
	Policy string `json:"policy,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

type secretVersion struct {
	ID       string `json:"id"`
	String   []byte `json:"s,omitempty"` // sealed SecretString
	Binary   []byte `json:"b,omitempty"` // sealed SecretBinary
	IsString bool   `json:"isString"`
	// Empty marks the version RotateSecret makes for the rotation
	// function to fill with PutSecretValue.
	Empty    bool     `json:"empty,omitempty"`
	Stages   []string `json:"stages,omitempty"`
	Created  int64    `json:"created"`
	Accessed int64    `json:"accessed,omitempty"`
}

// Staging labels Secrets Manager moves itself.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
	stagePending  = "AWSPENDING"
)

// maxDeprecatedVersions: versions with no staging label are kept, as
// deprecated, up to about 100; older ones are removed.
const maxDeprecatedVersions = 100

func (sec *secret) version(id string) *secretVersion {
	for _, v := range sec.Versions {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (sec *secret) staged(stage string) *secretVersion {
	for _, v := range sec.Versions {
		if slices.Contains(v.Stages, stage) {
			return v
		}
	}
	return nil
}

// moveStage attaches stage to to, taking it from whichever version had
// it; moving AWSCURRENT gives its former holder AWSPREVIOUS.
func (sec *secret) moveStage(stage string, to *secretVersion) {
	from := sec.staged(stage)
	if from == to {
		return
	}
	if from != nil {
		from.Stages = slices.DeleteFunc(from.Stages, func(x string) bool { return x == stage })
	}
	if stage == stageCurrent && from != nil {
		sec.moveStage(stagePrevious, from)
	}
	if to != nil {
		to.Stages = append(to.Stages, stage)
	}
}

// prune drops the oldest versions that have no staging label beyond
// maxDeprecatedVersions.
func (sec *secret) prune() {
	n := 0
	for _, v := range sec.Versions {
		if len(v.Stages) == 0 {
			n++
		}
	}
	for i := 0; n > maxDeprecatedVersions && i < len(sec.Versions); {
		if len(sec.Versions[i].Stages) == 0 {
			sec.Versions = slices.Delete(sec.Versions, i, i+1)
			n--
			continue
		}
		i++
	}
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "secretsmanager"), kind)
}

func dataKeyKey() []byte { return base("datakey") }

func secretKey(name string) []byte { return keys.AppendString(base("secret"), name) }

func (s *Service) loadName(name string) (*secret, error) {
	raw, err := s.store.Get(secretKey(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var sec secret
	if err := json.Unmarshal(raw, &sec); err != nil {
		return nil, err
	}
	if sec.DeletionAt != 0 && s.clock.Now().UnixMilli() >= sec.DeletionAt {
		// The recovery window has passed: the secret is gone.
		return nil, s.purge(sec.Name)
	}
	return &sec, nil
}

// find returns the secret a SecretId names: its name, its ARN, or its
// ARN without the random suffix. A missing secret is (nil, nil).
func (s *Service) find(id string) (*secret, error) {
	if strings.HasPrefix(id, "arn:") {
		full, trimmed, ok := nameFromARN(id)
		if !ok {
			return nil, nil
		}
		for _, name := range []string{trimmed, full} {
			sec, err := s.loadName(name)
			if err != nil {
				return nil, err
			}
			if sec != nil && (sec.ARN == id || (name == full && strings.HasPrefix(sec.ARN, id+"-") && len(sec.ARN) == len(id)+1+arnSuffixLength)) {
				return sec, nil
			}
		}
		return nil, nil
	}
	return s.loadName(id)
}

// mustFind is find for operations that fail on a missing secret.
func (s *Service) mustFind(id string) (*secret, error) {
	sec, err := s.find(id)
	if err == nil && sec == nil {
		err = ErrResourceNotFound
	}
	return sec, err
}

// findLive is mustFind for the operations a secret marked for deletion
// refuses.
func (s *Service) findLive(id string) (*secret, error) {
	sec, err := s.mustFind(id)
	if err == nil && sec.Deleted != 0 {
		err = errMarkedForDeletion
	}
	return sec, err
}

func (s *Service) save(sec *secret) error {
	raw, err := json.Marshal(sec)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(secretKey(sec.Name), raw)
	return b.Commit()
}

func (s *Service) purge(name string) error {
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(secretKey(name))
	return b.Commit()
}

// all returns every secret, in name order, the expired ones left out.
func (s *Service) all() ([]*secret, error) {
	lower := base("secret")
	it, err := s.store.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return nil, err
	}
	var out []*secret
	now := s.clock.Now().UnixMilli()
	for ok := it.First(); ok; ok = it.Next() {
		var sec secret
		if err := json.Unmarshal(it.Value(), &sec); err != nil {
			it.Close()
			return nil, err
		}
		if sec.DeletionAt != 0 && now >= sec.DeletionAt {
			continue
		}
		out = append(out, &sec)
	}
	return out, it.Close()
}
