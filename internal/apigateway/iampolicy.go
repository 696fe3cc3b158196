package apigateway

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	iampolicy "github.com/virga/virga/internal/iam/policy"
)

// PolicyCheck decides, with --auth iam, whether caller may perform
// execute-api:Invoke on resource (a method's ARN): from its identity
// policies and resourcePolicy, the REST API's resource policy as its
// stage's deployment carries it ("" for none), evaluated as AWS
// evaluates an API's resource policy with IAM authorization in one
// account: either allowing is enough unless one of them denies. It
// returns nil when allowed, or an error whose message is AWS's wording
// of the denial.
type PolicyCheck func(ctx context.Context, r *http.Request, caller *awsproto.Caller, resourcePolicy, action, resource string) error

// EnforcePolicies makes methods with AWS_IAM authorization verify their
// requests' signatures with identify and decide them with check, as AWS
// does (--auth iam).
func (s *Service) EnforcePolicies(identify func(*http.Request) (awsproto.Caller, bool), check PolicyCheck) {
	s.identify, s.policyCheck = identify, check
}

// errBadSignature answers a request to an AWS_IAM method whose signature
// does not hold or whose key is not known.
var errBadSignature = &gatewayError{403, "InvalidSignatureException",
	`{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`,
	"INVALID_SIGNATURE"}

// authorizeIAM decides a signed request to a method with AWS_IAM
// authorization: its signature must hold, and its signer needs
// execute-api:Invoke on the method's ARN.
func (s *Service) authorizeIAM(req *request) *gatewayError {
	caller, ok := s.identify(req.r)
	if !ok {
		return errBadSignature
	}
	req.caller = &caller
	return s.checkInvoke(req, &caller)
}

// authorizeAnonymous decides a request to a method without authorization
// of an API with a resource policy: the policy must allow everyone
// ("API Gateway resource policy only"), as the caller is not known.
func (s *Service) authorizeAnonymous(req *request) *gatewayError {
	if req.deployment.API.Policy == "" {
		return nil
	}
	return s.checkInvoke(req, nil)
}

// preAuthorize decides a request to a method with a Lambda authorizer of
// an API with a resource policy before the authorizer runs: an explicit
// Deny in the policy refuses it at once; otherwise the authorizer's
// policy decides, as one that allows is enough when the resource policy
// neither allows nor denies, and one that denies wins; one that neither
// allows nor denies leaves it to the resource policy's Allow
// (resourcePolicyAllows), as AWS's outcome table for one account says.
func (s *Service) preAuthorize(req *request) *gatewayError {
	if req.deployment.API.Policy == "" {
		return nil
	}
	err := s.policyCheck(req.r.Context(), req.r, nil, req.deployment.API.Policy, "execute-api:Invoke", s.methodARN(req))
	if err != nil && explicitlyDenied(err) {
		return invokeDenied(err)
	}
	return nil
}

// resourcePolicyAllows reports whether, with --auth iam, the API's
// resource policy allows the (anonymous) request execute-api:Invoke on
// the method.
func (s *Service) resourcePolicyAllows(req *request) bool {
	return s.policyCheck != nil && req.deployment.API.Policy != "" &&
		s.policyCheck(req.r.Context(), req.r, nil, req.deployment.API.Policy, "execute-api:Invoke", s.methodARN(req)) == nil
}

// explicitlyDenied reports whether a PolicyCheck's denial came from a
// Deny statement, which IAM's wording ends with "with an explicit deny".
func explicitlyDenied(err error) bool {
	msg := err.Error()
	if e := apierr.As(err); e != nil {
		msg = e.Message
	}
	return strings.Contains(msg, " with an explicit deny")
}

// checkInvoke decides execute-api:Invoke on the method's ARN for caller
// (nil for anonymous).
func (s *Service) checkInvoke(req *request, caller *awsproto.Caller) *gatewayError {
	if err := s.policyCheck(req.r.Context(), req.r, caller, req.deployment.API.Policy, "execute-api:Invoke", s.methodARN(req)); err != nil {
		return invokeDenied(err)
	}
	return nil
}

// invokeDenied is API Gateway's answer to a request IAM refuses
// execute-api:Invoke: 403 AccessDeniedException with {"Message":"User:
// ARN is not authorized to perform: execute-api:Invoke on resource:
// ARN"}, "with an explicit deny" appended when a policy denies it; the
// policy evaluation's reasons are left out.
func invokeDenied(err error) *gatewayError {
	msg := err.Error()
	if e := apierr.As(err); e != nil {
		msg = e.Message
	}
	body, _ := json.Marshal(map[string]string{"Message": iampolicy.ShortMessage(msg)})
	return &gatewayError{http.StatusForbidden, "AccessDeniedException", string(body), "ACCESS_DENIED"}
}

// shortResource is the prefix of a resource policy's abbreviated
// resources, execute-api:/STAGE/VERB/PATH.
const shortResource = "execute-api:/"

// expandPolicy is a resource policy as API Gateway saves it: "API
// Gateway converts the abbreviated syntax to the full ARN when you save
// the policy", execute-api:/STAGE/VERB/PATH becoming
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH in the
// statements' Resource and NotResource. A policy without the short form,
// or that is not JSON, is kept as written.
func (s *Service) expandPolicy(doc, apiID string) string {
	if !strings.Contains(doc, shortResource) {
		return doc
	}
	var pol map[string]any
	if err := json.Unmarshal([]byte(doc), &pol); err != nil {
		return doc
	}
	full := func(v any) any {
		if str, ok := v.(string); ok {
			if rest, ok := strings.CutPrefix(str, shortResource); ok {
				return "arn:aws:execute-api:" + s.region + ":" + s.account + ":" + apiID + "/" + rest
			}
		}
		return v
	}
	expand := func(v any) any {
		if list, ok := v.([]any); ok {
			for i, e := range list {
				list[i] = full(e)
			}
			return list
		}
		return full(v)
	}
	statements, ok := pol["Statement"].([]any)
	if !ok {
		statements = []any{pol["Statement"]}
	}
	for _, st := range statements {
		if m, ok := st.(map[string]any); ok {
			for _, k := range []string{"Resource", "NotResource"} {
				if v, ok := m[k]; ok {
					m[k] = expand(v)
				}
			}
		}
	}
	b, err := json.Marshal(pol)
	if err != nil {
		return doc
	}
	return string(b)
}
