package ses

import (
	"context"
	"strings"
)

func (s *Service) createConfigurationSet(_ context.Context, in *CreateConfigurationSetRequest) (*CreateConfigurationSetResponse, error) {
	name := deref(in.ConfigurationSet.Name)
	if !validConfigSetName(name) {
		return nil, ErrInvalidConfigurationSet.WithMessage("Configuration set name must contain only ASCII letters, numbers, underscores and dashes, and be at most 64 characters.")
	}
	if err := s.CreateConfigurationSet(name); err != nil {
		return nil, err
	}
	return &CreateConfigurationSetResponse{}, nil
}

// validConfigSetName: "The name of the configuration set. The name must
// meet the following requirements: Contain only letters (a-z, A-Z),
// numbers (0-9), underscores (_), or dashes (-). Contain 64 characters
// or fewer."
func validConfigSetName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	return strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0
}

func (s *Service) deleteConfigurationSet(_ context.Context, in *DeleteConfigurationSetRequest) (*DeleteConfigurationSetResponse, error) {
	if err := s.DeleteConfigurationSet(*in.ConfigurationSetName); err != nil {
		return nil, err
	}
	return &DeleteConfigurationSetResponse{}, nil
}

func (s *Service) describeConfigurationSet(_ context.Context, in *DescribeConfigurationSetRequest) (*DescribeConfigurationSetResponse, error) {
	dests, err := s.EventDestinations(*in.ConfigurationSetName)
	if err != nil {
		return nil, err
	}
	out := &DescribeConfigurationSetResponse{ConfigurationSet: &ConfigurationSet{Name: in.ConfigurationSetName}}
	wantDests := len(in.ConfigurationSetAttributeNames) == 0
	for _, a := range in.ConfigurationSetAttributeNames {
		wantDests = wantDests || a == "eventDestinations"
	}
	if wantDests {
		out.EventDestinations = []EventDestination{}
		for _, d := range dests {
			out.EventDestinations = append(out.EventDestinations, EventDestination{Name: ptr(d.Name), Enabled: ptr(d.Enabled),
				MatchingEventTypes: d.Types, SNSDestination: &SNSDestination{TopicARN: ptr(d.TopicARN)}})
		}
	}
	return out, nil
}

func (s *Service) listConfigurationSets(_ context.Context, in *ListConfigurationSetsRequest) (*ListConfigurationSetsResponse, error) {
	limit := maxListItems
	if in.MaxItems != nil && *in.MaxItems > 0 && int(*in.MaxItems) < limit {
		limit = int(*in.MaxItems)
	}
	page, next, err := paginate(s.ConfigurationSetNames(), deref(in.NextToken), limit)
	if err != nil {
		return nil, err
	}
	out := &ListConfigurationSetsResponse{ConfigurationSets: []ConfigurationSet{}, NextToken: next}
	for _, n := range page {
		out.ConfigurationSets = append(out.ConfigurationSets, ConfigurationSet{Name: ptr(n)})
	}
	return out, nil
}

// createConfigurationSetEventDestination adds a destination; virga
// publishes to SNS destinations only, and refuses the others
// (CloudWatch, Kinesis Firehose) rather than accept what it would not
// do.
func (s *Service) createConfigurationSetEventDestination(_ context.Context, in *CreateConfigurationSetEventDestinationRequest) (*CreateConfigurationSetEventDestinationResponse, error) {
	d := in.EventDestination
	dest := EventDest{Name: deref(d.Name), Enabled: d.Enabled != nil && *d.Enabled, Types: d.MatchingEventTypes}
	if d.SNSDestination != nil {
		dest.TopicARN = deref(d.SNSDestination.TopicARN)
	}
	if err := s.AddEventDestination(*in.ConfigurationSetName, dest); err != nil {
		return nil, err
	}
	return &CreateConfigurationSetEventDestinationResponse{}, nil
}

func (s *Service) deleteConfigurationSetEventDestination(_ context.Context, in *DeleteConfigurationSetEventDestinationRequest) (*DeleteConfigurationSetEventDestinationResponse, error) {
	if err := s.DeleteEventDestination(*in.ConfigurationSetName, *in.EventDestinationName); err != nil {
		return nil, err
	}
	return &DeleteConfigurationSetEventDestinationResponse{}, nil
}
