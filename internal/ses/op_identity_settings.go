package ses

import "context"

func (s *Service) verifyDomainDkim(_ context.Context, in *VerifyDomainDkimRequest) (*VerifyDomainDkimResponse, error) {
	if err := checkDomain(*in.Domain); err != nil {
		return nil, err
	}
	tokens, err := s.VerifyDomainDkim(*in.Domain)
	if err != nil {
		return nil, err
	}
	return &VerifyDomainDkimResponse{DkimTokens: tokens}, nil
}

// getIdentityDkimAttributes reports each identity virga knows and leaves
// out the others, as SES does. A domain with DKIM tokens is verified for
// DKIM (Success) as soon as it has them, as its identity is: there is no
// DNS to find the CNAME records in. An identity without tokens has not
// started.
func (s *Service) getIdentityDkimAttributes(_ context.Context, in *GetIdentityDkimAttributesRequest) (*GetIdentityDkimAttributesResponse, error) {
	out := &GetIdentityDkimAttributesResponse{DkimAttributes: map[string]IdentityDkimAttributes{}}
	for _, name := range in.Identities {
		st, ok := s.Settings(name)
		if !ok {
			continue
		}
		a := IdentityDkimAttributes{DkimEnabled: ptr(st.DkimEnabled), DkimVerificationStatus: ptr("NotStarted")}
		if len(st.DkimTokens) > 0 {
			a.DkimTokens, a.DkimVerificationStatus = st.DkimTokens, ptr("Success")
		}
		out.DkimAttributes[name] = a
	}
	return out, nil
}

func (s *Service) setIdentityDkimEnabled(_ context.Context, in *SetIdentityDkimEnabledRequest) (*SetIdentityDkimEnabledResponse, error) {
	if err := s.SetDkimEnabled(*in.Identity, *in.DkimEnabled); err != nil {
		return nil, err
	}
	return &SetIdentityDkimEnabledResponse{}, nil
}

// getIdentityNotificationAttributes reports each identity virga knows
// and leaves out the others, as SES does; a type without a topic has no
// member.
func (s *Service) getIdentityNotificationAttributes(_ context.Context, in *GetIdentityNotificationAttributesRequest) (*GetIdentityNotificationAttributesResponse, error) {
	out := &GetIdentityNotificationAttributesResponse{NotificationAttributes: map[string]IdentityNotificationAttributes{}}
	topic := func(t string) *string {
		if t == "" {
			return nil
		}
		return ptr(t)
	}
	for _, name := range in.Identities {
		st, ok := s.Settings(name)
		if !ok {
			continue
		}
		out.NotificationAttributes[name] = IdentityNotificationAttributes{
			BounceTopic:                            topic(st.Topics[NotifyBounce]),
			ComplaintTopic:                         topic(st.Topics[NotifyComplaint]),
			DeliveryTopic:                          topic(st.Topics[NotifyDelivery]),
			ForwardingEnabled:                      ptr(st.ForwardingEnabled),
			HeadersInBounceNotificationsEnabled:    ptr(st.Headers[NotifyBounce]),
			HeadersInComplaintNotificationsEnabled: ptr(st.Headers[NotifyComplaint]),
			HeadersInDeliveryNotificationsEnabled:  ptr(st.Headers[NotifyDelivery]),
		}
	}
	return out, nil
}

func (s *Service) setIdentityNotificationTopic(_ context.Context, in *SetIdentityNotificationTopicRequest) (*SetIdentityNotificationTopicResponse, error) {
	if err := s.SetNotificationTopic(*in.Identity, *in.NotificationType, deref(in.SnsTopic)); err != nil {
		return nil, err
	}
	return &SetIdentityNotificationTopicResponse{}, nil
}

func (s *Service) setIdentityFeedbackForwardingEnabled(_ context.Context, in *SetIdentityFeedbackForwardingEnabledRequest) (*SetIdentityFeedbackForwardingEnabledResponse, error) {
	if err := s.SetForwardingEnabled(*in.Identity, *in.ForwardingEnabled); err != nil {
		return nil, err
	}
	return &SetIdentityFeedbackForwardingEnabledResponse{}, nil
}

func (s *Service) setIdentityHeadersInNotificationsEnabled(_ context.Context, in *SetIdentityHeadersInNotificationsEnabledRequest) (*SetIdentityHeadersInNotificationsEnabledResponse, error) {
	if err := s.SetHeadersInNotifications(*in.Identity, *in.NotificationType, *in.Enabled); err != nil {
		return nil, err
	}
	return &SetIdentityHeadersInNotificationsEnabledResponse{}, nil
}
