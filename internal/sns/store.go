package sns

import (
	"encoding/json"
	"fmt"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Store layout. Every record is JSON; every write that a client is told
// about is committed (synced) before the answer.
//
//	sns/t/NAME              topicRecord
//	sns/s/TOPIC/ID          subscriptionRecord
//	sns/u/TOPIC/ID          subscriptionRecord of an unsubscribed HTTP/S
//	                        subscription, restorable for two days
//	sns/d/TOPIC/DEDUPID     dedupRecord (FIFO topics, five minutes)
//	sns/h/ID                httpDelivery (the HTTP/S outbox)
//	sns/p/MILLIS/ID         phoneMessage (Publish to a PhoneNumber)
//	sns/k                   signingKeyRecord (signing.go), made once
//	sns/datakey             the data key that seals the signing key

// topicRecord is a topic as the store keeps it.
type topicRecord struct {
	Name string `json:"name"`
	// Attributes are the attributes set by CreateTopic and
	// SetTopicAttributes, as given.
	Attributes map[string]string `json:"attrs,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	// DataProtectionPolicy is the policy PutDataProtectionPolicy stored.
	DataProtectionPolicy string `json:"dataProtectionPolicy,omitempty"`
	// SubscriptionsDeleted counts the topic's subscriptions removed by
	// Unsubscribe.
	SubscriptionsDeleted int   `json:"subscriptionsDeleted,omitempty"`
	Created              int64 `json:"created"`
}

// subscriptionRecord is a subscription as the store keeps it.
type subscriptionRecord struct {
	ID       string `json:"id"`
	Topic    string `json:"topic"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	Owner    string `json:"owner"`
	// Principal is the ARN of who subscribed (SubscriptionPrincipal);
	// empty for records written before virga kept it.
	Principal string `json:"principal,omitempty"`
	// Attributes are the attributes set by Subscribe and
	// SetSubscriptionAttributes, as given (RawMessageDelivery lower-cased).
	Attributes map[string]string `json:"attrs,omitempty"`
	// Pending is true until the subscription is confirmed; Token is what
	// confirms it.
	Pending       bool   `json:"pending,omitempty"`
	Authenticated bool   `json:"authenticated,omitempty"`
	Token         string `json:"token,omitempty"`
	Created       int64  `json:"created"`
	// Unsubscribed (Unix milliseconds) is set on the record kept under
	// sns/u when an HTTP/S subscription is unsubscribed; Token is then
	// the UnsubscribeConfirmation's, which restores it.
	Unsubscribed int64 `json:"unsubscribed,omitempty"`
}

// dedupRecord is a FIFO topic's deduplication id, remembered for five
// minutes with the message it stood for.
type dedupRecord struct {
	MessageID     string `json:"messageId"`
	Sequence      string `json:"seq"`
	ExpiresMillis int64  `json:"expires"`
}

// phoneMessage is a message published to a phone number. virga sends no
// SMS; it keeps what would have been sent.
type phoneMessage struct {
	MessageID   string `json:"messageId"`
	PhoneNumber string `json:"phoneNumber"`
	Message     string `json:"message"`
	Subject     string `json:"subject,omitempty"`
	Sent        int64  `json:"sent"`
}

func snsKey(parts ...string) []byte {
	k := keys.AppendString(nil, "sns")
	for _, p := range parts {
		k = keys.AppendString(k, p)
	}
	return k
}

func topicKey(name string) []byte             { return snsKey("t", name) }
func subscriptionKey(topic, id string) []byte { return snsKey("s", topic, id) }
func dedupKey(topic, id string) []byte        { return snsKey("d", topic, id) }
func deliveryKey(id string) []byte            { return snsKey("h", id) }
func unsubscribedKey(topic, id string) []byte { return snsKey("u", topic, id) }

func phoneKey(millis int64, id string) []byte {
	return keys.AppendString(keys.AppendInt(snsKey("p"), millis), id)
}

// scan calls f with the value of every key under prefix, decoded into a
// fresh T, and the key's suffix after the prefix.
func scan[T any](st store.Reader, prefix []byte, f func(suffix []byte, v *T) error) error {
	it, err := st.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			it.Close()
			return fmt.Errorf("sns: record %x: %w", it.Key(), err)
		}
		if err := f(it.Key()[len(prefix):], v); err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}

// mustJSON encodes a record; records hold only strings, numbers, bools and
// maps of them, so encoding cannot fail.
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

// decodePair decodes a key suffix of two strings.
func decodePair(suffix []byte) (string, string, bool) {
	vals, err := keys.Decode(suffix)
	if err != nil || len(vals) != 2 {
		return "", "", false
	}
	a, ok1 := vals[0].(string)
	b, ok2 := vals[1].(string)
	return a, b, ok1 && ok2
}
