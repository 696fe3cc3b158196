package ses

import (
	"context"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// Topics is what SES needs of SNS: publishing an event record to a topic.
// internal/app adapts SNS to it.
type Topics interface {
	// Publish publishes message to the topic with the ARN. An
	// *apierr.Error means SNS refused it (the topic does not exist).
	Publish(ctx context.Context, topicARN, message string) error
	// Exists reports whether the topic with the ARN exists.
	Exists(topicARN string) bool
}

// Event types as SES names them in MatchingEventTypes (v1's spelling;
// v2 spells them SEND, DELIVERY, RENDERING_FAILURE, ...). Send, Delivery
// and Rendering Failure are the events virga publishes: a message it
// accepts is sent and, as nothing leaves the machine, delivered at once.
var eventTypes = map[string]bool{
	"send": true, "reject": true, "bounce": true, "complaint": true, "delivery": true, "open": true,
	"click": true, "renderingFailure": true, "deliveryDelay": true, "subscription": true,
}

// configSetRecord is a configuration set with its event destinations.
type configSetRecord struct {
	Name         string             `json:"name"`
	Destinations []eventDestination `json:"destinations,omitempty"`
	Created      int64              `json:"created"`
}

// eventDestination is where a configuration set publishes events; virga
// publishes to SNS topics only.
type eventDestination struct {
	Name     string   `json:"name"`
	Enabled  bool     `json:"enabled"`
	Types    []string `json:"types"` // v1's spelling
	TopicARN string   `json:"topicArn,omitempty"`
}

func configSetKey(name string) []byte { return sesKey("c", name) }

func configSetDoesNotExist(name string) error {
	return ErrConfigurationSetDoesNotExist.Withf("Configuration set <%s> does not exist.", name)
}

// CreateConfigurationSet creates an empty configuration set.
func (s *Service) CreateConfigurationSet(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.configSets[name] != nil {
		return ErrConfigurationSetAlreadyExists.Withf("Configuration set <%s> already exists.", name)
	}
	r := &configSetRecord{Name: name, Created: s.clock.Now().UnixMilli()}
	if err := commit(s.store, func(b store.Batch) { b.Set(configSetKey(name), mustJSON(r)) }); err != nil {
		return err
	}
	s.configSets[name] = r
	return nil
}

// DeleteConfigurationSet deletes a configuration set.
func (s *Service) DeleteConfigurationSet(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.configSets[name] == nil {
		return configSetDoesNotExist(name)
	}
	if err := commit(s.store, func(b store.Batch) { b.Delete(configSetKey(name)) }); err != nil {
		return err
	}
	delete(s.configSets, name)
	return nil
}

// ConfigurationSetNames returns the configuration sets' names in order.
func (s *Service) ConfigurationSetNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.configSets)
}

// EventDest is a configuration set's event destination.
type EventDest struct {
	Name    string
	Enabled bool
	// Types are the matching event types, in v1's spelling (send,
	// delivery, renderingFailure, ...).
	Types    []string
	TopicARN string
}

// EventDestinations returns a configuration set's event destinations.
func (s *Service) EventDestinations(set string) ([]EventDest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.configSets[set]
	if r == nil {
		return nil, configSetDoesNotExist(set)
	}
	out := make([]EventDest, len(r.Destinations))
	for i, d := range r.Destinations {
		out[i] = EventDest{Name: d.Name, Enabled: d.Enabled, Types: d.Types, TopicARN: d.TopicARN}
	}
	return out, nil
}

