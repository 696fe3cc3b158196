package awsproto

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/shape"
)

// Protocol is one of AWS's wire protocols. Each is implemented once, in a
// subpackage (awsjson, query, restjson, restxml), and shared by every
// service that speaks it.
type Protocol interface {
	// Name is the protocol's Smithy name, such as "awsJson1_0".
	Name() string
	// Resolve finds the operation a request calls and sets c.Op (and
	// c.Params, what it parsed on the way). It returns the protocol's unknown
	// operation error when there is none.
	Resolve(c *Call) error
	// Decode fills in, a pointer to the operation's input struct, from the
	// request. Malformed input gives the protocol's AWS error.
	Decode(c *Call, in any) error
	// Encode writes the operation's successful response.
	Encode(c *Call, w http.ResponseWriter, out any)
	// EncodeError writes e in the protocol's error shape.
	EncodeError(c *Call, w http.ResponseWriter, e *apierr.Error)
}

// NoBody is the output of an operation AWS answers with an empty body
// rather than an empty document: DynamoDB's TagResource and UntagResource
// answer 200 with no "{}". The JSON protocol writes nothing for it.
type NoBody struct{}

// Handler runs one operation. Handle builds one from a typed function.
type Handler interface {
	// NewInput returns a pointer to a zero input struct.
	NewInput() any
	// Serve runs the operation on a decoded, validated input and returns
	// a pointer to the output struct.
	Serve(ctx context.Context, in any) (any, error)
	// OutputType is the output struct's type.
	OutputType() reflect.Type
}

type typedHandler[In, Out any] func(context.Context, *In) (*Out, error)

func (h typedHandler[In, Out]) NewInput() any { return new(In) }

func (h typedHandler[In, Out]) Serve(ctx context.Context, in any) (any, error) {
	out, err := h(ctx, in.(*In))
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = new(Out)
	}
	return out, nil
}

func (h typedHandler[In, Out]) OutputType() reflect.Type { return reflect.TypeFor[Out]() }

// Handle turns a typed operation function into a Handler. The input and
// output types are shape structs (see package shape).
func Handle[In, Out any](f func(context.Context, *In) (*Out, error)) Handler {
	// Describe both shapes now, so a malformed tag fails at start-up.
	shape.Of(reflect.TypeFor[In]())
	shape.Of(reflect.TypeFor[Out]())
	return typedHandler[In, Out](f)
}

// Prevalidator is implemented by inputs that AWS checks in some way of its
// own before the model's constraints: DynamoDB counts a batch's keys
// across tables before it checks each table's list, for example. A
// service declares the method beside its generated shapes.
type Prevalidator interface {
	Prevalidate() error
}

// ViolationReviser is implemented by inputs whose service reports the
// model's constraint violations its own way: with rules the model cannot
// express (a member checked differently on one operation), in another
// order, or stopping at the first. ReviseViolations gets the violations
// shape.Validate found, in member order, and returns the ones AWS reports;
// Serve words them with shape.Message, never with the service's
// MissingParameter sentence (a reviser reports a missing member as the
// plain "Value null" violation). A non-nil error is reported as it is,
// for a rule AWS words outside the "N validation errors" envelope.
type ViolationReviser interface {
	ReviseViolations(vs []shape.Violation) ([]shape.Violation, error)
}

// Operation is one entry in a service's operation table.
type Operation struct {
	// Name is the operation's AWS name, such as "GetCallerIdentity".
	Name string
	// Action is the IAM action that authorizes it; empty means
	// "<service>:<Name>".
	Action string
	// HTTP is the REST binding, "METHOD /path/{Label}/{Greedy+}?query",
	// for restJson1 and restXml services; other protocols ignore it.
	HTTP string
	// Status is the HTTP status of a successful REST response (default 200).
	Status int
	// Handler runs the operation.
	Handler Handler
	// StreamBody, for an operation whose input payload is a stream (S3's
	// PutObject and UploadPart), has the edge hand the body over unread
	// (Call.BodyStream) instead of reading it into memory, so that its
	// size is bounded by the operation, not by MaxBodyBytes. A SigV4
	// signature is then verified over the X-Amz-Content-Sha256 header,
	// and the operation checks the body against that hash as it reads.
	StreamBody bool
	// Anonymous operations are served without a signature even when the
	// edge verifies signatures (S3's CORS preflights, which browsers never
	// sign). A signature, if the request has one, is still checked.
	Anonymous bool
	// Unchecked operations need no IAM permission (STS's
	// GetCallerIdentity: "No permissions are required to perform this
	// operation"); the Authorizer is not asked about them.
	Unchecked bool
}

