package cognitoidp

import (
	"context"
	"encoding/json"
)

// The custom authentication flow (CUSTOM_AUTH), as "Custom
// authentication challenge Lambda triggers" describes it: the pool's
// DefineAuthChallenge function looks at the challenges answered so far
// and issues tokens, fails the sign-in, or names the next challenge;
// for CUSTOM_CHALLENGE, CreateAuthChallenge makes it (public parameters
// for the app, private ones kept with the session) and
// VerifyAuthChallengeResponse judges each answer, after which
// DefineAuthChallenge decides again.

// challengeResult is one answered challenge of a custom sign-in, as the
// triggers' request.session lists them.
type challengeResult struct {
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata,omitempty"`
}

// customChallenge is what a custom sign-in's session keeps between
// rounds: the challenges answered so far and the open challenge's
// private parameters and metadata.
type customChallenge struct {
	results  []challengeResult
	private  map[string]any
	metadata string
	// notFound: the name matched no user, and the client's
	// PreventUserExistenceErrors hides it (see customAuthStart).
	notFound bool
}

// msgNoCustomTrigger is Cognito's answer to CUSTOM_AUTH in a pool
// without the challenge triggers.
const msgNoCustomTrigger = "Custom auth lambda trigger is not configured for the user pool."

// customAuthStart starts CUSTOM_AUTH for the user r names: the
// PreAuthentication trigger, then the first round of challenges. A name
// that matches no user, through a client whose PreventUserExistenceErrors
// is ENABLED, goes through the same rounds with the triggers' userNotFound
// set and no attributes, so that the app cannot tell; it never gets
// tokens.
func (s *Service) customAuthStart(r authRequest, name string) (*AdminInitiateAuthResponse, error) {
	if deref(r.pool.Config.LambdaConfig.DefineAuthChallenge) == "" {
		return nil, ErrInvalidParameter.WithMessage(msgNoCustomTrigger)
	}
	if _, ok := r.params["SRP_A"]; ok {
		return nil, ErrInvalidParameter.WithMessage("SRP_A in a custom authentication flow is not supported by virga")
	}
	if deref(r.client.Config.PreventUserExistenceErrors) == "ENABLED" {
		if err := checkSecretHash(&r.client.Config, name, r.params["SECRET_HASH"]); err != nil {
			return nil, err
		}
		found, err := s.findUser(r.pool, name)
		if err != nil {
			return nil, err
		}
		if found == nil {
			return s.customRound(r.pool, r.client, unknownUser(name), nil, true)
		}
	}
	u, err := s.signingInUser(r, name)
	if err != nil {
		return nil, err
	}
	if u.Status == statusUnconfirmed {
		return nil, ErrUserNotConfirmed
	}
	if err := s.preAuthentication(r.pool, r.client, u); err != nil {
		return nil, err
	}
	return s.customRound(r.pool, r.client, u, nil, false)
}

// unknownUser stands for a name that matches no user in a custom sign-in
// that hides it: the name, and no attributes.
func unknownUser(name string) *user {
	return &user{Username: name, Attributes: map[string]string{}}
}

// challengeAttributes are the userAttributes of the challenge triggers'
// requests: none for an unknown user.
func challengeAttributes(u *user, notFound bool) map[string]any {
	if notFound {
		return map[string]any{}
	}
	return triggerAttributes(u)
}

