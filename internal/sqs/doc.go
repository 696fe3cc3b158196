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
// # Limits
//
// A standard queue holds at most 120,000 messages in flight (Service
// maxInFlight, counted in queue.inFlight as messages enter and leave the
// in-flight heap): a receive takes no more than the room left, and at
// the limit a short poll fails with OverLimit while a long poll waits and
// gets nothing, as SQS documents. FIFO queues, which SQS documents as
// answering no error at their limit, are not held to it.
//
// # Dead-letter queues
//
// A RedrivePolicy (CreateQueue, SetQueueAttributes) must name an existing
// queue of the same kind whose RedriveAllowPolicy lets the source use it
// (config.go): allowAll (the default), byQueue with the source among its
// 1 to 10 sourceQueueArns, never denyAll. A policy set before the dead-letter
// queue's RedriveAllowPolicy changed stays in force, and its messages
// still move.
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
// # Metrics
//
// Each queue counts, under Service.mu which the calls already hold (an
// atomic add for empty receives), what CloudWatch's AWS/SQS metrics
// report: messages sent (and their sizes), received and deleted, and
// empty ReceiveMessage calls. Once a minute on the service's clock Run
// hands every queue's counts of the minute that ended, with its
// approximate visible, in-flight and delayed counts and the age of its
// oldest message sampled then, to Deps.Metrics (metrics.go), by
// QueueName, zeros included. Not reported: the six-hour cut-off after
// which AWS stops reporting an inactive queue; receives by Lambda's
// event source mappings that find nothing are not empty receives here;
// FIFO duplicates are not counted as sent.
//
// # Other services
//
// Lambda's event source mappings, SNS and EventBridge use the queues in Go
// through internal_api.go. Those uses are not authorized: a queue's
// Policy attribute is its resource-based policy only for calls made to
// the edge with --auth iam (authz.go), so an SNS subscription delivers
// whatever the policy says about sns.amazonaws.com.
package sqs
