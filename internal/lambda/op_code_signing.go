package lambda

import "context"

// virga has no code signing configurations (CreateCodeSigningConfig and
// the operations that attach one answer UnknownOperationException), so
// no function has one. The two reads below answer that truthfully: tools
// that read every function's code signing configuration (Terraform's
// aws_lambda_function does, on every refresh) work against virga.

// getFunctionCodeSigningConfig answers, for a function that exists, that
// it has no code signing configuration: the model's two required members,
// the ARN empty.
func (s *Service) getFunctionCodeSigningConfig(ctx context.Context, in *GetFunctionCodeSigningConfigRequest) (*GetFunctionCodeSigningConfigResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, err := s.functionNamed(*in.FunctionName)
	if err != nil {
		return nil, err
	}
	return &GetFunctionCodeSigningConfigResponse{CodeSigningConfigArn: ptr(""), FunctionName: ptr(fn.Name)}, nil
}

// listCodeSigningConfigs lists the account's code signing
// configurations: none.
func (s *Service) listCodeSigningConfigs(ctx context.Context, in *ListCodeSigningConfigsRequest) (*ListCodeSigningConfigsResponse, error) {
	return &ListCodeSigningConfigsResponse{CodeSigningConfigs: []CodeSigningConfig{}}, nil
}
