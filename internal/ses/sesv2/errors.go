package sesv2

import (
	"errors"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/ses"
)

// SES v2's errors, with the codes and statuses of AWS's model.
var (
	// ErrBadRequest is v2's answer to bad input, and the error the
	// model's constraint violations are reported with.
	ErrBadRequest = apierr.New("BadRequestException", 400, "")
	// ErrNotFound is an identity, template or configuration set that does
	// not exist.
	ErrNotFound = apierr.New("NotFoundException", 404, "")
	// ErrAlreadyExists is an identity or template created twice.
	ErrAlreadyExists = apierr.New("AlreadyExistsException", 400, "")
	// ErrMessageRejected is a message SES will not send.
	ErrMessageRejected = apierr.New("MessageRejected", 400, "")
)

// v2Error turns an error of the v1 core into v2's: the same refusal under
// v2's code, with the message kept.
func v2Error(err error) error {
	e := apierr.As(err)
	if e == nil {
		return err
	}
	switch {
	case errors.Is(err, ses.ErrMessageRejected):
		return ErrMessageRejected.WithMessage(e.Message)
	case errors.Is(err, ses.ErrTemplateDoesNotExist), errors.Is(err, ses.ErrConfigurationSetDoesNotExist):
		return ErrNotFound.WithMessage(e.Message)
	case errors.Is(err, ses.ErrAlreadyExists):
		return ErrAlreadyExists.WithMessage(e.Message)
	case errors.Is(err, ses.ErrInvalidParameterValue), errors.Is(err, ses.ErrInvalidTemplate):
		return ErrBadRequest.WithMessage(e.Message)
	}
	return err
}
