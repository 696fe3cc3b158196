package apigateway

import (
	"context"

	"github.com/virga/virga/internal/store"
)

// The account's API Gateway settings: the role API Gateway writes
// CloudWatch logs as (which virga records; its execution and access logs
// need none), and the account's throttle, which the data plane applies
// (throttling.go).

// accountRecord is the account's settings as the store keeps them.
type accountRecord struct {
	CloudwatchRoleARN string `json:",omitempty"`
}

// Account-level facts as GetAccount reports them: API Gateway's features
// and API key version, and the account's throttle (accountRateLimit and
// accountBurstLimit, the defaults AWS gives an account).
const (
	accountAPIKeyVersion = "4"
	accountRateLimit     = 10000
	accountBurstLimit    = 5000
)

func accountKey(account string) []byte { return rootKey("t", account) }

func (s *Service) getAccount(ctx context.Context, in *GetAccountRequest) (*Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.accountOutput(), nil
}

func (s *Service) updateAccount(ctx context.Context, in *UpdateAccountRequest) (*Account, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.settings
	for _, p := range patches {
		if p.op != "replace" || !p.is("cloudwatchRoleArn") {
			return nil, p.invalid()
		}
		a.CloudwatchRoleARN = p.str()
	}
	if err := s.commit(func(b store.Batch) error { return putJSON(b, accountKey(s.account), a) }); err != nil {
		return nil, err
	}
	s.settings = a
	return s.accountOutput(), nil
}

// accountOutput is the account as GetAccount answers it. The caller
// holds s.mu.
func (s *Service) accountOutput() *Account {
	return &Account{CloudwatchRoleArn: optional(s.settings.CloudwatchRoleARN),
		ThrottleSettings: &ThrottleSettings{BurstLimit: ptr(int32(accountBurstLimit)), RateLimit: ptr(float64(accountRateLimit))},
		Features:         []string{"UsagePlans"}, ApiKeyVersion: ptr(accountAPIKeyVersion)}
}
