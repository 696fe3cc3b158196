package scheduler

import "container/heap"

// dueQueue orders the enabled schedules by when their next occurrence
// fires, so that the loop looks only at the earliest. Each entry records
// its index, so that a schedule can leave the queue when it is changed
// or deleted. The caller holds Service.mu.
type dueQueue struct{ h dueHeap }

// push queues e, which must not be queued.
func (q *dueQueue) push(e *entry) { heap.Push(&q.h, e) }

// remove takes e out of the queue if it is in it.
func (q *dueQueue) remove(e *entry) {
	if e.index >= 0 {
		heap.Remove(&q.h, e.index)
	}
}

// peek returns the entry that fires first, or nil.
func (q *dueQueue) peek() *entry {
	if len(q.h) == 0 {
		return nil
	}
	return q.h[0]
}

// pop takes the entry that fires first out of the queue.
func (q *dueQueue) pop() *entry { return heap.Pop(&q.h).(*entry) }

// len is the number of queued schedules.
func (q *dueQueue) len() int { return len(q.h) }

type dueHeap []*entry

func (h dueHeap) Len() int { return len(h) }

func (h dueHeap) Less(i, j int) bool { return h[i].fireAt.Before(h[j].fireAt) }

func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*h = old[:len(old)-1]
	return e
}
