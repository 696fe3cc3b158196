package events

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/traceheader"
)

// Events and their delivery. PutEvents builds EventBridge's envelope for
// each entry, matches it against the bus's enabled rules and hands each
// matching rule's targets their input through the Deliverer before it
// answers; SQS and Lambda accept durably, so an acknowledged event that
// matched is not lost for them. A delivery that fails is retried in the
// background with backoff, within the target's RetryPolicy, and then
// goes to the target's dead-letter queue; those retries live in memory,
// so a crash forgets them (as it would the events in flight on AWS).

const (
	maxEntries = 10
	// maxEntriesSize: a PutEvents request's entries may total 1 MB
	// (256 KB until EventBridge raised the limit in January 2026),
	// counted as AWS documents: Source, DetailType, Detail and each
	// Resources entry in UTF-8 bytes, and 14 bytes for a Time.
	maxEntriesSize      = 1 << 20
	timeEntrySize       = 14
	defaultRetries      = 185
	defaultMaxEventAge  = 24 * time.Hour
	firstRetryDelay     = time.Second
	maxRetryDelay       = time.Minute
	eventVersion        = "0"
	eventTimeLayout     = "2006-01-02T15:04:05Z"
	scheduledDetailType = "Scheduled Event"
)

// envelope is an event as rules and targets see it.
type envelope struct {
	deliver.Event
	// ReplayName names the replay that sends the event again.
	ReplayName string `json:"replay-name,omitempty"`
}

// encode is the event as targets receive it: compact JSON in which the
// detail's text keeps <, > and & as they were put.
func (ev *envelope) encode() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(ev)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func (s *Service) putEvents(ctx context.Context, in *PutEventsRequest) (*PutEventsResponse, error) {
	if len(in.Entries) == 0 || len(in.Entries) > maxEntries {
		return nil, ErrValidation.Withf("1 validation error detected: Value '[...]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d", maxEntries)
	}
	size := 0
	for _, e := range in.Entries {
		size += len(deref(e.Source)) + len(deref(e.DetailType)) + len(deref(e.Detail))
		if e.Time != nil {
			size += timeEntrySize
		}
		for _, r := range e.Resources {
			size += len(r)
		}
	}
	if size > maxEntriesSize {
		return nil, ErrValidation.WithMessage("Total size of the entries in the request is over the limit.")
	}
	out := &PutEventsResponse{Entries: make([]PutEventsResultEntry, len(in.Entries))}
	failed := 0
	// An entry's TraceHeader is its trace; an entry without one continues
	// the trace of the call (X-Amzn-Trace-Id, which the AWS SDKs send
	// from inside a traced function).
	callTrace := awsproto.SentTraceHeader(ctx)
	for i, e := range in.Entries {
		ev, code, msg := s.envelopeOf(e)
		// Sources beginning "aws." are AWS services' own: a caller may
		// not publish them.
		if code == "" && strings.HasPrefix(*e.Source, "aws.") {
			code, msg = "NotAuthorizedForSourceException", "Not authorized for the source."
		}
		if code != "" {
			out.Entries[i] = PutEventsResultEntry{ErrorCode: &code, ErrorMessage: &msg}
			failed++
			continue
		}
		trace := deref(e.TraceHeader)
		if trace == "" {
			trace = callTrace
		}
		// EventBridge is not one of the services Lambda's recursive
		// loop detection follows (SQS, SNS and S3 are): the event
		// continues the trace, but a chain through it counts afresh.
		trace = traceheader.With(trace, "Lineage", "")
		if err := s.route(ctx, s.busName(e.EventBusName), ev, trace); err != nil {
			out.Entries[i] = PutEventsResultEntry{ErrorCode: ptr("InternalFailure"), ErrorMessage: ptr("The event could not be archived: " + err.Error())}
			failed++
			continue
		}
		out.Entries[i] = PutEventsResultEntry{EventId: ptr(ev.ID)}
	}
	out.FailedEntryCount = ptr(int32(failed))
	return out, nil
}

