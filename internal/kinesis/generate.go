package kinesis

// The operations' inputs and outputs come from AWS's model of Kinesis
// Data Streams; model_overlay.json adds what AWS introduced after the
// model Debian ships: StreamARN in place of StreamName on every stream
// operation, CreateStream's Tags, and ListStreams' NextToken and
// StreamSummaries; and StreamARN on SplitShard, MergeShards and UpdateShardCount (in and out), and on the enhanced monitoring operations.
//go:generate go run ../awsproto/shapegen -service kinesis -version 2013-12-02 -package kinesis -overlay model_overlay.json -out zz_shapes.go -ops CreateStream,DeleteStream,DescribeStream,DescribeStreamSummary,ListStreams,ListShards,PutRecord,PutRecords,GetShardIterator,GetRecords,IncreaseStreamRetentionPeriod,DecreaseStreamRetentionPeriod,AddTagsToStream,ListTagsForStream,RemoveTagsFromStream,SplitShard,MergeShards,UpdateShardCount,UpdateStreamMode,RegisterStreamConsumer,DescribeStreamConsumer,ListStreamConsumers,DeregisterStreamConsumer,DescribeLimits,EnableEnhancedMonitoring,DisableEnhancedMonitoring,StartStreamEncryption,StopStreamEncryption
