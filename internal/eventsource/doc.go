// Package eventsource is what Lambda's event source mappings and
// EventBridge Pipes share to read SQS queues, DynamoDB streams and
// Kinesis streams: the interfaces the app wires virga's queues and
// streams in through, the batch gathering of a queue poller, the
// scheduling of a stream's shard readers across reshards, the
// filtering of records with EventBridge's pattern language, the relay
// that runs a consumer's readers one set at a time (relay.go), and the
// one policy for a stream's failing batches (settle.go: retries,
// bisection, maximum record age, partial batch responses, giving up to
// an on-failure destination). Each consumer keeps what is its own: how it
// invokes its target, what its failure records say, where it
// checkpoints and how it renders records.
//
// The package imports no service and holds no state of its own: its
// loops run in the caller's goroutines (a Relay's in goroutines the
// caller's WaitGroup counts) and stop when the caller's context ends.
package eventsource
