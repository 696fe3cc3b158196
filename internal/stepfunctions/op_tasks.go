package stepfunctions

import (
	"context"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

// taskClosed is TaskTimedOut, AWS's answer to a token whose task has
// timed out or already been answered ("The task token has either
// expired or the task associated with the token has already been
// closed").
var taskClosed = ErrTaskTimedOut.WithMessage("Task Timed Out: 'Provided task does not exist anymore'")

// waiterFor is the task waiting for token. A token virga could not have
// handed out (its tokens are UUIDs) is InvalidToken; one it could have,
// whose task is no longer waiting, is TaskTimedOut.
func (s *Service) waiterFor(token string) (*waiter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.tokens[token]
	if !ok {
		if !uuidShaped(token) {
			return nil, ErrInvalidToken.WithMessage("Invalid Token: 'Invalid token'")
		}
		return nil, taskClosed
	}
	return w, nil
}

// uuidShaped reports whether s looks like a UUID: 36 characters, hex
// digits in five groups of 8, 4, 4, 4 and 12 joined by hyphens.
func uuidShaped(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
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
		return nil, taskClosed
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
		return nil, taskClosed
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
