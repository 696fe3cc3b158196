package cognitoidp

import (
	"encoding/json"
	"errors"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// pool is a user pool: its configuration as DescribeUserPool shows it,
// and its signing keys, sealed.
type pool struct {
	Config UserPoolType `json:"config"`
	// Keys are the pool's RSA signing keys, PKCS #8 DER, sealed: the
	// first signs ID tokens, the second access tokens.
	Keys [][]byte `json:"keys"`
}

// client is an app client of a pool.
type client struct {
	Config UserPoolClientType `json:"config"`
}

// user is a user of a pool.
type user struct {
	Username   string            `json:"username"`
	Sub        string            `json:"sub"`
	Attributes map[string]string `json:"attributes"`
	Status     string            `json:"status"` // UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, ...
	Enabled    bool              `json:"enabled"`
	Created    int64             `json:"created"` // epoch ms
	Modified   int64             `json:"modified"`
	// Password is the salted hash of the password (see password.go);
	// TemporaryUntil, for a temporary password, when it expires.
	Password       []byte `json:"password,omitempty"`
	Salt           []byte `json:"salt,omitempty"`
	TemporaryUntil int64  `json:"temporaryUntil,omitempty"`
	// SRPSalt and SRPVerifier (hex) let USER_SRP_AUTH check a password
	// claim without the password (srp.go).
	SRPSalt     string `json:"srpSalt,omitempty"`
	SRPVerifier string `json:"srpVerifier,omitempty"`
	// Code is the confirmation code SignUp issued, until ConfirmSignUp.
	Code string `json:"code,omitempty"`
	// ResetCode is the code ForgotPassword issued, valid until
	// ResetUntil (epoch ms).
	ResetCode  string `json:"resetCode,omitempty"`
	ResetUntil int64  `json:"resetUntil,omitempty"`
	// Groups are the names of the user's groups.
	Groups []string `json:"groups,omitempty"`
	// Revoked are the origin_jti of the sessions GlobalSignOut and
	// RevokeToken ended: tokens that carry one are no longer accepted.
	Revoked []string `json:"revoked,omitempty"`
}

// group is a group of a pool.
type group struct {
	Config GroupType `json:"config"`
}

// refreshToken is what a refresh token stands for.
type refreshToken struct {
	Pool      string `json:"pool"`
	Client    string `json:"client"`
	Username  string `json:"username"`
	Issued    int64  `json:"issued"` // epoch seconds
	Expires   int64  `json:"expires"`
	AuthTime  int64  `json:"authTime"`
	OriginJTI string `json:"originJti"`
	// Scopes are the OAuth 2.0 scopes the session was granted (the
	// token endpoint's sessions); none is the API's
	// aws.cognito.signin.user.admin.
	Scopes []string `json:"scopes,omitempty"`
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "cognito-idp"), kind)
}

func dataKeyKey() []byte                  { return base("datakey") }
func poolKey(id string) []byte            { return keys.AppendString(base("pool"), id) }
func clientIndexKey(id string) []byte     { return keys.AppendString(base("clientpool"), id) }
func refreshKey(token string) []byte      { return keys.AppendString(base("refresh"), token) }
func poolPrefix(kind, pool string) []byte { return keys.AppendString(base(kind), pool) }
func clientKey(pool, id string) []byte    { return keys.AppendString(poolPrefix("client", pool), id) }
func userKey(pool, name string) []byte    { return keys.AppendString(poolPrefix("user", pool), name) }
func groupKey(pool, name string) []byte   { return keys.AppendString(poolPrefix("group", pool), name) }

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

// put writes records (key, value pairs) and deletes keys in one batch.
func (s *Service) put(sets map[string]any, deletes ...[]byte) error {
	b := s.store.NewBatch()
	defer b.Close()
	for k, v := range sets {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Set([]byte(k), raw)
	}
	for _, k := range deletes {
		b.Delete(k)
	}
	return b.Commit()
}

func (s *Service) put1(key []byte, v any) error { return s.put(map[string]any{string(key): v}) }

// list reads every record under prefix, in key order.
func list[T any](s *Service, prefix []byte) ([]*T, error) {
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	var out []*T
	for ok := it.First(); ok; ok = it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, v)
	}
	return out, it.Close()
}

func (s *Service) loadPool(id string) (*pool, error) {
	var p pool
	ok, err := s.get(poolKey(id), &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, poolNotFound(id)
	}
	return &p, nil
}

func (s *Service) loadClient(poolID, id string) (*client, error) {
	var c client
	ok, err := s.get(clientKey(poolID, id), &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, clientNotFound(id)
	}
	return &c, nil
}

// clientByID finds an app client by its id alone, as the operations a
// user calls (InitiateAuth, SignUp) name it, with its pool.
func (s *Service) clientByID(id string) (*pool, *client, error) {
	var poolID string
	ok, err := s.get(clientIndexKey(id), &poolID)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, clientNotFound(id)
	}
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.loadClient(poolID, id)
	return p, c, err
}

func (s *Service) loadGroup(poolID, name string) (*group, error) {
	var g group
	ok, err := s.get(groupKey(poolID, name), &g)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrResourceNotFound.WithMessage("Group not found.")
	}
	return &g, nil
}

func (s *Service) saveUser(poolID string, u *user) error {
	return s.put1(userKey(poolID, u.Username), u)
}

func domainKey(domain string) []byte { return keys.AppendString(base("domain"), domain) }
func customDomainKey(domain string) []byte {
	return keys.AppendString(base("customdomain"), domain)
}
func resourceServerKey(pool, id string) []byte {
	return keys.AppendString(poolPrefix("resource", pool), id)
}
