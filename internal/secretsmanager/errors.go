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
	// ErrEncryptionFailure and ErrDecryptionFailure are what Secrets
	// Manager answers when the secret's KMS key cannot be used, with
	// the descriptions its API reference gives them.
	ErrEncryptionFailure = apierr.New("EncryptionFailure", 400, "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.")
	ErrDecryptionFailure = apierr.New("DecryptionFailure", 400, "Secrets Manager can't decrypt the protected secret text using the provided KMS key.")
)

// errMarkedForDeletion is what every operation but DescribeSecret,
// RestoreSecret, DeleteSecret and ListSecrets answers for a secret
// scheduled for deletion.
var errMarkedForDeletion = ErrInvalidRequest.WithMessage("You can't perform this operation on the secret because it was marked for deletion.")

// nameMessage is how Secrets Manager words a name outside its alphabet.
const nameMessage = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
