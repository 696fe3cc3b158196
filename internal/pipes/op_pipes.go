package pipes

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/virga/virga/internal/store"
)

// createPipe creates a pipe: it answers CREATING, then the pipe runs (or
// stays stopped when DesiredState is STOPPED).
func (s *Service) createPipe(ctx context.Context, in *CreatePipeRequest) (*CreatePipeResponse, error) {
	now := s.clock.Now().UTC()
	r := &pipeRecord{Name: *in.Name, Description: in.Description, DesiredState: stateRunning, CurrentState: stateCreating,
		Source: *in.Source, SourceParameters: in.SourceParameters, Enrichment: deref(in.Enrichment),
		EnrichmentParameters: in.EnrichmentParameters, Target: *in.Target, TargetParameters: in.TargetParameters,
		RoleArn: *in.RoleArn, Tags: in.Tags, Created: now, Modified: now}
	if in.DesiredState != nil {
		r.DesiredState = string(*in.DesiredState)
	}
	if err := checkPipe(r); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pipes[r.Name] != nil {
		return nil, ErrConflict.Withf("Pipe %s already exists.", r.Name)
	}
	if err := s.commit(func(b store.Batch) error { return putPipe(b, s.account, r) }); err != nil {
		return nil, err
	}
	e := &entry{rec: r}
	s.pipes[r.Name] = e
	out := &CreatePipeResponse{Arn: ptr(s.pipeARN(r.Name)), Name: ptr(r.Name), CreationTime: ptr(r.Created),
		LastModifiedTime: ptr(r.Modified), CurrentState: ptr(PipeState(r.CurrentState)), DesiredState: ptr(RequestedPipeState(r.DesiredState))}
	s.settle(e)
	return out, nil
}

// describePipe describes a pipe.
func (s *Service) describePipe(ctx context.Context, in *DescribePipeRequest) (*DescribePipeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.pipes[*in.Name]
	if e == nil {
		return nil, pipeNotFound(*in.Name)
	}
	r := e.rec
	out := &DescribePipeResponse{Arn: ptr(s.pipeARN(r.Name)), Name: ptr(r.Name), Description: r.Description,
		CreationTime: ptr(r.Created), LastModifiedTime: ptr(r.Modified),
		CurrentState: ptr(PipeState(r.CurrentState)), DesiredState: ptr(RequestedPipeStateDescribeResponse(r.DesiredState)),
		Source: ptr(r.Source), SourceParameters: r.SourceParameters, Target: ptr(r.Target), TargetParameters: r.TargetParameters,
		EnrichmentParameters: r.EnrichmentParameters, RoleArn: ptr(r.RoleArn), Tags: r.Tags}
	if r.Enrichment != "" {
		out.Enrichment = ptr(r.Enrichment)
	}
	if r.StateReason != "" {
		out.StateReason = ptr(r.StateReason)
	}
	return out, nil
}

// updatePipe changes a pipe. Fields left out keep their values, except
// that each service's parameters object (SqsQueueParameters,
// EventBridgeEventBusParameters, ...) is replaced whole, as Pipes does;
// an empty Enrichment removes the enrichment. The source cannot change.
func (s *Service) updatePipe(ctx context.Context, in *UpdatePipeRequest) (*UpdatePipeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.pipes[*in.Name]
	if e == nil {
		return nil, pipeNotFound(*in.Name)
	}
	r := *e.rec
	r.RoleArn = *in.RoleArn
	if in.Description != nil {
		r.Description = in.Description
	}
	if in.DesiredState != nil {
		r.DesiredState = string(*in.DesiredState)
	}
	if in.Enrichment != nil {
		r.Enrichment = *in.Enrichment
	}
	if in.EnrichmentParameters != nil {
		r.EnrichmentParameters = mergeEnrichment(r.EnrichmentParameters, in.EnrichmentParameters)
	}
	if in.Target != nil {
		r.Target = *in.Target
	}
	if in.TargetParameters != nil {
		r.TargetParameters = mergeTarget(r.TargetParameters, in.TargetParameters)
	}
	if in.SourceParameters != nil {
		r.SourceParameters = mergeSource(r.SourceParameters, in.SourceParameters)
	}
	if err := checkPipe(&r); err != nil {
		return nil, err
	}
	r.CurrentState, r.StateReason = stateUpdating, ""
	r.Modified = s.clock.Now().UTC()
	if err := s.commit(func(b store.Batch) error { return putPipe(b, s.account, &r) }); err != nil {
		return nil, err
	}
	e.rec = &r
	out := &UpdatePipeResponse{Arn: ptr(s.pipeARN(r.Name)), Name: ptr(r.Name), CreationTime: ptr(r.Created),
		LastModifiedTime: ptr(r.Modified), CurrentState: ptr(PipeState(r.CurrentState)), DesiredState: ptr(RequestedPipeState(r.DesiredState))}
	s.settle(e)
	return out, nil
}

