package sns

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store"
)

// confirmationTokenBytes is the size of a confirmation token's randomness
// (AWS's tokens are a few hundred hex digits).
const confirmationTokenBytes = 128

// checkEndpoint checks a subscription endpoint against its protocol.
func checkEndpoint(protocol, endpoint string) error {
	if endpoint == "" {
		return invalidParameter("Endpoint Reason: no value for required parameter")
	}
	ok := true
	what := "Endpoint"
	switch protocol {
	case "http", "https":
		ok, what = isHTTPEndpoint(protocol, endpoint), "Endpoint must match the specified protocol"
	case "sqs":
		ok, what = isQueueARN(endpoint), "SQS endpoint ARN"
	case "lambda":
		ok, what = isFunctionARN(endpoint), "Lambda endpoint ARN"
	case "email", "email-json":
		ok, what = isEmailAddress(endpoint), "Email address"
	case "sms":
		_, ok = phoneNumber(endpoint)
		what = "SMS endpoint"
	case "application":
		ok, what = isPlatformEndpointARN(endpoint), "ApplicationEndpoint ARN"
	case "firehose":
		ok, what = isFirehoseARN(endpoint), "Firehose endpoint ARN"
	}
	if !ok {
		return invalidParameter("%s", what)
	}
	return nil
}

// callerARN is the ARN of the identity making the call in ctx, or the
// account's root when there is no call (CloudFormation subscribing
// through the Go API).
func callerARN(ctx context.Context, account string) string {
	if c := awsproto.CallFrom(ctx); c != nil && c.Caller.ARN != "" {
		return c.Caller.ARN
	}
	return "arn:aws:iam::" + account + ":root"
}

