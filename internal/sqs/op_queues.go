package sqs

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateQueue", Handler: awsproto.Handle(s.createQueue)},
		{Name: "GetQueueUrl", Handler: awsproto.Handle(s.getQueueURL)},
		{Name: "ListQueues", Handler: awsproto.Handle(s.listQueues)},
		{Name: "DeleteQueue", Handler: awsproto.Handle(s.deleteQueue)},
		{Name: "PurgeQueue", Handler: awsproto.Handle(s.purgeQueue)},
		{Name: "GetQueueAttributes", Handler: awsproto.Handle(s.getQueueAttributes)},
		{Name: "SetQueueAttributes", Handler: awsproto.Handle(s.setQueueAttributes)},
		{Name: "TagQueue", Handler: awsproto.Handle(s.tagQueue)},
		{Name: "UntagQueue", Handler: awsproto.Handle(s.untagQueue)},
		{Name: "ListQueueTags", Handler: awsproto.Handle(s.listQueueTags)},
		{Name: "ListDeadLetterSourceQueues", Handler: awsproto.Handle(s.listDeadLetterSourceQueues)},
		{Name: "AddPermission", Handler: awsproto.Handle(s.addPermission)},
		{Name: "RemovePermission", Handler: awsproto.Handle(s.removePermission)},
		{Name: "SendMessage", Handler: awsproto.Handle(s.sendMessage)},
		{Name: "SendMessageBatch", Handler: awsproto.Handle(s.sendMessageBatch)},
		{Name: "ReceiveMessage", Handler: awsproto.Handle(s.receiveMessage)},
		{Name: "DeleteMessage", Handler: awsproto.Handle(s.deleteMessage)},
		{Name: "DeleteMessageBatch", Handler: awsproto.Handle(s.deleteMessageBatch)},
		{Name: "ChangeMessageVisibility", Handler: awsproto.Handle(s.changeMessageVisibility)},
		{Name: "ChangeMessageVisibilityBatch", Handler: awsproto.Handle(s.changeMessageVisibilityBatch)},
		{Name: "StartMessageMoveTask", Handler: awsproto.Handle(s.startMessageMoveTask)},
		{Name: "ListMessageMoveTasks", Handler: awsproto.Handle(s.listMessageMoveTasks)},
		{Name: "CancelMessageMoveTask", Handler: awsproto.Handle(s.cancelMessageMoveTask)},
	}
}

// queueNameCooldown is how long a deleted queue's name stays taken: "you
// must wait at least 60 seconds before creating a queue with the same
// name".
const queueNameCooldown = 60 * time.Second

