package providers

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::SNS::Topic",
		Tags:         resource.TagList,
		Provider:     topic{},
		Lister:       topic{},
		Replace:      []string{"TopicName", "FifoTopic"},
		NameProperty: "TopicName",
		Attributes:   []string{"TopicArn", "TopicName"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::SNS::Subscription",
		Required:   []string{"TopicArn", "Protocol"},
		Provider:   subscription{},
		Replace:    []string{"TopicArn", "Protocol", "Endpoint"},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::SNS::TopicPolicy",
		Required:   []string{"PolicyDocument", "Topics"},
		Provider:   topicPolicy{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::SNS::TopicInlinePolicy",
		Required:   []string{"PolicyDocument", "TopicArn"},
		Provider:   topicInlinePolicy{},
		Replace:    []string{"TopicArn"},
		Attributes: []string{},
	})
}

// topic is AWS::SNS::Topic: CreateTopic, then Subscribe for each of its
// Subscription list; updates go through SetTopicAttributes,
// PutDataProtectionPolicy, the tagging operations and Subscribe and
// Unsubscribe for the subscriptions added and dropped. Its physical ID
// and Ref are the topic's ARN.
type topic struct{}

// topicAttributes are the topic attributes AWS::SNS::Topic sets from the
// properties of the same names, each with the value that puts back the
// default when a template drops it.
var topicAttributes = []struct {
	name, reset string
	json        bool
}{
	{name: "DisplayName"},
	{name: "KmsMasterKeyId"},
	{name: "SignatureVersion", reset: "1"},
	{name: "TracingConfig", reset: "PassThrough"},
	{name: "ContentBasedDeduplication", reset: "false"},
	{name: "FifoThroughputScope", reset: "Topic"},
	{name: "ArchivePolicy", json: true},
	{name: "DeliveryPolicy", json: true},
}

// feedbackPrefixes name, by DeliveryStatusLogging's Protocol, the prefix
// of the topic attributes that configure it (LambdaSuccessFeedbackRoleArn).
var feedbackPrefixes = map[string]string{
	"application": "Application", "firehose": "Firehose", "http/s": "HTTP", "lambda": "Lambda", "sqs": "SQS",
}

var feedbackMembers = []string{"SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn"}

// topicAttributeValues are the attributes a topic's properties give.
func topicAttributeValues(p props) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range topicAttributes {
		if !p.has(a.name) {
			continue
		}
		v := p.str(a.name)
		if a.json {
			var err error
			if v, err = jsonText(p[a.name]); err != nil {
				return nil, err
			}
		}
		out[a.name] = v
	}
	for _, e := range p.list("DeliveryStatusLogging") {
		c := props(asMap(e))
		prefix := feedbackPrefixes[c.str("Protocol")]
		for _, m := range feedbackMembers {
			if c.has(m) {
				out[prefix+m] = c.str(m)
			}
		}
	}
	return out, nil
}

func (topic) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	fifo := p.flag("FifoTopic")
	name := p.str("TopicName")
	switch {
	case name != "":
	case fifo:
		name = physicalNameWithSuffix(r, maxTopicName, fifoSuffix)
	default:
		name = physicalName(r, maxTopicName)
	}
	attrs, err := topicAttributeValues(p)
	if err != nil {
		return nil, err
	}
	if fifo {
		attrs["FifoTopic"] = "true"
	}
	in := map[string]any{"Name": name, "Attributes": anyMap(attrs)}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	if p.has("DataProtectionPolicy") {
		if in["DataProtectionPolicy"], err = jsonText(p["DataProtectionPolicy"]); err != nil {
			return nil, err
		}
	}
	look := lookup{service: "sns", op: "GetTopicAttributes", in: map[string]any{"TopicArn": topicARN(r, name)}}
	if err := refuseTaken(ctx, r, look, nameTaken(name)); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "sns", "CreateTopic", in)
	if err != nil {
		return nil, err
	}
	arn := outStr(out, "TopicArn")
	res := &resource.Result{PhysicalID: arn, Attributes: map[string]any{"TopicArn": arn, "TopicName": name}}
	for _, s := range p.list("Subscription") {
		if err := subscribe(ctx, r, arn, props(asMap(s))); err != nil {
			return res, err // made: the rollback deletes it
		}
	}
	return res, nil
}

func subscribe(ctx context.Context, r *resource.Request, topicARN string, s props) error {
	_, err := call(ctx, r, "sns", "Subscribe", map[string]any{
		"TopicArn": topicARN, "Protocol": s.str("Protocol"), "Endpoint": s.str("Endpoint"),
	})
	return err
}

