package sqs

import (
	"context"
	"maps"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the queue a call acts on, for IAM authorization:
// arn:aws:sqs:REGION:ACCOUNT:NAME, from QueueUrl (or CreateQueue's
// QueueName). ListQueues acts on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if u := awsproto.InputString(in, "QueueUrl"); u != "" {
		account, name, ok := parseQueueURL(u)
		if !ok {
			return nil
		}
		return []string{"arn:aws:sqs:" + s.region + ":" + account + ":" + name}
	}
	if name := awsproto.InputString(in, "QueueName"); name != "" {
		return []string{s.arn(name)}
	}
	return nil
}

// resourceTags are a queue's tags, for aws:ResourceTag conditions.
func (s *Service) resourceTags(ctx context.Context, arn string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queueByARN(arn); q != nil && len(q.rec.Tags) > 0 {
		return maps.Clone(q.rec.Tags), nil
	}
	return nil, nil
}

// resourcePolicy is a queue's Policy attribute: its resource-based
// policy.
func (s *Service) resourcePolicy(ctx context.Context, arn string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queueByARN(arn); q != nil {
		return q.rec.Attributes["Policy"], nil
	}
	return "", nil
}