// customRound asks DefineAuthChallenge what follows the challenges
// answered so far: tokens, a failed sign-in, or a new challenge, which
// CreateAuthChallenge makes and a new session remembers.
func (s *Service) customRound(p *pool, c *client, u *user, results []challengeResult, notFound bool) (*AdminInitiateAuthResponse, error) {
	lc := p.Config.LambdaConfig
	clientID := deref(c.Config.ClientId)
	answered := append([]challengeResult{}, results...)
	define, err := s.trigger(context.Background(), p, "DefineAuthChallenge", deref(lc.DefineAuthChallenge), "DefineAuthChallenge_Authentication",
		u.Username, clientID, map[string]any{"userAttributes": challengeAttributes(u, notFound), "session": answered, "clientMetadata": map[string]any{}, "userNotFound": notFound})
	if err != nil {
		return nil, err
	}
	if define == nil {
		return nil, ErrInvalidParameter.WithMessage(msgNoCustomTrigger)
	}
	switch {
	case flagOf(define, "failAuthentication"), notFound && flagOf(define, "issueTokens"):
		return nil, ErrNotAuthorized.WithMessage(msgIncorrectCredentials)
	case flagOf(define, "issueTokens"):
		return s.finishSignIn(p, c, u)
	}
	name, _ := define["challengeName"].(string)
	if name != "CUSTOM_CHALLENGE" {
		if name == "" {
			return nil, ErrUnexpectedLambda.WithMessage("DefineAuthChallenge invocation failed due to error Invalid lambda response: no challengeName, issueTokens or failAuthentication.")
		}
		return nil, ErrInvalidParameter.WithMessage("the challenge " + name + " in a custom authentication flow is not supported by virga")
	}
	fn := deref(lc.CreateAuthChallenge)
	if fn == "" {
		return nil, ErrInvalidParameter.WithMessage(msgNoCustomTrigger)
	}
	created, err := s.trigger(context.Background(), p, "CreateAuthChallenge", fn, "CreateAuthChallenge_Authentication", u.Username, clientID,
		map[string]any{"userAttributes": challengeAttributes(u, notFound), "challengeName": name, "session": answered, "clientMetadata": map[string]any{}, "userNotFound": notFound})
	if err != nil {
		return nil, err
	}
	params := map[string]string{}
	if pub, ok := created["publicChallengeParameters"].(map[string]any); ok {
		for k, v := range pub {
			params[k] = parameterString(v)
		}
	}
	params["USERNAME"] = u.Username
	private, _ := created["privateChallengeParameters"].(map[string]any)
	metadata, _ := created["challengeMetadata"].(string)
	token := s.openSession(p, c, u, name, &customChallenge{results: answered, private: private, metadata: metadata, notFound: notFound})
	return &AdminInitiateAuthResponse{ChallengeName: ptr(ChallengeNameType(name)), Session: &token, ChallengeParameters: params}, nil
}

// parameterString is a challenge parameter a function returned as the
// string Cognito passes on: strings as they are, other values as JSON.
func parameterString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// customAnswer answers a CUSTOM_CHALLENGE: VerifyAuthChallengeResponse
// judges the answer, and the next round follows with its result.
func (s *Service) customAnswer(p *pool, c *client, token string, resp map[string]string) (*AdminInitiateAuthResponse, error) {
	sess := s.sessions[token]
	if sess == nil || sess.custom == nil || sess.pool != deref(p.Config.Id) || sess.client != deref(c.Config.ClientId) {
		return nil, ErrNotAuthorized.WithMessage("Invalid session for the user.")
	}
	if s.clock.Now().After(sess.expires) {
		delete(s.sessions, token)
		return nil, ErrNotAuthorized.WithMessage("Invalid session for the user, session is expired.")
	}
	for _, k := range []string{"USERNAME", "ANSWER"} {
		if resp[k] == "" {
			return nil, ErrInvalidParameter.WithMessage("Missing required parameter " + k)
		}
	}
	if err := checkSecretHash(&c.Config, resp["USERNAME"], resp["SECRET_HASH"]); err != nil {
		return nil, err
	}
	notFound := sess.custom.notFound
	u, err := s.findUser(p, resp["USERNAME"])
	if err != nil {
		return nil, err
	}
	if notFound && u == nil && resp["USERNAME"] == sess.username {
		u = unknownUser(sess.username)
	}
	if u == nil || u.Username != sess.username {
		return nil, ErrNotAuthorized.WithMessage("Invalid session for the user.")
	}
	// A session answers once, whatever the answer.
	delete(s.sessions, token)
	fn := deref(p.Config.LambdaConfig.VerifyAuthChallengeResponse)
	if fn == "" {
		return nil, ErrInvalidParameter.WithMessage(msgNoCustomTrigger)
	}
	private := sess.custom.private
	if private == nil {
		private = map[string]any{}
	}
	verdict, err := s.trigger(context.Background(), p, "VerifyAuthChallengeResponse", fn, "VerifyAuthChallengeResponse_Authentication",
		u.Username, deref(c.Config.ClientId), map[string]any{"userAttributes": challengeAttributes(u, notFound), "privateChallengeParameters": private,
			"challengeAnswer": resp["ANSWER"], "clientMetadata": map[string]any{}, "userNotFound": notFound})
	if err != nil {
		return nil, err
	}
	results := append(sess.custom.results, challengeResult{ChallengeName: sess.challenge,
		ChallengeResult: flagOf(verdict, "answerCorrect"), ChallengeMetadata: sess.custom.metadata})
	return s.customRound(p, c, u, results, notFound)
}
