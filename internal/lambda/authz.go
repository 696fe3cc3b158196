package lambda

import (
	"context"
	"maps"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the function a call acts on, for IAM authorization:
// arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], from
// FunctionName in any of its forms and Qualifier. Calls on no function
// (ListFunctions, layers) act on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	name := awsproto.InputString(in, "FunctionName")
	if name == "" {
		return nil
	}
	var qualifier *string
	if q := awsproto.InputString(in, "Qualifier"); q != "" {
		qualifier = &q
	}
	t, err := s.parseTarget(name, qualifier)
	if err != nil {
		return nil // the operation answers the malformed name
	}
	return []string{s.arn(t)}
}

// resourceTags are the tags of the function an ARN names, for
// aws:ResourceTag conditions.
func (s *Service) resourceTags(ctx context.Context, arn string) (map[string]string, error) {
	t, err := s.parseTarget(arn, nil)
	if err != nil {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if fn := s.functions[t.Name]; fn != nil && len(fn.Tags) > 0 {
		return maps.Clone(fn.Tags), nil
	}
	return nil, nil
}

// resourcePolicy is the function policy (AddPermission's statements) of
// the function, version or alias an ARN names.
func (s *Service) resourcePolicy(ctx context.Context, arn string) (string, error) {
	t, err := s.parseTarget(arn, nil)
	if err != nil {
		return "", nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn := s.functions[t.Name]
	if fn == nil {
		return "", nil
	}
	p := fn.Policies[t.Qualifier]
	if p == nil {
		return "", nil
	}
	return renderPolicy(p), nil
}
