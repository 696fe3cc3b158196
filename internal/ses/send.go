package ses

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// SES's sending limits.
const (
	// maxRecipients: "The message may not include more than 50
	// recipients, across the To:, CC: and BCC: fields."
	maxRecipients = 50
	// MaxRawMessageV1: "Using the SES v1 API - Maximum message size
	// (including attachments): 10 MB per message (after base64
	// encoding)."
	MaxRawMessageV1 = 10 << 20
	// MaxRawMessageV2: "Using the SES v2 API or SMTP - Maximum message
	// size (including attachments): 40 MB per message."
	MaxRawMessageV2 = 40 << 20
	// statInterval is the span of one GetSendStatistics data point,
	// and statWindow how far back they go ("the past two weeks").
	statInterval = 15 * time.Minute
	statWindow   = 14 * 24 * time.Hour
)

// Outgoing is a message to send, as either API gives it.
type Outgoing struct {
	// API names the operation, for the mailbox.
	API string
	// Source is the sender, with or without a display name. A raw
	// message without one is sent from its From header.
	Source      string
	Destination Recipients
	ReplyTo     []string
	// Subject, Text and HTML are a formatted message's.
	Subject, Text, HTML string
	// Raw is a raw MIME message; its recipients are Destination's when
	// it has any and its To, Cc and Bcc headers otherwise.
	Raw []byte
	// MaxRaw is the largest raw message the API accepts.
	MaxRaw int
	// Template and TemplateData make a templated message: the template's
	// parts rendered with the data.
	Template, TemplateData string
	Tags                   map[string]string
	ConfigurationSet       string
	// Region is the region the request was for, which SES names in its
	// refusal of an unverified sender.
	Region string
}

// Send accepts a message: it checks it as SES does, stores it in the
// mailbox and counts it in the sending statistics, and returns its
// message id. Nothing leaves the machine.
func (s *Service) Send(ctx context.Context, o Outgoing) (string, error) {
	m := &Mail{API: o.API, Source: o.Source, Destination: o.Destination, ReplyTo: o.ReplyTo,
		Subject: o.Subject, Text: o.Text, HTML: o.HTML, Template: o.Template, TemplateData: o.TemplateData,
		Tags: o.Tags, ConfigurationSet: o.ConfigurationSet, Status: "Sent"}
	if o.Raw != nil {
		if o.MaxRaw > 0 && len(o.Raw) > o.MaxRaw {
			return "", messageRejected(fmt.Sprintf("Message length is more than %d bytes long: '%d'.", o.MaxRaw, len(o.Raw)))
		}
		p, err := parseRaw(o.Raw)
		if err != nil {
			return "", invalidValue("Could not parse the raw message: " + err.Error())
		}
		if m.Source == "" {
			m.Source = p.From
		}
		if m.Source == "" {
			return "", invalidValue("Missing required header 'From'.")
		}
		if len(m.Destination.all()) == 0 {
			m.Destination = Recipients{To: p.To, Cc: p.Cc, Bcc: p.Bcc}
		}
		m.ReplyTo, m.Subject, m.Text, m.HTML, m.Raw = p.Reply, p.Subject, p.Text, p.HTML, string(o.Raw)
	}
	recipients := m.Destination.all()
	if len(recipients) == 0 {
		return "", invalidValue("Missing required parameter Destination: the message has no recipients.")
	}
	if len(recipients) > maxRecipients {
		return "", invalidValue("Recipient count exceeds 50.")
	}
	for _, r := range recipients {
		if addr, _ := bareAddress(r); !strings.Contains(addr, "@") {
			return "", invalidValue("Missing final '@domain'")
		}
	}
	var tpl EmailTemplate
	if o.Template != "" {
		var err error
		if tpl, err = s.GetTemplate(o.Template); err != nil {
			return "", err
		}
	}
	if addr, _ := bareAddress(m.Source); !s.senderVerified(addr) {
		failed := addr
		if strings.TrimSpace(m.Source) != addr {
			failed = strings.TrimSpace(m.Source) + ", " + addr
		}
		region := o.Region
		if region == "" {
			region = s.region
		}
		return "", messageRejected("Email address is not verified. The following identities failed the check in region " +
			strings.ToUpper(region) + ": " + failed)
	}
	if o.ConfigurationSet != "" {
		s.mu.Lock()
		known := s.configSets[o.ConfigurationSet] != nil
		s.mu.Unlock()
		if !known {
			return "", configSetDoesNotExist(o.ConfigurationSet)
		}
	}
	now := s.clock.Now()
	m.Timestamp = now.UTC()
	m.MessageID = s.messageID(now)
	if o.Template != "" {
		data, err := parseTemplateData(o.TemplateData)
		if err == nil {
			m.Subject, m.Text, m.HTML, err = renderTemplate(tpl, data)
		}
		if err != nil {
			m.Status, m.Error = "RenderingFailure", err.Error()
		}
	}
	if m.Raw == "" && m.Status == "Sent" {
		m.Raw = string(buildMIME(m.MessageID, now, m.Source, m.Destination.To, m.Destination.Cc, m.ReplyTo, m.Subject, m.Text, m.HTML))
	}
	if err := s.record(m, now, len(recipients)); err != nil {
		return "", err
	}
	deliveredAt := s.clock.Now()
	s.publishEvents(ctx, m, deliveredAt)
	s.notifyDelivery(ctx, m, deliveredAt)
	return m.MessageID, nil
}

// record stores an accepted message and counts its recipients in the
// statistics, in one commit.
func (s *Service) record(m *Mail, now time.Time, recipients int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bucket := now.Truncate(statInterval).UnixMilli()
	var st statRecord
	if v, err := s.store.Get(statKey(bucket)); err == nil {
		json.Unmarshal(v, &st)
	}
	if m.Status == "Sent" {
		st.DeliveryAttempts += int64(recipients)
	}
	return s.storeMail(m, func(b store.Batch) { b.Set(statKey(bucket), mustJSON(&st)) })
}

// messageID returns an id of the form SES gives its messages: sixteen hex
// digits that begin with the time in milliseconds, a UUID, and "-000000".
func (s *Service) messageID(now time.Time) string {
	return fmt.Sprintf("0100%012x-%s-000000", now.UnixMilli(), s.ids.UUID())
}

// SendStat is one 15-minute interval of sending statistics.
type SendStat struct {
	Start            time.Time
	DeliveryAttempts int64
}

// SendStatistics returns the sending statistics of the past two weeks, in
// 15-minute intervals that saw sending, oldest first.
func (s *Service) SendStatistics() ([]SendStat, error) {
	from := s.clock.Now().Add(-statWindow).Truncate(statInterval).UnixMilli()
	var out []SendStat
	err := scan(s.store, sesKey("s"), func(k []byte, r *statRecord) error {
		bucket, ok := statBucket(k)
		if ok && bucket >= from {
			out = append(out, SendStat{Start: time.UnixMilli(bucket).UTC(), DeliveryAttempts: r.DeliveryAttempts})
		}
		return nil
	})
	return out, err
}

// SentLast24Hours counts the recipients of the messages sent in the past
// day (by whole 15-minute intervals).
func (s *Service) SentLast24Hours() (int64, error) {
	stats, err := s.SendStatistics()
	if err != nil {
		return 0, err
	}
	since := s.clock.Now().Add(-24 * time.Hour)
	var n int64
	for _, st := range stats {
		if !st.Start.Add(statInterval).Before(since) {
			n += st.DeliveryAttempts
		}
	}
	return n, nil
}