// envelopeOf builds an entry's event, or says why the entry fails.
func (s *Service) envelopeOf(e PutEventsRequestEntry) (*envelope, string, string) {
	for _, req := range []struct {
		name string
		v    *string
	}{{"Source", e.Source}, {"DetailType", e.DetailType}, {"Detail", e.Detail}} {
		if req.v == nil || *req.v == "" {
			return nil, "InvalidArgument", "Parameter " + req.name + " is not valid. Reason: " + req.name + " is a required argument."
		}
	}
	detail := strings.TrimSpace(*e.Detail)
	if !json.Valid([]byte(detail)) || !strings.HasPrefix(detail, "{") {
		return nil, "MalformedDetail", "Detail is malformed."
	}
	t := s.clock.Now()
	if e.Time != nil {
		t = *e.Time
	}
	ev := &envelope{Event: deliver.Event{Version: eventVersion, ID: s.ids.UUID(), DetailType: *e.DetailType, Source: *e.Source,
		Account: s.account, Time: t.UTC().Format(eventTimeLayout), Region: s.region,
		Resources: e.Resources, Detail: json.RawMessage(detail)}}
	if ev.Resources == nil {
		ev.Resources = []string{}
	}
	return ev, "", ""
}

// route archives an event that reached a bus in the bus's matching
// archives (archives.go), then delivers it to the targets of the bus's
// matching rules. An event for a bus that does not exist is dropped, as
// EventBridge does; a replayed event is never archived.
func (s *Service) route(ctx context.Context, busName string, ev *envelope, trace string) error {
	raw := ev.encode()
	if ev.ReplayName == "" {
		s.mu.Lock()
		err := s.archiveEvent(busName, ev, raw)
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	s.deliverMatches(ctx, busName, ev, raw, trace, nil)
	return nil
}

// deliverMatches delivers an event to the targets of the bus's enabled
// rules whose pattern matches it; when only is not empty, to those of
// the rules whose ARN it holds.
func (s *Service) deliverMatches(ctx context.Context, busName string, ev *envelope, raw []byte, trace string, only map[string]bool) {
	type job struct {
		ruleARN, ruleName string
		t                 Target
	}
	var jobs []job
	readOnly := readOnlyManagementEvent(ev)
	s.mu.Lock()
	if b := s.buses[busName]; b != nil {
		for _, name := range sortedNames(b.rules) {
			r := b.rules[name]
			if !enabled(r.rec.State) || r.pattern == nil || (readOnly && r.rec.State != stateEnabledCloudTrail) || !r.pattern.Match(raw) {
				continue
			}
			arn := s.ruleARN(busName, name)
			if len(only) > 0 && !only[arn] {
				continue
			}
			for _, t := range r.rec.Targets {
				jobs = append(jobs, job{arn, name, t})
			}
		}
	}
	s.mu.Unlock()
	for _, j := range jobs {
		s.dispatch(ctx, j.ruleARN, j.ruleName, j.t, raw, trace)
	}
}

// cloudTrailDetailType is the detail-type of the API calls CloudTrail
// sends.
const cloudTrailDetailType = "AWS API Call via CloudTrail"

// readOnlyManagementEvent reports whether an event is a read-only
// management event CloudTrail sent: rules match it only in the
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state. Sources under
// "aws." are AWS's own, which PutEvents cannot use.
func readOnlyManagementEvent(ev *envelope) bool {
	if ev.DetailType != cloudTrailDetailType || !strings.HasPrefix(ev.Source, "aws.") {
		return false
	}
	var d struct {
		ReadOnly        bool `json:"readOnly"`
		ManagementEvent bool `json:"managementEvent"`
	}
	return json.Unmarshal(ev.Detail, &d) == nil && d.ReadOnly && d.ManagementEvent
}

// sender is EventBridge sending for a rule: a queue, topic or function
// target's resource-based policy must allow events.amazonaws.com, with
// the rule as aws:SourceArn (enforced with --auth iam). The dead-letter
// queue's policy must allow it too.
func (s *Service) sender(ruleARN string) *deliver.Sender {
	return &deliver.Sender{Principal: "events.amazonaws.com", SourceARN: ruleARN, SourceAccount: s.account}
}

// targetRole is the role EventBridge sends to a target with: the
// target's RoleArn, for the targets AWS reaches with a role's
// permissions (event buses, state machines), whose trust policy must
// allow events.amazonaws.com. Queues, topics and functions are reached
// by their resource-based policies (sender), whatever RoleArn says.
func (s *Service) targetRole(ruleARN string, t Target) *deliver.Role {
	role := deref(t.RoleArn)
	switch deliver.Service(deref(t.Arn)) {
	case "sqs", "sns", "lambda", "":
		return nil
	}
	if role == "" {
		return nil
	}
	return &deliver.Role{ARN: role, Principal: "events.amazonaws.com", SourceARN: ruleARN, SourceAccount: s.account}
}

// dispatch makes the first attempt at one target and queues a retry if
// it fails.
func (s *Service) dispatch(ctx context.Context, ruleARN, ruleName string, t Target, raw []byte, trace string) {
	arn := deref(t.Arn)
	m := deliver.Message{Body: input(t, raw, ruleARN, ruleName), TraceHeader: trace, Sender: s.sender(ruleARN)}
	// HttpParameters' JSON paths select in the event, not in the input.
	t.HttpParameters = dynamicHTTPParameters(t.HttpParameters, raw)
	m.Role = s.targetRole(ruleARN, t)
	// A FIFO queue gets the target's message group and no deduplication
	// id: EventBridge requires such a queue to have content-based
	// deduplication, and a send to one without it fails.
	if deliver.Service(arn) == "sqs" && t.SqsParameters != nil {
		m.GroupID = deref(t.SqsParameters.MessageGroupId)
	}
	if deliver.Service(arn) == "ecs" && t.EcsParameters != nil {
		m.RunTask = deliver.ECSRunTask(t.EcsParameters, startedBy(ruleName))
	}
	if deliver.Service(arn) == "kinesis" {
		m.PartitionKey = partitionKey(t, raw)
	}
	if deliver.Service(arn) == "logs" {
		var ev struct {
			ID   string    `json:"id"`
			Time time.Time `json:"time"`
		}
		_ = json.Unmarshal(raw, &ev) // raw is the event as stored
		m.EventID, m.EventTime = ev.ID, ev.Time
	}
	d := &delivery{ruleARN: ruleARN, target: t, msg: m, first: s.clock.Now()}
	s.attempt(ctx, d, s.log.Load())
}

// delivery is one event on its way to one target.
type delivery struct {
	ruleARN  string
	target   Target
	msg      deliver.Message
	first    time.Time
	attempts int
	next     time.Time
	lastErr  error
	// retryAfter is the least delay an API destination's Retry-After
	// header asked for; stop is set by a negative one.
	retryAfter time.Duration
	stop       bool
}

// attempt tries a delivery once; on failure it queues a retry or, out of
// retries (or for an error no retry mends), sends it to the dead-letter
// queue. An API destination's attempt waits for its rate limit's next
// window when this one is full (without counting as an attempt), and
// runs in its own goroutine: its endpoint may take seconds to answer.
func (s *Service) attempt(ctx context.Context, d *delivery, log *slog.Logger) {
	arn := deref(d.target.Arn)
	if isAPIDestination(arn) || isRestAPI(arn) {
		invoke := s.invokeRestAPI
		if isAPIDestination(arn) {
			if at, ok := s.admit(arn, s.clock.Now()); !ok {
				d.next = at
				s.queueRetry(d)
				return
			}
			invoke = s.invokeAPIDestination
		}
		// The request outlives the caller's ctx (a PutEvents request's),
		// which does not wait for the endpoint; Run waits for it (s.work).
		ctx = context.WithoutCancel(ctx)
		s.work.Go(func() { s.settle(ctx, d, invoke(ctx, d), log) })
		return
	}
	if s.targets == nil {
		return
	}
	s.settle(ctx, d, s.targets.Deliver(ctx, arn, d.msg), log)
}

// settle counts an attempt and, when it failed, queues a retry or sends
// the event to the dead-letter queue.
func (s *Service) settle(ctx context.Context, d *delivery, err error, log *slog.Logger) {
	d.attempts++
	if err == nil {
		return
	}
	d.lastErr = err
	retries, maxAge := defaultRetries, defaultMaxEventAge
	if p := d.target.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			retries = int(*p.MaximumRetryAttempts)
		}
		if p.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
		}
	}
	now := s.clock.Now()
	delay := max(min(firstRetryDelay<<min(d.attempts-1, 10), maxRetryDelay), d.retryAfter)
	switch {
	case permanent(err) || d.stop:
		s.deadLetter(ctx, d, "", log)
	case d.attempts > retries:
		s.deadLetter(ctx, d, "MaximumRetryAttemptsExhausted", log)
	case now.Add(delay).Sub(d.first) > maxAge:
		s.deadLetter(ctx, d, "MaximumEventAgeExhausted", log)
	default:
		d.next = now.Add(delay)
		s.queueRetry(d)
	}
}

