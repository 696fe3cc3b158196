package iam

import "github.com/virga/virga/internal/awsproto/apierr"

// IAM's errors, with AWS's codes, statuses and wording.
var (
	// ErrValidation is IAM's spelling of a constraint violation.
	ErrValidation = apierr.New("ValidationError", 400, "")
	// ErrNoSuchEntity is returned for a role, user, policy or instance
	// profile that does not exist; the message names it.
	ErrNoSuchEntity = apierr.New("NoSuchEntity", 404, "")
	// ErrEntityAlreadyExists is returned when a name is taken.
	ErrEntityAlreadyExists = apierr.New("EntityAlreadyExists", 409, "")
	// ErrDeleteConflict is returned when an entity still has what must be
	// removed first.
	ErrDeleteConflict = apierr.New("DeleteConflict", 409, "")
	// ErrLimitExceeded is returned past one of IAM's quotas.
	ErrLimitExceeded = apierr.New("LimitExceeded", 409, "")
	// ErrMalformedPolicyDocument is returned for a policy document that is
	// not a policy.
	ErrMalformedPolicyDocument = apierr.New("MalformedPolicyDocument", 400, "")
	// ErrInvalidInput is returned for a parameter IAM cannot use.
	ErrInvalidInput = apierr.New("InvalidInput", 400, "")
	// ErrUnmodifiableEntity is returned when a change is asked of an
	// entity AWS manages.
	ErrUnmodifiableEntity = apierr.New("UnmodifiableEntity", 400, "")
	// ErrInvalidAuthenticationCode is returned when the codes given to
	// enable an MFA device are not the device's.
	ErrInvalidAuthenticationCode = apierr.New("InvalidAuthenticationCode", 403, "")
)

func noSuchRole(name string) error {
	return ErrNoSuchEntity.Withf("The role with name %s cannot be found.", name)
}

func noSuchUser(name string) error {
	return ErrNoSuchEntity.Withf("The user with name %s cannot be found.", name)
}

func noSuchPolicy(arn string) error {
	return ErrNoSuchEntity.Withf("Policy %s was not found.", arn)
}

func notAttachable(arn string) error {
	return ErrNoSuchEntity.Withf("Policy %s does not exist or is not attachable.", arn)
}

func noSuchInstanceProfile(name string) error {
	return ErrNoSuchEntity.Withf("Instance Profile %s cannot be found.", name)
}
