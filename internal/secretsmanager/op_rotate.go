package secretsmanager

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
)

// rotationSteps are the steps a rotation function is invoked with, in
// order ("Rotation by Lambda function" in the Secrets Manager User
// Guide).
var rotationSteps = []string{"createSecret", "setSecret", "testSecret", "finishSecret"}

// rotationEvent is what a rotation function receives.
type rotationEvent struct {
	Step               string `json:"Step"`
	SecretID           string `json:"SecretId"`
	ClientRequestToken string `json:"ClientRequestToken"`
	RotationToken      string `json:"RotationToken"`
}

func (s *Service) rotateSecret(_ context.Context, in *RotateSecretRequest) (*RotateSecretResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	if in.RotationLambdaARN != nil {
		sec.RotationLambda = *in.RotationLambdaARN
	}
	if in.RotationRules != nil {
		sec.RotationRules = in.RotationRules
	}
	if sec.RotationLambda == "" {
		return nil, ErrInvalidRequest.WithMessage("No Lambda rotation function ARN is associated with this secret.")
	}
	if s.functions == nil {
		return nil, ErrInvalidRequest.WithMessage("Rotation functions cannot be invoked here.")
	}
	if p := sec.staged(stagePending); p != nil && !slices.Contains(p.Stages, stageCurrent) {
		return nil, ErrInvalidRequest.WithMessage("A previous rotation isn't complete. That rotation will be reattempted.")
	}
	sec.RotationOn = true
	out := &RotateSecretResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}
	if in.RotateImmediately != nil && !*in.RotateImmediately {
		return out, s.save(sec)
	}
	token := deref(in.ClientRequestToken)
	if token == "" {
		token = s.ids.UUID()
	}
	if sec.version(token) != nil {
		return nil, ErrResourceExists.WithMessage("You can't modify an existing version, you can only create a new version.")
	}
	ver := &secretVersion{ID: token, Created: s.clock.Now().UnixMilli(), Empty: true}
	sec.Versions = append(sec.Versions, ver)
	sec.moveStage(stagePending, ver)
	if err := s.save(sec); err != nil {
		return nil, err
	}
	out.VersionId = ptr(token)
	s.rotations.Add(1)
	go func() {
		defer s.rotations.Done()
		s.rotate(sec.ARN, sec.RotationLambda, token)
	}()
	return out, nil
}

// rotate invokes the rotation function's four steps, stopping at the
// first that fails; a rotation that ends with AWSCURRENT on the new
// version takes AWSPENDING off it and records the rotation date.
func (s *Service) rotate(arn, function, token string) {
	ctx := context.Background()
	rotationToken := s.ids.UUID()
	for _, step := range rotationSteps {
		payload, _ := json.Marshal(rotationEvent{Step: step, SecretID: arn, ClientRequestToken: token, RotationToken: rotationToken})
		_, fnErr, err := s.functions.InvokeSync(ctx, function, payload)
		if err != nil || fnErr != "" {
			slog.Default().Debug("secretsmanager: rotation step failed", "secret", arn, "step", step, "functionError", fnErr, "err", err)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.find(arn)
	if err != nil || sec == nil {
		return
	}
	ver := sec.version(token)
	if ver == nil || !slices.Contains(ver.Stages, stageCurrent) {
		return
	}
	ver.Stages = slices.DeleteFunc(ver.Stages, func(x string) bool { return x == stagePending })
	sec.Rotated = s.clock.Now().UnixMilli()
	_ = s.save(sec)
}

func (s *Service) cancelRotateSecret(_ context.Context, in *CancelRotateSecretRequest) (*CancelRotateSecretResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	sec.RotationOn = false
	out := &CancelRotateSecretResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}
	if p := sec.staged(stagePending); p != nil && !slices.Contains(p.Stages, stageCurrent) {
		out.VersionId = ptr(p.ID)
	}
	return out, s.save(sec)
}
