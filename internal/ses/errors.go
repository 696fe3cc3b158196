package ses

import "github.com/virga/virga/internal/awsproto/apierr"

// SES's v1 errors, with the awsQuery codes and statuses of AWS's model.
// Messages are set where they are raised, worded as SES words them.
var (
	// ErrInvalidParameterValue is SES's answer to bad input (a common
	// error of every SES action), and the error the model's constraint
	// violations are reported with.
	ErrInvalidParameterValue = apierr.New("InvalidParameterValue", 400, "")
	// ErrMessageRejected is a message SES will not send: an unverified
	// sender, a malformed raw message.
	ErrMessageRejected = apierr.New("MessageRejected", 400, "")
	// ErrTemplateDoesNotExist is a template name with no template.
	ErrTemplateDoesNotExist = apierr.New("TemplateDoesNotExist", 400, "")
	// ErrAlreadyExists is a template created twice.
	ErrAlreadyExists = apierr.New("AlreadyExists", 400, "")
	// ErrInvalidTemplate is a template whose parts do not parse.
	ErrInvalidTemplate = apierr.New("InvalidTemplate", 400, "")
	// ErrConfigurationSetDoesNotExist is a configuration set name with no
	// configuration set.
	ErrConfigurationSetDoesNotExist = apierr.New("ConfigurationSetDoesNotExist", 400, "")
	// ErrConfigurationSetAlreadyExists is a configuration set created
	// twice.
	ErrConfigurationSetAlreadyExists = apierr.New("ConfigurationSetAlreadyExists", 400, "")
	// ErrEventDestinationAlreadyExists and ErrEventDestinationDoesNotExist
	// name a configuration set's event destination.
	ErrEventDestinationAlreadyExists = apierr.New("EventDestinationAlreadyExists", 400, "")
	ErrEventDestinationDoesNotExist  = apierr.New("EventDestinationDoesNotExist", 400, "")
	// ErrInvalidConfigurationSet is a configuration set name SES will not
	// take.
	ErrInvalidConfigurationSet = apierr.New("InvalidConfigurationSet", 400, "")
	// ErrInvalidSNSDestination is an event destination whose SNS topic
	// will not do.
	ErrInvalidSNSDestination = apierr.New("InvalidSNSDestination", 400, "")
)

// messageRejected is MessageRejected with a message.
func messageRejected(msg string) error { return ErrMessageRejected.WithMessage(msg) }

// invalidValue is InvalidParameterValue with a message.
func invalidValue(msg string) error { return ErrInvalidParameterValue.WithMessage(msg) }

// templateDoesNotExist is TemplateDoesNotExist for a name, worded as SES
// words it ("Template foobar does not exist.").
func templateDoesNotExist(name string) error {
	return ErrTemplateDoesNotExist.Withf("Template %s does not exist.", name)
}
