package ses

import (
	"log/slog"
	"reflect"
	"sort"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// APIVersion and Namespace identify SES's v1 awsQuery API.
const (
	APIVersion = "2010-12-01"
	Namespace  = "http://ses.amazonaws.com/doc/2010-12-01/"
)

// SigningName is the name both SES APIs are signed with.
const SigningName = "ses"

// Deps are what SES needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// MailboxMessages and MailboxBytes bound the mailbox; zero is the
	// default (DefaultMailboxMessages, DefaultMailboxBytes).
	MailboxMessages int
	MailboxBytes    int64
	// Topics is where configuration sets publish events; nil publishes
	// none.
	Topics Topics
	Logger *slog.Logger
}

// Service is SES: identities, templates and the mailbox, which both APIs
// (this package's v1 and package sesv2) work on.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	topics  Topics
	log     *slog.Logger

	// mu guards the identities, the templates, the configuration sets and
	// the mailbox's index,
	// and is held across their store commits so that the store and the
	// maps change together.
	mu         sync.Mutex
	identities map[string]*identityRecord // by lower-cased name
	templates  map[string]*templateRecord
	configSets map[string]*configSetRecord
	mailbox    mailbox
}

// New returns SES over the store, with the identities, templates and
// messages it holds.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region, topics: d.Topics,
		log: d.Logger, identities: map[string]*identityRecord{}, templates: map[string]*templateRecord{},
		configSets: map[string]*configSetRecord{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.mailbox.maxMessages, s.mailbox.maxBytes = d.MailboxMessages, d.MailboxBytes
	if s.mailbox.maxMessages <= 0 {
		s.mailbox.maxMessages = DefaultMailboxMessages
	}
	if s.mailbox.maxBytes <= 0 {
		s.mailbox.maxBytes = DefaultMailboxBytes
	}
	err := scan(s.store, sesKey("i"), func(_ []byte, r *identityRecord) error {
		s.identities[identityIndex(r.Name)] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scan(s.store, sesKey("t"), func(_ []byte, r *templateRecord) error {
		s.templates[r.Name] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scan(s.store, sesKey("c"), func(_ []byte, r *configSetRecord) error {
		s.configSets[r.Name] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scan(s.store, sesKey("m"), func(k []byte, m *Mail) error {
		s.mailbox.index = append(s.mailbox.index, mailEntry{key: k, size: m.size(), recipients: m.recipients()})
		s.mailbox.bytes += m.size()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// API returns SES's v1 API as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        query.New(APIVersion, Namespace),
		Resources:       s.resources,
		ValidationError: ErrInvalidParameterValue,
		ViolationError:  violationError,
		Operations:      s.operations(),
	}).Init()
}

// violationError reports the model's constraint violations as
// InvalidParameterValue; a missing member is named as SES's API
// reference names it.
func violationError(in any, vs []shape.Violation) error {
	v := vs[0]
	if v.Value == "null" {
		name := v.Path
		for _, f := range shape.Of(reflect.TypeOf(in)).Fields {
			if awsproto.LowerFirst(f.Name) == v.Path {
				name = f.Name
			}
		}
		return ErrInvalidParameterValue.Withf("Missing required parameter %s", name)
	}
	return ErrInvalidParameterValue.WithMessage(shape.Message(vs))
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
