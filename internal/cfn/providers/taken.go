package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

// Some operations create by name and answer a name in use with the
// resource that holds it, changed or not: PutRule, CreateTopic,
// PutMetricAlarm, a CreateBucket of one's own bucket in us-east-1. A
// stack whose template names such a resource would take over one made
// outside it, and its rollback or deletion would then delete what the
// stack never made. CloudFormation's handlers look first and fail the
// resource with AlreadyExists; the providers of those types do the same
// with refuseTaken before their creating call. Updates, which keep the
// name, are not looked at: the resource is the stack's.

// lookup is how a provider asks whether a resource exists: a read
// operation of a service, whose not-found error (gone) says that it
// does not.
type lookup struct {
	service, op string
	in          map[string]any
	// found says whether the operation's answer shows the resource, for
	// operations that answer a list, empty when nothing matched; nil
	// takes any answer as the resource.
	found func(out props) bool
}

// refuseTaken returns taken when look finds the resource, nil when it
// does not, and look's error when it could not tell.
func refuseTaken(ctx context.Context, r *resource.Request, look lookup, taken *resource.HandlerError) error {
	out, err := call(ctx, r, look.service, look.op, look.in)
	switch {
	case gone(err):
		return nil
	case err != nil:
		return err
	case look.found != nil && !look.found(props(out)):
		return nil
	}
	return taken
}

// listing is a lookup's found for an answer that lists resources under
// key: one of them has name as its member field.
func listing(key, field, name string) func(props) bool {
	return func(out props) bool {
		for _, e := range out.list(key) {
			if props(asMap(e)).str(field) == name {
				return true
			}
		}
		return false
	}
}

// nameTaken is the failure with which the handlers of some types
// (AWS::Events::Rule, AWS::SNS::Topic, AWS::S3::Bucket) refuse a name in
// use: "NAME already exists".
func nameTaken(name string) *resource.HandlerError {
	return &resource.HandlerError{Code: "AlreadyExists", Message: name + " already exists"}
}
