// Package resource is the contract between CloudFormation's engine and
// the providers that create, update and delete resources of each type
// (AWS::DynamoDB::Table, AWS::Lambda::Function, ...). The engine
// evaluates a resource's properties, calls its type's provider, and keeps
// what the provider returns: the physical ID (what Ref gives, unless the
// type says otherwise) and the attributes Fn::GetAtt reads.
//
// Providers drive virga's services the way CloudFormation drives AWS's:
// through the services' own API operations (Env.Call), so that a resource
// is exactly what the API would have made, with the API's errors as the
// failure reasons CloudFormation reports.
package resource

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/clock"
)

// Env is what providers reach services through.
type Env struct {
	// Call runs an operation of a service, named by its signing name
	// ("dynamodb", "lambda", ...), with its input and output as JSON-like
	// documents (see awsproto's Service.Call). Errors are the
	// operation's.
	Call func(ctx context.Context, service, operation string, input map[string]any) (map[string]any, error)
	// Region and Account are the stack's.
	Region, Account string
	// Endpoint is virga's base URL (http://127.0.0.1:4566).
	Endpoint string
	// ReadObject reads an object from virga's S3 (an API definition's
	// BodyS3Location), with CloudFormation's wording of S3's errors; nil
	// when the engine has no S3.
	ReadObject func(ctx context.Context, bucket, key, version string) ([]byte, error)
	// Clock is the services' clock, on which providers measure how long
	// they wait for a resource to settle; nil is the system clock.
	Clock clock.Clock
	// Responses hands out the one-use URLs at which custom resources'
	// providers answer (AWS::CloudFormation::CustomResource); nil when
	// the engine has none, which fails custom resources.
	Responses Responses
	// WaitHandles keeps wait condition handles' URLs and the signals
	// they receive (AWS::CloudFormation::WaitConditionHandle); nil when
	// the engine has none, which fails wait conditions.
	WaitHandles WaitHandles
}

// WaitHandles issues the URLs of wait condition handles, which take any
// number of signals until they are closed.
type WaitHandles interface {
	// Open makes a handle's URL, returning its path (under
	// Env.Endpoint).
	Open() (path string)
	// Signals returns the signals the handle at path has received, one
	// for each UniqueId (a later one replaces an earlier), in the order
	// their ids first arrived. A path that is no open handle's (one made
	// before virga restarted) is opened again, to take signals from
	// now on; ok is false for a path that cannot be a handle's.
	Signals(path string) (signals []Signal, ok bool)
	// Close retires the handle at path.
	Close(path string)
}

// Signal is one signal a wait condition handle received: the JSON
// object cfn-signal and curl PUT to its URL.
type Signal struct {
	Status   string
	Reason   string
	UniqueID string `json:"UniqueId"`
	Data     string
}

// Responses issues response URLs: each takes one PUT, whose body it
// hands to whoever opened it.
type Responses interface {
	// Open makes a response URL, returning its path (under
	// Env.Endpoint), a channel that receives the body of the one PUT it
	// accepts (cut after limit bytes, so that the receiver sees that it
	// was longer), and close, which retires the URL.
	Open(limit int) (path string, body <-chan []byte, close func())
}

// Now is the time on the environment's clock.
func (e *Env) Now() time.Time {
	if e == nil || e.Clock == nil {
		return time.Now()
	}
	return e.Clock.Now()
}

// Request is one operation on one resource.
type Request struct {
	// LogicalID and Type name the resource in its template.
	LogicalID, Type string
	// StackName and StackID name its stack; providers use them to build
	// the names AWS generates (STACK-LOGICALID-RANDOM).
	StackName, StackID string
	// Properties are the resource's evaluated properties (for Delete,
	// the last ones it was created or updated with).
	Properties map[string]any
	// PhysicalID and Attributes are the resource's, for Update and Delete.
	PhysicalID string
	Attributes map[string]any
	// OldProperties are the properties before an Update.
	OldProperties map[string]any
	// Env reaches the services.
	Env *Env
}

// Result is what a Create or Update made.
type Result struct {
	// PhysicalID identifies the resource: a name, an ARN or a URL.
	PhysicalID string
	// Ref is what Ref gives when it is not PhysicalID (an SQS queue's
	// Ref is its URL, a Lambda version's its ARN).
	Ref string
	// Attributes are what Fn::GetAtt reads, by attribute name.
	Attributes map[string]any
	// NoEcho asks that the attributes be masked where CloudFormation
	// shows them (a stack's outputs); a custom resource's provider
	// asks so in its answer.
	NoEcho bool
}

// Provider creates, updates and deletes the resources of one type.
type Provider interface {
	// Create makes the resource. One that fails after the resource was
	// made (a setting applied afterwards was refused) returns its Result
	// with the error, so that the engine can delete it.
	Create(ctx context.Context, r *Request) (*Result, error)
	// Update changes a resource in place; it is called only when no
	// changed property requires replacement (see Type.Replace).
	Update(ctx context.Context, r *Request) (*Result, error)
	// Delete removes the resource; a resource already gone is not an
	// error.
	Delete(ctx context.Context, r *Request) error
}