// AddEventDestination adds an event destination to a configuration set.
func (s *Service) AddEventDestination(set string, d EventDest) error {
	for _, t := range d.Types {
		if !eventTypes[t] {
			return invalidValue("Invalid event type " + t + ".")
		}
	}
	if len(d.Types) == 0 {
		return invalidValue("MatchingEventTypes must name at least one event type.")
	}
	if d.TopicARN == "" {
		return ErrInvalidSNSDestination.WithMessage("virga publishes events to SNS topics only: the event destination has no SNSDestination.")
	}
	if !strings.HasPrefix(d.TopicARN, "arn:aws:sns:") {
		return ErrInvalidSNSDestination.Withf("Invalid SNS topic ARN %s.", d.TopicARN)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.configSets[set]
	if r == nil {
		return configSetDoesNotExist(set)
	}
	for _, old := range r.Destinations {
		if old.Name == d.Name {
			return ErrEventDestinationAlreadyExists.Withf("Event destination %s already exists in configuration set <%s>.", d.Name, set)
		}
	}
	next := *r
	next.Destinations = append(append([]eventDestination(nil), r.Destinations...),
		eventDestination{Name: d.Name, Enabled: d.Enabled, Types: d.Types, TopicARN: d.TopicARN})
	if err := commit(s.store, func(b store.Batch) { b.Set(configSetKey(set), mustJSON(&next)) }); err != nil {
		return err
	}
	s.configSets[set] = &next
	return nil
}

// DeleteEventDestination removes an event destination.
func (s *Service) DeleteEventDestination(set, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.configSets[set]
	if r == nil {
		return configSetDoesNotExist(set)
	}
	next := *r
	next.Destinations = nil
	for _, d := range r.Destinations {
		if d.Name != name {
			next.Destinations = append(next.Destinations, d)
		}
	}
	if len(next.Destinations) == len(r.Destinations) {
		return ErrEventDestinationDoesNotExist.Withf("No EventDestination found for %s", name)
	}
	if err := commit(s.store, func(b store.Batch) { b.Set(configSetKey(set), mustJSON(&next)) }); err != nil {
		return err
	}
	s.configSets[set] = &next
	return nil
}

// publishEvents publishes a message's events to its configuration set's
// SNS destinations: Send and Delivery for a message sent, Rendering
// Failure for one that failed to render. A failure to publish is logged;
// the message was accepted all the same.
func (s *Service) publishEvents(ctx context.Context, m *Mail, deliveredAt time.Time) {
	if m.ConfigurationSet == "" || s.topics == nil {
		return
	}
	s.mu.Lock()
	r := s.configSets[m.ConfigurationSet]
	var dests []eventDestination
	if r != nil {
		dests = append(dests, r.Destinations...)
	}
	s.mu.Unlock()
	events := []string{"send", "delivery"}
	if m.Status == "RenderingFailure" {
		events = []string{"renderingFailure"}
	}
	for _, d := range dests {
		if !d.Enabled || d.TopicARN == "" {
			continue
		}
		for _, ev := range events {
			if !contains(d.Types, ev) {
				continue
			}
			body := mustJSON(s.eventRecord(m, ev, deliveredAt))
			if err := s.topics.Publish(ctx, d.TopicARN, string(body)); err != nil {
				s.log.Warn("ses: publishing an event failed", "configurationSet", m.ConfigurationSet,
					"destination", d.Name, "topic", d.TopicARN, "event", ev, "error", err)
			}
		}
	}
}

// eventRecord is an event as SES publishes it to SNS: eventType, the mail
// object, and the event's own object.
func (s *Service) eventRecord(m *Mail, event string, deliveredAt time.Time) map[string]any {
	from, _ := bareAddress(m.Source)
	domain := from[strings.LastIndex(from, "@")+1:]
	tags := map[string][]string{
		"ses:configuration-set": {m.ConfigurationSet},
		"ses:from-domain":       {domain},
		"ses:caller-identity":   {"root"},
	}
	for _, k := range sortedKeys(m.Tags) {
		tags[k] = []string{m.Tags[k]}
	}
	var headers []map[string]string
	for _, h := range [][2]string{{"From", m.Source}, {"To", strings.Join(m.Destination.To, ", ")},
		{"Cc", strings.Join(m.Destination.Cc, ", ")}, {"Subject", m.Subject}} {
		if h[1] != "" {
			headers = append(headers, map[string]string{"name": h[0], "value": h[1]})
		}
	}
	common := map[string]any{"from": []string{m.Source}, "messageId": m.MessageID, "subject": m.Subject}
	if len(m.Destination.To) > 0 {
		common["to"] = m.Destination.To
	}
	if len(m.Destination.Cc) > 0 {
		common["cc"] = m.Destination.Cc
	}
	mail := map[string]any{
		"timestamp":        m.Timestamp.Format(isoMillis),
		"source":           m.Source,
		"sourceArn":        "arn:aws:ses:" + s.region + ":" + s.account + ":identity/" + from,
		"sendingAccountId": s.account,
		"messageId":        m.MessageID,
		"destination":      m.Destination.all(),
		"headersTruncated": false,
		"headers":          headers,
		"commonHeaders":    common,
		"tags":             tags,
	}
	rec := map[string]any{"mail": mail}
	switch event {
	case "send":
		rec["eventType"] = "Send"
		rec["send"] = map[string]any{}
	case "delivery":
		rec["eventType"] = "Delivery"
		rec["delivery"] = map[string]any{
			"timestamp":            deliveredAt.UTC().Format(isoMillis),
			"processingTimeMillis": deliveredAt.Sub(m.Timestamp).Milliseconds(),
			"recipients":           m.Destination.all(),
			"smtpResponse":         "250 2.6.0 Message received",
			"reportingMTA":         "virga.local",
		}
	case "renderingFailure":
		rec["eventType"] = "Rendering Failure"
		rec["failure"] = map[string]any{"errorMessage": m.Error, "templateName": m.Template}
	}
	return rec
}

// isoMillis is the time format of SES's event records.
const isoMillis = "2006-01-02T15:04:05.000Z"
