package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::SQS::Queue",
		Tags:         resource.TagList,
		Provider:     queue{},
		Lister:       queue{},
		Replace:      []string{"QueueName", "FifoQueue"},
		NameProperty: "QueueName",
		Attributes:   []string{"Arn", "QueueName", "QueueUrl"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::SQS::QueuePolicy",
		Required:   []string{"PolicyDocument", "Queues"},
		Provider:   queuePolicy{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::SQS::QueueInlinePolicy",
		Required:   []string{"PolicyDocument", "Queue"},
		Provider:   queueInlinePolicy{},
		Replace:    []string{"Queue"},
		Attributes: []string{},
	})
}

// queue is AWS::SQS::Queue: CreateQueue with the queue's attributes,
// SetQueueAttributes and the tagging operations for updates. Its
// physical ID and Ref are the queue's URL.
type queue struct{}

// fifoSuffix ends the name of every FIFO queue and topic.
const fifoSuffix = ".fifo"

// queueAttributes are the queue attributes AWS::SQS::Queue sets, each
// with the value that puts back SQS's default when a template drops it.
// Those that AWS takes as JSON objects are marked.
var queueAttributes = []struct {
	name, reset string
	json        bool
}{
	{name: "DelaySeconds", reset: "0"},
	{name: "MaximumMessageSize", reset: "1048576"},
	{name: "MessageRetentionPeriod", reset: "345600"},
	{name: "ReceiveMessageWaitTimeSeconds", reset: "0"},
	{name: "VisibilityTimeout", reset: "30"},
	{name: "KmsMasterKeyId", reset: ""},
	{name: "KmsDataKeyReusePeriodSeconds", reset: "300"},
	{name: "SqsManagedSseEnabled", reset: "true"},
	{name: "RedrivePolicy", reset: "", json: true},
	{name: "RedriveAllowPolicy", reset: "", json: true},
	{name: "ContentBasedDeduplication", reset: "false"},
	{name: "DeduplicationScope", reset: "queue"},
	{name: "FifoThroughputLimit", reset: "perQueue"},
}

// queueAttribute is a property as the queue attribute's text.
func queueAttribute(p props, name string, isJSON bool) (string, error) {
	if isJSON {
		return jsonText(p[name])
	}
	return p.str(name), nil
}

func (queue) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	fifo := p.flag("FifoQueue")
	name := p.str("QueueName")
	switch {
	case name != "":
	case fifo:
		name = physicalNameWithSuffix(r, maxQueueName, fifoSuffix)
	default:
		name = physicalName(r, maxQueueName)
	}
	attrs := map[string]any{}
	if fifo {
		attrs["FifoQueue"] = "true"
	}
	for _, a := range queueAttributes {
		if !p.has(a.name) {
			continue
		}
		v, err := queueAttribute(p, a.name, a.json)
		if err != nil {
			return nil, err
		}
		attrs[a.name] = v
	}
	in := map[string]any{"QueueName": name, "Attributes": attrs}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	// CreateQueue answers a queue of the same name and attributes with its URL.
	if err := refuseTaken(ctx, r, lookup{service: "sqs", op: "GetQueueUrl", in: map[string]any{"QueueName": name}}, resource.AlreadyExists(r.Type, name)); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "sqs", "CreateQueue", in)
	if err != nil {
		return nil, err
	}
	return queueResult(ctx, r, outStr(out, "QueueUrl"), name)
}

func queueResult(ctx context.Context, r *resource.Request, url, name string) (*resource.Result, error) {
	out, err := call(ctx, r, "sqs", "GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []any{"QueueArn"}})
	if err != nil {
		return &resource.Result{PhysicalID: url}, err // made: the rollback deletes it
	}
	arn := props(asMap(out["Attributes"])).str("QueueArn")
	return &resource.Result{PhysicalID: url, Attributes: map[string]any{"Arn": arn, "QueueName": name, "QueueUrl": url}}, nil
}

func (queue) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	url := r.PhysicalID
	attrs := map[string]any{}
	for _, a := range queueAttributes {
		if !changed(old, p, a.name) {
			continue
		}
		v := a.reset
		if p.has(a.name) {
			var err error
			if v, err = queueAttribute(p, a.name, a.json); err != nil {
				return nil, err
			}
		}
		attrs[a.name] = v
	}
	if len(attrs) > 0 {
		if _, err := call(ctx, r, "sqs", "SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": attrs}); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "sqs", "UntagQueue", map[string]any{"QueueUrl": url, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "sqs", "TagQueue", map[string]any{"QueueUrl": url, "Tags": anyMap(set)}); err != nil {
			return nil, err
		}
	}
	name, _ := r.Attributes["QueueName"].(string)
	return queueResult(ctx, r, url, name)
}

func (queue) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "sqs", "DeleteQueue", map[string]any{"QueueUrl": r.PhysicalID})
	return ignoreGone(err)
}

// queuePolicy is AWS::SQS::QueuePolicy: the Policy attribute of each of
// its queues (given by URL). Its physical ID is a generated name;
// deleting it, or dropping a queue from it, removes the queue's policy.
type queuePolicy struct{}

func (queuePolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	id := physicalName(r, maxPolicyID)
	if err := setQueuePolicies(ctx, r, props(r.Properties), nil); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (queuePolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := setQueuePolicies(ctx, r, props(r.Properties), props(r.OldProperties)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Id": r.PhysicalID}}, nil
}

// setQueuePolicies sets the policy on the queues p lists and removes it
// from those only old lists.
func setQueuePolicies(ctx context.Context, r *resource.Request, p, old props) error {
	doc, err := jsonText(p["PolicyDocument"])
	if err != nil {
		return err
	}
	now := map[string]bool{}
	for _, q := range p.list("Queues") {
		url, _ := text(q)
		now[url] = true
		if _, err := call(ctx, r, "sqs", "SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]any{"Policy": doc}}); err != nil {
			return err
		}
	}
	for _, q := range old.list("Queues") {
		if url, _ := text(q); !now[url] {
			if err := clearQueuePolicy(ctx, r, url); err != nil {
				return err
			}
		}
	}
	return nil
}

func clearQueuePolicy(ctx context.Context, r *resource.Request, url string) error {
	_, err := call(ctx, r, "sqs", "SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]any{"Policy": ""}})
	return ignoreGone(err)
}

func (queuePolicy) Delete(ctx context.Context, r *resource.Request) error {
	for _, q := range props(r.Properties).list("Queues") {
		url, _ := text(q)
		if err := clearQueuePolicy(ctx, r, url); err != nil {
			return err
		}
	}
	return nil
}

// queueInlinePolicy is AWS::SQS::QueueInlinePolicy: the Policy attribute
// of the one queue it names by URL. Its physical ID and Ref are that URL;
// deleting it removes the queue's policy.
type queueInlinePolicy struct{}

// asQueuePolicy is an inline policy's properties as AWS::SQS::QueuePolicy
// has them, a list of one queue.
func asQueuePolicy(m map[string]any) props {
	if m == nil {
		return nil
	}
	return props{"PolicyDocument": m["PolicyDocument"], "Queues": []any{m["Queue"]}}
}

func (queueInlinePolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := asQueuePolicy(r.Properties)
	if err := setQueuePolicies(ctx, r, p, nil); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: props(r.Properties).str("Queue")}, nil
}

func (queueInlinePolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := setQueuePolicies(ctx, r, asQueuePolicy(r.Properties), nil); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (queueInlinePolicy) Delete(ctx context.Context, r *resource.Request) error {
	return clearQueuePolicy(ctx, r, props(r.Properties).str("Queue"))
}
