package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/store/keys"
)

// Event source mappings: Lambda reads batches of records from an SQS
// queue, a DynamoDB stream or a Kinesis stream and invokes a function with each batch, as
// AWS's pollers do. A mapping is stored as its
// EventSourceMappingConfiguration; while it is enabled and virga runs,
// pollers work for it in the background (see esm_sqs.go and
// esm_stream.go).

// Mapping states as Lambda reports them.
const (
	stateCreating  = "Creating"
	stateEnabled   = "Enabled"
	stateDisabled  = "Disabled"
	stateUpdating  = "Updating"
	stateDeleting  = "Deleting"
	stateEnabling  = "Enabling"
	stateDisabling = "Disabling"
)

// SQS batching limits.
const (
	sqsDefaultBatch     = 10
	sqsMaxBatch         = 10000
	sqsMaxBatchNoWindow = 10
	sqsDefaultPollers   = 5
	noRecordsProcessed  = "No records processed"
)

// StateTransitionReason of a mapping a user created or changed: Lambda
// words it one way for queues and another for streams.
const (
	userInitiated    = "USER_INITIATED"
	userActionStream = "User action"
)

func mappingKey(uuid string) []byte { return lambdaKey("esm", uuid) }

// mappings are the event source mappings and their running pollers.
type mappings struct {
	mu     sync.Mutex
	byUUID map[string]*mapping
	// runCtx is Run's context once it started: pollers live in it.
	runCtx context.Context
	log    *slog.Logger
	wg     sync.WaitGroup
	// ckMu orders pollers' checkpoint writes with
	// DeleteEventSourceMapping: a poller writes a checkpoint only while
	// its mapping is not gone, and the delete marks it gone and deletes
	// the checkpoints under ckMu, so a batch finished afterwards leaves
	// nothing behind. Lock order: mu, then ckMu.
	ckMu sync.Mutex
}

// mapping is one event source mapping.
type mapping struct {
	cfg EventSourceMappingConfiguration
	// pollers runs its pollers, one set at a time.
	pollers eventsource.Relay
	// gone is set, under mappings.ckMu, when the mapping is deleted.
	gone bool
	// result is LastProcessingResult, kept in memory.
	result string
}

func (s *Service) loadMappings() error {
	s.esm.byUUID = map[string]*mapping{}
	p := lambdaKey("esm")
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		var c EventSourceMappingConfiguration
		if err := json.Unmarshal(it.Value(), &c); err != nil {
			return fmt.Errorf("lambda: event source mapping: %w", err)
		}
		s.esm.byUUID[*c.UUID] = &mapping{cfg: c, result: noRecordsProcessed}
	}
	return it.Error()
}

// runMappings starts the pollers of enabled mappings and keeps ctx for
// those enabled later; it returns when ctx is done and they stopped.
func (s *Service) runMappings(ctx context.Context, log *slog.Logger) {
	s.esm.mu.Lock()
	s.esm.runCtx, s.esm.log = ctx, log
	for _, m := range s.esm.byUUID {
		s.startPollers(m)
	}
	s.esm.mu.Unlock()
	<-ctx.Done()
	s.esm.wg.Wait()
}

// startPollers starts a mapping's pollers if it is enabled and Run runs;
// the caller holds s.esm.mu. Pollers it replaces (stopped by a disable
// and enable, or an update) finish their batch first, so that a mapping
// has one set of pollers at a time: each set waits for the one before
// it, even when it is stopped before it runs, and two pollers never
// read the same shard or deliver the same batch together.
func (s *Service) startPollers(m *mapping) {
	if m.pollers.Running() || s.esm.runCtx == nil || deref(m.cfg.State) != stateEnabled {
		return
	}
	cfg := m.cfg
	var polls []func(ctx context.Context)
	if k := sourceKind(*cfg.EventSourceArn); k == "dynamodb" || k == "kinesis" {
		polls = append(polls, func(ctx context.Context) { s.pollStream(ctx, m, cfg) })
	} else {
		n := sqsDefaultPollers
		if cfg.ScalingConfig != nil && cfg.ScalingConfig.MaximumConcurrency != nil {
			n = min(n, int(*cfg.ScalingConfig.MaximumConcurrency))
		}
		for range n {
			polls = append(polls, func(ctx context.Context) { s.pollQueue(ctx, m, cfg) })
		}
	}
	m.pollers.Start(s.esm.runCtx, &s.esm.wg, polls...)
}

