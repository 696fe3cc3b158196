package route53

import (
	"fmt"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Route 53's errors, with AWS's codes, statuses and wording.
var (
	// ErrInvalidInput is a request that breaks the model's constraints
	// or Route 53's rules for its members.
	ErrInvalidInput = apierr.New("InvalidInput", 400, "")
	// ErrInvalidChangeBatch is a change batch Route 53 refuses.
	ErrInvalidChangeBatch = apierr.New("InvalidChangeBatch", 400, "")
	// ErrInvalidDomainName is a zone name that is no domain name.
	ErrInvalidDomainName = apierr.New("InvalidDomainName", 400, "")
	// ErrHostedZoneAlreadyExists is a caller reference used before.
	ErrHostedZoneAlreadyExists = apierr.New("HostedZoneAlreadyExists", 409, "A hosted zone has already been created with the specified caller reference.")
	// ErrHostedZoneNotEmpty is the deletion of a zone with records of
	// its owner's.
	ErrHostedZoneNotEmpty = apierr.New("HostedZoneNotEmpty", 400, "The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
	// ErrNoSuchChange is a change id that names none.
	ErrNoSuchChange = apierr.New("NoSuchChange", 404, "")
	// ErrHealthCheckAlreadyExists is a caller reference used before
	// with other settings.
	ErrHealthCheckAlreadyExists = apierr.New("HealthCheckAlreadyExists", 409,
		"The health check you are trying to create already exists. Amazon Route 53 returns this error when a health check has already been created with the specified value for CallerReference.")
	// ErrHealthCheckVersionMismatch is an update of a health check that
	// changed since the version the caller names.
	ErrHealthCheckVersionMismatch = apierr.New("HealthCheckVersionMismatch", 409,
		"The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check.")
	// ErrMalformedInput is a request body that is no document Route 53
	// reads.
	ErrMalformedInput = apierr.New("MalformedInput", 400, "")
)

// noSuchHostedZone is the error for a zone id that names none.
func noSuchHostedZone(id string) error {
	return &apierr.Error{Code: "NoSuchHostedZone", Status: 404, Message: "No hosted zone found with ID: " + id}
}

// noSuchHealthCheck is the error for a health check id that names none.
func noSuchHealthCheck(id string) error {
	// Wording unconfirmed: the API reference describes the error as "No
	// health check exists with the specified ID."
	return &apierr.Error{Code: "NoSuchHealthCheck", Status: 404, Message: "No health check exists with the specified ID " + id}
}

// noSuchDelegationSet is the error for a reusable delegation set's id:
// virga keeps none.
func noSuchDelegationSet(id string) error {
	// Wording unconfirmed.
	return ErrNoSuchDelegationSet.WithMessage("A reusable delegation set with the specified ID does not exist: " + id)
}

// changeBatchError is InvalidChangeBatch with one message.
func changeBatchError(format string, a ...any) error {
	return ErrInvalidChangeBatch.WithMessage(fmt.Sprintf(format, a...))
}

// Errors for what virga keeps none of, and for a VPC left incomplete.
var (
	// ErrNoSuchDelegationSet is a reusable delegation set's id.
	ErrNoSuchDelegationSet = apierr.New("NoSuchDelegationSet", 400, "")
	// ErrInvalidVPCID is a private zone's VPC without its id or region.
	ErrInvalidVPCID = apierr.New("InvalidVPCId", 400, "")
)
