package ses

import (
	"encoding/json"
	"fmt"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Store layout. Every record is JSON; every write a client is told about
// is committed (synced) before the answer.
//
//	ses/i/NAME             identityRecord
//	ses/t/NAME             templateRecord
//	ses/c/NAME             configSetRecord (with its event destinations)
//	ses/m/MILLIS/ID        Mail (the mailbox, oldest first)
//	ses/s/BUCKET           statRecord (recipients sent per 15 minutes)

// identityRecord is a verified identity: an email address or a domain.
type identityRecord struct {
	Name string `json:"name"`
	// Domain is true for a domain identity.
	Domain bool `json:"domain,omitempty"`
	// Token is a domain's verification token (VerifyDomainIdentity).
	Token   string `json:"token,omitempty"`
	Created int64  `json:"created"`
	// DkimTokens are a domain's three Easy DKIM tokens (VerifyDomainDkim),
	// kept for the life of the identity; DkimEnabled is whether mail
	// from the identity is DKIM-signed.
	DkimTokens  []string `json:"dkimTokens,omitempty"`
	DkimEnabled bool     `json:"dkimEnabled,omitempty"`
	// Topics are the SNS topics of the identity's notifications, by
	// type (Bounce, Complaint, Delivery); Headers the types whose
	// notifications carry the message's headers.
	Topics  map[string]string `json:"topics,omitempty"`
	Headers map[string]bool   `json:"headers,omitempty"`
	// NoForwarding is feedback forwarding turned off (it is on by
	// default).
	NoForwarding bool `json:"noForwarding,omitempty"`
}

// templateRecord is an email template.
type templateRecord struct {
	Name    string `json:"name"`
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text,omitempty"`
	HTML    string `json:"html,omitempty"`
	Created int64  `json:"created"`
}

// statRecord counts the recipients of accepted messages in one
// 15-minute interval.
type statRecord struct {
	DeliveryAttempts int64 `json:"deliveryAttempts"`
}

func sesKey(parts ...string) []byte {
	k := keys.AppendString(nil, "ses")
	for _, p := range parts {
		k = keys.AppendString(k, p)
	}
	return k
}

func identityKey(name string) []byte { return sesKey("i", name) }
func templateKey(name string) []byte { return sesKey("t", name) }
func mailKey(millis int64, id string) []byte {
	return keys.AppendString(keys.AppendInt(sesKey("m"), millis), id)
}
func statKey(bucket int64) []byte { return keys.AppendInt(sesKey("s"), bucket) }

// scan calls f with every key under prefix and its value decoded into a
// fresh T.
func scan[T any](st store.Reader, prefix []byte, f func(key []byte, v *T) error) error {
	it, err := st.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			it.Close()
			return fmt.Errorf("ses: record %x: %w", it.Key(), err)
		}
		if err := f(append([]byte(nil), it.Key()...), v); err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}

// mustJSON encodes a record; records hold only strings, numbers, bools,
// times and maps and slices of them, so encoding cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// commit writes a batch built by f, durably.
func commit(st store.Store, f func(b store.Batch)) error {
	b := st.NewBatch()
	defer b.Close()
	f(b)
	if b.Len() == 0 {
		return nil
	}
	return b.Commit()
}

// statBucket decodes the interval start of a statistics key.
func statBucket(key []byte) (int64, bool) {
	vals, err := keys.Decode(key[len(sesKey("s")):])
	if err != nil || len(vals) != 1 {
		return 0, false
	}
	v, ok := vals[0].(int64)
	return v, ok
}
