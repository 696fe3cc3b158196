package cloudcontrol

import (
	"context"
	"slices"
)

func (s *Service) getResourceRequestStatus(ctx context.Context, in *GetResourceRequestStatusInput) (*GetResourceRequestStatusOutput, error) {
	ev, err := s.request(deref(in.RequestToken))
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return nil, requestNotFound(deref(in.RequestToken))
	}
	return &GetResourceRequestStatusOutput{ProgressEvent: ev}, nil
}

func (s *Service) listResourceRequests(ctx context.Context, in *ListResourceRequestsInput) (*ListResourceRequestsOutput, error) {
	all, err := s.requests()
	if err != nil {
		return nil, err
	}
	var f ResourceRequestStatusFilter
	if in.ResourceRequestStatusFilter != nil {
		f = *in.ResourceRequestStatusFilter
	}
	var evs []ProgressEvent
	for _, ev := range all {
		if (len(f.Operations) == 0 || slices.Contains(f.Operations, deref(ev.Operation))) &&
			(len(f.OperationStatuses) == 0 || slices.Contains(f.OperationStatuses, deref(ev.OperationStatus))) {
			ev.ResourceModel = nil // the summaries leave the model out
			evs = append(evs, ev)
		}
	}
	evs, next, err := page(evs, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	if evs == nil {
		evs = []ProgressEvent{}
	}
	return &ListResourceRequestsOutput{ResourceRequestStatusSummaries: evs, NextToken: next}, nil
}

// cancelResourceRequest cancels nothing: every request here has ended
// by the time its call answers, and only one PENDING or IN_PROGRESS may
// be cancelled.
func (s *Service) cancelResourceRequest(ctx context.Context, in *CancelResourceRequestInput) (*CancelResourceRequestOutput, error) {
	ev, err := s.request(deref(in.RequestToken))
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return nil, requestNotFound(deref(in.RequestToken))
	}
	return nil, ErrConcurrentModification.Withf("Request %s has already completed (%s) and cannot be cancelled.", deref(in.RequestToken), deref(ev.OperationStatus))
}
