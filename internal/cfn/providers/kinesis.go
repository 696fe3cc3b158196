package providers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Kinesis::Stream",
		Tags:     resource.TagList,
		Provider: kinesisStream{},
		// Name replaces the stream, as on AWS; ShardCount and
		// StreamModeDetails change in place (UpdateStreamMode,
		// UpdateShardCount).
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{"Arn"},
	})
}

// kinesisStream is AWS::Kinesis::Stream: CreateStream, then the retention
// period when it is not Kinesis's 24 hours. RetentionPeriodHours and Tags
// change in place. Its physical ID and Ref are the stream's name.
// StreamEncryption is StartStreamEncryption, and StopStreamEncryption
// when an update removes it. DesiredShardLevelMetrics is accepted and
// not applied.
type kinesisStream struct{}

// maxStreamName is Kinesis's limit on a stream's name.
const maxStreamName = 128

// defaultRetentionHours is a stream's retention period when nothing sets
// it.
const defaultRetentionHours = 24

var kinesisStreamKinds = map[string]kind{"ShardCount": number, "RetentionPeriodHours": number}

func retentionHours(p props) int {
	if !p.has("RetentionPeriodHours") {
		return defaultRetentionHours
	}
	n, err := strconv.Atoi(p.str("RetentionPeriodHours"))
	if err != nil {
		return defaultRetentionHours
	}
	return n
}

func (kinesisStream) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, kinesisStreamKinds)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxStreamName)
	}
	in := map[string]any{"StreamName": name}
	mode := p.obj("StreamModeDetails").str("StreamMode")
	switch {
	case mode != "":
		in["StreamModeDetails"] = map[string]any{"StreamMode": mode}
		if mode != "ON_DEMAND" && p.has("ShardCount") {
			in["ShardCount"] = p["ShardCount"]
		} else if mode != "ON_DEMAND" {
			in["ShardCount"] = 1
		}
	case p.has("ShardCount"):
		in["ShardCount"] = p["ShardCount"]
	default:
		// A stream without a mode or a shard count is a provisioned
		// stream of one shard.
		in["ShardCount"] = 1
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = anyMap(tags)
	}
	if _, err := call(ctx, r, "kinesis", "CreateStream", in); err != nil {
		return nil, err
	}
	res, err := kinesisStreamResult(ctx, r, name)
	if err != nil {
		return res, err
	}
	if h := retentionHours(p); h != defaultRetentionHours {
		if err := setStreamRetention(ctx, r, name, defaultRetentionHours, h); err != nil {
			return res, err
		}
	}
	return res, encryptStream(ctx, r, name, p, props{})
}

// encryptStream applies a change of StreamEncryption (EncryptionType,
// KeyId): StartStreamEncryption with the new key, or
// StopStreamEncryption with the old one when it is gone, once the stream
// is ACTIVE, and waits for it to be ACTIVE again.
func encryptStream(ctx context.Context, r *resource.Request, name string, p, old props) error {
	enc, was := p.obj("StreamEncryption"), old.obj("StreamEncryption")
	op, with := "StartStreamEncryption", enc
	switch {
	case enc.str("KeyId") == was.str("KeyId") && enc.str("EncryptionType") == was.str("EncryptionType"):
		return nil
	case enc.str("KeyId") == "":
		op, with = "StopStreamEncryption", was
	}
	if _, err := waitStreamActive(ctx, r, name); err != nil {
		return err
	}
	if _, err := call(ctx, r, "kinesis", op, map[string]any{"StreamName": name,
		"EncryptionType": with.str("EncryptionType"), "KeyId": with.str("KeyId")}); err != nil {
		return err
	}
	_, err := waitStreamActive(ctx, r, name)
	return err
}

func kinesisStreamResult(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	out, err := call(ctx, r, "kinesis", "DescribeStreamSummary", map[string]any{"StreamName": name})
	if err != nil {
		return &resource.Result{PhysicalID: name}, err
	}
	arn := props(asMap(out["StreamDescriptionSummary"])).str("StreamARN")
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": arn}}, nil
}

// setStreamRetention moves a stream's retention period from one number of
// hours to another.
func setStreamRetention(ctx context.Context, r *resource.Request, name string, from, to int) error {
	op := "IncreaseStreamRetentionPeriod"
	if to < from {
		op = "DecreaseStreamRetentionPeriod"
	}
	_, err := call(ctx, r, "kinesis", op, map[string]any{"StreamName": name, "RetentionPeriodHours": to})
	return err
}

// streamMode is the capacity mode the properties ask for.
func streamMode(p props) string {
	if m := p.obj("StreamModeDetails").str("StreamMode"); m != "" {
		return m
	}
	return "PROVISIONED"
}

// streamActiveWait bounds how long an update waits for a stream to
// settle after a change before the next.
const streamActiveWait = time.Minute

