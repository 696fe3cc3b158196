package elbv2

import (
	"fmt"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Elastic Load Balancing's errors, with the codes and HTTP statuses of
// AWS's model (the awsQuery codes every client sees). Messages are set
// where they are raised, in the wording AWS answers with where it is
// known.
var (
	// ErrValidation is the generic awsQuery error for bad input, and the
	// error the model's constraint violations are reported with.
	ErrValidation = apierr.New("ValidationError", 400, "")
	// ErrAccessDenied is a Lambda target whose function does not let
	// elasticloadbalancing.amazonaws.com invoke it.
	ErrAccessDenied                = apierr.New("AccessDenied", 403, "")
	ErrLoadBalancerNotFound        = apierr.New("LoadBalancerNotFound", 400, "")
	ErrTargetGroupNotFound         = apierr.New("TargetGroupNotFound", 400, "One or more target groups not found")
	ErrListenerNotFound            = apierr.New("ListenerNotFound", 400, "One or more listeners not found")
	ErrRuleNotFound                = apierr.New("RuleNotFound", 400, "One or more rules not found")
	ErrDuplicateLoadBalancerName   = apierr.New("DuplicateLoadBalancerName", 400, "")
	ErrDuplicateTargetGroupName    = apierr.New("DuplicateTargetGroupName", 400, "")
	ErrDuplicateListener           = apierr.New("DuplicateListener", 400, "A listener already exists on this port for this load balancer")
	ErrDuplicateTagKeys            = apierr.New("DuplicateTagKeys", 400, "")
	ErrPriorityInUse               = apierr.New("PriorityInUse", 400, "")
	ErrResourceInUse               = apierr.New("ResourceInUse", 400, "")
	ErrInvalidConfigurationRequest = apierr.New("InvalidConfigurationRequest", 400, "")
	ErrSubnetNotFound              = apierr.New("SubnetNotFound", 400, "")
	ErrInvalidSecurityGroup        = apierr.New("InvalidSecurityGroup", 400, "")
	ErrInvalidTarget               = apierr.New("InvalidTarget", 400, "")
	ErrInvalidLoadBalancerAction   = apierr.New("InvalidLoadBalancerAction", 400, "")
	ErrOperationNotPermitted       = apierr.New("OperationNotPermitted", 400, "")
	ErrTooManyTags                 = apierr.New("TooManyTags", 400, "")
	ErrTooManyActions              = apierr.New("TooManyActions", 400, "")
	ErrUnsupportedProtocol         = apierr.New("UnsupportedProtocol", 400, "")
	ErrIncompatibleProtocols       = apierr.New("IncompatibleProtocols", 400, "")
	ErrTooManyTargetGroups         = apierr.New("TooManyTargetGroups", 400, "")
	ErrTooManyRules                = apierr.New("TooManyRules", 400, "")
	ErrTooManyListeners            = apierr.New("TooManyListeners", 400, "")
	ErrTooManyTargets              = apierr.New("TooManyTargets", 400, "")
	// ErrTargetGroupAssociationLimit is a target group a listener or rule
	// of another load balancer already uses.
	ErrTargetGroupAssociationLimit = apierr.New("TargetGroupAssociationLimit", 400, "")
	// ErrCertificateNotFound is a listener certificate ACM does not
	// keep: "Certificate 'ARN' not found".
	ErrCertificateNotFound = apierr.New("CertificateNotFound", 400, "")
	// ErrTooManyCertificates is a load balancer with
	// maxCertificatesPerLB certificates besides its listeners' default
	// ones.
	ErrTooManyCertificates = apierr.New("TooManyCertificates", 400, "")
	// ErrSSLPolicyNotFound is a security policy name AWS does not define.
	ErrSSLPolicyNotFound = apierr.New("SSLPolicyNotFound", 400, "")
)

func validation(format string, args ...any) error {
	return ErrValidation.WithMessage(fmt.Sprintf(format, args...))
}

func invalidConfig(format string, args ...any) error {
	return ErrInvalidConfigurationRequest.WithMessage(fmt.Sprintf(format, args...))
}
