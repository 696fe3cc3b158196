package acm

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// certificate is an ACM certificate as the store keeps it.
type certificate struct {
	ARN string `json:"arn"`
	// Seq orders certificates by their making.
	Seq        uint64   `json:"seq"`
	DomainName string   `json:"domain"`
	SANs       []string `json:"sans"`
	// Type is AMAZON_ISSUED or IMPORTED; Method (DNS or EMAIL) and
	// ValidationDomains (by domain name, when asked for) only concern
	// the first.
	Type              string            `json:"type"`
	Method            string            `json:"method,omitempty"`
	ValidationDomains map[string]string `json:"validationDomains,omitempty"`
	Status            string            `json:"status"`
	KeyAlgorithm      string            `json:"keyAlgorithm"`
	Transparency      string            `json:"transparency,omitempty"`
	// Token is RequestCertificate's IdempotencyToken.
	Token      string    `json:"token,omitempty"`
	Tags       []tag     `json:"tags,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	IssuedAt   time.Time `json:"issuedAt,omitzero"`
	ImportedAt time.Time `json:"importedAt,omitzero"`
	NotBefore  time.Time `json:"notBefore,omitzero"`
	NotAfter   time.Time `json:"notAfter,omitzero"`
	Serial     string    `json:"serial,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	Issuer     string    `json:"issuer,omitempty"`
	SigAlg     string    `json:"sigAlg,omitempty"`
	// Body and Chain are the certificate's PEM and its chain's: an
	// imported certificate's as given, an issued one's as made on the
	// first GetCertificate.
	Body  string `json:"body,omitempty"`
	Chain string `json:"chain,omitempty"`
}

type tag struct {
	Key   string  `json:"k"`
	Value *string `json:"v,omitempty"`
}

// certPrefix: "acm/c/<id>" holds a certificate, by the id that ends its
// ARN.
var certPrefix = []byte("acm/c/")

func certKey(id string) []byte { return append(append([]byte{}, certPrefix...), id...) }

// certID returns the id that ends an ACM certificate ARN of this
// account and region, or false.
func (s *Service) certID(arn string) (string, bool) {
	prefix := "arn:aws:acm:" + s.region + ":" + s.account + ":certificate/"
	id, ok := strings.CutPrefix(arn, prefix)
	return id, ok && id != "" && !strings.Contains(id, "/")
}

// load reads the certificate an ARN names: InvalidArnException for an
// ARN that is no certificate's, ResourceNotFoundException for one that
// names none.
func (s *Service) load(r store.Reader, arn string) (*certificate, error) {
	if parts := strings.SplitN(arn, ":", 6); len(parts) < 6 || parts[2] != "acm" || !strings.HasPrefix(parts[5], "certificate/") {
		return nil, invalidArn(arn)
	}
	id, ok := s.certID(arn)
	if !ok {
		return nil, notFound(arn, s.account)
	}
	c, err := store.GetJSON[certificate](r, certKey(id))
	if err == nil && c == nil {
		err = notFound(arn, s.account)
	}
	return c, err
}

// all returns every certificate, oldest first.
func (s *Service) all(r store.Reader) ([]*certificate, error) {
	it, err := r.NewIter(certPrefix, keys.PrefixEnd(certPrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*certificate
	for ok := it.First(); ok; ok = it.Next() {
		c := new(certificate)
		if err := json.Unmarshal(it.Value(), c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, it.Error()
}

// seqKey holds the last Seq given.
var seqKey = []byte("acm/seq")

// newARN gives c its ARN and its Seq, counted in b. The caller holds
// s.mu.
func (s *Service) newARN(b store.Batch, c *certificate) error {
	last, err := store.GetJSON[uint64](s.store, seqKey)
	if err != nil {
		return err
	}
	c.Seq = 1
	if last != nil {
		c.Seq = *last + 1
	}
	c.ARN = "arn:aws:acm:" + s.region + ":" + s.account + ":certificate/" + s.ids.UUID()
	return store.SetJSON(b, seqKey, c.Seq)
}

// put adds c to the batch.
func (s *Service) put(b store.Batch, c *certificate) error {
	id, _ := s.certID(c.ARN)
	return store.SetJSON(b, certKey(id), c)
}

// settle brings c's status up to date and adds it to the batch.
func (s *Service) settle(b store.Batch, c *certificate) error {
	if _, err := s.refresh(c); err != nil {
		return err
	}
	return s.put(b, c)
}
