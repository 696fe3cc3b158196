package cognitoidentity

import "github.com/virga/virga/internal/awsproto/apierr"

// Amazon Cognito identity pools' errors, as its API reference names them.
var (
	ErrInvalidParameter       = apierr.New("InvalidParameterException", 400, "")
	ErrResourceNotFound       = apierr.New("ResourceNotFoundException", 400, "")
	ErrNotAuthorized          = apierr.New("NotAuthorizedException", 400, "")
	ErrResourceConflict       = apierr.New("ResourceConflictException", 400, "")
	ErrInvalidPoolConfig      = apierr.New("InvalidIdentityPoolConfigurationException", 400, "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
	ErrExternalServiceFailure = apierr.New("ExternalServiceException", 400, "")
)

// Messages Cognito identity pools word the same way wherever they occur.
const (
	msgUnauthenticated  = "Unauthenticated access is not supported for this identity pool."
	msgLoginsDontMatch  = "Logins don't match. Please include at least one valid login for this identity or identity pool."
	msgNotSupported     = "Token is not from a supported provider of this identity pool."
	msgIssuerMismatch   = "Invalid login token. Issuer doesn't match providerName"
	msgNotOIDCToken     = "Invalid login token. Not a valid OpenId Connect identity token."
	msgBadSignature     = "Invalid login token. Couldn't verify signed token."
	msgMissingAudience  = "Invalid login token. Missing a required claim: aud"
	msgTokenRevoked     = "Invalid login token. Token has been revoked."
	msgAmbiguousRoleMap = "Ambiguous role mapping rules for: "
)

func poolNotFound(id string) error {
	return ErrResourceNotFound.WithMessage("IdentityPool '" + id + "' not found.")
}

func identityNotFound(id string) error {
	return ErrResourceNotFound.WithMessage("Identity '" + id + "' not found.")
}
