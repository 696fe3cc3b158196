package providers

import (
	"context"
	"maps"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::KinesisFirehose::DeliveryStream",
		Tags:     resource.TagList,
		Provider: firehoseStream{},
		// The name, the type and the source replace the stream, as on
		// AWS; a destination changes in place (UpdateDestination).
		Replace:      []string{"DeliveryStreamName", "DeliveryStreamType", "KinesisStreamSourceConfiguration", "DeliveryStreamEncryptionConfigurationInput"},
		NameProperty: "DeliveryStreamName",
		Attributes:   []string{"Arn"},
		// The schema requires no top-level property; these inside the
		// ones a template gives.
		Required: []string{"ExtendedS3DestinationConfiguration/BucketARN", "ExtendedS3DestinationConfiguration/RoleARN",
			"S3DestinationConfiguration/BucketARN", "S3DestinationConfiguration/RoleARN",
			"KinesisStreamSourceConfiguration/KinesisStreamARN", "KinesisStreamSourceConfiguration/RoleARN"},
	})
}

// firehoseStream is AWS::KinesisFirehose::DeliveryStream:
// CreateDeliveryStream with the properties as they are (their names are
// the API's), UpdateDestination for a change of destination, and the tag
// operations. Its physical ID and Ref are the stream's name; Arn is its
// ARN.
type firehoseStream struct{}

// maxFirehoseName is Firehose's limit on a stream's name.
const maxFirehoseName = 64

var firehoseKinds = map[string]kind{"SizeInMBs": number, "IntervalInSeconds": number, "Enabled": boolean}

// firehoseCreateMembers are the properties CreateDeliveryStream takes as
// they are.
var firehoseCreateMembers = []string{"DeliveryStreamType", "KinesisStreamSourceConfiguration", "DeliveryStreamEncryptionConfigurationInput",
	"S3DestinationConfiguration", "ExtendedS3DestinationConfiguration", "RedshiftDestinationConfiguration",
	"ElasticsearchDestinationConfiguration", "AmazonopensearchserviceDestinationConfiguration",
	"AmazonOpenSearchServerlessDestinationConfiguration", "SplunkDestinationConfiguration", "HttpEndpointDestinationConfiguration"}

func (firehoseStream) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, firehoseKinds)
	name := p.str("DeliveryStreamName")
	if name == "" {
		name = physicalName(r, maxFirehoseName)
	}
	in := map[string]any{"DeliveryStreamName": name}
	for _, k := range firehoseCreateMembers {
		if p.has(k) {
			in[k] = p[k]
		}
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	out, err := call(ctx, r, "firehose", "CreateDeliveryStream", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": out["DeliveryStreamARN"]}}, nil
}

func (firehoseStream) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, firehoseKinds)
	name := r.PhysicalID
	d, err := call(ctx, r, "firehose", "DescribeDeliveryStream", map[string]any{"DeliveryStreamName": name})
	if err != nil {
		return nil, err
	}
	desc := props(asMap(d["DeliveryStreamDescription"]))
	update := map[string]any{}
	for conf, upd := range map[string]string{"ExtendedS3DestinationConfiguration": "ExtendedS3DestinationUpdate", "S3DestinationConfiguration": "S3DestinationUpdate"} {
		if p.has(conf) && !resource.Equal(p[conf], old[conf]) {
			u := maps.Clone(asMap(p[conf]))
			delete(u, "S3BackupConfiguration")
			update[upd] = u
		}
	}
	if len(update) > 0 {
		update["DeliveryStreamName"] = name
		update["CurrentDeliveryStreamVersionId"] = desc.str("VersionId")
		update["DestinationId"] = "destinationId-000000000001"
		if _, err := call(ctx, r, "firehose", "UpdateDestination", update); err != nil {
			return nil, err
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "firehose", "UntagDeliveryStream", map[string]any{"DeliveryStreamName": name, "TagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "firehose", "TagDeliveryStream", map[string]any{"DeliveryStreamName": name, "Tags": tagList(set)}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": desc.str("DeliveryStreamARN")}}, nil
}

func (firehoseStream) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "firehose", "DeleteDeliveryStream", map[string]any{"DeliveryStreamName": r.PhysicalID})
	return ignoreGone(err)
}
