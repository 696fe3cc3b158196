package eventsource

import (
	"context"
	"time"
)

// How a queue poller gathers a batch: it long-polls for 20 seconds, then
// keeps receiving until it has size messages or the batching window,
// counted from the first message, has passed.
const (
	// LongPoll is how long a poller's receive waits for a first message.
	LongPoll = 20 * time.Second
	// maxPerReceive is ReceiveMessage's MaxNumberOfMessages limit.
	maxPerReceive = 10
)

// Gather receives up to size messages from the queue arn, for at most
// window once the first arrived.
func Gather(ctx context.Context, q QueueSource, arn string, size int, window time.Duration) ([]QueueMessage, error) {
	first, err := q.Receive(ctx, arn, min(size, maxPerReceive), LongPoll)
	if err != nil || len(first) == 0 || window == 0 {
		return first, err
	}
	batch := first
	deadline := time.Now().Add(window)
	for len(batch) < size {
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			break
		}
		more, err := q.Receive(ctx, arn, min(size-len(batch), maxPerReceive), left)
		if err != nil {
			break
		}
		batch = append(batch, more...)
	}
	return batch, nil
}