func (s *Service) subscribe(ctx context.Context, in *SubscribeInput) (*SubscribeResponse, error) {
	protocol, endpoint := *in.Protocol, deref(in.Endpoint)
	var key *signingKey
	if protocol == "http" || protocol == "https" {
		// Read (made, the first time) before taking the lock, for
		// the confirmation message.
		var err error
		if key, err = s.signingKey(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic("TopicArn", *in.TopicArn)
	if err != nil {
		return nil, err
	}
	if !protocols[protocol] {
		return nil, invalidParameter("Amazon SNS does not support this protocol string: %s", protocol)
	}
	if t.fifo && protocol != "sqs" {
		return nil, invalidParameter("Invalid protocol type: %s", protocol)
	}
	if err := checkEndpoint(protocol, endpoint); err != nil {
		return nil, err
	}
	if !t.fifo && protocol == "sqs" && strings.HasSuffix(endpoint, fifoSuffix) {
		// AWS says "Invalid parameter" twice here.
		return nil, invalidParameter("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
	}
	attrs, err := checkSubscriptionAttributes(nil, in.Attributes, protocol, t.fifo, endpoint)
	if err != nil {
		var ae attrError
		if errors.As(err, &ae) {
			return nil, ae.forSubscribe()
		}
		return nil, err
	}
	returnARN := in.ReturnSubscriptionArn != nil && *in.ReturnSubscriptionArn
	now := s.clock.Now()
	stale := "" // an expired pending subscription of the endpoint, replaced
	for _, sub := range t.subs {
		if sub.rec.Protocol != protocol || sub.rec.Endpoint != endpoint {
			continue
		}
		if expiredPending(sub.rec, now) {
			stale = sub.rec.ID
			continue
		}
		// Subscribing an endpoint twice gives the same subscription.
		for k, v := range attrs {
			if sub.rec.Attributes[k] != v {
				return nil, invalidParameter("Attributes Reason: Subscription already exists with different attributes")
			}
		}
		if sub.rec.Pending && (protocol == "http" || protocol == "https") {
			// A pending endpoint is sent its confirmation again.
			d := s.newConfirmation("SubscriptionConfirmation", t, sub, key, now)
			if err := commit(s.store, func(b store.Batch) { b.Set(deliveryKey(d.ID), mustJSON(d)) }); err != nil {
				return nil, err
			}
			s.outbox.add(d)
			s.outbox.nudge()
		}
		return s.subscribeResponse(sub, returnARN), nil
	}
	rec := subscriptionRecord{ID: s.ids.UUID(), Topic: t.name, Protocol: protocol, Endpoint: endpoint,
		Owner: s.account, Principal: callerARN(ctx, s.account), Attributes: attrs, Created: now.UnixNano()}
	switch protocol {
	case "http", "https", "email", "email-json":
		rec.Pending = true
		rec.Token = s.ids.Hex(confirmationTokenBytes)
	default:
		// Endpoints in the same account are confirmed at once.
		rec.Authenticated = true
	}
	sub := s.newSubscription(rec, t)
	var confirm *httpDelivery
	if protocol == "http" || protocol == "https" {
		confirm = s.newConfirmation("SubscriptionConfirmation", t, sub, key, now)
	}
	err = commit(s.store, func(b store.Batch) {
		if stale != "" {
			b.Delete(subscriptionKey(t.name, stale))
		}
		b.Set(subscriptionKey(t.name, rec.ID), mustJSON(rec))
		if confirm != nil {
			b.Set(deliveryKey(confirm.ID), mustJSON(confirm))
		}
	})
	if err != nil {
		return nil, err
	}
	delete(t.subs, stale)
	t.subs[rec.ID] = sub
	if confirm != nil {
		s.outbox.add(confirm)
		s.outbox.nudge()
	}
	if protocol == "email" || protocol == "email-json" {
		s.log.Info("sns: email subscription pending; virga sends no mail, confirm it by visiting SubscribeURL",
			"subscription", sub.arn, "endpoint", endpoint, "SubscribeURL", s.subscribeURL(t.arn, rec.Token))
	}
	return s.subscribeResponse(sub, returnARN), nil
}

func (s *Service) subscribeResponse(sub *subscription, returnARN bool) *SubscribeResponse {
	if sub.rec.Pending && !returnARN {
		return &SubscribeResponse{SubscriptionArn: ptr(pendingSubscribeARN)}
	}
	return &SubscribeResponse{SubscriptionArn: ptr(sub.arn)}
}

// newConfirmation is the outbox entry of an HTTP/S subscription's
// SubscriptionConfirmation or UnsubscribeConfirmation (typ) message.
func (s *Service) newConfirmation(typ string, t *topic, sub *subscription, key *signingKey, now time.Time) *httpDelivery {
	id := s.ids.UUID()
	return &httpDelivery{ID: s.ids.UUID(), Type: typ, Topic: t.name, SubscriptionID: sub.rec.ID,
		MessageID: id, Body: s.confirmationFor(typ, sub, t.arn, id, signer{key: key, version: t.signatureVersion()}, now), NotBefore: now.UnixMilli()}
}

func (s *Service) confirmSubscription(ctx context.Context, in *ConfirmSubscriptionInput) (*ConfirmSubscriptionResponse, error) {
	ref, err := parseTopicARN("TopicArn", *in.TopicArn)
	if err != nil {
		return nil, invalidParameter("Topic")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[ref.Name]
	if t == nil || ref.Region != s.region || ref.Account != s.account {
		return nil, topicNotFound()
	}
	var sub *subscription
	for _, x := range t.subs {
		if x.rec.Token != "" && x.rec.Token == *in.Token {
			sub = x
		}
	}
	if sub == nil {
		return s.restoreSubscription(ctx, t, *in.Token)
	}
	if !sub.rec.Pending {
		return &ConfirmSubscriptionResponse{SubscriptionArn: ptr(sub.arn)}, nil
	}
	if expiredPending(sub.rec, s.clock.Now()) {
		// The token has expired and the subscription with it.
		if err := commit(s.store, func(b store.Batch) { b.Delete(subscriptionKey(t.name, sub.rec.ID)) }); err != nil {
			return nil, err
		}
		delete(t.subs, sub.rec.ID)
		return nil, invalidParameter("Token")
	}
	rec := confirmed(ctx, sub.rec)
	if err := commit(s.store, func(b store.Batch) { b.Set(subscriptionKey(t.name, rec.ID), mustJSON(rec)) }); err != nil {
		return nil, err
	}
	t.subs[rec.ID] = s.newSubscription(rec, t)
	return &ConfirmSubscriptionResponse{SubscriptionArn: ptr(sub.arn)}, nil
}

// confirmed is rec confirmed by a ConfirmSubscription call. A
// confirmation is authenticated when it is a signed API call rather than
// a visit to SubscribeURL.
func confirmed(ctx context.Context, rec subscriptionRecord) subscriptionRecord {
	c := awsproto.CallFrom(ctx)
	rec.Pending, rec.Unsubscribed = false, 0
	rec.Authenticated = c != nil && c.Caller.AccessKeyID != ""
	return rec
}

// restoreSubscription answers ConfirmSubscription with the token of an
// UnsubscribeConfirmation: the unsubscribed subscription comes back, with
// its ARN and attributes, unless the endpoint has subscribed again
// since, which leaves that subscription alone. The caller holds s.mu.
func (s *Service) restoreSubscription(ctx context.Context, t *topic, token string) (*ConfirmSubscriptionResponse, error) {
	now := s.clock.Now()
	var gone subscriptionRecord
	found := false
	for _, r := range t.unsubscribed {
		if r.Token == token && restorable(r, now) {
			gone, found = r, true
		}
	}
	if !found {
		return nil, invalidParameter("Token")
	}
	for _, x := range t.subs {
		if x.rec.Protocol == gone.Protocol && x.rec.Endpoint == gone.Endpoint {
			if err := commit(s.store, func(b store.Batch) { b.Delete(unsubscribedKey(t.name, gone.ID)) }); err != nil {
				return nil, err
			}
			delete(t.unsubscribed, gone.ID)
			return &ConfirmSubscriptionResponse{SubscriptionArn: ptr(x.arn)}, nil
		}
	}
	rec := confirmed(ctx, gone)
	err := commit(s.store, func(b store.Batch) {
		b.Set(subscriptionKey(t.name, rec.ID), mustJSON(rec))
		b.Delete(unsubscribedKey(t.name, rec.ID))
	})
	if err != nil {
		return nil, err
	}
	delete(t.unsubscribed, rec.ID)
	sub := s.newSubscription(rec, t)
	t.subs[rec.ID] = sub
	return &ConfirmSubscriptionResponse{SubscriptionArn: ptr(sub.arn)}, nil
}

// lookupSubscription finds the subscription an ARN names. The caller
// holds s.mu.
func (s *Service) lookupSubscription(arn string) (*topic, *subscription, error) {
	ref, ok, err := parseSubscriptionARN(arn)
	if err != nil {
		return nil, nil, err
	}
	notFound := ErrNotFound.WithMessage(msgSubscriptionNotFound)
	if !ok || ref.Region != s.region || ref.Account != s.account {
		return nil, nil, notFound
	}
	t := s.topics[ref.Topic]
	if t == nil || t.subs[ref.ID] == nil {
		return nil, nil, notFound
	}
	return t, t.subs[ref.ID], nil
}

// tokenLife is how long a confirmation token works, the life AWS gives
// them ("Confirmation tokens are valid for two days"): a pending
// subscription's from its Subscribe (AWS deletes a subscription left
// unconfirmed for 48 hours), an unsubscribed HTTP/S subscription's
// UnsubscribeConfirmation token from its Unsubscribe.
const tokenLife = 48 * time.Hour

// restorable reports whether the unsubscribed subscription r can still be
// restored at now.
func restorable(r subscriptionRecord, now time.Time) bool {
	return now.Sub(time.UnixMilli(r.Unsubscribed)) < tokenLife
}

// expiredPending reports whether r is a pending subscription whose
// confirmation token no longer works at now: it is gone, as AWS deletes
// it.
func expiredPending(r subscriptionRecord, now time.Time) bool {
	return r.Pending && now.Sub(time.Unix(0, r.Created)) >= tokenLife
}

// expiredRecords lists t's pending subscriptions and unsubscribed
// records whose tokens have expired at now. The caller holds s.mu.
func (t *topic) expiredRecords(now time.Time) (pending, unsubscribed []string) {
	for id, sub := range t.subs {
		if expiredPending(sub.rec, now) {
			pending = append(pending, id)
		}
	}
	for id, r := range t.unsubscribed {
		if !restorable(r, now) {
			unsubscribed = append(unsubscribed, id)
		}
	}
	return pending, unsubscribed
}

// sweepExpired deletes the pending subscriptions never confirmed within
// tokenLife, and the unsubscribed ones no longer restorable. Run calls
// it; ConfirmSubscription and Subscribe also treat an expired pending
// subscription as gone before a sweep has deleted it.
func (s *Service) sweepExpired() {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.topics {
		pending, unsubscribed := t.expiredRecords(now)
		if len(pending)+len(unsubscribed) == 0 {
			continue
		}
		err := commit(s.store, func(b store.Batch) {
			for _, id := range pending {
				b.Delete(subscriptionKey(t.name, id))
			}
			for _, id := range unsubscribed {
				b.Delete(unsubscribedKey(t.name, id))
			}
		})
		if err != nil {
			s.log.Warn("sns: deleting expired pending subscriptions", "topic", t.arn, "err", err)
			return
		}
		for _, id := range pending {
			delete(t.subs, id)
		}
		for _, id := range unsubscribed {
			delete(t.unsubscribed, id)
		}
	}
}

// unsubscribe deletes a subscription. Like AWS, it succeeds for one that
// does not exist (any more). A confirmed HTTP/S endpoint is sent an
// UnsubscribeConfirmation, whose token restores the subscription with
// ConfirmSubscription for tokenLife; the subscription is kept under
// sns/u until then.
func (s *Service) unsubscribe(ctx context.Context, in *UnsubscribeInput) (*noOutput, error) {
	// The signing key is read (made, the first time) before taking the
	// lock, and only for an HTTP/S subscription, whose protocol never
	// changes.
	var key *signingKey
	s.mu.RLock()
	_, sub, _ := s.lookupSubscription(*in.SubscriptionArn)
	s.mu.RUnlock()
	if sub != nil && (sub.rec.Protocol == "http" || sub.rec.Protocol == "https") {
		var err error
		if key, err = s.signingKey(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, sub, err := s.lookupSubscription(*in.SubscriptionArn)
	if errors.Is(err, ErrNotFound) {
		return &noOutput{}, nil
	}
	if err != nil {
		return nil, err
	}
	rec := t.rec
	rec.SubscriptionsDeleted++
	now := s.clock.Now()
	var gone subscriptionRecord
	var confirm *httpDelivery
	// A pending subscription, never confirmed, has nothing to restore.
	if key != nil && !sub.rec.Pending {
		gone = sub.rec
		gone.Token = s.ids.Hex(confirmationTokenBytes)
		gone.Unsubscribed = now.UnixMilli()
		confirm = s.newConfirmation("UnsubscribeConfirmation", t, s.newSubscription(gone, t), key, now)
	}
	err = commit(s.store, func(b store.Batch) {
		b.Delete(subscriptionKey(t.name, sub.rec.ID))
		b.Set(topicKey(t.name), mustJSON(rec))
		if confirm != nil {
			b.Set(unsubscribedKey(t.name, gone.ID), mustJSON(gone))
			b.Set(deliveryKey(confirm.ID), mustJSON(confirm))
		}
	})
	if err != nil {
		return nil, err
	}
	t.rec = rec
	delete(t.subs, sub.rec.ID)
	if confirm != nil {
		t.unsubscribed[gone.ID] = gone
		s.outbox.add(confirm)
		s.outbox.nudge()
	}
	return &noOutput{}, nil
}

func (s *Service) getSubscriptionAttributes(ctx context.Context, in *GetSubscriptionAttributesInput) (*GetSubscriptionAttributesResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, sub, err := s.lookupSubscription(*in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	return &GetSubscriptionAttributesResponse{Attributes: s.subscriptionAttributes(t, sub)}, nil
}

func (s *Service) setSubscriptionAttributes(ctx context.Context, in *SetSubscriptionAttributesInput) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, sub, err := s.lookupSubscription(*in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	attrs, err := checkSubscriptionAttributes(sub.rec.Attributes, map[string]string{*in.AttributeName: deref(in.AttributeValue)},
		sub.rec.Protocol, t.fifo, sub.rec.Endpoint)
	if err != nil {
		var ae attrError
		if errors.As(err, &ae) {
			return nil, ae.err
		}
		return nil, err
	}
	rec := sub.rec
	rec.Attributes = attrs
	if err := commit(s.store, func(b store.Batch) { b.Set(subscriptionKey(t.name, rec.ID), mustJSON(rec)) }); err != nil {
		return nil, err
	}
	t.subs[rec.ID] = s.newSubscription(rec, t)
	return &noOutput{}, nil
}

func (s *Service) listSubscriptions(ctx context.Context, in *ListSubscriptionsInput) (*ListSubscriptionsResponse, error) {
	after, err := decodeNextToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	var page []listed
	for _, t := range s.topics {
		page = append(page, listOf(t, after)...)
	}
	s.mu.RUnlock()
	subs, next := paginate(page)
	return &ListSubscriptionsResponse{Subscriptions: subs, NextToken: next}, nil
}

func (s *Service) listSubscriptionsByTopic(ctx context.Context, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsByTopicResponse, error) {
	after, err := decodeNextToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	t, err := s.lookupTopic("TopicArn", *in.TopicArn)
	var page []listed
	if err == nil {
		page = listOf(t, after)
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	subs, next := paginate(page)
	return &ListSubscriptionsByTopicResponse{Subscriptions: subs, NextToken: next}, nil
}

// listed is a subscription as the List operations show it, with the ARN
// it is ordered by.
type listed struct {
	arn string
	sub Subscription
}

// listOf returns t's subscriptions whose ARN sorts after the given one.
// The caller holds s.mu.
func listOf(t *topic, after string) []listed {
	var out []listed
	for _, sub := range t.subs {
		if sub.arn <= after {
			continue
		}
		out = append(out, listed{arn: sub.arn, sub: Subscription{
			SubscriptionArn: ptr(sub.listedARN()), Owner: ptr(sub.rec.Owner), Protocol: ptr(sub.rec.Protocol),
			Endpoint: ptr(sub.rec.Endpoint), TopicArn: ptr(t.arn),
		}})
	}
	return out
}

// paginate orders subscriptions by ARN and cuts a page.
func paginate(all []listed) ([]Subscription, *string) {
	sort.Slice(all, func(i, j int) bool { return all[i].arn < all[j].arn })
	out := []Subscription{}
	for i, l := range all {
		if i == listPageSize {
			return out, ptr(encodeNextToken(all[i-1].arn))
		}
		out = append(out, l.sub)
	}
	return out, nil
}
