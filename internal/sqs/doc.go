// Package sqs is Amazon Simple Queue Service over both of its protocols:
// awsJson 1.0 (X-Amz-Target AmazonSQS.*, what current SDKs speak) and
// awsQuery (Action=..., what older CLIs and boto3 speak), from one operation
// table through awsproto's querycompat protocol.
//
// # What it owns
//
// Queues (standard and FIFO), their messages, receive state, FIFO
// deduplication ids and message move tasks, in the store under "sqs/" (keys
// in queue.go). In memory each queue keeps an index of its messages that
// receives choose from (queue.go); the bodies are read back from the store
// when a message is received. New loads the index from the store; Run
// sweeps expired messages and finishes move tasks.
//
// # Durability
//
// A send is acknowledged only once its message is committed (Batch.Commit:
// written to the operating system, or fsynced with --fsync), so a crash of
// virga never loses an acknowledged message. Receives and deletes are
// written without waiting for the sync (store.Batch.CommitNoWait): a crash
// in the moments before it completes can only bring a message back early or
// again, which SQS's at-least-once delivery allows. A receive that moves a
// message to its dead-letter queue waits for the sync.
//
// # Other services
//
// Lambda's event source mappings, SNS and EventBridge use the queues in Go
// through internal_api.go.
package sqs
