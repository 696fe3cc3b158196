package stepfunctions

import (
	"context"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

func (s *Service) waiterFor(token string) (*waiter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.tokens[token]
	if !ok {
		return nil, ErrTaskDoesNotExist.WithMessage("Task Timed Out: 'Provided task does not exist anymore'")
	}
	return w, nil
}

func (s *Service) sendTaskSuccess(_ context.Context, in *SendTaskSuccessInput) (*SendTaskSuccessOutput, error) {
	out, err := asl.Decode([]byte(deref(in.Output)))
	if err != nil {
		return nil, ErrInvalidOutput.WithMessage("Invalid Output: '" + deref(in.Output) + "'")
	}
	w, err := s.waiterFor(deref(in.TaskToken))
	if err != nil {
		return nil, err
	}
	select {
	case w.result <- tokenResult{output: out}:
	default:
		return nil, ErrTaskDoesNotExist.WithMessage("Task Timed Out: 'Provided task does not exist anymore'")
	}
	return &SendTaskSuccessOutput{}, nil
}

func (s *Service) sendTaskFailure(_ context.Context, in *SendTaskFailureInput) (*SendTaskFailureOutput, error) {
	w, err := s.waiterFor(deref(in.TaskToken))
	if err != nil {
		return nil, err
	}
	select {
	case w.result <- tokenResult{fail: &asl.Failure{Name: deref(in.Error), Cause: deref(in.Cause)}}:
	default:
		return nil, ErrTaskDoesNotExist.WithMessage("Task Timed Out: 'Provided task does not exist anymore'")
	}
	return &SendTaskFailureOutput{}, nil
}

func (s *Service) sendTaskHeartbeat(_ context.Context, in *SendTaskHeartbeatInput) (*SendTaskHeartbeatOutput, error) {
	w, err := s.waiterFor(deref(in.TaskToken))
	if err != nil {
		return nil, err
	}
	select {
	case w.heartbeat <- struct{}{}:
	default:
	}
	return &SendTaskHeartbeatOutput{}, nil
}
