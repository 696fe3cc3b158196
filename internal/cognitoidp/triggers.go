package cognitoidp

import (
	"context"
	"encoding/json"
	"time"
)

// Lambda triggers, as "Customizing user pool workflows with Lambda
// triggers" describes their events: {version, region, userPoolId,
// userName, callerContext {awsSdkVersion, clientId}, triggerSource,
// request, response}. A function that fails stops the operation with
// UserLambdaValidationException ("PreSignUp failed with error MESSAGE.");
// one that cannot be run, with UnexpectedLambdaException. virga runs
// PreSignUp (SignUp), PostConfirmation (ConfirmSignUp,
// AdminConfirmSignUp, ConfirmForgotPassword) and PreTokenGeneration
// (version 1: claims added to or suppressed from the ID token, groups
// overridden), PreAuthentication and PostAuthentication, and the
// custom authentication challenge triggers (customauth.go); the others
// are stored and not run.

// Functions runs Lambda triggers.
type Functions interface {
	// InvokeSync invokes the function the ARN names and returns its
	// response; functionError is set when the function failed.
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
}

// triggerTimeout bounds a trigger: Cognito waits five seconds for a
// function's answer.
const triggerTimeout = 5 * time.Second

// trigger runs one of the pool's triggers, if it has the function, and
// returns the event's response. The caller holds s.mu; it is released
// while the function runs, which may call Cognito back.
func (s *Service) trigger(ctx context.Context, p *pool, name, fn, source, userName, clientID string, request map[string]any) (map[string]any, error) {
	if fn == "" || s.functions == nil {
		return nil, nil
	}
	event := map[string]any{
		"version": "1", "region": s.region, "userPoolId": deref(p.Config.Id), "userName": userName,
		"callerContext": map[string]any{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": clientID},
		"triggerSource": source, "request": request, "response": map[string]any{},
	}
	payload, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, triggerTimeout)
	out, fnErr, err := s.functions.InvokeSync(ctx, fn, payload)
	cancel()
	s.mu.Lock()
	if err != nil {
		return nil, ErrUnexpectedLambda.WithMessage(name + " invocation failed due to error " + err.Error() + ".")
	}
	if fnErr != "" {
		var e struct {
			ErrorMessage string `json:"errorMessage"`
		}
		json.Unmarshal(out, &e)
		return nil, ErrUserLambda.WithMessage(name + " failed with error " + e.ErrorMessage + ".")
	}
	var answer struct {
		Response map[string]any `json:"response"`
	}
	if err := json.Unmarshal(out, &answer); err != nil {
		return nil, ErrUnexpectedLambda.WithMessage(name + " invocation failed due to error Unrecognizable lambda output.")
	}
	return answer.Response, nil
}

// triggerAttributes are a user's attributes as trigger events carry
// them, with cognito:user_status.
func triggerAttributes(u *user) map[string]any {
	m := map[string]any{"cognito:user_status": u.Status}
	for k, v := range u.Attributes {
		m[k] = v
	}
	return m
}

func flagOf(m map[string]any, k string) bool {
	b, _ := m[k].(bool)
	return b
}
