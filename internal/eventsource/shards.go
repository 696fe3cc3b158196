package eventsource

import (
	"context"
	"sync"
	"time"
)

const (
	// ShardIdlePoll is how often a stream's shards are listed again, and
	// how long a reader at the end of its shard waits at most for the
	// arrival notice.
	ShardIdlePoll = time.Second
	// shardMaxBackoff bounds the wait before a shard's reader that
	// stopped on an error is started again.
	shardMaxBackoff = 30 * time.Second
)

// RunShards reads a stream: it starts read for each of the stream's
// shards, a child of a reshard only once its parents are read to their
// end (or gone past retention), so that the records of a partition key
// are read in order across a reshard; it lists the shards again every
// ShardIdlePoll and whenever a reader finishes a closed shard. read runs
// until ctx ends, or returns true once it has read a closed shard to its
// end; a reader that returns false early is started again after a
// backoff doubling from ShardIdlePoll to 30 seconds. missing is called
// each time the stream is not there. RunShards returns when ctx ends and
// every reader has returned.
func RunShards(ctx context.Context, src StreamSource, arn string, missing func(), read func(ctx context.Context, shard string) bool) {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		done    = map[string]bool{} // shards read to their end
		running = map[string]bool{} // shards with a reader
		retryAt = map[string]time.Time{}
		backoff = map[string]time.Duration{}
		ended   = make(chan struct{}, 1)
	)
	defer wg.Wait()
	for ctx.Err() == nil {
		shards, ok := src.StreamShards(arn)
		if !ok && missing != nil {
			missing()
		}
		listed := make(map[string]bool, len(shards))
		for _, sh := range shards {
			listed[sh.ID] = true
		}
		mu.Lock()
		now := time.Now()
		for _, sh := range shards {
			ready := !running[sh.ID] && !done[sh.ID] && !now.Before(retryAt[sh.ID])
			for _, p := range sh.Parents {
				// A parent no longer listed is past retention.
				ready = ready && (!listed[p] || done[p])
			}
			if !ready {
				continue
			}
			running[sh.ID] = true
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				finished := read(ctx, id)
				mu.Lock()
				running[id] = false
				if finished {
					done[id] = true
				} else if ctx.Err() == nil {
					b := min(max(2*backoff[id], ShardIdlePoll), shardMaxBackoff)
					backoff[id], retryAt[id] = b, time.Now().Add(b)
				}
				mu.Unlock()
				if finished {
					select {
					case ended <- struct{}{}:
					default:
					}
				}
			}(sh.ID)
		}
		mu.Unlock()
		t := time.NewTimer(ShardIdlePoll)
		select {
		case <-ctx.Done():
		case <-ended:
		case <-t.C:
		}
		t.Stop()
	}
}