func (s *Service) queueRetry(d *delivery) {
	s.retryMu.Lock()
	s.retries = append(s.retries, d)
	s.retryMu.Unlock()
}

// permanent reports an error retrying cannot mend: the target answered
// with a client error other than throttling (a queue or function that does
// not exist, a message it refuses). EventBridge retries throttling (429)
// and the target's faults (5xx) and sends the rest to the dead-letter
// queue at once. A failure that is not an AWS error (a target kind virga
// cannot reach yet) is retried.
func permanent(err error) bool {
	e := apierr.As(err)
	return e != nil && !e.Fault && e.Status != http.StatusTooManyRequests && e.Status < 500
}

// retryDue retries the deliveries whose time has come.
func (s *Service) retryDue(ctx context.Context, log *slog.Logger) {
	now := s.clock.Now()
	s.retryMu.Lock()
	var due []*delivery
	kept := s.retries[:0]
	for _, d := range s.retries {
		if !d.next.After(now) {
			due = append(due, d)
		} else {
			kept = append(kept, d)
		}
	}
	s.retries = kept
	s.retryMu.Unlock()
	for _, d := range due {
		s.attempt(ctx, d, log)
	}
}

// deadLetter sends a failed delivery's event to the target's dead-letter
// queue, with EventBridge's attributes.
func (s *Service) deadLetter(ctx context.Context, d *delivery, condition string, log *slog.Logger) {
	if s.targets == nil || d.target.DeadLetterConfig == nil || deref(d.target.DeadLetterConfig.Arn) == "" {
		if log != nil {
			log.Warn("events: delivery failed; the target has no dead-letter queue", "target", deref(d.target.Arn), "err", d.lastErr)
		}
		return
	}
	code, msg := "", ""
	if e := apierr.As(d.lastErr); e != nil {
		code, msg = e.Code, e.Message
	} else if d.lastErr != nil {
		code, msg = "InternalException", d.lastErr.Error()
	}
	attrs := map[string]deliver.Attribute{
		"RULE_ARN":       {DataType: "String", StringValue: d.ruleARN},
		"TARGET_ARN":     {DataType: "String", StringValue: deref(d.target.Arn)},
		"RETRY_ATTEMPTS": {DataType: "Number", StringValue: strconv.Itoa(d.attempts - 1)},
	}
	if code != "" {
		attrs["ERROR_CODE"] = deliver.Attribute{DataType: "String", StringValue: code}
	}
	if msg != "" {
		attrs["ERROR_MESSAGE"] = deliver.Attribute{DataType: "String", StringValue: msg}
	}
	if condition != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = deliver.Attribute{DataType: "String", StringValue: condition}
	}
	err := s.targets.Deliver(ctx, deref(d.target.DeadLetterConfig.Arn), deliver.Message{Body: d.msg.Body, Attributes: attrs,
		Sender: s.sender(d.ruleARN)})
	if err != nil && log != nil {
		log.Warn("events: sending to a dead-letter queue", "queue", deref(d.target.DeadLetterConfig.Arn), "err", err)
	}
}