// validQueueName applies SQS's naming rule: 1 to 80 alphanumeric
// characters, hyphens or underscores, and ".fifo" at the end of a FIFO
// queue's name (counted in the 80).
func validQueueName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" || len(name) > queueNameMaxLength {
		return false
	}
	for _, r := range base {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Service) createQueue(ctx context.Context, in *CreateQueueRequest) (*CreateQueueResult, error) {
	name := *in.QueueName
	fifo := strings.HasSuffix(name, ".fifo")
	if in.Attributes["FifoQueue"] == "true" && !fifo || !validQueueName(name) {
		if fifo || in.Attributes["FifoQueue"] == "true" {
			return nil, ErrInvalidParameterValue.WithMessage("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil, ErrInvalidParameterValue.WithMessage("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if fifo && in.Attributes["FifoQueue"] != "true" {
		// A ".fifo" name is a FIFO queue only when FifoQueue says so.
		return nil, ErrInvalidParameterValue.WithMessage("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	attrs, err := checkAttributes(in.Attributes, s.arn(name), fifo, true, s.redriveAllowPolicy)
	if err != nil {
		return nil, err
	}
	if at, ok := s.deletedAt[name]; ok && s.clock.Now().Sub(at) < queueNameCooldown {
		return nil, ErrQueueDeletedRecently
	}
	if q := s.queues[name]; q != nil {
		if diff := sameAttributes(q.rec.Attributes, attrs, fifo); diff != "" {
			return nil, ErrQueueNameExists.Withf("A queue already exists with the same name and a different value for attribute %s", diff)
		}
		return &CreateQueueResult{QueueUrl: ptr(s.urlFor(ctx, name))}, nil
	}
	now := s.clock.Now()
	s.nextID++
	rec := queueRecord{ID: s.nextID, Name: name, Attributes: attrs, Tags: in.Tags,
		Created: now.Unix(), Modified: now.Unix()}
	b := s.store.NewBatch()
	defer b.Close()
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], s.nextID)
	b.Set(queueSeqKey(), seq[:])
	b.Set(queueKey(s.account, name), mustJSON(rec))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	s.queues[name] = s.newQueue(rec)
	return &CreateQueueResult{QueueUrl: ptr(s.urlFor(ctx, name))}, nil
}

func (s *Service) getQueueURL(ctx context.Context, in *GetQueueUrlRequest) (*GetQueueUrlResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.QueueOwnerAWSAccountId != nil && *in.QueueOwnerAWSAccountId != s.account {
		return nil, notFound(ctx)
	}
	if s.queues[*in.QueueName] == nil {
		return nil, notFound(ctx)
	}
	return &GetQueueUrlResult{QueueUrl: ptr(s.urlFor(ctx, *in.QueueName))}, nil
}

// listAfter returns the queue name a ListQueues or
// ListDeadLetterSourceQueues NextToken continues after ("" for none): the
// token is that name, base64url-encoded. A token that does not decode to
// a queue name is not one virga gave out, and SQS refuses it.
func listAfter(token *string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || !validQueueName(string(b)) {
		return "", ErrInvalidParameterValue.WithMessage("Invalid NextToken value.")
	}
	return string(b), nil
}

func (s *Service) listQueues(ctx context.Context, in *ListQueuesRequest) (*ListQueuesResult, error) {
	limit := maxListQueuesResults
	if in.MaxResults != nil {
		if *in.MaxResults < minListQueuesResults || *in.MaxResults > maxListQueuesResults {
			return nil, ErrInvalidParameterValue.Withf("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	after, err := listAfter(in.NextToken)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if in.QueueNamePrefix != nil {
		prefix = *in.QueueNamePrefix
	}
	s.mu.Lock()
	var names []string
	for name := range s.queues {
		if strings.HasPrefix(name, prefix) && name > after {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	out := &ListQueuesResult{}
	for i, name := range names {
		if i == limit {
			if in.MaxResults != nil {
				out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(names[i-1])))
			}
			break
		}
		out.QueueUrls = append(out.QueueUrls, s.urlFor(ctx, name))
	}
	return out, nil
}

func (s *Service) deleteQueue(ctx context.Context, in *DeleteQueueRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(queueKey(s.account, q.rec.Name))
	deleteQueueData(b, q.rec.ID)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	delete(s.queues, q.rec.Name)
	s.deletedAt[q.rec.Name] = s.clock.Now()
	q.deleted = true
	q.notify()
	return &noOutput{}, nil
}

func (s *Service) purgeQueue(ctx context.Context, in *PurgeQueueRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge).Seconds() < purgeInterval {
		return nil, ErrPurgeInProgress.Withf("Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.rec.Name)
	}
	b := s.store.NewBatch()
	defer b.Close()
	dropMessages(b, q.rec.ID)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	for _, m := range q.messages {
		q.remove(m)
	}
	q.ready = nil
	q.lastPurge = now
	return &noOutput{}, nil
}

func (s *Service) getQueueAttributes(ctx context.Context, in *GetQueueAttributesRequest) (*GetQueueAttributesResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	all := s.attributes(q)
	out := &GetQueueAttributesResult{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			out.Attributes = all
			return out, nil
		}
	}
	for _, name := range in.AttributeNames {
		v, ok := all[name]
		if !ok {
			if settable[name] || readOnly[name] {
				continue // a FIFO-only or unset attribute
			}
			return nil, ErrInvalidAttributeName.Withf("Unknown Attribute %s.", name)
		}
		if out.Attributes == nil {
			out.Attributes = map[string]string{}
		}
		out.Attributes[name] = v
	}
	return out, nil
}

// attributes returns every attribute GetQueueAttributes reports; the
// caller holds s.mu.
func (s *Service) attributes(q *queue) map[string]string {
	now := s.clock.Now()
	a := defaults(q.cfg.FIFO)
	maps.Copy(a, q.rec.Attributes)
	for k, v := range a {
		if v == "" {
			delete(a, k) // RedrivePolicy and such, cleared
		}
	}
	if _, ok := a["KmsMasterKeyId"]; ok {
		delete(a, "SqsManagedSseEnabled")
		if _, ok := a["KmsDataKeyReusePeriodSeconds"]; !ok {
			a["KmsDataKeyReusePeriodSeconds"] = defaultKMSReuse
		}
	}
	visible, inFlight, delayed := q.counts(now)
	a["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	a["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inFlight)
	a["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	a["CreatedTimestamp"] = strconv.FormatInt(q.rec.Created, 10)
	a["LastModifiedTimestamp"] = strconv.FormatInt(q.rec.Modified, 10)
	a["QueueArn"] = q.arn
	return a
}

func (s *Service) setQueueAttributes(ctx context.Context, in *SetQueueAttributesRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	attrs, err := checkAttributes(in.Attributes, q.arn, q.cfg.FIFO, false, s.redriveAllowPolicy)
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.change(q, true, func(rec *queueRecord) error {
		maps.Copy(rec.Attributes, attrs)
		return nil
	})
}

// redriveAllowPolicy returns the RedriveAllowPolicy of the queue arn
// names, and whether it exists; the caller holds s.mu.
func (s *Service) redriveAllowPolicy(arn string) (string, bool) {
	q := s.queueByARN(arn)
	if q == nil {
		return "", false
	}
	return q.rec.Attributes["RedriveAllowPolicy"], true
}

// saveQueue writes a queue's record; the caller holds s.mu.
func (s *Service) saveQueue(rec queueRecord) error {
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(queueKey(s.account, rec.Name), mustJSON(rec))
	return b.Commit()
}

// checkTags applies SQS's tag limits.
func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return ErrInvalidParameterValue.WithMessage("Too many tags added for queue. The maximum is 50.")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 {
			return ErrInvalidParameterValue.Withf("Tag key must be between 1 and 128 characters long: %s", k)
		}
		if len(v) > 256 {
			return ErrInvalidParameterValue.Withf("Tag value must be at most 256 characters long: %s", v)
		}
	}
	return nil
}

func (s *Service) tagQueue(ctx context.Context, in *TagQueueRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.change(q, false, func(rec *queueRecord) error {
		maps.Copy(rec.Tags, in.Tags)
		return checkTags(rec.Tags)
	})
}

func (s *Service) untagQueue(ctx context.Context, in *UntagQueueRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.change(q, false, func(rec *queueRecord) error {
		for _, k := range in.TagKeys {
			delete(rec.Tags, k)
		}
		return nil
	})
}

func (s *Service) listQueueTags(ctx context.Context, in *ListQueueTagsRequest) (*ListQueueTagsResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &ListQueueTagsResult{Tags: maps.Clone(q.rec.Tags)}, nil
}

func (s *Service) listDeadLetterSourceQueues(ctx context.Context, in *ListDeadLetterSourceQueuesRequest) (*ListDeadLetterSourceQueuesResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	var names []string
	for name, src := range s.queues {
		if src.cfg.Redrive != nil && src.cfg.Redrive.DeadLetterTargetArn == q.arn {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	limit := maxListQueuesResults
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > maxListQueuesResults {
			return nil, ErrInvalidParameterValue.Withf("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	after, err := listAfter(in.NextToken)
	if err != nil {
		return nil, err
	}
	names = names[sort.SearchStrings(names, after+"\x00"):]
	out := &ListDeadLetterSourceQueuesResult{QueueUrls: []string{}}
	for i, name := range names {
		if i == limit {
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(names[i-1])))
			break
		}
		out.QueueUrls = append(out.QueueUrls, s.urlFor(ctx, name))
	}
	return out, nil
}

// AddPermission and RemovePermission keep the statements in the queue's
// Policy attribute, as SQS does; virga does not enforce them yet.
func (s *Service) addPermission(ctx context.Context, in *AddPermissionRequest) (*noOutput, error) {
	if len(in.AWSAccountIds) == 0 {
		return nil, ErrMissingParameter.WithMessage("The request must contain the parameter AWSAccountIds.")
	}
	if len(in.Actions) == 0 {
		return nil, ErrMissingParameter.WithMessage("The request must contain the parameter Actions.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	pol := readPolicy(q.rec.Attributes["Policy"], q.arn)
	for _, st := range pol.Statement {
		if st.Sid == *in.Label {
			return nil, ErrInvalidParameterValue.Withf("Value %s for parameter Label is invalid. Reason: Already exists.", *in.Label)
		}
	}
	var principals, actions []string
	for _, a := range in.AWSAccountIds {
		principals = append(principals, "arn:aws:iam::"+a+":root")
	}
	for _, a := range in.Actions {
		actions = append(actions, "SQS:"+a)
	}
	pol.Statement = append(pol.Statement, policyStatement{
		Sid: *in.Label, Effect: "Allow", Principal: map[string]any{"AWS": oneOrMany(principals)},
		Action: oneOrMany(actions), Resource: q.arn,
	})
	return &noOutput{}, s.setPolicy(q, pol)
}

func (s *Service) removePermission(ctx context.Context, in *RemovePermissionRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	pol := readPolicy(q.rec.Attributes["Policy"], q.arn)
	kept := pol.Statement[:0]
	for _, st := range pol.Statement {
		if st.Sid != *in.Label {
			kept = append(kept, st)
		}
	}
	if len(kept) == len(pol.Statement) {
		return nil, ErrInvalidParameterValue.Withf("Value %s for parameter Label is invalid. Reason: can't find label on existing policy.", *in.Label)
	}
	pol.Statement = kept
	return &noOutput{}, s.setPolicy(q, pol)
}

func (s *Service) setPolicy(q *queue, pol policy) error {
	return s.change(q, true, func(rec *queueRecord) error {
		if len(pol.Statement) == 0 {
			delete(rec.Attributes, "Policy")
		} else {
			rec.Attributes["Policy"] = string(mustJSON(pol))
		}
		return nil
	})
}

// change applies f to a copy of q's record (its maps copied too), saves
// the copy and makes it q's; modified says whether it changes the
// queue's attributes (and LastModifiedTimestamp). The caller holds s.mu.
func (s *Service) change(q *queue, modified bool, f func(rec *queueRecord) error) error {
	rec := q.rec
	rec.Attributes, rec.Tags = maps.Clone(q.rec.Attributes), maps.Clone(q.rec.Tags)
	if rec.Attributes == nil {
		rec.Attributes = map[string]string{}
	}
	if rec.Tags == nil {
		rec.Tags = map[string]string{}
	}
	if err := f(&rec); err != nil {
		return err
	}
	if modified {
		rec.Modified = s.clock.Now().Unix()
	}
	if err := s.saveQueue(rec); err != nil {
		return err
	}
	q.rec = rec
	q.cfg = parseConfig(rec.Attributes, q.cfg.FIFO)
	return nil
}
