package apigateway

import (
	"cmp"
	"context"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// API keys are the account's, not an API's: a method that requires one
// accepts a key that is enabled and belongs to a usage plan that names
// the method's API and stage (usagePlanAllows). Keys and plans live
// beside the APIs in Service, under Service.mu.

// API key limits: a value chosen by the caller has 20 to 128 characters;
// a generated one has 40 letters and digits, as AWS's have.
const (
	minAPIKeyValue       = 20
	maxAPIKeyValue       = 128
	generatedValueLength = 40
)

// apiKeyRecord is an API key as the store keeps it.
type apiKeyRecord struct {
	ID          string
	Value       string
	Name        string
	Description string `json:",omitempty"`
	CustomerID  string `json:",omitempty"`
	Enabled     bool
	Created     time.Time
	Updated     time.Time
	// StageKeys are "restApiId/stageName", as AWS lists them.
	StageKeys []string          `json:",omitempty"`
	Tags      map[string]string `json:",omitempty"`
}

func apiKeyRecordKey(account, id string) []byte {
	return keys.AppendString(rootKey("k", account), id)
}

// newAPIKeyValue is a random value in the form of AWS's generated keys.
func (s *Service) newAPIKeyValue() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	raw, _ := hex.DecodeString(s.ids.Hex(generatedValueLength))
	for i, b := range raw {
		raw[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(raw)
}

// checkAPIKeyValue checks a value a caller chose.
func checkAPIKeyValue(v string) error {
	if len(v) < minAPIKeyValue || len(v) > maxAPIKeyValue {
		return badRequest(msgAPIKeyValueLength)
	}
	return nil
}

// stageKeys checks and spells a key's stage keys. The caller holds s.mu.
func (s *Service) stageKeys(in []StageKey) ([]string, error) {
	var out []string
	for _, sk := range in {
		st, err := s.api(sk.RestApiId)
		if err != nil {
			return nil, err
		}
		if st.stages[deref(sk.StageName)] == nil {
			return nil, notFound(msgStageNotFound)
		}
		out = append(out, *sk.RestApiId+"/"+deref(sk.StageName))
	}
	return out, nil
}

func (s *Service) createAPIKey(ctx context.Context, in *CreateApiKeyRequest) (*ApiKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := &apiKeyRecord{Name: deref(in.Name), Description: deref(in.Description), CustomerID: deref(in.CustomerId),
		Enabled: in.Enabled != nil && *in.Enabled, Tags: maps.Clone(in.Tags)}
	if len(k.Tags) > maxTags {
		return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	if in.Value != nil {
		if err := checkAPIKeyValue(*in.Value); err != nil {
			return nil, err
		}
		for _, other := range s.keys {
			if other.Value == *in.Value {
				return nil, ErrConflict.WithMessage(msgAPIKeyValueExists)
			}
		}
		k.Value = *in.Value
	} else {
		k.Value = s.newAPIKeyValue()
	}
	var err error
	if k.StageKeys, err = s.stageKeys(in.StageKeys); err != nil {
		return nil, err
	}
	k.ID = s.newID(longIDLength, func(id string) bool { return s.keys[id] != nil })
	if k.Name == "" {
		k.Name = k.ID
	}
	k.Created = s.clock.Now().UTC().Truncate(time.Second)
	k.Updated = k.Created
	if err := s.putAPIKey(k); err != nil {
		return nil, err
	}
	return apiKeyOutput(k, true), nil
}

// putAPIKey stores k and makes it the key with its id. The caller holds
// s.mu.
func (s *Service) putAPIKey(k *apiKeyRecord) error {
	if err := s.commit(func(b store.Batch) error { return putJSON(b, apiKeyRecordKey(s.account, k.ID), k) }); err != nil {
		return err
	}
	s.keys[k.ID] = k
	return nil
}

func (s *Service) getAPIKey(ctx context.Context, in *GetApiKeyRequest) (*ApiKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := s.keys[*in.ApiKey]
	if k == nil {
		return nil, notFound(msgAPIKeyNotFound)
	}
	return apiKeyOutput(k, in.IncludeValue != nil && *in.IncludeValue), nil
}

func (s *Service) getAPIKeys(ctx context.Context, in *GetApiKeysRequest) (*ApiKeys, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*apiKeyRecord
	for _, k := range s.keys {
		if in.NameQuery != nil && !strings.HasPrefix(k.Name, *in.NameQuery) {
			continue
		}
		if in.CustomerId != nil && k.CustomerID != *in.CustomerId {
			continue
		}
		all = append(all, k)
	}
	slices.SortFunc(all, func(x, y *apiKeyRecord) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(k *apiKeyRecord) string { return k.ID }, in.Position, in.Limit)
	out := &ApiKeys{Position: next, Items: make([]ApiKey, 0, len(items))}
	for _, k := range items {
		out.Items = append(out.Items, *apiKeyOutput(k, in.IncludeValues != nil && *in.IncludeValues))
	}
	return out, nil
}

func (s *Service) updateAPIKey(ctx context.Context, in *UpdateApiKeyRequest) (*ApiKey, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.keys[*in.ApiKey]
	if old == nil {
		return nil, notFound(msgAPIKeyNotFound)
	}
	k := *old
	k.StageKeys = slices.Clone(old.StageKeys)
	for _, p := range patches {
		if p.op != "replace" {
			return nil, p.invalid()
		}
		switch {
		case p.is("name"):
			k.Name = p.str()
		case p.is("description"):
			k.Description = p.str()
		case p.is("customerId"):
			k.CustomerID = p.str()
		case p.is("enabled"):
			v, err := p.boolValue()
			if err != nil {
				return nil, err
			}
			k.Enabled = v
		default:
			return nil, p.invalid()
		}
	}
	k.Updated = s.clock.Now().UTC().Truncate(time.Second)
	if err := s.putAPIKey(&k); err != nil {
		return nil, err
	}
	return apiKeyOutput(&k, false), nil
}

func (s *Service) deleteAPIKey(ctx context.Context, in *DeleteApiKeyRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys[*in.ApiKey] == nil {
		return nil, notFound(msgAPIKeyNotFound)
	}
	// A deleted key leaves the usage plans it was in.
	var changed []*usagePlanRecord
	for _, p := range s.plans {
		if slices.Contains(p.Keys, *in.ApiKey) {
			q := *p
			q.Keys = slices.DeleteFunc(slices.Clone(p.Keys), func(id string) bool { return id == *in.ApiKey })
			changed = append(changed, &q)
		}
	}
	err := s.commit(func(b store.Batch) error {
		b.Delete(apiKeyRecordKey(s.account, *in.ApiKey))
		for _, p := range changed {
			if err := putJSON(b, usagePlanRecordKey(s.account, p.ID), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	delete(s.keys, *in.ApiKey)
	for _, p := range changed {
		s.plans[p.ID] = p
	}
	return nil, nil
}

// apiKeyOutput is a key as GetApiKey answers it: its value only when
// asked for.
func apiKeyOutput(k *apiKeyRecord, withValue bool) *ApiKey {
	out := &ApiKey{Id: ptr(k.ID), Name: ptr(k.Name), Description: optional(k.Description), CustomerId: optional(k.CustomerID),
		Enabled: ptr(k.Enabled), CreatedDate: ptr(k.Created), LastUpdatedDate: ptr(k.Updated),
		StageKeys: slices.Clone(k.StageKeys), Tags: maps.Clone(k.Tags)}
	if out.StageKeys == nil {
		out.StageKeys = []string{}
	}
	if withValue {
		out.Value = ptr(k.Value)
	}
	return out
}

// keyForRequest finds the enabled key with the given value that a usage
// plan lets call the API's stage: its id and the plan.
func (s *Service) keyForRequest(value, apiID, stage string) (string, *usagePlanRecord, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range s.keys {
		if k.Value != value {
			continue
		}
		if !k.Enabled {
			return "", nil, false
		}
		for _, p := range s.plans {
			if slices.Contains(p.Keys, k.ID) && p.allows(apiID, stage) {
				return k.ID, p, true
			}
		}
		return "", nil, false
	}
	return "", nil, false
}