// PutEvent puts an event on a bus for another service: a Lambda
// destination, a rule's bus target. When m.Source is empty, m.Body is a
// whole event forwarded from another bus; otherwise it is the detail of
// a new event from m.Source.
func (s *Service) PutEvent(ctx context.Context, busARN string, m deliver.Message) error {
	name := s.busName(&busARN)
	s.mu.Lock()
	_, err := s.lookupBus(name)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	var ev *envelope
	if m.Source == "" {
		var fwd envelope
		if json.Unmarshal(m.Body, &fwd) != nil || fwd.Source == "" {
			return ErrValidation.WithMessage("The forwarded event is not an EventBridge event.")
		}
		ev = &fwd
	} else {
		var code, msg string
		ev, code, msg = s.envelopeOf(PutEventsRequestEntry{Source: &m.Source, DetailType: &m.DetailType,
			Detail: ptr(string(m.Body)), Resources: m.Resources})
		if code != "" {
			return ErrValidation.WithMessage(msg)
		}
	}
	return s.route(ctx, name, ev, m.TraceHeader)
}

// parseTestEvent checks TestEventPattern's event as EventBridge does: a
// JSON object with the envelope's fields.
func parseTestEvent(raw string) ([]byte, error) {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &ev); err != nil || ev == nil {
		return nil, ErrValidation.WithMessage("Parameter Event is not valid.")
	}
	for _, f := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		if _, ok := ev[f]; !ok {
			return nil, ErrValidation.Withf("Parameter Event is not valid. Reason: Provided Event is missing required field %s.", f)
		}
	}
	return []byte(raw), nil
}