// mergeSource applies UpdatePipe's source parameters: each object given
// replaces the one the pipe had, keeping what cannot change (a stream's
// StartingPosition).
func mergeSource(old *PipeSourceParameters, in *UpdatePipeSourceParameters) *PipeSourceParameters {
	var p PipeSourceParameters
	if old != nil {
		p = *old
	}
	if in.FilterCriteria != nil {
		p.FilterCriteria = in.FilterCriteria
	}
	if u := in.SqsQueueParameters; u != nil {
		p.SqsQueueParameters = &PipeSourceSqsQueueParameters{BatchSize: u.BatchSize, MaximumBatchingWindowInSeconds: u.MaximumBatchingWindowInSeconds}
	}
	if u := in.DynamoDBStreamParameters; u != nil {
		n := &PipeSourceDynamoDBStreamParameters{BatchSize: u.BatchSize, DeadLetterConfig: u.DeadLetterConfig,
			MaximumBatchingWindowInSeconds: u.MaximumBatchingWindowInSeconds, MaximumRecordAgeInSeconds: u.MaximumRecordAgeInSeconds,
			MaximumRetryAttempts: u.MaximumRetryAttempts, OnPartialBatchItemFailure: u.OnPartialBatchItemFailure,
			ParallelizationFactor: u.ParallelizationFactor}
		if p.DynamoDBStreamParameters != nil {
			n.StartingPosition = p.DynamoDBStreamParameters.StartingPosition
		}
		p.DynamoDBStreamParameters = n
	}
	if u := in.KinesisStreamParameters; u != nil {
		n := &PipeSourceKinesisStreamParameters{BatchSize: u.BatchSize, DeadLetterConfig: u.DeadLetterConfig,
			MaximumBatchingWindowInSeconds: u.MaximumBatchingWindowInSeconds, MaximumRecordAgeInSeconds: u.MaximumRecordAgeInSeconds,
			MaximumRetryAttempts: u.MaximumRetryAttempts, OnPartialBatchItemFailure: u.OnPartialBatchItemFailure,
			ParallelizationFactor: u.ParallelizationFactor}
		if k := p.KinesisStreamParameters; k != nil {
			n.StartingPosition, n.StartingPositionTimestamp = k.StartingPosition, k.StartingPositionTimestamp
		}
		p.KinesisStreamParameters = n
	}
	return &p
}

// mergeEnrichment applies UpdatePipe's enrichment parameters.
func mergeEnrichment(old, in *PipeEnrichmentParameters) *PipeEnrichmentParameters {
	var p PipeEnrichmentParameters
	if old != nil {
		p = *old
	}
	if in.InputTemplate != nil {
		p.InputTemplate = in.InputTemplate
	}
	if in.HttpParameters != nil {
		p.HttpParameters = in.HttpParameters
	}
	return &p
}

// mergeTarget applies UpdatePipe's target parameters: each object given
// replaces the pipe's.
func mergeTarget(old, in *PipeTargetParameters) *PipeTargetParameters {
	var p PipeTargetParameters
	if old != nil {
		p = *old
	}
	if in.InputTemplate != nil {
		p.InputTemplate = in.InputTemplate
	}
	if in.LambdaFunctionParameters != nil {
		p.LambdaFunctionParameters = in.LambdaFunctionParameters
	}
	if in.StepFunctionStateMachineParameters != nil {
		p.StepFunctionStateMachineParameters = in.StepFunctionStateMachineParameters
	}
	if in.SqsQueueParameters != nil {
		p.SqsQueueParameters = in.SqsQueueParameters
	}
	if in.EventBridgeEventBusParameters != nil {
		p.EventBridgeEventBusParameters = in.EventBridgeEventBusParameters
	}
	if in.KinesisStreamParameters != nil {
		p.KinesisStreamParameters = in.KinesisStreamParameters
	}
	if in.CloudWatchLogsParameters != nil {
		p.CloudWatchLogsParameters = in.CloudWatchLogsParameters
	}
	p.BatchJobParameters, p.EcsTaskParameters, p.HttpParameters = in.BatchJobParameters, in.EcsTaskParameters, in.HttpParameters
	p.RedshiftDataParameters, p.SageMakerPipelineParameters = in.RedshiftDataParameters, in.SageMakerPipelineParameters
	return &p
}

