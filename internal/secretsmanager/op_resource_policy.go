package secretsmanager

import (
	"context"
	"slices"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/iam/policy"
)

// A secret's resource policy is kept with the secret, as its owner wrote
// it; Secrets Manager does not yet decide calls with it (see doc.go).

// Its errors, as Secrets Manager's API reference names them.
var (
	ErrMalformedPolicyDocument = apierr.New("MalformedPolicyDocumentException", 400, "")
	ErrPublicPolicy            = apierr.New("PublicPolicyException", 400, "")
)

// checkResourcePolicy parses a resource policy, and with blockPublic
// refuses one that grants access to anyone: an Allow statement whose
// Principal is "*" (or AWS "*") with no condition to narrow it.
func checkResourcePolicy(doc string, blockPublic bool) error {
	p, err := policy.Parse(doc)
	if err != nil {
		return ErrMalformedPolicyDocument.WithMessage("This resource policy contains a syntax error: " + err.Error())
	}
	if !blockPublic {
		return nil
	}
	for _, st := range p.Statements {
		if st.Deny || st.Principal == nil || len(st.Conditions) > 0 {
			continue
		}
		if st.Principal.Any || slices.Contains(st.Principal.AWS, "*") {
			return ErrPublicPolicy.WithMessage("This resource policy grants public access to the secret.")
		}
	}
	return nil
}

func (s *Service) putResourcePolicy(_ context.Context, in *PutResourcePolicyRequest) (*PutResourcePolicyResponse, error) {
	// BlockPublicPolicy is on unless the caller turns it off.
	if err := checkResourcePolicy(deref(in.ResourcePolicy), in.BlockPublicPolicy == nil || *in.BlockPublicPolicy); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	sec.Policy = deref(in.ResourcePolicy)
	return &PutResourcePolicyResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}, s.save(sec)
}

func (s *Service) getResourcePolicy(_ context.Context, in *GetResourcePolicyRequest) (*GetResourcePolicyResponse, error) {
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	out := &GetResourcePolicyResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}
	if sec.Policy != "" {
		out.ResourcePolicy = ptr(sec.Policy)
	}
	return out, nil
}

func (s *Service) deleteResourcePolicy(_ context.Context, in *DeleteResourcePolicyRequest) (*DeleteResourcePolicyResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLive(deref(in.SecretId))
	if err != nil {
		return nil, err
	}
	sec.Policy = ""
	return &DeleteResourcePolicyResponse{ARN: ptr(sec.ARN), Name: ptr(sec.Name)}, s.save(sec)
}

// validateResourcePolicy answers the checks PutResourcePolicy makes
// (its syntax and, as BlockPublicPolicy, public access) as validation
// errors; a SecretId, when given, must name a secret.
func (s *Service) validateResourcePolicy(_ context.Context, in *ValidateResourcePolicyRequest) (*ValidateResourcePolicyResponse, error) {
	if in.SecretId != nil {
		if _, err := s.findLive(*in.SecretId); err != nil {
			return nil, err
		}
	}
	out := &ValidateResourcePolicyResponse{PolicyValidationPassed: ptr(true), ValidationErrors: []ValidationErrorsEntry{}}
	if err := checkResourcePolicy(deref(in.ResourcePolicy), true); err != nil {
		check := "PUBLIC_ACCESS_CHECK"
		if e := apierr.As(err); e != nil && e.Code == ErrMalformedPolicyDocument.Code {
			return nil, err
		}
		out.PolicyValidationPassed = ptr(false)
		out.ValidationErrors = append(out.ValidationErrors, ValidationErrorsEntry{CheckName: ptr(check), ErrorMessage: ptr(apierr.As(err).Message)})
	}
	return out, nil
}
