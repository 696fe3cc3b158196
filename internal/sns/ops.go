package sns

import "github.com/virga/virga/internal/awsproto"

// operations is SNS's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateTopic", Handler: awsproto.Handle(s.createTopic)},
		{Name: "DeleteTopic", Handler: awsproto.Handle(s.deleteTopic)},
		{Name: "GetTopicAttributes", Handler: awsproto.Handle(s.getTopicAttributes)},
		{Name: "SetTopicAttributes", Handler: awsproto.Handle(s.setTopicAttributes)},
		{Name: "ListTopics", Handler: awsproto.Handle(s.listTopics)},
		{Name: "Subscribe", Handler: awsproto.Handle(s.subscribe)},
		{Name: "ConfirmSubscription", Handler: awsproto.Handle(s.confirmSubscription)},
		{Name: "Unsubscribe", Handler: awsproto.Handle(s.unsubscribe)},
		{Name: "ListSubscriptions", Handler: awsproto.Handle(s.listSubscriptions)},
		{Name: "ListSubscriptionsByTopic", Handler: awsproto.Handle(s.listSubscriptionsByTopic)},
		{Name: "GetSubscriptionAttributes", Handler: awsproto.Handle(s.getSubscriptionAttributes)},
		{Name: "SetSubscriptionAttributes", Handler: awsproto.Handle(s.setSubscriptionAttributes)},
		{Name: "Publish", Handler: awsproto.Handle(s.publish)},
		{Name: "PublishBatch", Handler: awsproto.Handle(s.publishBatch)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
		{Name: "GetDataProtectionPolicy", Handler: awsproto.Handle(s.getDataProtectionPolicy)},
		{Name: "PutDataProtectionPolicy", Handler: awsproto.Handle(s.putDataProtectionPolicy)},
	}
}

// noOutput is the empty result of operations that return nothing.
type noOutput struct{}