// stopPollers stops a mapping's pollers; the caller holds s.esm.mu.
func (m *mapping) stopPollers() { m.pollers.Stop() }

func (s *Service) setResult(m *mapping, result string) {
	s.esm.mu.Lock()
	m.result = result
	s.esm.mu.Unlock()
}

// report is a mapping's configuration as the API returns it: Lambda
// always lists FunctionResponseTypes, empty when none is set, gives
// LastProcessingResult for streams only, and words a user's change to a
// stream mapping "User action". A queue mapping shows
// LastProcessingResult when a poll failed (PROBLEM: ...), so that the
// failure can be seen.
func (s *Service) report(m *mapping, state string) *EventSourceMappingConfiguration {
	c := m.cfg
	if state != "" {
		c.State = ptr(state)
	}
	if c.FunctionResponseTypes == nil {
		c.FunctionResponseTypes = []FunctionResponseType{}
	}
	queue := sourceKind(*c.EventSourceArn) == "sqs"
	if !queue || strings.HasPrefix(m.result, "PROBLEM") {
		c.LastProcessingResult = ptr(m.result)
	}
	if !queue && deref(c.StateTransitionReason) == userInitiated {
		c.StateTransitionReason = ptr(userActionStream)
	}
	return &c
}

// sourceKind tells the event sources apart by ARN.
func sourceKind(arn string) string {
	switch {
	case strings.HasPrefix(arn, "arn:aws:sqs:"):
		return "sqs"
	case strings.HasPrefix(arn, "arn:aws:dynamodb:") && strings.Contains(arn, "/stream/"):
		return "dynamodb"
	case strings.HasPrefix(arn, "arn:aws:kinesis:"):
		return "kinesis"
	}
	return ""
}