// deletePipe deletes a pipe: it answers DELETING, and the pipe, its
// reader and its checkpoints are gone.
func (s *Service) deletePipe(ctx context.Context, in *DeletePipeRequest) (*DeletePipeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.pipes[*in.Name]
	if e == nil {
		return nil, pipeNotFound(*in.Name)
	}
	// The reader is stopped and its entry marked gone before the
	// checkpoints go, so that a batch it is finishing writes none.
	s.ckMu.Lock()
	defer s.ckMu.Unlock()
	if err := s.commit(func(b store.Batch) error { deletePipe(b, s.account, *in.Name); return nil }); err != nil {
		return nil, err
	}
	s.stopReader(e)
	e.gone = true
	delete(s.pipes, *in.Name)
	r := e.rec
	return &DeletePipeResponse{Arn: ptr(s.pipeARN(r.Name)), Name: ptr(r.Name), CreationTime: ptr(r.Created),
		LastModifiedTime: ptr(s.clock.Now().UTC()), CurrentState: ptr(PipeState(stateDeleting)),
		DesiredState: ptr(RequestedPipeStateDescribeResponse(stateDeleted))}, nil
}

// startPipe asks a pipe to run.
func (s *Service) startPipe(ctx context.Context, in *StartPipeRequest) (*StartPipeResponse, error) {
	out, err := s.changeState(*in.Name, stateRunning, stateStarting)
	if err != nil {
		return nil, err
	}
	return (*StartPipeResponse)(out), nil
}

// stopPipe asks a pipe to stop.
func (s *Service) stopPipe(ctx context.Context, in *StopPipeRequest) (*StopPipeResponse, error) {
	out, err := s.changeState(*in.Name, stateStopped, stateStopping)
	if err != nil {
		return nil, err
	}
	return (*StopPipeResponse)(out), nil
}

// changeState sets a pipe's desired state and the state the change
// begins in, and settles it.
func (s *Service) changeState(name, desired, begin string) (*UpdatePipeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.pipes[name]
	if e == nil {
		return nil, pipeNotFound(name)
	}
	r := *e.rec
	r.DesiredState, r.CurrentState, r.StateReason = desired, begin, ""
	r.Modified = s.clock.Now().UTC()
	if err := s.commit(func(b store.Batch) error { return putPipe(b, s.account, &r) }); err != nil {
		return nil, err
	}
	e.rec = &r
	out := &UpdatePipeResponse{Arn: ptr(s.pipeARN(r.Name)), Name: ptr(r.Name), CreationTime: ptr(r.Created),
		LastModifiedTime: ptr(r.Modified), CurrentState: ptr(PipeState(r.CurrentState)), DesiredState: ptr(RequestedPipeState(r.DesiredState))}
	s.settle(e)
	return out, nil
}

// defaultListLimit is how many pipes a ListPipes page holds when Limit
// is not given (Limit's maximum).
const defaultListLimit = 100

// listPipes lists pipes by name, filtered by prefixes and states, a page
// at a time.
func (s *Service) listPipes(ctx context.Context, in *ListPipesRequest) (*ListPipesResponse, error) {
	after := ""
	if in.NextToken != nil {
		names, err := decodeToken(*in.NextToken, 1)
		if err != nil {
			return nil, invalid("The NextToken provided is invalid.")
		}
		after = names[0]
	}
	limit := defaultListLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := slices.Sorted(maps.Keys(s.pipes))
	out := &ListPipesResponse{Pipes: []Pipe{}}
	for _, name := range names {
		if name <= after && after != "" {
			continue
		}
		r := s.pipes[name].rec
		if in.NamePrefix != nil && !strings.HasPrefix(r.Name, *in.NamePrefix) ||
			in.SourcePrefix != nil && !strings.HasPrefix(r.Source, *in.SourcePrefix) ||
			in.TargetPrefix != nil && !strings.HasPrefix(r.Target, *in.TargetPrefix) ||
			in.DesiredState != nil && string(*in.DesiredState) != r.DesiredState ||
			in.CurrentState != nil && string(*in.CurrentState) != r.CurrentState {
			continue
		}
		if len(out.Pipes) == limit {
			out.NextToken = ptr(encodeToken(out.Pipes[len(out.Pipes)-1].Name))
			break
		}
		p := Pipe{Arn: ptr(s.pipeARN(r.Name)), Name: ptr(r.Name), CreationTime: ptr(r.Created), LastModifiedTime: ptr(r.Modified),
			CurrentState: ptr(PipeState(r.CurrentState)), DesiredState: ptr(RequestedPipeState(r.DesiredState)),
			Source: ptr(r.Source), Target: ptr(r.Target)}
		if r.Enrichment != "" {
			p.Enrichment = ptr(r.Enrichment)
		}
		if r.StateReason != "" {
			p.StateReason = ptr(r.StateReason)
		}
		out.Pipes = append(out.Pipes, p)
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
