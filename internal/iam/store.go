package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// IAM's records live under "iam": one per role, user, group, customer
// managed policy and instance profile, keyed by the lower-cased name (IAM names
// are unique in an account whatever their case), and one index entry per
// access key, naming its user. A role or user carries its inline policies,
// the ARNs of the managed policies attached to it and (a user) its access
// keys, so that one commit changes an entity and everything it owns.
//
//	("iam", "role", lower(name))     → roleRecord
//	("iam", "user", lower(name))     → userRecord
//	("iam", "policy", lower(name))   → policyRecord
//	("iam", "profile", lower(name))  → profileRecord
//	("iam", "group", lower(name))    → groupRecord
//	("iam", "accesskey", key id)     → user name
//	("iam", "account", "root")       → accountRecord
//	("iam", "mfa", lower(path+name)) → mfaRecord (a virtual MFA device)

const (
	kindRole      = "role"
	kindUser      = "user"
	kindPolicy    = "policy"
	kindProfile   = "profile"
	kindAccessKey = "accesskey"
	kindGroup     = "group"
	kindAccount   = "account"
	kindMFA       = "mfa"
)

// accountRecord is the account itself: the time it was created, which
// the root user's CreateDate answers, as IAM answers the account's
// creation date for its root user.
type accountRecord struct {
	Created time.Time `json:"created"`
}

// accountCreated returns when the account was created: the first time
// anyone asked, kept from then on so that it never changes.
func (s *Service) accountCreated() (time.Time, error) {
	var a accountRecord
	if ok, err := s.get(kindAccount, "root", &a); err != nil || ok {
		return a.Created, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok, err := s.get(kindAccount, "root", &a); err != nil || ok {
		return a.Created, err
	}
	a.Created = s.clock.Now().UTC().Truncate(time.Second)
	return a.Created, s.commit(new(change).put(kindAccount, "root", a))
}

type tagRecord struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// principal is what roles and users share: their policies.
type principal struct {
	Inline   map[string]string `json:"inline,omitempty"`   // policy name → document
	Attached []string          `json:"attached,omitempty"` // managed policy ARNs, in attach order
}

type roleRecord struct {
	Name        string      `json:"name"`
	Path        string      `json:"path"`
	ID          string      `json:"id"`
	Created     time.Time   `json:"created"`
	TrustPolicy string      `json:"trustPolicy"`
	Description *string     `json:"description,omitempty"`
	MaxSession  int32       `json:"maxSession"`
	Boundary    string      `json:"boundary,omitempty"`
	Tags        []tagRecord `json:"tags,omitempty"`
	principal
}

type accessKeyRecord struct {
	ID      string    `json:"id"`
	Secret  string    `json:"secret"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

type userRecord struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	Created  time.Time         `json:"created"`
	Boundary string            `json:"boundary,omitempty"`
	Tags     []tagRecord       `json:"tags,omitempty"`
	Keys     []accessKeyRecord `json:"keys,omitempty"`
	// Login is the user's login profile, nil when it has none.
	Login *loginRecord `json:"login,omitempty"`
	// MFA are the serial numbers of the MFA devices enabled for the
	// user, in the order they were enabled; their records say when.
	MFA []string `json:"mfa,omitempty"`
	principal
}

type versionRecord struct {
	ID       string    `json:"id"`
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

type policyRecord struct {
	Name        string          `json:"name"`
	Path        string          `json:"path"`
	ID          string          `json:"id"`
	Description string          `json:"description,omitempty"`
	Created     time.Time       `json:"created"`
	Updated     time.Time       `json:"updated"`
	Default     string          `json:"default"`
	Versions    []versionRecord `json:"versions"`
	NextVersion int             `json:"nextVersion"`
	Tags        []tagRecord     `json:"tags,omitempty"`
}

type groupRecord struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Users   []string  `json:"users,omitempty"` // member user names, in the order they were added
	principal
}

type profileRecord struct {
	Name    string      `json:"name"`
	Path    string      `json:"path"`
	ID      string      `json:"id"`
	Created time.Time   `json:"created"`
	Roles   []string    `json:"roles,omitempty"` // role names
	Tags    []tagRecord `json:"tags,omitempty"`
}

func recordKey(kind, name string) []byte {
	k := keys.AppendString(nil, "iam")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, strings.ToLower(name))
}

func kindPrefix(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "iam"), kind)
}

// accessKeyKey is not lower-cased: key ids are upper case already.
func accessKeyKey(id string) []byte {
	k := keys.AppendString(nil, "iam")
	k = keys.AppendString(k, kindAccessKey)
	return keys.AppendString(k, id)
}

// get reads the record of kind named name into v; it reports false when
// there is none.
func (s *Service) get(kind, name string, v any) (bool, error) {
	raw, err := s.store.Get(recordKey(kind, name))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("iam: stored %s %s: %w", kind, name, err)
	}
	return true, nil
}

func (s *Service) role(name string) (*roleRecord, error) {
	var r roleRecord
	ok, err := s.get(kindRole, name, &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchRole(name)
	}
	return &r, nil
}

func (s *Service) user(name string) (*userRecord, error) {
	var u userRecord
	ok, err := s.get(kindUser, name, &u)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchUser(name)
	}
	return &u, nil
}

func (s *Service) profile(name string) (*profileRecord, error) {
	var p profileRecord
	ok, err := s.get(kindProfile, name, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchInstanceProfile(name)
	}
	return &p, nil
}

// each calls f with every record of kind, in key order, decoded by
// decode.
func each[T any](s *Service, kind string, f func(*T) error) error {
	lower := kindPrefix(kind)
	it, err := s.store.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var v T
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			return fmt.Errorf("iam: stored %s: %w", kind, err)
		}
		if err := f(&v); err != nil {
			return err
		}
	}
	return it.Error()
}

// all returns every record of kind in key order.
func all[T any](s *Service, kind string) ([]*T, error) {
	var out []*T
	err := each(s, kind, func(v *T) error { out = append(out, v); return nil })
	return out, err
}

// change is one commit's worth of record writes and deletes.
type change struct {
	sets    map[string][]byte
	order   []string
	deletes [][]byte
	err     error
}

func (c *change) put(kind, name string, v any) *change {
	return c.putKey(recordKey(kind, name), v)
}

func (c *change) putKey(k []byte, v any) *change {
	raw, err := json.Marshal(v)
	if err != nil && c.err == nil {
		c.err = err
	}
	if c.sets == nil {
		c.sets = map[string][]byte{}
	}
	if _, seen := c.sets[string(k)]; !seen {
		c.order = append(c.order, string(k))
	}
	c.sets[string(k)] = raw
	return c
}

func (c *change) del(kind, name string) *change {
	c.deletes = append(c.deletes, recordKey(kind, name))
	return c
}

func (c *change) delKey(k []byte) *change {
	c.deletes = append(c.deletes, k)
	return c
}

// commit writes the change durably.
func (s *Service) commit(c *change) error {
	if c.err != nil {
		return c.err
	}
	b := s.store.NewBatch()
	defer b.Close()
	for _, k := range c.deletes {
		b.Delete(k)
	}
	for _, k := range c.order {
		b.Set([]byte(k), c.sets[k])
	}
	// Whatever commits, callers' cached policies are stale from now on.
	defer s.gen.Add(1)
	return b.Commit()
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
