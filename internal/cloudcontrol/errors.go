package cloudcontrol

import "github.com/virga/virga/internal/awsproto/apierr"

// The Cloud Control API's errors, as its API reference names them.
var (
	ErrValidation             = apierr.New("ValidationException", 400, "")
	ErrInvalidRequest         = apierr.New("InvalidRequestException", 400, "")
	ErrResourceNotFound       = apierr.New("ResourceNotFoundException", 400, "")
	ErrTypeNotFound           = apierr.New("TypeNotFoundException", 400, "")
	ErrNotUpdatable           = apierr.New("NotUpdatableException", 400, "")
	ErrResourceConflict       = apierr.New("ResourceConflictException", 400, "")
	ErrRequestTokenNotFound   = apierr.New("RequestTokenNotFoundException", 400, "")
	ErrConcurrentModification = apierr.New("ConcurrentModificationException", 500, "")
)

// notFound is ResourceNotFoundException for a resource of type typ, in
// the resource handlers' words.
func notFound(typ, id string) error {
	return ErrResourceNotFound.Withf("Resource of type '%s' with identifier '%s' was not found.", typ, id)
}

// typeNotFound is TypeNotFoundException for a type virga has no provider
// for.
func typeNotFound(typ string) error {
	return ErrTypeNotFound.Withf("The type '%s' cannot be found.", typ)
}

// requestNotFound is RequestTokenNotFoundException for a token no
// request has, or one that expired.
func requestNotFound(token string) error {
	return ErrRequestTokenNotFound.Withf("Request with token %s was not found", token)
}

// The Cloud Control API's errors for requests that create and delete.
var (
	ErrUnsupportedAction   = apierr.New("UnsupportedActionException", 400, "")
	ErrClientTokenConflict = apierr.New("ClientTokenConflictException", 400, "")
)

// unsupported is UnsupportedActionException for an action (CREATE,
// UPDATE, DELETE) the type has no handler for.
func unsupported(typ, action string) error {
	return ErrUnsupportedAction.Withf("Resource type %s does not support %s action", typ, action)
}
