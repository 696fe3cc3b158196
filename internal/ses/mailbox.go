package ses

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The mailbox's default bounds: it keeps the most recent messages, the
// oldest going first once either bound is passed.
const (
	DefaultMailboxMessages = 1000
	DefaultMailboxBytes    = 64 << 20
)

// MailboxPath is where virga's internal handler serves the mailbox.
const MailboxPath = "/_virga/ses/messages"

// Mail is a message SES accepted, as the mailbox keeps it.
type Mail struct {
	MessageID string    `json:"messageId"`
	Timestamp time.Time `json:"timestamp"`
	// API is the operation that sent it (SendEmail, SendRawEmail, ...;
	// v2's SendEmail is "v2.SendEmail").
	API string `json:"api"`
	// Source is the sender as given (a display name included).
	Source      string     `json:"source"`
	Destination Recipients `json:"destination"`
	ReplyTo     []string   `json:"replyTo,omitempty"`
	Subject     string     `json:"subject"`
	Text        string     `json:"text,omitempty"`
	HTML        string     `json:"html,omitempty"`
	// Raw is the whole MIME message: as given to SendRawEmail, or as SES
	// composes a formatted or templated one.
	Raw string `json:"raw"`
	// Template and TemplateData are a templated message's.
	Template     string            `json:"template,omitempty"`
	TemplateData string            `json:"templateData,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	// ConfigurationSet is the configuration set named in the send.
	ConfigurationSet string `json:"configurationSet,omitempty"`
	// Status is "Sent", or "RenderingFailure" for a templated message
	// whose data lacks a tag's attribute: SES accepts such a message and
	// then does not deliver it. Error says why.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Recipients lists a message's recipients. A raw message's recipients
// are its envelope's (SendRawEmail's Destinations, or else its To, Cc
// and Bcc headers).
type Recipients struct {
	To  []string `json:"to,omitempty"`
	Cc  []string `json:"cc,omitempty"`
	Bcc []string `json:"bcc,omitempty"`
}

func (d Recipients) all() []string {
	out := append(append(append([]string(nil), d.To...), d.Cc...), d.Bcc...)
	return out
}

func (m *Mail) size() int64 {
	return int64(len(m.Raw) + len(m.Text) + len(m.HTML) + len(m.Subject) + len(m.TemplateData))
}

// recipients returns the message's recipients' addresses, lower-cased,
// for filtering.
func (m *Mail) recipients() []string {
	var out []string
	for _, a := range m.Destination.all() {
		addr, _ := bareAddress(a)
		out = append(out, strings.ToLower(addr))
	}
	return out
}

// mailbox is the index of the stored messages, oldest first.
type mailbox struct {
	maxMessages int
	maxBytes    int64
	index       []mailEntry
	bytes       int64
}

type mailEntry struct {
	key        []byte
	size       int64
	recipients []string
}

// store writes a message to the mailbox and drops the oldest beyond its
// bounds, in one commit. Call with s.mu held.
func (s *Service) storeMail(m *Mail, stat func(b store.Batch)) error {
	key := mailKey(m.Timestamp.UnixMilli(), m.MessageID)
	e := mailEntry{key: key, size: m.size(), recipients: m.recipients()}
	drop := 0
	count, bytes := len(s.mailbox.index)+1, s.mailbox.bytes+e.size
	for drop < len(s.mailbox.index) && (count > s.mailbox.maxMessages || bytes > s.mailbox.maxBytes) {
		count--
		bytes -= s.mailbox.index[drop].size
		drop++
	}
	err := commit(s.store, func(b store.Batch) {
		for _, old := range s.mailbox.index[:drop] {
			b.Delete(old.key)
		}
		b.Set(key, mustJSON(m))
		if stat != nil {
			stat(b)
		}
	})
	if err != nil {
		return err
	}
	s.mailbox.index = append(s.mailbox.index[drop:], e)
	s.mailbox.bytes = bytes
	return nil
}

// Messages returns the messages in the mailbox, oldest first; with a
// recipient, only those sent to it (To, Cc or Bcc, without regard to
// case).
func (s *Service) Messages(recipient string) ([]Mail, error) {
	recipient = strings.ToLower(strings.TrimSpace(recipient))
	s.mu.Lock()
	var found [][]byte
	for _, e := range s.mailbox.index {
		if recipient == "" || contains(e.recipients, recipient) {
			found = append(found, e.key)
		}
	}
	s.mu.Unlock()
	out := make([]Mail, 0, len(found))
	for _, k := range found {
		v, err := s.store.Get(k)
		if err == store.ErrNotFound {
			continue // dropped since
		}
		if err != nil {
			return nil, err
		}
		var m Mail
		if err := json.Unmarshal(v, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// ClearMessages empties the mailbox and returns how many messages it
// held.
func (s *Service) ClearMessages() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.mailbox.index)
	prefix := sesKey("m")
	if err := commit(s.store, func(b store.Batch) { b.DeleteRange(prefix, keys.PrefixEnd(prefix)) }); err != nil {
		return 0, err
	}
	s.mailbox.index, s.mailbox.bytes = nil, 0
	return n, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MailboxHandler serves the mailbox at MailboxPath:
//
//	GET    /_virga/ses/messages[?to=ADDRESS]  {"messages":[Mail...]}, oldest first
//	DELETE /_virga/ses/messages               empties it: {"deleted":N}
func (s *Service) MailboxHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+MailboxPath, func(w http.ResponseWriter, r *http.Request) {
		msgs, err := s.Messages(r.URL.Query().Get("to"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, struct {
			Messages []Mail `json:"messages"`
		}{msgs})
	})
	mux.HandleFunc("DELETE "+MailboxPath, func(w http.ResponseWriter, r *http.Request) {
		n, err := s.ClearMessages()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, struct {
			Deleted int `json:"deleted"`
		}{n})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	// Messages are read by people: "<" and ">" stay as they are.
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
}
