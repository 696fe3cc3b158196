package logs

import (
	"context"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/deliver"
)

// Errors PutSubscriptionFilter answers when it cannot reach the
// destination, as AWS words them.
var (
	errLambdaDestination   = ErrInvalidParameter.WithMessage("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
	errKinesisDestination  = ErrInvalidParameter.WithMessage("Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.")
	errFirehoseDestination = ErrInvalidParameter.WithMessage("Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is in ACTIVE state.")
	// Nor cross-account logical destinations.
	errOtherDestination = ErrInvalidParameter.WithMessage("Could not deliver test message to specified destination. Check if the destination is valid.")
)

// maxSubscriptionsList is DescribeSubscriptionFilters' default limit
// ("If you don't specify a value, the default is up to 50 items").
const maxSubscriptionsList = 50

func (s *Service) putSubscriptionFilter(ctx context.Context, in *PutSubscriptionFilterRequest) (*noOutput, error) {
	g, name := *in.LogGroupName, *in.FilterName
	pat, err := ParseFilterPattern(*in.FilterPattern)
	if err != nil {
		return nil, ErrInvalidParameter.WithMessage("Invalid filter pattern")
	}
	dest := *in.DestinationArn
	switch deliver.Service(dest) {
	case "lambda":
		if s.dests == nil || !s.dests.FunctionExists(dest) {
			return nil, errLambdaDestination
		}
	case "kinesis", "firehose":
		// The stream gets a CONTROL_MESSAGE: if it cannot, the filter
		// is refused.
		msg, err := controlMessage(dest, s.clock.Now().UnixMilli())
		if err == nil && s.dests != nil {
			err = s.dests.Deliver(ctx, dest, deliver.Message{Body: msg, PartitionKey: name})
		}
		if err != nil || s.dests == nil {
			if deliver.Service(dest) == "firehose" {
				return nil, errFirehoseDestination
			}
			return nil, errKinesisDestination
		}
	default:
		return nil, errOtherDestination
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	fs := s.subs.filters[g]
	var old *subscription
	for _, f := range fs {
		if f.Name == name {
			old = f
		}
	}
	if old == nil && len(fs) >= maxSubscriptionFilters {
		return nil, ErrLimitExceeded.WithMessage("Resource limit exceeded.")
	}
	sub := &subscription{
		Name: name, Pattern: *in.FilterPattern, Destination: dest, Role: deref(in.RoleArn),
		Distribution: "ByLogStream", Created: s.clock.Now().UnixMilli(),
		OnTransformed: deref(in.ApplyOnTransformedLogs), parsed: pat,
	}
	if in.Distribution != nil {
		sub.Distribution = string(*in.Distribution)
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, subscriptionKey(g, name), sub); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	next := make([]*subscription, 0, len(fs)+1)
	for _, f := range fs {
		if f.Name != name {
			next = append(next, f)
		}
	}
	next = append(next, sub)
	sortSubscriptions(next)
	s.subs.filters[g] = next
	return &noOutput{}, nil
}

func (s *Service) describeSubscriptionFilters(ctx context.Context, in *DescribeSubscriptionFiltersRequest) (*DescribeSubscriptionFiltersResponse, error) {
	g := *in.LogGroupName
	s.mu.Lock()
	if _, err := s.group(g); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var all []*subscription
	for _, f := range s.subs.filters[g] {
		if strings.HasPrefix(f.Name, deref(in.FilterNamePrefix)) {
			all = append(all, f)
		}
	}
	s.mu.Unlock()
	start, err := offsetToken(in.NextToken, len(all))
	if err != nil {
		return nil, err
	}
	limit := maxSubscriptionsList
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &DescribeSubscriptionFiltersResponse{SubscriptionFilters: []SubscriptionFilter{}}
	i := start
	for ; i < len(all) && len(out.SubscriptionFilters) < limit; i++ {
		f := all[i]
		sf := SubscriptionFilter{
			FilterName: ptr(f.Name), LogGroupName: ptr(g), FilterPattern: ptr(f.Pattern),
			DestinationArn: ptr(f.Destination), CreationTime: ptr(f.Created),
			Distribution: ptr(Distribution(f.Distribution)), ApplyOnTransformedLogs: ptr(f.OnTransformed),
		}
		if f.Role != "" {
			sf.RoleArn = ptr(f.Role)
		}
		out.SubscriptionFilters = append(out.SubscriptionFilters, sf)
	}
	if i < len(all) {
		out.NextToken = ptr(strconv.Itoa(i))
	}
	return out, nil
}

func (s *Service) deleteSubscriptionFilter(ctx context.Context, in *DeleteSubscriptionFilterRequest) (*noOutput, error) {
	g, name := *in.LogGroupName, *in.FilterName
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	fs := s.subs.filters[g]
	next := make([]*subscription, 0, len(fs))
	for _, f := range fs {
		if f.Name != name {
			next = append(next, f)
		}
	}
	if len(next) == len(fs) {
		return nil, ErrResourceNotFound.WithMessage("The specified subscription filter does not exist.")
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(subscriptionKey(g, name))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	if len(next) == 0 {
		delete(s.subs.filters, g)
	} else {
		s.subs.filters[g] = next
	}
	return &noOutput{}, nil
}
