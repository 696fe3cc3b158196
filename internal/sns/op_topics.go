package sns

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"sort"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

func (s *Service) createTopic(ctx context.Context, in *CreateTopicInput) (*CreateTopicResponse, error) {
	name := *in.Name
	fifo := false
	attrs := map[string]string{}
	if v, ok := in.Attributes["FifoTopic"]; ok {
		norm, err := checkTopicAttribute("FifoTopic", v, false, true)
		if err != nil {
			return nil, err
		}
		fifo = norm == "true"
	}
	if fifo && !validTopicName(name, true) {
		return nil, ErrInvalidParameter.WithMessage("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
	}
	if !fifo && !validTopicName(name, false) {
		// A ".fifo" name without FifoTopic=true lands here too.
		return nil, invalidParameter("Topic Name")
	}
	for _, k := range sortedKeys(in.Attributes) {
		v, err := checkTopicAttribute(k, in.Attributes[k], fifo, true)
		if err != nil {
			return nil, err
		}
		if v != "" && !(k == "FifoTopic" && v == "false") {
			attrs[k] = v
		}
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if in.DataProtectionPolicy != nil && *in.DataProtectionPolicy != "" {
		if err := checkDataProtectionPolicy(*in.DataProtectionPolicy); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.topics[name]; t != nil {
		// CreateTopic is idempotent for the same name, attributes and tags.
		for k, v := range attrs {
			if t.rec.Attributes[k] != v {
				return nil, invalidParameter("Attributes Reason: Topic already exists with different attributes")
			}
		}
		for k, v := range tags {
			if old, ok := t.rec.Tags[k]; !ok || old != v {
				return nil, invalidParameter("Tags Reason: Topic already exists with different tags")
			}
		}
		return &CreateTopicResponse{TopicArn: ptr(t.arn)}, nil
	}
	rec := topicRecord{Name: name, Attributes: attrs, Tags: tags, Created: s.clock.Now().Unix()}
	if in.DataProtectionPolicy != nil {
		rec.DataProtectionPolicy = *in.DataProtectionPolicy
	}
	if err := commit(s.store, func(b store.Batch) { b.Set(topicKey(name), mustJSON(rec)) }); err != nil {
		return nil, err
	}
	t := s.newTopic(rec)
	s.topics[name] = t
	return &CreateTopicResponse{TopicArn: ptr(t.arn)}, nil
}

// lookupTopic finds the topic an ARN given as param names. The caller
// holds s.mu.
func (s *Service) lookupTopic(param, arn string) (*topic, error) {
	ref, err := parseTopicARN(param, arn)
	if err != nil {
		return nil, err
	}
	t := s.topics[ref.Name]
	if t == nil || ref.Region != s.region || ref.Account != s.account {
		return nil, topicNotFound()
	}
	return t, nil
}

// deleteTopic deletes a topic and its subscriptions. Deleting a topic
// that does not exist is not an error: "This action is idempotent".
func (s *Service) deleteTopic(ctx context.Context, in *DeleteTopicInput) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic("TopicArn", *in.TopicArn)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return &noOutput{}, nil
		}
		return nil, err
	}
	err = commit(s.store, func(b store.Batch) {
		b.Delete(topicKey(t.name))
		subs := snsKey("s", t.name)
		b.DeleteRange(subs, keys.PrefixEnd(subs))
		gone := snsKey("u", t.name)
		b.DeleteRange(gone, keys.PrefixEnd(gone))
		dedup := snsKey("d", t.name)
		b.DeleteRange(dedup, keys.PrefixEnd(dedup))
	})
	if err != nil {
		return nil, err
	}
	delete(s.topics, t.name)
	return &noOutput{}, nil
}

func (s *Service) getTopicAttributes(ctx context.Context, in *GetTopicAttributesInput) (*GetTopicAttributesResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.lookupTopic("TopicArn", *in.TopicArn)
	if err != nil {
		return nil, err
	}
	return &GetTopicAttributesResponse{Attributes: s.topicAttributes(t)}, nil
}

func (s *Service) setTopicAttributes(ctx context.Context, in *SetTopicAttributesInput) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic("TopicArn", *in.TopicArn)
	if err != nil {
		return nil, err
	}
	name := *in.AttributeName
	v, err := checkTopicAttribute(name, deref(in.AttributeValue), t.fifo, false)
	if err != nil {
		return nil, err
	}
	rec := t.rec
	rec.Attributes = maps.Clone(rec.Attributes)
	if rec.Attributes == nil {
		rec.Attributes = map[string]string{}
	}
	if v == "" {
		delete(rec.Attributes, name)
	} else {
		rec.Attributes[name] = v
	}
	if err := commit(s.store, func(b store.Batch) { b.Set(topicKey(t.name), mustJSON(rec)) }); err != nil {
		return nil, err
	}
	t.rec = rec
	if name == "DeliveryPolicy" {
		t.policy = topicHTTPPolicy{}
		if v != "" {
			t.policy, _ = parseTopicPolicy(v)
		}
	}
	return &noOutput{}, nil
}

func (s *Service) listTopics(ctx context.Context, in *ListTopicsInput) (*ListTopicsResponse, error) {
	after, err := decodeNextToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.topics))
	for name := range s.topics {
		if name > after {
			names = append(names, name)
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	out := &ListTopicsResponse{Topics: []Topic{}}
	for i, name := range names {
		if i == listPageSize {
			out.NextToken = ptr(encodeNextToken(names[i-1]))
			break
		}
		out.Topics = append(out.Topics, Topic{TopicArn: ptr(s.topicARN(name))})
	}
	return out, nil
}

// encodeNextToken and decodeNextToken make the List operations' opaque
// NextToken: the last item of the page, base64-encoded.
func encodeNextToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}

func decodeNextToken(token *string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || strings.ContainsRune(string(b), 0) {
		return "", invalidParameter("NextToken")
	}
	return string(b), nil
}
