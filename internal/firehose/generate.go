package firehose

// The operations' inputs and outputs come from AWS's model of Amazon Data
// Firehose as Debian's python3-botocore ships it. model_overlay.json
// restates the patterns written with lookarounds, which Go's regular
// expressions lack: TagKey's "not aws:" is checked by the handlers. It
// also gives the buffering intervals the range AWS now documents, 0 to
// 900 seconds (zero buffering), where Debian's model still says 60.
//go:generate go run ../awsproto/shapegen -service firehose -version 2015-08-04 -package firehose -overlay model_overlay.json -out zz_shapes.go -ops CreateDeliveryStream,DeleteDeliveryStream,DescribeDeliveryStream,ListDeliveryStreams,UpdateDestination,PutRecord,PutRecordBatch,TagDeliveryStream,UntagDeliveryStream,ListTagsForDeliveryStream
