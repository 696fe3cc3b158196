package sts

import "context"

// getAccessKeyInfo tells which account an access key belongs to. Every key
// virga knows belongs to its one account.
func (s *Service) getAccessKeyInfo(_ context.Context, _ *GetAccessKeyInfoRequest) (*GetAccessKeyInfoResponse, error) {
	return &GetAccessKeyInfoResponse{Account: &s.account}, nil
}
