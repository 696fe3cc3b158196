package dynamodb

import "github.com/virga/virga/internal/awsproto"

// operations is DynamoDB's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "BatchExecuteStatement", Handler: awsproto.Handle(s.batchExecuteStatement)},
		{Name: "BatchGetItem", Handler: awsproto.Handle(s.batchGetItem)},
		{Name: "BatchWriteItem", Handler: awsproto.Handle(reportAs(layerOlder, s.batchWriteItem))},
		{Name: "CreateBackup", Handler: awsproto.Handle(s.createBackup)},
		{Name: "CreateTable", Handler: awsproto.Handle(s.createTable)},
		{Name: "DeleteBackup", Handler: awsproto.Handle(s.deleteBackup)},
		{Name: "DeleteItem", Handler: awsproto.Handle(reportAs(layerEnvelope, s.deleteItem))},
		{Name: "DeleteTable", Handler: awsproto.Handle(s.deleteTable)},
		{Name: "DescribeBackup", Handler: awsproto.Handle(s.describeBackup)},
		{Name: "DescribeContinuousBackups", Handler: awsproto.Handle(s.describeContinuousBackups)},
		{Name: "DescribeEndpoints", Handler: awsproto.Handle(s.describeEndpoints)},
		{Name: "DescribeKinesisStreamingDestination", Handler: awsproto.Handle(s.describeKinesisStreamingDestination)},
		{Name: "DescribeLimits", Handler: awsproto.Handle(s.describeLimits)},
		{Name: "DescribeTable", Handler: awsproto.Handle(s.describeTable)},
		{Name: "DescribeTimeToLive", Handler: awsproto.Handle(s.describeTimeToLive)},
		{Name: "DisableKinesisStreamingDestination", Handler: awsproto.Handle(s.disableKinesisStreamingDestination)},
		{Name: "EnableKinesisStreamingDestination", Handler: awsproto.Handle(s.enableKinesisStreamingDestination)},
		{Name: "ExecuteStatement", Handler: awsproto.Handle(s.executeStatement)},
		{Name: "ExecuteTransaction", Handler: awsproto.Handle(s.executeTransaction)},
		{Name: "GetItem", Handler: awsproto.Handle(s.getItem)},
		{Name: "ListBackups", Handler: awsproto.Handle(s.listBackups)},
		{Name: "ListTables", Handler: awsproto.Handle(s.listTables)},
		{Name: "ListTagsOfResource", Handler: awsproto.Handle(s.listTagsOfResource)},
		{Name: "PutItem", Handler: awsproto.Handle(reportAs(layerEnvelope, s.putItem))},
		{Name: "Query", Handler: awsproto.Handle(s.query)},
		{Name: "RestoreTableFromBackup", Handler: awsproto.Handle(s.restoreTableFromBackup)},
		{Name: "RestoreTableToPointInTime", Handler: awsproto.Handle(s.restoreTableToPointInTime)},
		{Name: "Scan", Handler: awsproto.Handle(reportAs(layerOlder, s.scan))},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "TransactGetItems", Handler: awsproto.Handle(s.transactGetItems)},
		{Name: "TransactWriteItems", Handler: awsproto.Handle(s.transactWriteItems)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "UpdateContinuousBackups", Handler: awsproto.Handle(s.updateContinuousBackups)},
		{Name: "UpdateItem", Handler: awsproto.Handle(reportAs(layerEnvelope, s.updateItem))},
		{Name: "UpdateKinesisStreamingDestination", Handler: awsproto.Handle(s.updateKinesisStreamingDestination)},
		{Name: "UpdateTable", Handler: awsproto.Handle(s.updateTable)},
		{Name: "UpdateTimeToLive", Handler: awsproto.Handle(s.updateTimeToLive)},
	}
}
