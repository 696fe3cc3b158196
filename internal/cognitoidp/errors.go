package cognitoidp

import "github.com/virga/virga/internal/awsproto/apierr"

// Amazon Cognito user pools' errors, as its API reference names them.
var (
	ErrInvalidParameter      = apierr.New("InvalidParameterException", 400, "")
	ErrResourceNotFound      = apierr.New("ResourceNotFoundException", 400, "")
	ErrNotAuthorized         = apierr.New("NotAuthorizedException", 400, "")
	ErrUserNotFound          = apierr.New("UserNotFoundException", 400, "User does not exist.")
	ErrUserNotConfirmed      = apierr.New("UserNotConfirmedException", 400, "User is not confirmed.")
	ErrUsernameExists        = apierr.New("UsernameExistsException", 400, "User already exists")
	ErrInvalidPassword       = apierr.New("InvalidPasswordException", 400, "")
	ErrCodeMismatch          = apierr.New("CodeMismatchException", 400, "Invalid verification code provided, please try again.")
	ErrExpiredCode           = apierr.New("ExpiredCodeException", 400, "Invalid code provided, please request a code again.")
	ErrGroupExists           = apierr.New("GroupExistsException", 400, "")
	ErrPasswordResetRequired = apierr.New("PasswordResetRequiredException", 400, "Password reset required for the user")
	ErrAliasExists           = apierr.New("AliasExistsException", 400, "An account with the given email already exists.")
	ErrUnsupportedOperation  = apierr.New("UnsupportedOperationException", 400, "")
	ErrLimitExceeded         = apierr.New("LimitExceededException", 400, "")
	ErrInvalidOAuthFlow      = apierr.New("InvalidOAuthFlowException", 400, "")
	ErrScopeDoesNotExist     = apierr.New("ScopeDoesNotExistException", 400, "")
	// ErrUserLambda is a Lambda trigger that failed; ErrUnexpectedLambda
	// one that could not be run or answered what Cognito cannot read.
	ErrUserLambda       = apierr.New("UserLambdaValidationException", 400, "")
	ErrUnexpectedLambda = apierr.New("UnexpectedLambdaException", 400, "")
)

// Messages Cognito words the same way wherever they occur.
const (
	msgIncorrectCredentials = "Incorrect username or password."
	msgUserDisabled         = "User is disabled."
	msgInvalidRefreshToken  = "Invalid Refresh Token"
	msgInvalidAccessToken   = "Invalid Access Token"
	msgAccessTokenRevoked   = "Access Token has been revoked"
	msgAccessTokenExpired   = "Access Token has expired"
)

func poolNotFound(id string) error {
	return ErrResourceNotFound.WithMessage("User pool " + id + " does not exist.")
}

func clientNotFound(id string) error {
	return ErrResourceNotFound.WithMessage("User pool client " + id + " does not exist.")
}
