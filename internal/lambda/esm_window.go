package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/store"
)

// Tumbling windows of stream mappings (TumblingWindowInSeconds > 0).
//
// Lambda places every record in the window its insertion time falls in
// ("Lambda determines tumbling window boundaries based on the time when
// records were inserted into the stream"); windows are
// TumblingWindowInSeconds long and start at multiples of that length
// since the Unix epoch, as AWS's examples show (a 300-second window from
// 17:00:00 to 17:05:00, a 120-second one from 07:04:00 to 07:06:00).
// A batch never spans two windows. Each invocation carries, beside the
// records, the window's bounds, the state the function returned from
// the window's previous invocation ({} at first), the shard and the
// stream; the function answers {"state": {...}, "batchItemFailures":
// [...]}, and an answer without a state is a failed invocation.
//
// When the window is over (a record of a later window was read, or the
// clock passed the window's end with the stream read to its end) Lambda
// invokes the function once more with no records, the final state and
// isFinalInvokeForWindow, and drops the state; it retries that
// invocation until it succeeds, holding the stream back meanwhile. A
// state larger than 1 MB ends the window early: an invocation with no
// records, that state and isWindowTerminatedEarly, after which the same
// window goes on from {}.
//
// The open window (bounds, shard, state) is stored beside its shard's
// checkpoint and written in the same batch, so a restart neither loses
// nor double-counts what the state holds.

// maxWindowState is the tumbling window state's limit: "Your state can
// be a maximum of 1 MB per shard. If it exceeds that size, Lambda
// terminates the window early."
const maxWindowState = 1 << 20

// streamWindow is an open tumbling window of a stream mapping.
type streamWindow struct {
	Start int64           `json:"start"` // Unix seconds, inclusive
	End   int64           `json:"end"`   // Unix seconds, exclusive
	Shard string          `json:"shard"`
	State json.RawMessage `json:"state"`
}

var emptyState = json.RawMessage("{}")

func windowKey(uuid, shard string) []byte { return lambdaKey("esm-window", uuid, shard) }
func legacyWindowKey(uuid string) []byte  { return lambdaKey("esm-window", uuid) }

// windowOf is the window of length secs that a record inserted at
// created (Unix seconds) belongs to.
func windowOf(created, secs int64) (start, end int64) {
	start = created - created%secs
	if created < 0 && created%secs != 0 {
		start -= secs
	}
	return start, start + secs
}

// loadWindow reads the open window of a mapping's shard; nil when none
// is open.
func (s *Service) loadWindow(uuid, shard string) (*streamWindow, error) {
	v, err := s.store.Get(windowKey(uuid, shard))
	if errors.Is(err, store.ErrNotFound) {
		if _, cerr := s.store.Get(checkpointKey(uuid, shard)); cerr == nil {
			return nil, nil // the shard's own checkpoint says none is open
		}
		v, err = s.store.Get(legacyWindowKey(uuid))
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var w streamWindow
	if err := json.Unmarshal(v, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// windowEvent is the event of an invocation in a tumbling window,
// members in the order AWS writes them.
type windowEvent struct {
	Records                 []json.RawMessage `json:"Records"`
	Window                  windowBounds      `json:"window"`
	State                   json.RawMessage   `json:"state"`
	ShardID                 string            `json:"shardId"`
	EventSourceARN          string            `json:"eventSourceARN"`
	IsFinalInvokeForWindow  bool              `json:"isFinalInvokeForWindow"`
	IsWindowTerminatedEarly bool              `json:"isWindowTerminatedEarly"`
}

type windowBounds struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// event renders the window's invocation event with batch.
func (w *streamWindow) event(arn string, batch []eventsource.StreamRecord, final, early bool) []byte {
	ev := windowEvent{
		Records: make([]json.RawMessage, 0, len(batch)),
		Window: windowBounds{
			Start: time.Unix(w.Start, 0).UTC().Format(time.RFC3339),
			End:   time.Unix(w.End, 0).UTC().Format(time.RFC3339),
		},
		State: w.State, ShardID: w.Shard, EventSourceARN: arn,
		IsFinalInvokeForWindow: final, IsWindowTerminatedEarly: early,
	}
	for _, r := range batch {
		ev.Records = append(ev.Records, r.JSON)
	}
	b, _ := json.Marshal(ev)
	return b
}

// windowState is the state a function answered in a tumbling window,
// compacted; ok is false when the answer has none, which Lambda counts
// as a failed invocation.
func windowState(payload []byte) (json.RawMessage, bool) {
	var resp struct {
		State json.RawMessage `json:"state"`
	}
	if json.Unmarshal(payload, &resp) != nil || len(resp.State) == 0 || string(resp.State) == "null" {
		return nil, false
	}
	var b bytes.Buffer
	if json.Compact(&b, resp.State) != nil {
		return nil, false
	}
	return b.Bytes(), true
}

// endWindow makes a window's closing invocation: the final one, or with
// early the one that terminates it early. It retries until the function
// succeeds, as Lambda holds the shard until then, and reports false
// only when ctx ended first.
func (s *Service) endWindow(ctx context.Context, m *mapping, cfg EventSourceMappingConfiguration, w *streamWindow, early bool) bool {
	payload := w.event(*cfg.EventSourceArn, nil, !early, early)
	for ctx.Err() == nil {
		res, _ := s.invokeStream(ctx, cfg, payload)
		if ctx.Err() != nil {
			return false
		}
		if res != nil {
			if _, ok := windowState(res.Payload); ok {
				s.setResult(m, "OK")
				return true
			}
		}
		eventsource.Pause(ctx, streamRetryPause)
	}
	return false
}
