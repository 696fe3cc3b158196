package sns

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the topic a call acts on, for IAM authorization: its
// TopicArn (CreateTopic's from its Name). Other calls act on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "TopicArn"); arn != "" {
		return []string{arn}
	}
	if c.Op.Name == "CreateTopic" {
		if name := awsproto.InputString(in, "Name"); name != "" {
			return []string{s.topicARN(name)}
		}
	}
	return nil
}

// resourcePolicy is the Policy attribute a topic was given, its
// resource-based policy ("" for the default one, which grants the
// account's principals nothing their own policies do not).
func (s *Service) resourcePolicy(ctx context.Context, arn string) (string, error) {
	prefix := "arn:aws:sns:" + s.region + ":" + s.account + ":"
	if !strings.HasPrefix(arn, prefix) {
		return "", nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.topics[arn[len(prefix):]]; t != nil {
		return t.rec.Attributes["Policy"], nil
	}
	return "", nil
}