// fireSchedules fires the schedule rules whose next occurrence has
// passed. The occurrence is stored before the targets get the event, so
// a restart never fires it twice; occurrences missed while virga was
// stopped collapse into one, the latest.
func (s *Service) fireSchedules(ctx context.Context, log *slog.Logger) {
	now := s.clock.Now()
	type firing struct {
		name    string
		when    time.Time
		targets []Target
	}
	var due []firing
	s.mu.Lock()
	b := s.buses[defaultBus]
	for _, name := range sortedNames(b.rules) {
		r := b.rules[name]
		if r.schedule == nil || !enabled(r.rec.State) {
			continue
		}
		from := r.lastFired
		if from.Before(r.rec.Anchor) {
			from = r.rec.Anchor.Add(-time.Nanosecond)
		}
		next, ok := r.schedule.Next(from)
		if !ok || next.After(now) {
			continue
		}
		// Collapse missed occurrences into the latest one.
		for i := 0; i < 1_000_000; i++ {
			n, ok := r.schedule.Next(next)
			if !ok || n.After(now) {
				break
			}
			next = n
		}
		if err := s.put(firedKey(defaultBus, name), json.RawMessage(strconv.Quote(next.UTC().Format(time.RFC3339Nano)))); err != nil {
			log.Error("events: recording a schedule's occurrence", "rule", name, "err", err)
			continue
		}
		r.lastFired = next
		due = append(due, firing{name, next, r.rec.Targets})
	}
	s.mu.Unlock()
	for _, f := range due {
		ev := &envelope{Event: deliver.Event{Version: eventVersion, ID: s.ids.UUID(), DetailType: scheduledDetailType, Source: "aws.events",
			Account: s.account, Time: f.when.UTC().Format(eventTimeLayout), Region: s.region,
			Resources: []string{s.ruleARN(defaultBus, f.name)}, Detail: json.RawMessage("{}")}}
		raw := ev.encode()
		for _, t := range f.targets {
			s.dispatch(ctx, s.ruleARN(defaultBus, f.name), f.name, t, raw, "")
		}
	}
}
