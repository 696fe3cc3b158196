package ses

import (
	"encoding/base64"
	"encoding/hex"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// Identity types, as both APIs name them (v1's IdentityType; v2 names
// them EMAIL_ADDRESS and DOMAIN).
const (
	IdentityEmailAddress = "EmailAddress"
	IdentityDomain       = "Domain"
)

// Identity is a verified email address or domain.
type Identity struct {
	Name string
	Type string
	// Token is a domain's verification token, the value of the TXT
	// record _amazonses.DOMAIN that SES would look for.
	Token   string
	Created time.Time
}

// identityIndex is the key identities are found by: domains and the
// addresses SES checks are compared without regard to case.
func identityIndex(name string) string { return strings.ToLower(name) }

func (r *identityRecord) identity() Identity {
	t := IdentityEmailAddress
	if r.Domain {
		t = IdentityDomain
	}
	return Identity{Name: r.Name, Type: t, Token: r.Token, Created: time.UnixMilli(r.Created)}
}

// AddIdentity verifies an email address (domain false) or a domain.
// Verification succeeds at once: there is no mailbox to click a link in
// nor DNS to publish a record in. A domain verified again keeps its
// token. created is false when the identity already existed.
func (s *Service) AddIdentity(name string, domain bool) (id Identity, created bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.identities[identityIndex(name)]; r != nil {
		return r.identity(), false, nil
	}
	r := &identityRecord{Name: name, Domain: domain, Created: s.clock.Now().UnixMilli()}
	if domain {
		// A token of the form SES hands out: 32 random bytes in base64.
		raw, _ := hex.DecodeString(s.ids.Hex(32))
		r.Token = base64.StdEncoding.EncodeToString(raw)
	}
	if err := commit(s.store, func(b store.Batch) { b.Set(identityKey(r.Name), mustJSON(r)) }); err != nil {
		return Identity{}, false, err
	}
	s.identities[identityIndex(name)] = r
	return r.identity(), true, nil
}

// Identity returns the identity with the name.
func (s *Service) Identity(name string) (Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.identities[identityIndex(name)]
	if r == nil {
		return Identity{}, false
	}
	return r.identity(), true
}

// Identities returns every identity of the given type ("" for all), in
// order of name.
func (s *Service) Identities(typ string) []Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Identity
	for _, r := range s.identities {
		if id := r.identity(); typ == "" || id.Type == typ {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DeleteIdentity deletes an identity; deleted is false when there was
// none.
func (s *Service) DeleteIdentity(name string) (deleted bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.identities[identityIndex(name)]
	if r == nil {
		return false, nil
	}
	if err := commit(s.store, func(b store.Batch) { b.Delete(identityKey(r.Name)) }); err != nil {
		return false, err
	}
	delete(s.identities, identityIndex(name))
	return true, nil
}

// senderVerified reports whether an address may be a message's sender:
// the address is a verified identity, or its domain is.
func (s *Service) senderVerified(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.identities[identityIndex(addr)]; r != nil && !r.Domain {
		return true
	}
	_, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return false
	}
	r := s.identities[identityIndex(domain)]
	return r != nil && r.Domain
}

// bareAddress returns the address of a mailbox written with or without a
// display name ("Jane <jane@example.com>" or "jane@example.com"), and
// whether it parses.
func bareAddress(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return strings.TrimSpace(s), false
	}
	return a.Address, true
}