// waitStreamActive waits until the stream is ACTIVE, as it is again soon
// after a reshard or a change of mode, and returns its summary. The wait
// is measured on the services' clock, the one the stream's UPDATING is
// measured on.
func waitStreamActive(ctx context.Context, r *resource.Request, name string) (props, error) {
	deadline := r.Env.Now().Add(streamActiveWait)
	for {
		out, err := call(ctx, r, "kinesis", "DescribeStreamSummary", map[string]any{"StreamName": name})
		if err != nil {
			return nil, err
		}
		d := props(asMap(out["StreamDescriptionSummary"]))
		if d.str("StreamStatus") == "ACTIVE" {
			return d, nil
		}
		if r.Env.Now().After(deadline) {
			return nil, fmt.Errorf("stream %s is still %s", name, d.str("StreamStatus"))
		}
		if err := resource.Sleep(ctx, 20*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// reshardStream applies a change of StreamModeDetails (UpdateStreamMode)
// and then of a provisioned stream's ShardCount (UpdateShardCount, by
// uniform scaling), each once the stream is ACTIVE.
func reshardStream(ctx context.Context, r *resource.Request, name string, p, old props) error {
	d, err := waitStreamActive(ctx, r, name)
	if err != nil {
		return err
	}
	if mode := streamMode(p); mode != streamMode(old) {
		if _, err := call(ctx, r, "kinesis", "UpdateStreamMode", map[string]any{"StreamARN": d.str("StreamARN"),
			"StreamModeDetails": map[string]any{"StreamMode": mode}}); err != nil {
			return err
		}
		if d, err = waitStreamActive(ctx, r, name); err != nil {
			return err
		}
	}
	if streamMode(p) != "PROVISIONED" {
		return nil
	}
	want := 1
	if p.has("ShardCount") {
		if n, err := strconv.Atoi(p.str("ShardCount")); err == nil {
			want = n
		}
	}
	if d.str("OpenShardCount") == strconv.Itoa(want) {
		return nil
	}
	if _, err := call(ctx, r, "kinesis", "UpdateShardCount", map[string]any{"StreamName": name,
		"TargetShardCount": want, "ScalingType": "UNIFORM_SCALING"}); err != nil {
		return err
	}
	_, err = waitStreamActive(ctx, r, name)
	return err
}

func (kinesisStream) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, kinesisStreamKinds)
	name := r.PhysicalID
	if err := reshardStream(ctx, r, name, p, old); err != nil {
		return nil, err
	}
	if err := encryptStream(ctx, r, name, p, old); err != nil {
		return nil, err
	}
	if from, to := retentionHours(old), retentionHours(p); from != to {
		if err := setStreamRetention(ctx, r, name, from, to); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "kinesis", "RemoveTagsFromStream", map[string]any{"StreamName": name, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "kinesis", "AddTagsToStream", map[string]any{"StreamName": name, "Tags": anyMap(set)}); err != nil {
			return nil, err
		}
	}
	return kinesisStreamResult(ctx, r, name)
}

func (kinesisStream) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "kinesis", "DeleteStream", map[string]any{"StreamName": r.PhysicalID, "EnforceConsumerDeletion": true})
	return ignoreGone(err)
}

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Kinesis::StreamConsumer",
		Required: []string{"ConsumerName", "StreamARN"},
		Provider: kinesisConsumer{},
		// Both properties are create-only: a change registers a new
		// consumer.
		Replace:    []string{"ConsumerName", "StreamARN"},
		Attributes: []string{"ConsumerARN", "ConsumerCreationTimestamp", "ConsumerName", "ConsumerStatus", "StreamARN"},
	})
}

// kinesisConsumer is AWS::Kinesis::StreamConsumer: RegisterStreamConsumer
// and DeregisterStreamConsumer. Its physical ID and Ref are the
// consumer's ARN. Tags are accepted and not applied (virga's Kinesis
// tags streams only).
type kinesisConsumer struct{}

func (kinesisConsumer) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	out, err := call(ctx, r, "kinesis", "RegisterStreamConsumer", map[string]any{
		"StreamARN": p.str("StreamARN"), "ConsumerName": p.str("ConsumerName"),
	})
	if err != nil {
		return nil, err
	}
	arn := props(asMap(out["Consumer"])).str("ConsumerARN")
	return kinesisConsumerResult(ctx, r, arn)
}

func kinesisConsumerResult(ctx context.Context, r *resource.Request, arn string) (*resource.Result, error) {
	out, err := call(ctx, r, "kinesis", "DescribeStreamConsumer", map[string]any{"ConsumerARN": arn})
	if err != nil {
		return &resource.Result{PhysicalID: arn}, err
	}
	d := props(asMap(out["ConsumerDescription"]))
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{
		"ConsumerARN": arn, "ConsumerName": d.str("ConsumerName"), "ConsumerStatus": d.str("ConsumerStatus"),
		"ConsumerCreationTimestamp": d.str("ConsumerCreationTimestamp"), "StreamARN": d.str("StreamARN"),
	}}, nil
}

func (kinesisConsumer) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return kinesisConsumerResult(ctx, r, r.PhysicalID)
}

func (kinesisConsumer) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "kinesis", "DeregisterStreamConsumer", map[string]any{"ConsumerARN": r.PhysicalID})
	return ignoreGone(err)
}
