package ssm

import (
	"encoding/base64"
	"encoding/json"
	"errors"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// param is a parameter with every version Parameter Store keeps of it
// (at most maxVersions), oldest first. Its last version is the current
// one.
type param struct {
	Name     string            `json:"name"`
	Tags     map[string]string `json:"tags,omitempty"`
	Versions []version         `json:"versions"`
}

// version is one version of a parameter. Value is the plain text for
// String and StringList, and the sealed value, base64-encoded, for
// SecureString.
type version struct {
	Version        int64    `json:"version"`
	Type           string   `json:"type"`
	DataType       string   `json:"dataType"`
	Tier           string   `json:"tier"`
	Value          string   `json:"value"`
	Description    string   `json:"description,omitempty"`
	AllowedPattern string   `json:"allowedPattern,omitempty"`
	KeyID          string   `json:"keyId,omitempty"`
	Labels         []string `json:"labels,omitempty"`
	Modified       int64    `json:"modified"` // epoch ms
	User           string   `json:"user,omitempty"`
	// Policies are the parameter policies in force from this version;
	// a version made without Policies keeps its predecessor's.
	Policies []policyRecord `json:"policies,omitempty"`
}

func (p *param) current() *version { return &p.Versions[len(p.Versions)-1] }

// find returns the version numbered n, or nil.
func (p *param) find(n int64) *version {
	for i := range p.Versions {
		if p.Versions[i].Version == n {
			return &p.Versions[i]
		}
	}
	return nil
}

// labelled returns the version carrying label, or nil.
func (p *param) labelled(label string) *version {
	for i := range p.Versions {
		for _, l := range p.Versions[i].Labels {
			if l == label {
				return &p.Versions[i]
			}
		}
	}
	return nil
}

// pick returns the version a selector names.
func (p *param) pick(sel selector) (*version, error) {
	switch {
	case sel.version != 0:
		if v := p.find(sel.version); v != nil {
			return v, nil
		}
		return nil, versionNotFound(p.Name, sel.version)
	case sel.label != "":
		if v := p.labelled(sel.label); v != nil {
			return v, nil
		}
		return nil, ErrParameterVersionNotFound.WithMessage("Systems Manager could not find a version of " + p.Name + " labelled " + sel.label + ".")
	}
	return p.current(), nil
}

func base(kind string) []byte { return keys.AppendString(keys.AppendString(nil, "ssm"), kind) }

func dataKeyKey() []byte { return base("datakey") }

func paramKey(name string) []byte { return keys.AppendString(base("param"), name) }

func (s *Service) load(name string) (*param, error) {
	raw, err := s.store.Get(paramKey(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p param
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Service) save(p *param) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(paramKey(p.Name), raw)
	return b.Commit()
}

func (s *Service) remove(names ...string) error {
	b := s.store.NewBatch()
	defer b.Close()
	for _, n := range names {
		b.Delete(paramKey(n))
	}
	return b.Commit()
}

// each calls f with every parameter whose name starts with prefix, in
// name order, from the first name after `after` (all when empty), until
// f returns false.
func (s *Service) each(prefix, after string, f func(*param) bool) error {
	lower := keys.AppendStringPrefix(base("param"), prefix)
	upper := keys.PrefixEnd(lower)
	if after != "" {
		lower = append(paramKey(after), 0)
	}
	it, err := s.store.NewIter(lower, upper)
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var p param
		if err := json.Unmarshal(it.Value(), &p); err != nil {
			return err
		}
		if !f(&p) {
			break
		}
	}
	return it.Error()
}

// seal returns a SecureString's stored form.
func (s *Service) seal(plain string) string {
	return base64.StdEncoding.EncodeToString(s.box.Seal([]byte(plain)))
}

// plain returns a version's value in clear text.
func (s *Service) plain(v *version) (string, error) {
	if v.Type != "SecureString" {
		return v.Value, nil
	}
	raw, err := base64.StdEncoding.DecodeString(v.Value)
	if err != nil {
		return "", err
	}
	out, err := s.box.Open(raw)
	return string(out), err
}

// shown is a version's value as a response shows it: SecureString
// values stay sealed unless decryption was asked for.
func (s *Service) shown(v *version, decrypt bool) (string, error) {
	if v.Type == "SecureString" && !decrypt {
		return v.Value, nil
	}
	if v.Type == "SecureString" {
		if err := s.checkKey(v.KeyID); err != nil {
			return "", err
		}
	}
	return s.plain(v)
}