// Lister describes the resources of a type that exist in its service,
// whoever made them (a stack, the Cloud Control API, the service's own
// API), as the type's list and read handlers do on AWS.
type Lister interface {
	// List describes every resource of the type in env's account and
	// region.
	List(ctx context.Context, env *Env) ([]Described, error)
}

// Described is a resource as a Lister found it: its physical ID (and
// Ref, when it is not the physical ID), the properties that would make
// it as it is, and its attributes.
type Described struct {
	PhysicalID, Ref        string
	Properties, Attributes map[string]any
}

// Type describes a resource type to the engine.
type Type struct {
	// Name is the type, such as "AWS::SQS::Queue".
	Name string
	Provider
	// Replace lists the top-level properties a change of which replaces
	// the resource (create the new one, then delete the old) instead of
	// updating it, as CloudFormation's resource specification says
	// ("Update requires: Replacement"). "*" means every change replaces;
	// "A.B" names property B of object property A.
	Replace []string
	// Attributes lists the attributes Fn::GetAtt may read, for
	// validation; nil accepts any.
	Attributes []string
	// NameProperty is the property that gives the resource a name that
	// must be unique (TableName, QueueName), if the type has one: a
	// replacement under the same name cannot create the new resource
	// while the old one exists, and CloudFormation refuses it.
	NameProperty string
	// Required lists the properties the type's CloudFormation resource
	// schema requires, in the schema's order. CloudFormation refuses a
	// resource missing one before it calls the service (see
	// CheckRequired). "Parent/Member" names a member the object property
	// Parent requires when the template gives Parent.
	Required []string
	// Opaque says that CloudFormation knows of the type's resources
	// only what their provider answers, as of custom resources': an
	// Update whose Result names another physical ID replaced the
	// resource, and the engine deletes the old one in the update's
	// cleanup; an Update that failed may have changed the resource all
	// the same, and the stack's rollback sends another, back to the
	// properties before.
	Opaque bool
	// Tags says how the type's Tags property lists tags, for a type
	// CloudFormation tags with its stack's tags and its own
	// aws:cloudformation: tags (see WithTags); NoTags, the zero value,
	// leaves Tags as the template gives it.
	Tags TagsFormat
	// StackTagsOnly: CloudFormation gives the type's resources its
	// stack's tags but not its aws:cloudformation: tags, as it does IAM
	// roles and users and nested stacks.
	StackTagsOnly bool
	// Lister, if set, is the type's read handler: the Cloud Control API
	// finds through it the resources made outside stacks and itself.
	Lister Lister
}

// TagsFormat is the shape of a type's Tags property.
type TagsFormat int

const (
	// NoTags: CloudFormation does not tag the type's resources.
	NoTags TagsFormat = iota
	// TagList: Tags is a list of {Key, Value} (AWS::SQS::Queue).
	TagList
	// TagMap: Tags is an object of keys and values (AWS::SSM::Parameter).
	TagMap
)

// WithTags returns props with Tags holding tags merged into the tags
// props give in format f: a tag the template gives for a key wins over
// the one tags gives, but for keys in the aws: namespace, which only
// CloudFormation sets. props is returned as it is when f is NoTags or
// its Tags is not of f's shape (an error the provider reports), or when
// there is nothing to add; otherwise it is a shallow copy.
func WithTags(f TagsFormat, props map[string]any, tags map[string]string) map[string]any {
	if f == NoTags || len(tags) == 0 {
		return props
	}
	merged := map[string]string{}
	for k, v := range tags {
		if !strings.HasPrefix(k, "aws:") {
			merged[k] = v
		}
	}
	switch given := props["Tags"].(type) {
	case nil:
	case []any:
		if f != TagList {
			return props
		}
		for _, e := range given {
			t, ok := e.(map[string]any)
			k, kok := t["Key"].(string)
			if !ok || !kok {
				return props
			}
			merged[k] = tagText(t["Value"])
		}
	case map[string]any:
		if f != TagMap {
			return props
		}
		for k, v := range given {
			merged[k] = tagText(v)
		}
	default:
		return props
	}
	for k, v := range tags {
		if strings.HasPrefix(k, "aws:") {
			merged[k] = v
		}
	}
	out := make(map[string]any, len(props)+1)
	for k, v := range props {
		out[k] = v
	}
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if f == TagList {
		l := make([]any, 0, len(keys))
		for _, k := range keys {
			l = append(l, map[string]any{"Key": k, "Value": merged[k]})
		}
		out["Tags"] = l
	} else {
		m := make(map[string]any, len(keys))
		for _, k := range keys {
			m[k] = merged[k]
		}
		out["Tags"] = m
	}
	return out
}

