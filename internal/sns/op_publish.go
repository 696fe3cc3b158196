package sns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// publishEntry is what Publish and a PublishBatch entry have in common.
type publishEntry struct {
	Message, Subject, MessageStructure *string
	MessageAttributes                  map[string]MessageAttributeValue
	DedupID, GroupID                   *string
}

// newMessage checks the parts of an entry that do not depend on its
// topic and builds its message. size is what the entry counts towards a
// batch's size limit.
func (s *Service) newMessage(ctx context.Context, e publishEntry) (m *message, size int, err error) {
	if e.Subject != nil && !validSubject(*e.Subject) {
		return nil, 0, invalidParameter("Subject")
	}
	text := deref(e.Message)
	if text == "" {
		return nil, 0, invalidParameter("Empty message")
	}
	if !utf8.ValidString(text) {
		return nil, 0, invalidParameter("Message")
	}
	attrs, attrSize, err := checkMessageAttributes(e.MessageAttributes)
	if err != nil {
		return nil, 0, err
	}
	size = len(text) + attrSize
	if size > maxMessageBytes {
		return nil, 0, invalidParameter("Message too long")
	}
	m = &message{ID: s.ids.UUID(), Subject: deref(e.Subject), Text: text, Attributes: attrs, Published: s.clock.Now()}
	if e.MessageStructure != nil {
		if *e.MessageStructure != "json" {
			return nil, 0, invalidParameter("MessageStructure")
		}
		texts, err := parseMessageStructure(text)
		if err != nil {
			return nil, 0, err
		}
		m.Text, m.ByProtocol = texts["default"], texts
	}
	// With the topics' default tracing (PassThrough) a message carries
	// the trace header only when its publisher sent one.
	m.TraceHeader = awsproto.SentTraceHeader(ctx)
	return m, size, nil
}

