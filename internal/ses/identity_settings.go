package ses

import (
	"context"
	"encoding/base32"
	"encoding/hex"
	"maps"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// Notification types, as SetIdentityNotificationTopic names them.
const (
	NotifyBounce    = "Bounce"
	NotifyComplaint = "Complaint"
	NotifyDelivery  = "Delivery"
)

// dkimTokenCount is how many Easy DKIM tokens SES gives a domain: three
// CNAME records, _domainkey.DOMAIN each.
const dkimTokenCount = 3

// IdentitySettings are an identity's DKIM and notification settings.
type IdentitySettings struct {
	// DkimTokens are a domain's tokens; an address has none of its own
	// (SES reports one under a DKIM domain as NotStarted, without
	// tokens).
	DkimTokens  []string
	DkimEnabled bool
	// Topics are the SNS topics by notification type; Headers the types
	// whose notifications carry the message's headers.
	Topics            map[string]string
	Headers           map[string]bool
	ForwardingEnabled bool
}

// unknownIdentity is SES's answer to settings for an identity it does
// not know.
func unknownIdentity(name string) error {
	return invalidValue("Identity " + name + " is invalid. Must be a verified email address or domain.")
}

// VerifyDomainDkim returns a domain's DKIM tokens, creating them (and,
// as verification succeeds at once, the domain identity) the first time,
// and enables DKIM signing for it. A domain keeps its tokens.
func (s *Service) VerifyDomainDkim(domain string) ([]string, error) {
	if _, _, err := s.AddIdentity(domain, true); err != nil {
		return nil, err
	}
	var tokens []string
	err := s.updateIdentity(domain, func(r *identityRecord) {
		if len(r.DkimTokens) == 0 {
			for range dkimTokenCount {
				raw, _ := hex.DecodeString(s.ids.Hex(20))
				r.DkimTokens = append(r.DkimTokens, strings.ToLower(base32.StdEncoding.EncodeToString(raw)))
			}
		}
		r.DkimEnabled = true
		tokens = append([]string(nil), r.DkimTokens...)
	})
	return tokens, err
}

// updateIdentity changes an identity's record and commits it.
func (s *Service) updateIdentity(name string, change func(r *identityRecord)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.identities[identityIndex(name)]
	if old == nil {
		return unknownIdentity(name)
	}
	r := *old
	r.Topics, r.Headers = maps.Clone(old.Topics), maps.Clone(old.Headers)
	change(&r)
	if err := commit(s.store, func(b store.Batch) { b.Set(identityKey(r.Name), mustJSON(&r)) }); err != nil {
		return err
	}
	s.identities[identityIndex(name)] = &r
	return nil
}

// Settings returns an identity's DKIM and notification settings.
func (s *Service) Settings(name string) (IdentitySettings, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.identities[identityIndex(name)]
	if r == nil {
		return IdentitySettings{}, false
	}
	return IdentitySettings{DkimTokens: append([]string(nil), r.DkimTokens...), DkimEnabled: r.DkimEnabled,
		Topics: maps.Clone(r.Topics), Headers: maps.Clone(r.Headers), ForwardingEnabled: !r.NoForwarding}, true
}

// SetDkimEnabled turns DKIM signing of an identity's mail on or off.
func (s *Service) SetDkimEnabled(name string, enabled bool) error {
	return s.updateIdentity(name, func(r *identityRecord) { r.DkimEnabled = enabled })
}

// checkNotificationType refuses a type that is not Bounce, Complaint or
// Delivery.
func checkNotificationType(typ string) error {
	switch typ {
	case NotifyBounce, NotifyComplaint, NotifyDelivery:
		return nil
	}
	return invalidValue("Invalid notification type " + typ + ".")
}

// SetNotificationTopic sets (or, with topic "", clears) the SNS topic an
// identity's notifications of a type go to. The topic must exist. A
// bounce or complaint topic cannot be cleared while feedback forwarding
// is off: SES must send those notifications somewhere.
func (s *Service) SetNotificationTopic(name, typ, topic string) error {
	if err := checkNotificationType(typ); err != nil {
		return err
	}
	if topic != "" && (s.topics == nil || !s.topics.Exists(topic)) {
		return invalidValue("SNS topic " + topic + " not found.")
	}
	var refused error
	err := s.updateIdentity(name, func(r *identityRecord) {
		if topic == "" {
			if r.NoForwarding && typ != NotifyDelivery {
				refused = forwardingRequired(r.Name)
				return
			}
			delete(r.Topics, typ)
			return
		}
		if r.Topics == nil {
			r.Topics = map[string]string{}
		}
		r.Topics[typ] = topic
	})
	if refused != nil {
		return refused
	}
	return err
}

// forwardingRequired is SES's refusal to go without feedback forwarding
// for an identity whose bounces or complaints have no topic.
func forwardingRequired(name string) error {
	return invalidValue("Feedback forwarding cannot be disabled for identity " + name +
		" unless bounce and complaint notifications are published to Amazon SNS topics.")
}

// SetForwardingEnabled turns feedback forwarding (bounces and complaints
// by email) on or off; it can be off only while bounces and complaints
// go to SNS topics.
func (s *Service) SetForwardingEnabled(name string, enabled bool) error {
	var refused error
	err := s.updateIdentity(name, func(r *identityRecord) {
		if !enabled && (r.Topics[NotifyBounce] == "" || r.Topics[NotifyComplaint] == "") {
			refused = forwardingRequired(r.Name)
			return
		}
		r.NoForwarding = !enabled
	})
	if refused != nil {
		return refused
	}
	return err
}

// SetHeadersInNotifications sets whether an identity's notifications of
// a type carry the message's headers.
func (s *Service) SetHeadersInNotifications(name, typ string, enabled bool) error {
	if err := checkNotificationType(typ); err != nil {
		return err
	}
	return s.updateIdentity(name, func(r *identityRecord) {
		if r.Headers == nil {
			r.Headers = map[string]bool{}
		}
		if enabled {
			r.Headers[typ] = true
		} else {
			delete(r.Headers, typ)
		}
	})
}

// notifyDelivery publishes a Delivery notification for a message sent
// to the Delivery topic of the identity it was sent from: the address
// when it is an identity, else its domain. A failure to publish is
// logged; the message was accepted all the same.
func (s *Service) notifyDelivery(ctx context.Context, m *Mail, deliveredAt time.Time) {
	if m.Status != "Sent" || s.topics == nil {
		return
	}
	from, _ := bareAddress(m.Source)
	st, ok := s.Settings(from)
	if !ok {
		_, domain, _ := strings.Cut(from, "@")
		st, ok = s.Settings(domain)
	}
	topic := st.Topics[NotifyDelivery]
	if !ok || topic == "" {
		return
	}
	rec := s.eventRecord(m, "delivery", deliveredAt)
	delete(rec, "eventType")
	rec["notificationType"] = NotifyDelivery
	mail := rec["mail"].(map[string]any)
	delete(mail, "tags")
	if !st.Headers[NotifyDelivery] {
		delete(mail, "headers")
		delete(mail, "commonHeaders")
	}
	if err := s.topics.Publish(ctx, topic, string(mustJSON(rec))); err != nil {
		s.log.Warn("ses: publishing a notification failed", "identity", from, "topic", topic, "error", err)
	}
}
