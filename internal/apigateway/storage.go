package apigateway

import (
	"encoding/json"
	"fmt"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The store layout, every key under "apigateway", a kind and the account:
//
//	a/API          restAPI (JSON): the definition the control plane edits
//	d/API/DEPLOY   deployment (JSON): a snapshot of the definition
//	s/API/STAGE    stage (JSON)
//	k/KEY          apiKeyRecord (JSON): an API key
//	u/PLAN         usagePlanRecord (JSON): a usage plan with its keys' ids
//	q/PLAN/KEY     usageRecord (JSON): a key's daily request counts in a
//	               plan with a quota (usage.go)
//	n/DOMAIN       domainRecord (JSON): a custom domain name with its base
//	               path mappings
//	c/CERT         clientCertRecord (JSON): a client certificate
//	v/LINK         vpcLinkRecord (JSON): a VPC link
//	t              accountRecord (JSON): the account's settings
//
// An API's deployments and stages sort under its id, so deleting the API
// is three range deletions in one batch.

func rootKey(kind, account string) []byte {
	k := keys.AppendString(nil, "apigateway")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, account)
}

func apiKey(account, id string) []byte { return keys.AppendString(rootKey("a", account), id) }

func deploymentsPrefix(account, api string) []byte {
	return keys.AppendString(rootKey("d", account), api)
}

func deploymentKey(account, api, id string) []byte {
	return keys.AppendString(deploymentsPrefix(account, api), id)
}

func stagesPrefix(account, api string) []byte { return keys.AppendString(rootKey("s", account), api) }

func stageKey(account, api, name string) []byte {
	return keys.AppendString(stagesPrefix(account, api), name)
}

// putJSON adds v, as JSON, under key to b.
func putJSON(b store.Batch, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Set(key, data)
	return nil
}

// commit applies the writes f adds to a new batch, durably.
func (s *Service) commit(f func(b store.Batch) error) error {
	b := s.store.NewBatch()
	defer b.Close()
	if err := f(b); err != nil {
		return err
	}
	return b.Commit()
}

// scan decodes every value under prefix into a new T and hands it to f.
func scan[T any](r store.Reader, prefix []byte, f func(*T)) error {
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			it.Close()
			return fmt.Errorf("apigateway: record %x: %w", it.Key(), err)
		}
		f(v)
	}
	return it.Close()
}

// load reads every API with its deployments and stages.
func (s *Service) load() error {
	err := scan(s.store, rootKey("a", s.account), func(a *restAPI) {
		s.apis[a.ID] = &apiState{def: a, deployments: map[string]*deployment{}, stages: map[string]*stage{}}
	})
	if err != nil {
		return err
	}
	if err := scan(s.store, rootKey("k", s.account), func(k *apiKeyRecord) { s.keys[k.ID] = k }); err != nil {
		return err
	}
	if err := scan(s.store, rootKey("u", s.account), func(p *usagePlanRecord) { s.plans[p.ID] = p }); err != nil {
		return err
	}
	if err := scan(s.store, rootKey("n", s.account), func(d *domainRecord) {
		// Mappings stored before they had ids get one, kept from the
		// domain's next change on.
		for path, m := range d.Mappings {
			if m.ID == "" {
				m.ID = s.newID(apiMappingIDLength, func(id string) bool { _, ok := mappingByID(d, id); return ok })
				d.Mappings[path] = m
			}
		}
		s.domains[d.Name] = d
	}); err != nil {
		return err
	}
	s.publishDomains()
	if err := s.clientCerts.load(s); err != nil {
		return err
	}
	if err := s.vpcLinks.load(s); err != nil {
		return err
	}
	if settings, err := store.GetJSON[accountRecord](s.store, accountKey(s.account)); err != nil {
		return fmt.Errorf("apigateway: account settings: %w", err)
	} else if settings != nil {
		s.settings = *settings
	}
	for id, st := range s.apis {
		if err := scan(s.store, deploymentsPrefix(s.account, id), func(d *deployment) { st.deployments[d.ID] = d }); err != nil {
			return err
		}
		if err := scan(s.store, stagesPrefix(s.account, id), func(g *stage) { st.stages[g.Name] = g }); err != nil {
			return err
		}
	}
	return nil
}
