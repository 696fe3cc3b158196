package providers

import (
	"context"
	"strconv"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Kinesis::Stream",
		Provider: kinesisStream{},
		// Name replaces the stream, as on AWS. ShardCount and
		// StreamModeDetails AWS changes in place (UpdateShardCount,
		// UpdateStreamMode), which virga's Kinesis does not have: a
		// change makes a new stream, without the old one's records.
		Replace:      []string{"Name", "ShardCount", "StreamModeDetails"},
		NameProperty: "Name",
		Attributes:   []string{"Arn"},
	})
}

// kinesisStream is AWS::Kinesis::Stream: CreateStream, then the retention
// period when it is not Kinesis's 24 hours. RetentionPeriodHours and Tags
// change in place. Its physical ID and Ref are the stream's name.
// StreamEncryption and DesiredShardLevelMetrics are accepted and not
// applied (virga's Kinesis has neither).
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
	return res, nil
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

func (kinesisStream) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, kinesisStreamKinds)
	name := r.PhysicalID
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
