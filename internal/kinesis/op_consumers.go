package kinesis

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer,
// ListStreamConsumers and DeregisterStreamConsumer. A consumer is a name
// and a creation time kept with its stream; its ARN is the stream's ARN,
// "/consumer/", its name, ":" and its creation time in Unix seconds, as
// Kinesis forms it. Lambda's event source mappings may read through a
// consumer's ARN (streamByARN); SubscribeToShard is not served.

// maxConsumers: "You can register up to 20 consumers per data stream."
const maxConsumers = 20

// consumer is one registered consumer of a stream.
type consumer struct {
	Name    string `json:"name"`
	Created int64  `json:"created"` // Unix milliseconds
}

func (s *Service) consumerARN(stream string, c consumer) string {
	return s.arn(stream) + "/consumer/" + c.Name + ":" + strconv.FormatInt(c.Created/1000, 10)
}

// parseConsumerARN splits a consumer ARN into its stream's ARN and the
// consumer's name; ok is false for anything else.
func parseConsumerARN(arn string) (streamARN, name string, ok bool) {
	streamARN, rest, ok := strings.Cut(arn, "/consumer/")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", "", false
	}
	return streamARN, rest[:i], true
}

// findConsumer is the stream's consumer whose ARN is arn, or whose name
// is name when arn is empty.
func (s *Service) findConsumer(st *stream, arn, name string) (consumer, bool) {
	for _, c := range st.Consumers {
		if (arn != "" && s.consumerARN(st.Name, c) == arn) || (arn == "" && c.Name == name) {
			return c, true
		}
	}
	return consumer{}, false
}

// consumerNotFound is the answer for a consumer that is not there.
func (s *Service) consumerNotFound(what string) error {
	return ErrResourceNotFound.Withf("Consumer %s under account %s not found.", what, s.account)
}

// consumerStream resolves the stream and consumer an operation names by
// ConsumerARN, or by StreamARN and ConsumerName.
func (s *Service) consumerStream(streamARN, name, arn *string) (*stream, consumer, error) {
	sa, n := deref(streamARN), deref(name)
	switch {
	case arn != nil:
		var ok bool
		if sa, n, ok = parseConsumerARN(*arn); !ok {
			return nil, consumer{}, s.consumerNotFound(*arn)
		}
	case streamARN == nil || name == nil:
		return nil, consumer{}, ErrInvalidArgument.WithMessage("Either ConsumerARN or both ConsumerName and StreamARN must be provided.")
	}
	sn, err := s.streamName(nil, &sa)
	if err != nil {
		return nil, consumer{}, err
	}
	st, err := s.mustLoad(sn)
	if err != nil {
		return nil, consumer{}, err
	}
	c, ok := s.findConsumer(st, deref(arn), n)
	if !ok {
		return nil, consumer{}, s.consumerNotFound(n)
	}
	return st, c, nil
}

func (s *Service) registerStreamConsumer(ctx context.Context, in *RegisterStreamConsumerInput) (*RegisterStreamConsumerOutput, error) {
	name, err := s.streamName(nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	if _, ok := s.findConsumer(st, "", *in.ConsumerName); ok {
		return nil, ErrResourceInUse.Withf("Consumer %s under stream %s already exists for account %s.", *in.ConsumerName, name, s.account)
	}
	if len(st.Consumers) >= maxConsumers {
		return nil, ErrLimitExceeded.Withf("Consumer limit of %d exceeded for stream %s under account %s.", maxConsumers, name, s.account)
	}
	c := consumer{Name: *in.ConsumerName, Created: s.clock.Now().UnixMilli()}
	st.Consumers = append(st.Consumers, c)
	if err := s.save(st); err != nil {
		return nil, err
	}
	// Kinesis answers CREATING; the consumer is ACTIVE at once here.
	return &RegisterStreamConsumerOutput{Consumer: &Consumer{
		ConsumerName: ptr(c.Name), ConsumerARN: ptr(s.consumerARN(name, c)),
		ConsumerStatus: ptr(ConsumerStatus("CREATING")), ConsumerCreationTimestamp: ptr(time.UnixMilli(c.Created)),
	}}, nil
}

func (s *Service) describeStreamConsumer(ctx context.Context, in *DescribeStreamConsumerInput) (*DescribeStreamConsumerOutput, error) {
	st, c, err := s.consumerStream(in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if err != nil {
		return nil, err
	}
	return &DescribeStreamConsumerOutput{ConsumerDescription: &ConsumerDescription{
		ConsumerName: ptr(c.Name), ConsumerARN: ptr(s.consumerARN(st.Name, c)),
		ConsumerStatus: ptr(ConsumerStatus("ACTIVE")), ConsumerCreationTimestamp: ptr(time.UnixMilli(c.Created)),
		StreamARN: ptr(s.arn(st.Name)),
	}}, nil
}

func (s *Service) listStreamConsumers(ctx context.Context, in *ListStreamConsumersInput) (*ListStreamConsumersOutput, error) {
	name, err := s.streamName(nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	cs := append([]consumer(nil), st.Consumers...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	start := 0
	if in.NextToken != nil {
		start = sort.Search(len(cs), func(i int) bool { return cs[i].Name > *in.NextToken })
	}
	limit := int(deref(in.MaxResults))
	if limit == 0 {
		limit = 100
	}
	out := &ListStreamConsumersOutput{Consumers: []Consumer{}}
	for i := start; i < len(cs); i++ {
		if len(out.Consumers) == limit {
			out.NextToken = ptr(cs[i-1].Name)
			break
		}
		c := cs[i]
		out.Consumers = append(out.Consumers, Consumer{
			ConsumerName: ptr(c.Name), ConsumerARN: ptr(s.consumerARN(name, c)),
			ConsumerStatus: ptr(ConsumerStatus("ACTIVE")), ConsumerCreationTimestamp: ptr(time.UnixMilli(c.Created)),
		})
	}
	return out, nil
}

func (s *Service) deregisterStreamConsumer(ctx context.Context, in *DeregisterStreamConsumerInput) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, c, err := s.consumerStream(in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if err != nil {
		return nil, err
	}
	kept := st.Consumers[:0]
	for _, o := range st.Consumers {
		if o != c {
			kept = append(kept, o)
		}
	}
	st.Consumers = kept
	if err := s.save(st); err != nil {
		return nil, err
	}
	s.notify(st.Name)
	return &noOutput{}, nil
}