func (topic) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	arn := r.PhysicalID
	was, err := topicAttributeValues(old)
	if err != nil {
		return nil, err
	}
	now, err := topicAttributeValues(p)
	if err != nil {
		return nil, err
	}
	resets := map[string]string{}
	for _, a := range topicAttributes {
		resets[a.name] = a.reset
	}
	for _, name := range sortedKeys(was) {
		if _, ok := now[name]; !ok {
			reset := resets[name]
			if strings.HasSuffix(name, "SampleRate") {
				reset = "0" // a sample rate cannot be unset
			}
			if err := setTopicAttribute(ctx, r, arn, name, reset); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range sortedKeys(now) {
		if v, ok := was[name]; !ok || v != now[name] {
			if err := setTopicAttribute(ctx, r, arn, name, now[name]); err != nil {
				return nil, err
			}
		}
	}
	if changed(old, p, "DataProtectionPolicy") {
		doc := ""
		if p.has("DataProtectionPolicy") {
			if doc, err = jsonText(p["DataProtectionPolicy"]); err != nil {
				return nil, err
			}
		}
		if _, err := call(ctx, r, "sns", "PutDataProtectionPolicy", map[string]any{"ResourceArn": arn, "DataProtectionPolicy": doc}); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "sns", "UntagResource", map[string]any{"ResourceArn": arn, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "sns", "TagResource", map[string]any{"ResourceArn": arn, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	if changed(old, p, "Subscription") {
		if err := resubscribe(ctx, r, arn, old.list("Subscription"), p.list("Subscription")); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: arn, Attributes: r.Attributes}, nil
}

func setTopicAttribute(ctx context.Context, r *resource.Request, arn, name, value string) error {
	_, err := call(ctx, r, "sns", "SetTopicAttributes", map[string]any{"TopicArn": arn, "AttributeName": name, "AttributeValue": value})
	return err
}

// resubscribe unsubscribes the endpoints a topic's Subscription list
// dropped and subscribes those it added.
func resubscribe(ctx context.Context, r *resource.Request, arn string, old, new []any) error {
	key := func(s props) string { return s.str("Protocol") + " " + s.str("Endpoint") }
	was, now := map[string]bool{}, map[string]props{}
	for _, s := range old {
		was[key(asMap(s))] = true
	}
	for _, s := range new {
		now[key(asMap(s))] = asMap(s)
	}
	if len(was) > 0 {
		subs, err := topicSubscriptions(ctx, r, arn)
		if err != nil {
			return err
		}
		for _, s := range subs {
			k := key(s)
			if _, keep := now[k]; !was[k] || keep || !strings.HasPrefix(s.str("SubscriptionArn"), "arn:") {
				continue // not ours, kept, or still pending confirmation
			}
			if _, err := call(ctx, r, "sns", "Unsubscribe", map[string]any{"SubscriptionArn": s.str("SubscriptionArn")}); err != nil && !gone(err) {
				return err
			}
		}
	}
	for _, k := range sortedKeys(now) {
		if !was[k] {
			if err := subscribe(ctx, r, arn, now[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// topicSubscriptions lists a topic's subscriptions, every page.
func topicSubscriptions(ctx context.Context, r *resource.Request, arn string) ([]props, error) {
	var out []props
	in := map[string]any{"TopicArn": arn}
	for {
		page, err := call(ctx, r, "sns", "ListSubscriptionsByTopic", in)
		if err != nil {
			return nil, err
		}
		for _, s := range props(page).list("Subscriptions") {
			out = append(out, asMap(s))
		}
		next := outStr(page, "NextToken")
		if next == "" {
			return out, nil
		}
		in["NextToken"] = next
	}
}

func (topic) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "sns", "DeleteTopic", map[string]any{"TopicArn": r.PhysicalID})
	return ignoreGone(err)
}

// subscription is AWS::SNS::Subscription: Subscribe with the
// subscription's attributes, SetSubscriptionAttributes for updates. Its
// physical ID and Ref are the subscription's ARN. Region is accepted
// and ignored: virga is one region.
type subscription struct{}

// subscriptionAttributes are the subscription attributes
// AWS::SNS::Subscription sets from the properties of the same names, each
// with the value that puts back the default when a template drops it.
var subscriptionAttributes = []struct {
	name, reset string
	json        bool
}{
	{name: "DeliveryPolicy", json: true},
	{name: "FilterPolicyScope", reset: "MessageAttributes"},
	{name: "FilterPolicy", json: true},
	{name: "RawMessageDelivery", reset: "false"},
	{name: "RedrivePolicy", json: true},
	{name: "SubscriptionRoleArn"},
	{name: "ReplayPolicy", json: true},
}

func subscriptionAttributeValues(p props) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range subscriptionAttributes {
		if !p.has(a.name) {
			continue
		}
		v := p.str(a.name)
		if a.json {
			var err error
			if v, err = jsonText(p[a.name]); err != nil {
				return nil, err
			}
		}
		out[a.name] = v
	}
	return out, nil
}

func (subscription) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	attrs, err := subscriptionAttributeValues(p)
	if err != nil {
		return nil, err
	}
	in := p.pick(map[string]any{"ReturnSubscriptionArn": true}, "TopicArn", "Protocol", "Endpoint")
	if len(attrs) > 0 {
		in["Attributes"] = anyMap(attrs)
	}
	out, err := call(ctx, r, "sns", "Subscribe", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: outStr(out, "SubscriptionArn"), Attributes: map[string]any{}}, nil
}

func (subscription) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	was, err := subscriptionAttributeValues(props(r.OldProperties))
	if err != nil {
		return nil, err
	}
	now, err := subscriptionAttributeValues(props(r.Properties))
	if err != nil {
		return nil, err
	}
	set := func(name, value string) error {
		_, err := call(ctx, r, "sns", "SetSubscriptionAttributes", map[string]any{
			"SubscriptionArn": r.PhysicalID, "AttributeName": name, "AttributeValue": value,
		})
		return err
	}
	// SNS checks a filter policy against the scope it has: when both
	// change, the old policy goes first, so that neither is checked
	// against the other's scope.
	if was["FilterPolicyScope"] != now["FilterPolicyScope"] && was["FilterPolicy"] != now["FilterPolicy"] && was["FilterPolicy"] != "" {
		if err := set("FilterPolicy", ""); err != nil {
			return nil, err
		}
		delete(was, "FilterPolicy")
	}
	// subscriptionAttributes lists FilterPolicyScope before FilterPolicy.
	for _, a := range subscriptionAttributes {
		v, ok := now[a.name]
		w, had := was[a.name]
		switch {
		case ok && (!had || v != w):
			err = set(a.name, v)
		case !ok && had:
			err = set(a.name, a.reset)
		}
		if err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (subscription) Delete(ctx context.Context, r *resource.Request) error {
	if !strings.HasPrefix(r.PhysicalID, "arn:") {
		return nil // never created, or still pending confirmation
	}
	_, err := call(ctx, r, "sns", "Unsubscribe", map[string]any{"SubscriptionArn": r.PhysicalID})
	return ignoreGone(err)
}

// topicPolicy is AWS::SNS::TopicPolicy: the Policy attribute of each of
// its topics (given by ARN). Its physical ID is a generated name;
// deleting it, or dropping a topic from it, removes the topic's policy.
type topicPolicy struct{}

func (topicPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	id := physicalName(r, maxPolicyID)
	if err := setTopicPolicies(ctx, r, props(r.Properties), nil); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (topicPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := setTopicPolicies(ctx, r, props(r.Properties), props(r.OldProperties)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Id": r.PhysicalID}}, nil
}

func setTopicPolicies(ctx context.Context, r *resource.Request, p, old props) error {
	doc, err := jsonText(p["PolicyDocument"])
	if err != nil {
		return err
	}
	now := map[string]bool{}
	for _, t := range p.list("Topics") {
		arn, _ := text(t)
		now[arn] = true
		if err := setTopicAttribute(ctx, r, arn, "Policy", doc); err != nil {
			return err
		}
	}
	for _, t := range old.list("Topics") {
		if arn, _ := text(t); !now[arn] {
			if err := ignoreGone(setTopicAttribute(ctx, r, arn, "Policy", "")); err != nil {
				return err
			}
		}
	}
	return nil
}

func (topicPolicy) Delete(ctx context.Context, r *resource.Request) error {
	for _, t := range props(r.Properties).list("Topics") {
		arn, _ := text(t)
		if err := ignoreGone(setTopicAttribute(ctx, r, arn, "Policy", "")); err != nil {
			return err
		}
	}
	return nil
}

// topicInlinePolicy is AWS::SNS::TopicInlinePolicy: the Policy attribute
// of the one topic it names by ARN. Its physical ID and Ref are that
// ARN; deleting it removes the topic's policy.
type topicInlinePolicy struct{}

func (topicInlinePolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	doc, err := jsonText(p["PolicyDocument"])
	if err != nil {
		return nil, err
	}
	if err := setTopicAttribute(ctx, r, p.str("TopicArn"), "Policy", doc); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("TopicArn")}, nil
}

func (t topicInlinePolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	res, err := t.Create(ctx, r)
	if err != nil {
		return nil, err
	}
	res.PhysicalID = r.PhysicalID
	return res, nil
}

func (topicInlinePolicy) Delete(ctx context.Context, r *resource.Request) error {
	return ignoreGone(setTopicAttribute(ctx, r, props(r.Properties).str("TopicArn"), "Policy", ""))
}

// topicARN is the ARN of the stack's account and region's topic name.
func topicARN(r *resource.Request, name string) string {
	return "arn:aws:sns:" + r.Env.Region + ":" + r.Env.Account + ":" + name
}
