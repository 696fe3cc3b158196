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
	return s.write(func(b store.Batch) error { return store.SetJSON(b, requestKey(deref(ev.RequestToken)), ev) })
}

// write commits what fill puts in a batch, one write at a time.
func (s *Service) write(fill func(b store.Batch) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	if err := fill(b); err != nil {
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
	all, err := scan[ProgressEvent](s.store, requestPrefix)
	var out []ProgressEvent
	for _, ev := range all {
		if !s.expired(&ev) {
			out = append(out, ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return deref(out[i].EventTime).After(deref(out[j].EventTime)) })
	return out, err
}

// scan reads the JSON records under prefix, in key order.
func scan[T any](st store.Store, prefix []byte) ([]T, error) {
	end := bytes.Clone(prefix)
	end[len(end)-1]++
	it, err := st.NewIter(prefix, end)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []T
	for ok := it.First(); ok; ok = it.Next() {
		v, err := store.GetJSON[T](st, it.Key())
		if err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, *v)
		}
	}
	return out, it.Error()
}

// clientPrefix keys the requests by the ClientToken they were made
// with: "cloudcontrol/c/<client token>".
var clientPrefix = []byte("cloudcontrol/c/")

// clientRequest is the request a ClientToken was used for: its request
// token, and what it asked (operation, type and desired state or
// identifier).
type clientRequest struct {
	Request string `json:"request"`
	Asked   string `json:"asked"`
}

// once runs a request that may name a ClientToken, for idempotency:
// the token's first request runs, and one that repeats it while its
// request is kept answers that request's progress event as it now is
// instead of running again; one that asks anything else with the token
// is refused with ClientTokenConflictException. A request that runs is
// answered IN_PROGRESS, as AWS answers before its handler ends: its
// outcome is GetResourceRequestStatus's.
func (s *Service) once(clientToken *string, asked string, run func() (*ProgressEvent, error)) (*ProgressEvent, error) {
	var key []byte
	if clientToken != nil {
		key = append(bytes.Clone(clientPrefix), *clientToken...)
		prev, err := store.GetJSON[clientRequest](s.store, key)
		if err != nil {
			return nil, err
		}
		if prev != nil {
			ev, err := s.request(prev.Request)
			switch {
			case err != nil:
				return nil, err
			case ev != nil && prev.Asked != asked:
				return nil, ErrClientTokenConflict.Withf("The client token %s has already been used in another resource request.", *clientToken)
			case ev != nil:
				return ev, nil
			}
		}
	}
	ev, err := run()
	if err != nil {
		return nil, err
	}
	if key != nil {
		r := clientRequest{Request: deref(ev.RequestToken), Asked: asked}
		if err := s.write(func(b store.Batch) error { return store.SetJSON(b, key, r) }); err != nil {
			return nil, err
		}
	}
	started := *ev
	started.OperationStatus = ptr(OperationStatus("IN_PROGRESS"))
	started.ResourceModel, started.ErrorCode, started.StatusMessage = nil, nil, nil
	return &started, nil
}
