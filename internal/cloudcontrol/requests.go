package cloudcontrol

import (
	"bytes"
	"sort"
	"time"

	"github.com/virga/virga/internal/store"
)

// keepRequests is how long the Cloud Control API keeps a request's
// status: "Resource operation requests expire after 7 days."
const keepRequests = 7 * 24 * time.Hour

// requestPrefix keys the requests' progress events by request token:
// "cloudcontrol/r/<token>".
var requestPrefix = []byte("cloudcontrol/r/")

func requestKey(token string) []byte { return append(bytes.Clone(requestPrefix), token...) }

// keep records a request's progress event.
func (s *Service) keep(ev *ProgressEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	if err := store.SetJSON(b, requestKey(deref(ev.RequestToken)), ev); err != nil {
		return err
	}
	return b.Commit()
}

// request reads the progress event of the request with the token, or
// nil.
func (s *Service) request(token string) (*ProgressEvent, error) {
	ev, err := store.GetJSON[ProgressEvent](s.store, requestKey(token))
	if err != nil || ev == nil || s.expired(ev) {
		return nil, err
	}
	return ev, nil
}

func (s *Service) expired(ev *ProgressEvent) bool {
	return ev.EventTime != nil && s.clock.Now().Sub(*ev.EventTime) > keepRequests
}

// requests returns the requests not yet expired, newest first.
func (s *Service) requests() ([]ProgressEvent, error) {
	end := bytes.Clone(requestPrefix)
	end[len(end)-1]++
	it, err := s.store.NewIter(requestPrefix, end)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []ProgressEvent
	for ok := it.First(); ok; ok = it.Next() {
		ev, err := store.GetJSON[ProgressEvent](s.store, it.Key())
		if err != nil {
			return nil, err
		}
		if ev != nil && !s.expired(ev) {
			out = append(out, *ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return deref(out[i].EventTime).After(deref(out[j].EventTime)) })
	return out, it.Error()
}