// checkQueueMapping applies Lambda's rules for an SQS mapping of fn.
func (s *Service) checkQueueMapping(c *EventSourceMappingConfiguration, fn *function) error {
	if s.queues == nil {
		return invalidParameter("Unrecognized event source, must be kinesis, dynamodb stream or sqs.")
	}
	visibility, fifo, ok := s.queues.QueueInfo(*c.EventSourceArn)
	if !ok {
		return invalidParameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.")
	}
	// The stream-only settings are refused by their wire names.
	for _, p := range []struct {
		name string
		set  bool
	}{
		{"parallelizationFactor", c.ParallelizationFactor != nil},
		{"maximumRetryAttempts", c.MaximumRetryAttempts != nil},
		{"maximumRecordAgeInSeconds", c.MaximumRecordAgeInSeconds != nil},
		{"bisectBatchOnFunctionError", c.BisectBatchOnFunctionError != nil},
		{"tumblingWindowInSeconds", c.TumblingWindowInSeconds != nil},
		{"destinationConfig", c.DestinationConfig != nil},
		{"startingPositionTimestamp", c.StartingPositionTimestamp != nil},
	} {
		if p.set {
			return invalidParameter("Unsupported '%s' parameter for given event source mapping type.", p.name)
		}
	}
	batch, window := *c.BatchSize, *c.MaximumBatchingWindowInSeconds
	if fifo && batch > sqsMaxBatchNoWindow {
		return invalidParameter("Batch size must be between 1 and 10 for FIFO queues.")
	}
	if fifo && window > 0 {
		return invalidParameter("Batching window is not supported for FIFO queues")
	}
	if batch > sqsMaxBatchNoWindow && window == 0 {
		return invalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	if c.StartingPosition != nil {
		return invalidParameter("Unsupported starting position for the event source.")
	}
	timeout := time.Duration(deref(fn.Latest.Config.Timeout)) * time.Second
	if visibility < timeout {
		return invalidParameter("Queue visibility timeout: %d seconds is less than Function timeout: %d seconds",
			int(visibility.Seconds()), int(timeout.Seconds()))
	}
	return nil
}

func (s *Service) createEventSourceMapping(ctx context.Context, in *CreateEventSourceMappingRequest) (*EventSourceMappingConfiguration, error) {
	if in.EventSourceArn == nil {
		return nil, invalidParameter("Unrecognized event source.")
	}
	t, err := s.parseTarget(*in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, functionNotFound(s.arn(t))
	}
	if t.Qualifier != "" {
		if _, err := s.resolveInvocation(fn, t); err != nil {
			return nil, err
		}
	}
	now := s.clock.Now()
	c := EventSourceMappingConfiguration{
		UUID: ptr(s.ids.UUID()), EventSourceArn: in.EventSourceArn, FunctionArn: ptr(s.arn(t)),
		BatchSize: in.BatchSize, MaximumBatchingWindowInSeconds: in.MaximumBatchingWindowInSeconds,
		FilterCriteria: in.FilterCriteria, FunctionResponseTypes: in.FunctionResponseTypes,
		ScalingConfig: in.ScalingConfig, MetricsConfig: in.MetricsConfig, ProvisionedPollerConfig: in.ProvisionedPollerConfig,
		StartingPosition:          in.StartingPosition,
		StartingPositionTimestamp: in.StartingPositionTimestamp,
		MaximumRetryAttempts:      in.MaximumRetryAttempts, MaximumRecordAgeInSeconds: in.MaximumRecordAgeInSeconds,
		BisectBatchOnFunctionError: in.BisectBatchOnFunctionError, DestinationConfig: in.DestinationConfig,
		ParallelizationFactor: in.ParallelizationFactor, TumblingWindowInSeconds: in.TumblingWindowInSeconds,
		LastModified: &now, StateTransitionReason: ptr(userInitiated),
	}
	c.EventSourceMappingArn = ptr("arn:aws:lambda:" + s.region + ":" + s.account + ":event-source-mapping:" + *c.UUID)
	kind := sourceKind(*in.EventSourceArn)
	if c.BatchSize == nil {
		c.BatchSize = ptr(int32(sqsDefaultBatch))
		if kind == "dynamodb" || kind == "kinesis" {
			c.BatchSize = ptr(int32(streamDefaultBatch))
		}
	}
	if c.MaximumBatchingWindowInSeconds == nil {
		c.MaximumBatchingWindowInSeconds = ptr(int32(0))
	}
	if err := s.checkFilters(c.FilterCriteria); err != nil {
		return nil, err
	}
	var start map[string]uint64
	switch kind {
	case "sqs":
		if err := s.checkQueueMapping(&c, fn); err != nil {
			return nil, err
		}
	case "dynamodb", "kinesis":
		if start, err = s.checkStreamMapping(&c, true); err != nil {
			return nil, err
		}
	default:
		return nil, invalidParameter("Unrecognized event source, must be kinesis, dynamodb stream or sqs.")
	}
	role, name := s.executionRole(*c.FunctionArn, nil)
	if err := s.checkSourceRole(ctx, role, name, kind, *c.EventSourceArn); err != nil {
		return nil, err
	}
	if c.DestinationConfig != nil && c.DestinationConfig.OnFailure != nil {
		if err := s.checkDestinationRole(ctx, role, name, c.DestinationConfig.OnFailure.Destination); err != nil {
			return nil, err
		}
	}
	state := stateEnabled
	if in.Enabled != nil && !*in.Enabled {
		state = stateDisabled
	}
	c.State = &state

	s.esm.mu.Lock()
	defer s.esm.mu.Unlock()
	for _, m := range s.esm.byUUID {
		if *m.cfg.EventSourceArn == *c.EventSourceArn && *m.cfg.FunctionArn == *c.FunctionArn {
			if kind == "dynamodb" || kind == "kinesis" {
				return nil, ErrResourceConflict.Withf("The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. Please update or delete the existing mapping with UUID %s",
					*c.EventSourceArn, t.Name, *m.cfg.UUID)
			}
			return nil, ErrResourceConflict.Withf("An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s",
				*c.EventSourceArn, t.Name, *m.cfg.UUID)
		}
	}
	if err := s.saveMapping(&c); err != nil {
		return nil, err
	}
	for shard, pos := range start {
		if err := s.saveCheckpoint(*c.UUID, shard, pos, nil); err != nil {
			return nil, err
		}
	}
	m := &mapping{cfg: c, result: noRecordsProcessed}
	s.esm.byUUID[*c.UUID] = m
	s.startPollers(m)
	return s.report(m, stateCreating), nil
}

func (s *Service) saveMapping(c *EventSourceMappingConfiguration) error {
	w := s.newWrites()
	w.put(mappingKey(*c.UUID), c)
	return w.commit()
}

func (s *Service) getEventSourceMapping(ctx context.Context, in *GetEventSourceMappingRequest) (*EventSourceMappingConfiguration, error) {
	s.esm.mu.Lock()
	defer s.esm.mu.Unlock()
	m := s.esm.byUUID[*in.UUID]
	if m == nil {
		return nil, ErrResourceNotFound
	}
	return s.report(m, ""), nil
}

func (s *Service) listEventSourceMappings(ctx context.Context, in *ListEventSourceMappingsRequest) (*ListEventSourceMappingsResponse, error) {
	var fnARN string
	if in.FunctionName != nil {
		t, err := s.parseTarget(*in.FunctionName, nil)
		if err != nil {
			return nil, err
		}
		fnARN = s.arn(t)
	}
	s.esm.mu.Lock()
	defer s.esm.mu.Unlock()
	var ms []*mapping
	for _, m := range s.esm.byUUID {
		if in.EventSourceArn != nil && *m.cfg.EventSourceArn != *in.EventSourceArn {
			continue
		}
		if fnARN != "" && *m.cfg.FunctionArn != fnARN {
			continue
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return *ms[i].cfg.UUID < *ms[j].cfg.UUID })
	page, next, err := paginate(ms, func(m *mapping) string { return *m.cfg.UUID }, in.Marker, in.MaxItems, 100)
	if err != nil {
		return nil, err
	}
	out := &ListEventSourceMappingsResponse{EventSourceMappings: []EventSourceMappingConfiguration{}, NextMarker: next}
	for _, m := range page {
		out.EventSourceMappings = append(out.EventSourceMappings, *s.report(m, ""))
	}
	return out, nil
}

func (s *Service) updateEventSourceMapping(ctx context.Context, in *UpdateEventSourceMappingRequest) (*EventSourceMappingConfiguration, error) {
	s.esm.mu.Lock()
	m := s.esm.byUUID[*in.UUID]
	if m == nil {
		s.esm.mu.Unlock()
		return nil, ErrResourceNotFound
	}
	c := m.cfg
	s.esm.mu.Unlock()

	fnName := *c.FunctionArn
	if in.FunctionName != nil {
		fnName = *in.FunctionName
	}
	t, err := s.parseTarget(fnName, nil)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, functionNotFound(s.arn(t))
	}
	c.FunctionArn = ptr(s.arn(t))
	if in.BatchSize != nil {
		c.BatchSize = in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		c.MaximumBatchingWindowInSeconds = in.MaximumBatchingWindowInSeconds
	}
	if in.FilterCriteria != nil {
		c.FilterCriteria = in.FilterCriteria
		if len(in.FilterCriteria.Filters) == 0 {
			c.FilterCriteria = nil
		}
	}
	if in.FunctionResponseTypes != nil {
		c.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.ScalingConfig != nil {
		c.ScalingConfig = in.ScalingConfig
	}
	if in.MetricsConfig != nil {
		c.MetricsConfig = in.MetricsConfig
	}
	if in.ProvisionedPollerConfig != nil {
		c.ProvisionedPollerConfig = in.ProvisionedPollerConfig
	}
	if in.MaximumRetryAttempts != nil {
		c.MaximumRetryAttempts = in.MaximumRetryAttempts
	}
	if in.MaximumRecordAgeInSeconds != nil {
		c.MaximumRecordAgeInSeconds = in.MaximumRecordAgeInSeconds
	}
	if in.BisectBatchOnFunctionError != nil {
		c.BisectBatchOnFunctionError = in.BisectBatchOnFunctionError
	}
	if in.DestinationConfig != nil {
		c.DestinationConfig = in.DestinationConfig
	}
	if in.ParallelizationFactor != nil {
		c.ParallelizationFactor = in.ParallelizationFactor
	}
	if in.TumblingWindowInSeconds != nil {
		c.TumblingWindowInSeconds = in.TumblingWindowInSeconds
	}
	if err := s.checkFilters(c.FilterCriteria); err != nil {
		return nil, err
	}
	switch sourceKind(*c.EventSourceArn) {
	case "sqs":
		if err := s.checkQueueMapping(&c, fn); err != nil {
			return nil, err
		}
	case "dynamodb", "kinesis":
		if _, err := s.checkStreamMapping(&c, false); err != nil {
			return nil, err
		}
	}
	reported := stateUpdating
	if in.Enabled != nil {
		wasEnabled := deref(c.State) == stateEnabled
		switch {
		case *in.Enabled && !wasEnabled:
			c.State, reported = ptr(stateEnabled), stateEnabling
		case !*in.Enabled && wasEnabled:
			c.State, reported = ptr(stateDisabled), stateDisabling
		}
	}
	now := s.clock.Now()
	c.LastModified = &now

	s.esm.mu.Lock()
	defer s.esm.mu.Unlock()
	if s.esm.byUUID[*in.UUID] != m {
		return nil, ErrResourceNotFound
	}
	if err := s.saveMapping(&c); err != nil {
		return nil, err
	}
	m.stopPollers()
	m.cfg = c
	s.startPollers(m)
	return s.report(m, reported), nil
}

func (s *Service) deleteEventSourceMapping(ctx context.Context, in *DeleteEventSourceMappingRequest) (*EventSourceMappingConfiguration, error) {
	s.esm.mu.Lock()
	defer s.esm.mu.Unlock()
	m := s.esm.byUUID[*in.UUID]
	if m == nil {
		return nil, ErrResourceNotFound
	}
	// The mapping is marked gone before its checkpoints go, so that a
	// batch its pollers are finishing writes none.
	s.esm.ckMu.Lock()
	defer s.esm.ckMu.Unlock()
	w := s.newWrites()
	w.del(mappingKey(*in.UUID))
	w.delPrefix(legacyCheckpointKey(*in.UUID))
	w.delPrefix(legacyWindowKey(*in.UUID))
	if err := w.commit(); err != nil {
		return nil, err
	}
	m.stopPollers()
	m.gone = true
	delete(s.esm.byUUID, *in.UUID)
	return s.report(m, stateDeleting), nil
}

// checkFilters checks a mapping's filter patterns.
func (s *Service) checkFilters(fc *FilterCriteria) error {
	if fc == nil {
		return nil
	}
	if len(fc.Filters) > 5 {
		return invalidParameter("Number of filters in the filter criteria exceeds the limit of 5.")
	}
	for _, f := range fc.Filters {
		if f.Pattern == nil {
			continue
		}
		if _, err := eventsource.CompileFilter(*f.Pattern); err != nil {
			return invalidParameter("Invalid filter pattern definition.")
		}
	}
	return nil
}
