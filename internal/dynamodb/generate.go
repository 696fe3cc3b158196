package dynamodb

// The operations' inputs and outputs come from AWS's model of DynamoDB and
// DynamoDB Streams; model_overlay.json adds members AWS introduced after
// the model Debian ships.
//go:generate go run ../awsproto/shapegen -service dynamodb -version 2012-08-10 -package dynamodb -overlay model_overlay.json -out zz_shapes.go -ops all -extra ConditionalCheckFailedException,TransactionCanceledException

// DynamoDB Streams' shapes share the package: the ones both models declare
// (identically) come from DynamoDB's.
//go:generate go run ../awsproto/shapegen -service dynamodbstreams -version 2012-08-10 -package dynamodb -out zz_streams_shapes.go -ops all -skip AttributeValue,KeySchemaElement,KeyType,StreamViewType,InternalServerError,LimitExceededException,ResourceNotFoundException