// Service is an AWS service as the edge sees it: a name, a protocol and
// an operation table.
type Service struct {
	// Name is the service's SigV4 signing name ("sts", "dynamodb"), which
	// is also how the edge and IAM actions name it.
	Name string
	// Protocol is the wire protocol the service speaks.
	Protocol Protocol
	// ValidationError is the error constraint violations are reported
	// with; its message is replaced by the violations. AWS spells it
	// "ValidationException" in most services and "ValidationError" in the
	// older awsQuery ones.
	ValidationError *apierr.Error
	// MissingParameter, when set, words a missing top-level required
	// member the way the service does instead of as a constraint
	// violation: DynamoDB says "The parameter 'TableName' is required but
	// was not present in the request". %s is the member's name.
	MissingParameter string
	// ViolationError, when set, reports the model's constraint violations
	// as the service does, for services whose errors for a missing or
	// malformed member are not one ValidationError (SQS answers
	// MissingParameter or InvalidParameterValue). It gets the input and
	// the violations in member order.
	ViolationError func(in any, vs []shape.Violation) error
	// Operations is the operation table.
	Operations []Operation
	// BadContentEncoding, when set, is the error for a request body the
	// service cannot decode: one in a Content-Encoding other than gzip,
	// or one that is not valid gzip (DynamoDB answers 500 to either).
	// Unset, an unknown encoding is left alone and broken gzip is a
	// SerializationException.
	BadContentEncoding *apierr.Error
	// MaxBodyBytes bounds a request body; zero means DefaultMaxBody.
	MaxBodyBytes int64
	// BodyTooLarge, when set, is the error for a body over MaxBodyBytes,
	// for services that name the operation in it (Lambda: "Request must
	// be smaller than 70167211 bytes for the CreateFunction operation").
	// It sees the request line and headers only: the body is not read.
	BodyTooLarge func(r *http.Request) error
	// OwnsCORS is set by a service that answers browsers' CORS requests
	// itself (S3, by each bucket's CORS rules). The edge answers every
	// other service's preflights and adds its Access-Control-* headers
	// to their responses, as AWS's endpoints do for any origin.
	OwnsCORS bool
	// NamesResource, when set, reports whether a request path names one
	// of the service's resources at a URL of its own (SQS's queue URLs,
	// /ACCOUNT/QUEUE, for a queue that exists): the edge answers a
	// browser's preflight to it as the service's, where it would
	// otherwise be left to a service that owns its CORS (S3, whose paths
	// are any bucket's, a bucket being possibly named with 12 digits).
	NamesResource func(path string) bool

	// Resources, when set, names the resources (ARNs) an operation acts
	// on, for IAM authorization: a DynamoDB table, an SQS queue. Without
	// it, or when it returns none, the resource is "*".
	Resources func(c *Call, in any) []string
	// Permissions, when set and it returns any, names the actions and
	// resources a call needs in place of the operation's Action on
	// Resources: for calls AWS authorizes item by item (DynamoDB's
	// transactions need PutItem, UpdateItem, DeleteItem or
	// ConditionCheckItem on each item's table).
	Permissions func(c *Call, in any) []Permission
	// ResourcePolicy, when set, returns the resource-based policy of a
	// resource Resources named (a queue's Policy attribute, a role's
	// trust policy), or "" when it has none.
	ResourcePolicy func(ctx context.Context, resource string) (string, error)
	// ResourcePolicyRequired is set by services whose resource-based
	// policies must allow a call whatever identity policies say, as a
	// role's trust policy must allow AssumeRole.
	ResourcePolicyRequired bool
	// ResourceTags, when set, returns the tags of a resource Resources
	// named, for policies' aws:ResourceTag/KEY conditions.
	ResourceTags func(ctx context.Context, resource string) (map[string]string, error)
	// DeniedResource, when set, names in a denial the resource a call
	// was decided on (an ARN from Resources) as the service words it,
	// for services that name it as the request gave it: Secrets Manager
	// names the SecretId, a name or an ARN. "" keeps the ARN.
	DeniedResource func(in any, resource string) string
	// AccessDenied is the error IAM denials are answered with; Init
	// defaults it from the protocol: awsJson's 400 AccessDeniedException,
	// restJson1's 403 AccessDeniedException, awsQuery's and restXml's 403
	// AccessDenied (also for services that speak awsQuery beside JSON,
	// whose errors keep their awsQuery codes).
	AccessDenied *apierr.Error

	byName    map[string]*Operation
	streaming bool
}

// DefaultMaxBody bounds request bodies of services that set no limit of
// their own.
const DefaultMaxBody = 16 << 20

