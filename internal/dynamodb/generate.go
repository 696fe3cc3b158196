package dynamodb

// The operations' inputs and outputs come from AWS's model of DynamoDB and
// DynamoDB Streams; model_overlay.json adds members AWS introduced after
// the model Debian ships.
//go:generate go run ../awsproto/shapegen -service dynamodb -version 2012-08-10 -package dynamodb -overlay model_overlay.json -out zz_shapes.go -ops all -extra ConditionalCheckFailedException,TransactionCanceledException
