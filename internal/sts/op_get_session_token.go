package sts

import (
	"context"
	"time"
)

// getSessionToken issues temporary credentials standing for the caller's
// own identity. As on AWS, it cannot be called with temporary credentials.
func (s *Service) getSessionToken(ctx context.Context, in *GetSessionTokenRequest) (*GetSessionTokenResponse, error) {
	c := s.caller(ctx)
	if c.SessionToken != "" {
		return nil, ErrAccessDenied.WithMessage("Cannot call GetSessionToken with session credentials")
	}
	duration := defaultSessionTokenDuration
	if in.DurationSeconds != nil {
		duration = time.Duration(*in.DurationSeconds) * time.Second
	}
	sess := s.newSession(duration, c.Account, c.ARN, c.UserID)
	if err := s.saveSession(sess); err != nil {
		return nil, err
	}
	return &GetSessionTokenResponse{Credentials: sess.credentials()}, nil
}