// validSubject applies AWS's rule: "Subjects must be ASCII text that
// begins with a letter, number, or punctuation mark; must not include
// line breaks or control characters; and must be less than 100 characters
// long."
func validSubject(s string) bool {
	if s == "" || len(s) > maxSubjectLength || s[0] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// setFIFO checks an entry's group and deduplication ids against its
// topic and fills them in on m. contentDedup is the topic's
// ContentBasedDeduplication.
func setFIFO(t *topic, contentDedup bool, e publishEntry, m *message) error {
	if e.GroupID != nil {
		if !validGroupID(*e.GroupID) {
			return invalidParameter("MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		m.GroupID = *e.GroupID
	}
	if !t.fifo {
		// Standard topics accept a MessageGroupId, which they pass on to
		// queues (SQS fair queues), but no deduplication id.
		if e.DedupID != nil {
			return invalidParameter("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		return nil
	}
	if e.GroupID == nil {
		return invalidParameter("The MessageGroupId parameter is required for FIFO topics")
	}
	switch {
	case e.DedupID != nil:
		if !validGroupID(*e.DedupID) {
			return invalidParameter("MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		m.DedupID = *e.DedupID
	case contentDedup:
		// "Amazon SNS uses a SHA-256 hash to generate the
		// MessageDeduplicationId using the body of the message (but not
		// the attributes of the message)."
		sum := sha256.Sum256([]byte(deref(e.Message)))
		m.DedupID = hex.EncodeToString(sum[:])
	default:
		return invalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}
	return nil
}

// validGroupID applies the rule for group and deduplication ids: 1 to 128
// alphanumeric and punctuation characters.
func validGroupID(id string) bool {
	if id == "" || len(id) > maxGroupIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// target resolves the topic a Publish addresses, with its
// ContentBasedDeduplication.
func (s *Service) target(param, arn string) (*topic, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.lookupTopic(param, arn)
	if err != nil {
		return nil, false, err
	}
	return t, t.contentDedup(), nil
}

func (s *Service) publish(ctx context.Context, in *PublishInput) (*PublishResponse, error) {
	given := 0
	for _, p := range []*string{in.TopicArn, in.TargetArn, in.PhoneNumber} {
		if p != nil && *p != "" {
			given++
		}
	}
	if given == 0 {
		return nil, invalidParameter("TopicArn or TargetArn Reason: no value for required parameter")
	}
	if given > 1 {
		return nil, invalidParameter("TopicArn, TargetArn or PhoneNumber Reason: Only one of them may be specified")
	}
	e := publishEntry{Message: in.Message, Subject: in.Subject, MessageStructure: in.MessageStructure,
		MessageAttributes: in.MessageAttributes, DedupID: in.MessageDeduplicationId, GroupID: in.MessageGroupId}
	if given := deref(in.PhoneNumber); given != "" {
		number, ok := phoneNumber(given)
		if !ok {
			return nil, invalidParameter("PhoneNumber Reason: %s is not valid to publish to", given)
		}
		m, _, err := s.newMessage(ctx, e)
		if err != nil {
			return nil, err
		}
		if err := s.phonePublish(number, m); err != nil {
			return nil, err
		}
		return &PublishResponse{MessageId: ptr(m.ID)}, nil
	}
	param, arn := "TopicArn", deref(in.TopicArn)
	if arn == "" {
		param, arn = "TargetArn", deref(in.TargetArn)
		if isPlatformEndpointARN(arn) {
			return nil, invalidParameter("TargetArn Reason: No endpoint found for the target arn specified")
		}
	}
	m, _, err := s.newMessage(ctx, e)
	if err != nil {
		return nil, err
	}
	t, contentDedup, err := s.target(param, arn)
	if err != nil {
		return nil, err
	}
	if err := setFIFO(t, contentDedup, e, m); err != nil {
		return nil, err
	}
	m.TopicARN = t.arn
	id, seq, err := s.publishOne(ctx, t, m)
	if err != nil {
		return nil, err
	}
	out := &PublishResponse{MessageId: ptr(id)}
	if t.fifo {
		out.SequenceNumber = ptr(seq)
	}
	return out, nil
}

// validBatchEntryID applies PublishBatch's rule for entry ids: up to 80
// alphanumeric characters, hyphens and underscores.
func validBatchEntryID(id string) bool {
	if id == "" || len(id) > maxBatchEntryIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// publishBatch publishes up to ten messages. A problem with the request
// as a whole (no entries, too many, repeated or malformed ids, too many
// bytes, no such topic) fails it; an entry that does not pass validation
// is reported in Failed and the others are published.
func (s *Service) publishBatch(ctx context.Context, in *PublishBatchInput) (*PublishBatchResponse, error) {
	entries := in.PublishBatchRequestEntries
	switch {
	case len(entries) == 0:
		return nil, ErrEmptyBatchRequest
	case len(entries) > maxBatchEntries:
		return nil, ErrTooManyEntriesInBatchRequest
	}
	t, contentDedup, err := s.target("TopicArn", *in.TopicArn)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	total := 0
	for _, e := range entries {
		id := deref(e.Id)
		if !validBatchEntryID(id) {
			return nil, ErrInvalidBatchEntryID
		}
		if seen[id] {
			return nil, ErrBatchEntryIdsNotDistinct
		}
		seen[id] = true
		total += len(deref(e.Message))
		for name, a := range e.MessageAttributes {
			total += len(name) + len(deref(a.DataType)) + len(deref(a.StringValue)) + len(a.BinaryValue)
		}
	}
	if total > maxMessageBytes {
		return nil, ErrBatchRequestTooLong
	}
	out := &PublishBatchResponse{Successful: []PublishBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	fail := func(id string, err error) {
		e := apierr.As(err)
		if e == nil {
			s.log.Error("sns: publishing a batch entry", "topic", t.arn, "id", id, "err", err)
			e = apierr.ErrInternal
		}
		out.Failed = append(out.Failed, BatchResultErrorEntry{Id: ptr(id), Code: ptr(e.CodeForQuery()),
			Message: ptr(e.Message), SenderFault: ptr(!e.Fault)})
	}
	for _, in := range entries {
		id := *in.Id
		e := publishEntry{Message: in.Message, Subject: in.Subject, MessageStructure: in.MessageStructure,
			MessageAttributes: in.MessageAttributes, DedupID: in.MessageDeduplicationId, GroupID: in.MessageGroupId}
		m, _, err := s.newMessage(ctx, e)
		if err == nil {
			err = setFIFO(t, contentDedup, e, m)
		}
		if err != nil {
			fail(id, err)
			continue
		}
		m.TopicARN = t.arn
		msgID, seq, err := s.publishOne(ctx, t, m)
		if err != nil {
			fail(id, err)
			continue
		}
		r := PublishBatchResultEntry{Id: ptr(id), MessageId: ptr(msgID)}
		if t.fifo {
			r.SequenceNumber = ptr(seq)
		}
		out.Successful = append(out.Successful, r)
	}
	return out, nil
}