// Init indexes the operation table and fills in defaults; call it once
// after building the Service.
func (s *Service) Init() *Service {
	s.byName = make(map[string]*Operation, len(s.Operations))
	for i := range s.Operations {
		op := &s.Operations[i]
		if op.Action == "" {
			op.Action = s.Name + ":" + op.Name
		}
		if op.Status == 0 {
			op.Status = http.StatusOK
		}
		s.byName[op.Name] = op
		s.streaming = s.streaming || op.StreamBody
	}
	if s.ValidationError == nil {
		s.ValidationError = apierr.New("ValidationException", 400, "")
	}
	if s.AccessDenied == nil {
		_, queryCompatible := s.Protocol.(interface{ For(*http.Request) Protocol })
		switch name := s.Protocol.Name(); {
		case name == "awsQuery" || name == "restXml" || queryCompatible:
			s.AccessDenied = apierr.New("AccessDenied", http.StatusForbidden, "")
		case name == "restJson1":
			s.AccessDenied = apierr.New("AccessDeniedException", http.StatusForbidden, "")
		default:
			s.AccessDenied = apierr.New("AccessDeniedException", http.StatusBadRequest, "")
		}
	}
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = DefaultMaxBody
	}
	if ini, ok := s.Protocol.(interface{ Init(*Service) }); ok {
		ini.Init(s)
	}
	return s
}

// StreamsBodies reports whether some operation of the service streams its
// input (Operation.StreamBody): the edge resolves the operation of a
// request to such a service before it reads the body.
func (s *Service) StreamsBodies() bool { return s.streaming }

// Operation returns the operation with the given name, or nil.
func (s *Service) Operation(name string) *Operation { return s.byName[name] }

// Serve runs a call whose request has been read: resolve the operation,
// decode and validate its input, run it, and encode the result or error.
func (s *Service) Serve(c *Call, w http.ResponseWriter) {
	c.Service = s
	if c.Op == nil {
		if err := s.Protocol.Resolve(c); err != nil {
			s.WriteError(c, w, err)
			return
		}
	}
	in := c.Op.Handler.NewInput()
	c.Input = in
	if err := s.Protocol.Decode(c, in); err != nil {
		s.WriteError(c, w, err)
		return
	}
	if pv, ok := in.(Prevalidator); ok {
		if err := pv.Prevalidate(); err != nil {
			s.WriteError(c, w, err)
			return
		}
	}
	vs := shape.Validate(in)
	if r, ok := in.(ViolationReviser); ok {
		revised, err := r.ReviseViolations(vs)
		if err != nil {
			s.WriteError(c, w, err)
			return
		}
		if len(revised) > 0 {
			s.WriteError(c, w, s.ValidationError.WithMessage(shape.Message(revised)))
			return
		}
	} else if len(vs) > 0 {
		if s.ViolationError != nil {
			s.WriteError(c, w, s.ViolationError(in, vs))
			return
		}
		s.WriteError(c, w, s.ValidationError.WithMessage(s.validationMessage(in, vs)))
		return
	}
	if c.Authorizer != nil && !c.Op.Anonymous && !c.Op.Unchecked {
		if err := c.Authorizer.Authorize(c, in); err != nil {
			s.WriteError(c, w, err)
			return
		}
	}
	out, err := c.Op.Handler.Serve(c.Context(), in)
	if err != nil {
		s.WriteError(c, w, err)
		return
	}
	c.Status = c.Op.Status
	c.Output = out
	s.Protocol.Encode(c, w, out)
}

// WriteError renders err in the service's protocol. An error that is not
// an *apierr.Error is an internal failure: it is recorded on the call for
// the request log and the client sees AWS's internal error.
func (s *Service) WriteError(c *Call, w http.ResponseWriter, err error) {
	e := apierr.As(err)
	if e == nil {
		c.Err = err
		e = apierr.ErrInternal
	}
	c.ErrorCode = e.Code
	c.ErrorMessage = e.Message
	c.Status = e.Status
	s.Protocol.EncodeError(c, w, e)
}

// LowerFirst returns name with its first letter in lower case, as AWS
// names members in validation messages.
func LowerFirst(name string) string {
	if name == "" {
		return name
	}
	return strings.ToLower(name[:1]) + name[1:]
}

// validationMessage words constraint violations for the service.
func (s *Service) validationMessage(in any, vs []shape.Violation) string {
	if s.MissingParameter != "" {
		for _, v := range vs {
			if v.Value == "null" && !strings.Contains(v.Path, ".") {
				t := shape.Of(reflect.TypeOf(in))
				for _, f := range t.Fields {
					if LowerFirst(f.Name) == v.Path {
						return fmt.Sprintf(s.MissingParameter, f.Name)
					}
				}
			}
		}
	}
	return shape.Message(vs)
}
