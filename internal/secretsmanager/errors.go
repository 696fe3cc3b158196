package secretsmanager

import "github.com/virga/virga/internal/awsproto/apierr"

// Secrets Manager's errors, as its API reference names them.
var (
	ErrValidation       = apierr.New("ValidationException", 400, "")
	ErrResourceNotFound = apierr.New("ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret.")
	ErrInvalidParameter = apierr.New("InvalidParameterException", 400, "")
	ErrInvalidRequest   = apierr.New("InvalidRequestException", 400, "")
	ErrResourceExists   = apierr.New("ResourceExistsException", 400, "")
	ErrLimitExceeded    = apierr.New("LimitExceededException", 400, "")
)

// errMarkedForDeletion is what every operation but DescribeSecret,
// RestoreSecret, DeleteSecret and ListSecrets answers for a secret
// scheduled for deletion.
var errMarkedForDeletion = ErrInvalidRequest.WithMessage("You can't perform this operation on the secret because it was marked for deletion.")

// nameMessage is how Secrets Manager words a name outside its alphabet.
const nameMessage = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
