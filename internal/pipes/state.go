package pipes

import (
	"context"
	"fmt"
	"time"

	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/store"
)

// Pipe states as Pipes reports them. An operation answers with the
// state the change begins in (CREATING, UPDATING, STARTING, STOPPING,
// DELETING); the pipe then settles in RUNNING or STOPPED, or in
// CREATE_FAILED, UPDATE_FAILED or START_FAILED when its source is not
// there.
const (
	stateRunning      = "RUNNING"
	stateStopped      = "STOPPED"
	stateCreating     = "CREATING"
	stateUpdating     = "UPDATING"
	stateDeleting     = "DELETING"
	stateStarting     = "STARTING"
	stateStopping     = "STOPPING"
	stateCreateFailed = "CREATE_FAILED"
	stateUpdateFailed = "UPDATE_FAILED"
	stateStartFailed  = "START_FAILED"
	stateDeleted      = "DELETED"
)

// failedState is the state a change that could not be made ends in.
var failedState = map[string]string{stateCreating: stateCreateFailed, stateUpdating: stateUpdateFailed, stateStarting: stateStartFailed}

// settle moves a pipe from the state a change began in to the one it
// ends in, starting or stopping its reader, and commits the new state.
// Before Run starts, readers are not started (Run starts those of the
// running pipes). The caller holds s.mu.
func (s *Service) settle(e *entry) {
	r := e.rec
	next, reason := r.CurrentState, r.StateReason
	switch r.CurrentState {
	case stateCreating, stateUpdating, stateStarting:
		s.stopReader(e)
		if r.DesiredState != stateRunning {
			next, reason = stateStopped, ""
			break
		}
		if err := s.prepareSource(r); err != nil {
			next, reason = failedState[r.CurrentState], err.Error()
			break
		}
		s.startReader(e)
		next, reason = stateRunning, ""
	case stateStopping:
		s.stopReader(e)
		next, reason = stateStopped, ""
	case stateRunning:
		if !e.reader.Running() {
			s.startReader(e)
		}
	}
	if next == r.CurrentState && reason == r.StateReason {
		return
	}
	updated := *r
	updated.CurrentState, updated.StateReason = next, reason
	if err := s.commit(func(b store.Batch) error { return putPipe(b, s.account, &updated) }); err != nil {
		s.log.Error("pipes: recording a pipe's state", "pipe", r.Name, "err", err)
		return
	}
	e.rec = &updated
}

// prepareSource checks that the pipe's source is there and, for a stream,
// records where its reading starts in each shard it has now (LATEST is
// the end of the shard at this moment). The caller holds s.mu.
func (s *Service) prepareSource(r *pipeRecord) error {
	switch sourceKind(r.Source) {
	case "sqs":
		if s.queues == nil {
			return fmt.Errorf("virga has no SQS to read")
		}
		if _, _, ok := s.queues.QueueInfo(r.Source); !ok {
			return fmt.Errorf("The source queue %s does not exist.", r.Source)
		}
		return nil
	case "dynamodb", "kinesis":
		src := s.streamSource(r.Source)
		if src == nil {
			return fmt.Errorf("virga has no stream to read")
		}
		shards, ok := src.StreamShards(r.Source)
		if !ok {
			return fmt.Errorf("The source stream %s does not exist or is not enabled.", r.Source)
		}
		position, at := startingPosition(r)
		for _, sh := range shards {
			if _, ok, err := loadCheckpoint(s.store, s.account, r.Name, sh.ID); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
			pos, err := src.StreamStart(r.Source, sh.ID, position, at)
			if err != nil {
				return err
			}
			if err := saveCheckpoint(s.store, s.account, r.Name, sh.ID, pos); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("virga cannot read the source %s", r.Source)
}

// startingPosition is a stream pipe's StartingPosition and, for
// AT_TIMESTAMP, its timestamp.
func startingPosition(r *pipeRecord) (string, time.Time) {
	sp := r.SourceParameters
	if sp == nil {
		return "LATEST", time.Time{}
	}
	if p := sp.DynamoDBStreamParameters; p != nil && p.StartingPosition != nil {
		return string(*p.StartingPosition), time.Time{}
	}
	if p := sp.KinesisStreamParameters; p != nil && p.StartingPosition != nil {
		at := time.Time{}
		if p.StartingPositionTimestamp != nil {
			at = *p.StartingPositionTimestamp
		}
		return string(*p.StartingPosition), at
	}
	return "LATEST", time.Time{}
}

func (s *Service) streamSource(arn string) eventsource.StreamSource {
	switch sourceKind(arn) {
	case "dynamodb":
		return s.streams
	case "kinesis":
		return s.kinesis
	}
	return nil
}

// startReader starts the pipe's reader; a reader it replaces finishes
// its batch first, so that a pipe has one reader at a time
// (eventsource.Relay). Before Run starts it does nothing. The caller
// holds s.mu.
func (s *Service) startReader(e *entry) {
	if s.runCtx == nil {
		return
	}
	rec := e.rec // records are replaced, never changed in place
	save := func(shard string, pos uint64) error {
		s.ckMu.Lock()
		defer s.ckMu.Unlock()
		if e.gone {
			return nil
		}
		return saveCheckpoint(s.store, s.account, rec.Name, shard, pos)
	}
	e.reader.Start(s.runCtx, &s.wg, func(ctx context.Context) { s.read(ctx, rec, save) })
}

// stopReader stops the pipe's reader, if it has one; it does not wait.
// The caller holds s.mu.
func (s *Service) stopReader(e *entry) { e.reader.Stop() }
