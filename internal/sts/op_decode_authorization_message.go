package sts

import "context"

// decodeAuthorizationMessage decodes the encoded authorization failure
// messages of AccessDenied answers. virga's answers carry none (their
// messages say in plain words which action and resource were denied), so
// every message is one STS cannot decode.
func (s *Service) decodeAuthorizationMessage(ctx context.Context, in *DecodeAuthorizationMessageRequest) (*DecodeAuthorizationMessageResponse, error) {
	return nil, ErrInvalidAuthorizationMessage.WithMessage("The encoded authorization message is not valid.")
}
