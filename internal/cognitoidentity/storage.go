package cognitoidentity

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// identityPool is an identity pool as stored: its description and the
// roles SetIdentityPoolRoles gave it.
type identityPool struct {
	Config       IdentityPool           `json:"config"`
	Roles        map[string]string      `json:"roles,omitempty"`
	RoleMappings map[string]RoleMapping `json:"roleMappings,omitempty"`
}

// identity is an identity as stored: its pool, and the logins (provider
// name → the user's subject there) linked to it; none for a guest.
type identity struct {
	ID       string            `json:"id"`
	Pool     string            `json:"pool"`
	Logins   map[string]string `json:"logins,omitempty"`
	Created  time.Time         `json:"created"`
	Modified time.Time         `json:"modified"`
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "cognito-identity"), kind)
}

func dataKeyKey() []byte           { return base("datakey") }
func signingKeyKey() []byte        { return base("signingkey") }
func poolKey(id string) []byte     { return keys.AppendString(base("pool"), id) }
func identityKey(id string) []byte { return keys.AppendString(base("identity"), id) }

// poolIdentityKey indexes a pool's identities, for ListIdentities and
// DeleteIdentityPool; its value is the identity's id.
func poolIdentityKey(pool, id string) []byte { return keys.AppendString(poolIdentities(pool), id) }

// poolIdentities is the prefix of a pool's poolIdentityKeys.
func poolIdentities(pool string) []byte { return keys.AppendString(base("poolidentity"), pool) }

// loginKey finds the identity a user of a provider has in a pool.
func loginKey(pool, provider, subject string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(base("login"), pool), provider), subject)
}

// get reads the JSON record under key into v; false when there is none.
func (s *Service) get(key []byte, v any) (bool, error) {
	raw, err := s.store.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(raw, v)
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// write is one atomic change: records to set and keys to delete.
type write struct {
	sets    [][2]any // key []byte, value any
	deletes [][]byte
}

func (w *write) set(key []byte, v any) { w.sets = append(w.sets, [2]any{key, v}) }
func (w *write) del(key []byte)        { w.deletes = append(w.deletes, key) }

func (s *Service) commit(w *write) error {
	b := s.store.NewBatch()
	defer b.Close()
	for _, kv := range w.sets {
		raw, err := json.Marshal(kv[1])
		if err != nil {
			return err
		}
		b.Set(kv[0].([]byte), raw)
	}
	for _, k := range w.deletes {
		b.Delete(k)
	}
	return b.Commit()
}

// scan calls f with each record's key and value under prefix, in key
// order, from the first key after `after` (nil: from the start), until f
// returns false.
func (s *Service) scan(prefix, after []byte, f func(k, v []byte) (bool, error)) error {
	lower := prefix
	if after != nil {
		lower = append(append([]byte{}, after...), 0)
	}
	it, err := s.store.NewIter(lower, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		more, err := f(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return err
		}
		if !more {
			break
		}
	}
	return it.Close()
}

func (s *Service) loadPool(id string) (*identityPool, error) {
	var p identityPool
	ok, err := s.get(poolKey(id), &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, poolNotFound(id)
	}
	return &p, nil
}

func (s *Service) loadIdentity(id string) (*identity, error) {
	var i identity
	ok, err := s.get(identityKey(id), &i)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, identityNotFound(id)
	}
	return &i, nil
}
