package ec2

import (
	"fmt"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// EC2's errors, with AWS's codes and wording. EC2 answers 400 for all
// of them.
var (
	// ErrInvalidParameterValue is EC2's spelling of a constraint violation.
	ErrInvalidParameterValue = apierr.New("InvalidParameterValue", 400, "")
	// ErrMissingParameter is a required parameter left out.
	ErrMissingParameter = apierr.New("MissingParameter", 400, "")
	// ErrInvalidParameterCombination is parameters that exclude each other.
	ErrInvalidParameterCombination = apierr.New("InvalidParameterCombination", 400, "")
	// ErrDependencyViolation is a resource others still use.
	ErrDependencyViolation = apierr.New("DependencyViolation", 400, "")
	// ErrDryRunOperation answers a DryRun request that would succeed.
	ErrDryRunOperation = apierr.New("DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set.")
	// ErrInvalidVpcRange is a VPC CIDR block outside /16–/28.
	ErrInvalidVpcRange = apierr.New("InvalidVpc.Range", 400, "")
	// ErrInvalidSubnetRange is a subnet CIDR block outside its VPC's.
	ErrInvalidSubnetRange = apierr.New("InvalidSubnet.Range", 400, "")
	// ErrInvalidSubnetConflict is a subnet CIDR block overlapping another.
	ErrInvalidSubnetConflict = apierr.New("InvalidSubnet.Conflict", 400, "")
	// ErrInvalidGroupDuplicate is a security group name taken in its VPC.
	ErrInvalidGroupDuplicate = apierr.New("InvalidGroup.Duplicate", 400, "")
	// ErrInvalidGroupNotFound is a security group name that names none.
	ErrInvalidGroupNotFound = apierr.New("InvalidGroup.NotFound", 400, "")
	// ErrInvalidGroupReserved is a group named "default".
	ErrInvalidGroupReserved = apierr.New("InvalidGroup.Reserved", 400, "The security group 'default' is reserved")
	// ErrCannotDelete is the deletion of a VPC's default security group.
	ErrCannotDelete = apierr.New("CannotDelete", 400, "")
	// ErrInvalidPermissionDuplicate is a rule a group has already.
	ErrInvalidPermissionDuplicate = apierr.New("InvalidPermission.Duplicate", 400, "")
	// ErrInvalidPermissionNotFound is the revocation of a rule a group
	// does not have.
	ErrInvalidPermissionNotFound = apierr.New("InvalidPermission.NotFound", 400, "The specified rule does not exist in this security group.")
	// ErrResourceAlreadyAssociated is a gateway attached already.
	ErrResourceAlreadyAssociated = apierr.New("Resource.AlreadyAssociated", 400, "")
	// ErrGatewayNotAttached is the detachment of a gateway not attached.
	ErrGatewayNotAttached = apierr.New("Gateway.NotAttached", 400, "")
	// ErrRouteAlreadyExists is a route to a destination a table has.
	ErrRouteAlreadyExists = apierr.New("RouteAlreadyExists", 400, "")
	// ErrInvalidRouteNotFound is a route a table does not have.
	ErrInvalidRouteNotFound = apierr.New("InvalidRoute.NotFound", 400, "")
	// ErrInvalidAssociationIDNotFound is an association id that names none.
	ErrInvalidAssociationIDNotFound = apierr.New("InvalidAssociationID.NotFound", 400, "")
	// ErrInvalidAddressNotFound is a public IP no address has.
	ErrInvalidAddressNotFound = apierr.New("InvalidAddress.NotFound", 400, "")
	// ErrInvalidIPAddressInUse is the release of an address still
	// associated.
	ErrInvalidIPAddressInUse = apierr.New("InvalidIPAddress.InUse", 400, "")
	// ErrAddressLimitExceeded is an allocation with no address left.
	ErrAddressLimitExceeded = apierr.New("AddressLimitExceeded", 400, "The maximum number of addresses has been reached.")
	// ErrAuthFailure is a change to what AWS manages for the caller:
	// the address or interface of a NAT gateway.
	ErrAuthFailure = apierr.New("AuthFailure", 400, "You do not have permission to access the specified resource.")
	// ErrInvalidInstanceIDNotFound is an instance id: virga has none.
	ErrInvalidInstanceIDNotFound = apierr.New("InvalidInstanceID.NotFound", 400, "")
	// ErrInvalidID is a resource id of no known form.
	ErrInvalidID = apierr.New("InvalidID", 400, "")
	// ErrIdempotentParameterMismatch is a ClientToken used again with
	// other parameters.
	ErrIdempotentParameterMismatch = apierr.New("IdempotentParameterMismatch", 400, "")
)

// notFound is the error for an id of a kind that names nothing: EC2's
// "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist".
func notFound(k *kind, id string) error {
	if k.missing != "" {
		return &apierr.Error{Code: k.notFound, Status: 400, Message: fmt.Sprintf(k.missing, id)}
	}
	return &apierr.Error{Code: k.notFound, Status: 400, Message: fmt.Sprintf("The %s ID '%s' does not exist", k.noun, id)}
}

// malformed is the error for an id not of its kind's form:
// "InvalidVpcID.Malformed", `Invalid id: "x" (expecting "vpc-...")`.
func malformed(k *kind, id string) error {
	return &apierr.Error{Code: k.malformed, Status: 400, Message: fmt.Sprintf("Invalid id: \"%s\" (expecting \"%s-...\")", id, k.prefix)}
}

// missing is the error for a required parameter left out.
func missing(name string) error {
	return ErrMissingParameter.Withf("The request must contain the parameter %s", name)
}