// tagText is a tag value as a template may give it (a string, or a
// number or boolean CloudFormation turns into one).
func tagText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// CheckRequired reports the required properties missing from props (an
// absent key or null, as AWS::NoValue leaves it) the way CloudFormation's
// schema validation words it: "Properties validation failed for
// resource LOGICALID with message: #: required key [RoleArn] not found"
// ("#/Parent: required key [Member] not found" inside a property), one
// violation a line when there are several.
func (t *Type) CheckRequired(logicalID string, props map[string]any) error {
	var missing []string
	for _, k := range t.Required {
		parent, member, nested := strings.Cut(k, "/")
		switch p, given := props[parent].(map[string]any); {
		case !nested && props[k] == nil:
			missing = append(missing, fmt.Sprintf("#: required key [%s] not found", k))
		case nested && given && p[member] == nil:
			missing = append(missing, fmt.Sprintf("#/%s: required key [%s] not found", parent, member))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("Properties validation failed for resource %s with message: %s", logicalID, strings.Join(missing, "\n"))
}

// NeedsReplacement reports whether changing old into new replaces the
// resource.
func (t *Type) NeedsReplacement(old, new map[string]any) bool {
	for _, p := range t.Replace {
		if p == "*" {
			return !Equal(old, new)
		}
		if !Equal(propertyAt(old, p), propertyAt(new, p)) {
			return true
		}
	}
	return false
}

// propertyAt returns the property a Replace entry names ("A" or
// "A.B"), or nil.
func propertyAt(props map[string]any, path string) any {
	var v any = props
	for name := range strings.SplitSeq(path, ".") {
		m, _ := v.(map[string]any)
		if m == nil {
			return nil
		}
		v = m[name]
	}
	return v
}

// ErrNotFound is what Delete may wrap for a resource already gone; the
// engine treats it as success.
var ErrNotFound = errors.New("resource not found")

// ErrRefused is what an Update's error matches when the provider refused
// the change before touching the resource (Refuse): the rollback of the
// stack's update then has nothing to undo there, even for an Opaque
// type.
var ErrRefused = errors.New("update refused")

// Refuse is an Update's error with message, matching ErrRefused.
func Refuse(message string) error { return refusal(message) }

type refusal string

func (e refusal) Error() string      { return string(e) }
func (refusal) Is(target error) bool { return target == ErrRefused }

var (
	mu    sync.RWMutex
	types = map[string]*Type{}
)

// Register makes a type available; providers call it from init.
func Register(t *Type) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := types[t.Name]; dup {
		panic(fmt.Sprintf("resource: %s registered twice", t.Name))
	}
	types[t.Name] = t
}

// CustomType is the type of custom resources. Every type named
// Custom::NAME is one too: a template names its custom resources as it
// likes, and CloudFormation handles them all alike.
const CustomType = "AWS::CloudFormation::CustomResource"

// Lookup returns the registered type, or nil. A Custom::NAME type is
// CustomType's.
func Lookup(name string) *Type {
	mu.RLock()
	defer mu.RUnlock()
	if strings.HasPrefix(name, "Custom::") && len(name) > len("Custom::") {
		name = CustomType
	}
	return types[name]
}

// Types returns the names of every registered type, sorted.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(types))
	for n := range types {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Equal compares two JSON-like values, treating numbers by value.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// parentStackKey is the context key of the stack a nested stack is
// made for.
type parentStackKey struct{}

// WithParentStack returns ctx carrying the ID of the stack whose
// AWS::CloudFormation::Stack resource calls CloudFormation in-process
// for its nested stack, so that CreateStack records the nested stack's
// parent (DescribeStacks' ParentId and RootId), and so that the calls
// that start an operation answer at once: the parent follows the
// operation itself, on a wait its cancellation ends.
func WithParentStack(ctx context.Context, stackID string) context.Context {
	return context.WithValue(ctx, parentStackKey{}, stackID)
}

// ParentStack is the stack ID WithParentStack put in ctx, or "".
func ParentStack(ctx context.Context) string {
	id, _ := ctx.Value(parentStackKey{}).(string)
	return id
}

// operationKey is the context key of the operation's own context, which
// Detach keeps for Waits.
type operationKey struct{}

// Detach returns the context a provider's Create, Update or Delete runs
// on within an operation whose context is op: its service calls run to
// completion whatever becomes of op (CancelUpdateStack, DeleteStack of a
// stack being created, virga's stop), so that what a call made is in the
// result the engine records and is deleted with the stack, not
// orphaned; only the provider's waits (Waits, Sleep) end with op.
func Detach(op context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(op), operationKey{}, op)
}

// Waits is the context on which a provider waits (for a custom
// resource's answer, a resource to settle, a nested stack's operation):
// the operation's, for a ctx from Detach, else ctx itself.
func Waits(ctx context.Context) context.Context {
	if op, ok := ctx.Value(operationKey{}).(context.Context); ok {
		return op
	}
	return ctx
}

// Sleep waits d, or less if the operation is cancelled (Waits), and
// returns the operation's error then.
func Sleep(ctx context.Context, d time.Duration) error {
	w := Waits(ctx)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.Done():
		return w.Err()
	case <-t.C:
		return nil
	}
}

// Clone copies a JSON-like value (maps, lists and scalars) deeply, so
// that the copy may be changed without changing the original.
func Clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Clone(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Clone(e)
		}
		return out
	}
	return v
}
