// Package cloudformation is AWS CloudFormation (awsQuery): stacks made
// from templates, with change sets, events, outputs and exports.
//
// A stack operation (create, update, delete, a change set's execution)
// runs in the background, as on AWS: the call that starts it answers at
// once, and the stack's status, events and resources show its progress.
// The engine (engine.go) evaluates the template with internal/cfn/template,
// works through the resources in dependency order, independent ones in
// parallel, and reaches each resource type's provider through
// internal/cfn/resource; a failure rolls back what the operation did.
// Templates with the AWS::Serverless-2016-10-31 transform are expanded
// first (Deps.Transform).
//
// Failures: a failed operation rolls back what it did, unless the call
// disabled rollback (DisableRollback on CreateStack, UpdateStack and
// ExecuteChangeSet; OnFailure DO_NOTHING on CreateStack; OnStackFailure
// DO_NOTHING on a CREATE change set): then the stack stops CREATE_FAILED
// or UPDATE_FAILED, with the resources that succeeded and the failed
// ones' statuses and reasons. Such a stack may be updated again (not
// after CreateStack's DO_NOTHING), which retries what failed, rolled
// back with RollbackStack to its last known stable state (the record's
// Stable; a stack that never had one loses every resource,
// ROLLBACK_COMPLETE), or deleted. An update with rollback disabled may
// not replace a resource. ContinueUpdateRollback takes up a rollback
// that failed (UPDATE_ROLLBACK_FAILED) from the same stable state.
// OnFailure DELETE, or OnStackFailure DELETE on a CREATE change set,
// deletes a stack whose creation failed instead of rolling it back:
// DELETE_IN_PROGRESS, then DELETE_COMPLETE, after which only its stack
// ID finds it. A change set created with an OnStackFailure may not be
// executed with DisableRollback.
//
// Cancelling: CancelUpdateStack stops an update in UPDATE_IN_PROGRESS
// and rolls it back (UPDATE_ROLLBACK_IN_PROGRESS, then
// UPDATE_ROLLBACK_COMPLETE), rollback disabled or not; DeleteStack of a
// stack in CREATE_IN_PROGRESS makes it DELETE_IN_PROGRESS at once, stops
// its creation and deletes what it made (DELETE_COMPLETE), whether the
// creation of its resources has begun, runs or has ended (a creation
// not creating resources checks stack.deleteRequested before it starts
// them and as it ends). Either stops
// only the operation's forward part (ops_cancel.go): the resources
// whose creation or update it stopped fail "Resource creation
// cancelled" or "Resource update cancelled", as on AWS, and providers
// waiting on something (a custom resource's answer) stop waiting. A
// custom resource whose Create got no answer still gets a Delete. Other
// operations in progress (an update's cleanup, a rollback, a deletion)
// cannot be stopped: DeleteStack refuses them, as AWS does.
//
// Restarts: an operation that virga's stop cut short leaves its stack
// in progress (a failure while virga stops may be the stop's doing, so
// finish does not record it), and the next start takes it up once virga
// serves (Resume, resume.go): a creation or an update is rolled back, or
// with rollback disabled stops failed, with the resources it was
// creating or updating failed "Resource creation cancelled" or
// "Resource update cancelled"; a rollback or a deletion goes on. A
// custom resource whose Create the stop cut short thus gets its Delete,
// sent anew. An update's cleanup or a stack in review that a stop cut
// short ends failed (interruptedStatus).
//
// Templates: a request gives its template inline (TemplateBody, at most
// 51,200 bytes) or as a TemplateURL of an object in virga's S3 (at most
// 1,000,000 bytes), read once when the call is made (templateurl.go;
// package s3url lists the URL forms taken, virga's own endpoint among
// them). S3's refusals are CloudFormation's ValidationErrors ("S3 error:
// The specified key does not exist.").
//
// Nested stacks: an AWS::CloudFormation::Stack resource creates its
// stack through CreateStack in-process, with the parent's ID in the
// context (resource.WithParentStack); the nested stack records it as
// ParentId and the parent's root (the parent itself at the first level)
// as RootId, which DescribeStacks and ListStacks show. Nested stacks are
// listed beside top-level ones, and may be read and operated on by name
// or ID, as on AWS.
//
// AWS::Include (include.go): an Fn::Transform naming AWS::Include, or
// an AWS::Include entry of the Transform section, is replaced by the
// snippet (YAML or JSON) its Location names in virga's S3, by s3:// URI
// or any https form package s3url takes, before any other transform: a
// whole value becomes the snippet, an Fn::Transform among other keys adds
// the snippet's keys beside them, and the Transform section's adds them
// to the template. Like every macro it needs CAPABILITY_AUTO_EXPAND on
// CreateStack and UpdateStack, not on a change set. Failures are
// ValidationErrors "Transform AWS::Include failed with: " and the reason:
// a Location that names no S3 object, S3's message for an object it
// cannot read, and a snippet that is not YAML or JSON or that has an
// AWS::Include of its own. Macros other than AWS::Include and the SAM
// transform are not supported.
//
// Systems Manager parameters and secrets: AWS::SSM::Parameter::Value<...>
// template parameters are read when the stack is created or updated
// (Deps.SSMParameters) and DescribeStacks shows what they read as
// ResolvedValue. Dynamic references ({{resolve:ssm:...}},
// {{resolve:ssm-secure:...}}, {{resolve:secretsmanager:...}}) are
// resolved by package dynref with Deps.DynamicReferences just before a
// provider creates or updates the resource; the stack keeps, compares
// and shows the properties as the template wrote them, so a resolved
// value is neither stored nor shown in events, and a changed parameter
// or secret does not by itself update a resource, as on AWS.
//
// Stack policies (ops_policy.go): CreateStack's and UpdateStack's
// StackPolicyBody or StackPolicyURL, and SetStackPolicy, set a stack's
// policy, which GetStackPolicy answers as given. A policy must be a JSON
// object with Statements ("Error validating stack policy: Invalid stack
// policy"). An update that would modify, replace or delete a resource
// the policy does not allow it to (an explicit Deny, or no Allow) fails
// before it changes anything, with the resource's UPDATE_FAILED event
// "Action denied by stack policy: ...", and rolls back;
// StackPolicyDuringUpdateBody governs one update in place of the
// stack's policy.
package cloudformation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/cfn/dynref"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cfn/template"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/s3url"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// APIVersion and Namespace are CloudFormation's awsQuery version and XML
// namespace.
const (
	APIVersion = "2010-05-15"
	Namespace  = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
)

// CloudFormation's errors.
var (
	ErrValidation    = apierr.New("ValidationError", 400, "")
	ErrAlreadyExists = apierr.New("AlreadyExistsException", 400, "")
	ErrCapabilities  = apierr.New("InsufficientCapabilitiesException", 400, "")
	// ErrChangeSetGone's code is ChangeSetNotFound, as AWS's model
	// gives it (the shape is ChangeSetNotFoundException); SDKs map the
	// code to their exception type.
	ErrChangeSetGone = apierr.New("ChangeSetNotFound", 404, "")
	ErrInvalidState  = apierr.New("InvalidChangeSetStatus", 400, "")
	ErrTokenExists   = apierr.New("TokenAlreadyExistsException", 400, "")
)

// TransformFunc expands a template's transform (the SAM transform) into
// plain CloudFormation; warnings are reported as stack events.
type TransformFunc func(ctx context.Context, name string, tree map[string]any, stackName string, params map[string]string) (map[string]any, []string, error)

// Deps are what CloudFormation needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Endpoint is virga's base URL.
	Endpoint func() string
	// Call runs an operation of another service in-process (providers
	// create resources through it).
	Call func(ctx context.Context, service, operation string, input map[string]any) (map[string]any, error)
	// Transform expands transforms; nil refuses templates that declare
	// one.
	Transform TransformFunc
	// DynamicReferences resolve {{resolve:SERVICE:...}} in resource
	// properties, by service (package dynref); a service with none
	// fails the resource that refers to it.
	DynamicReferences map[string]dynref.Resolver
	// SSMParameters reads the Systems Manager parameters that
	// AWS::SSM::Parameter::Value<...> template parameters name; nil
	// refuses such parameters.
	SSMParameters template.SSMLookup
	// Objects is S3, where TemplateURL is read; nil refuses TemplateURL
	// as naming a bucket that does not exist.
	Objects Objects
	// Responses are the URLs custom resources' providers answer at
	// (providers.ResponseURLs); nil fails custom resources.
	Responses resource.Responses
	// WaitHandles are wait condition handles' URLs
	// (providers.WaitHandles); nil fails wait conditions.
	WaitHandles resource.WaitHandles
	Logger      *slog.Logger
}

// Service is CloudFormation.
type Service struct {
	d   Deps
	log *slog.Logger

	mu      sync.Mutex
	stacks  map[string]*stack // live stacks by name
	deleted []*stack          // deleted stacks, for ListStacks and by id
	nextEv  uint64

	// runs are the operations in progress; Close waits for them.
	runs   sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	// ending is closed by EndWaits: calls stop waiting for their
	// operations.
	ending   chan struct{}
	endWaits sync.Once
	// interrupted are the stacks whose operation a stop cut short,
	// which Resume takes up.
	interrupted []*stack
	// creating, when set (by tests), is called as a creation reaches
	// the points where DeleteStack finds no resource creation to stop:
	// "waves" before its resources' creation starts, "finish" before it
	// ends.
	creating func(st *stack, point string)
}

// New returns CloudFormation over the store, with its stacks.
func New(d Deps) (*Service, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{d: d, log: d.Logger, stacks: map[string]*stack{}, ending: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops the operations in progress and waits: their stacks stay
// in their IN_PROGRESS state, which the next start takes up (Resume).
func (s *Service) Close() error {
	s.EndWaits()
	s.cancel()
	s.runs.Wait()
	return nil
}

// EndWaits has the calls that wait for the operation they started
// (CreateStack, UpdateStack, ...) answer at once, so that they do not
// hold virga's stop; the operations go on.
func (s *Service) EndWaits() {
	s.endWaits.Do(func() { close(s.ending) })
}

// API returns CloudFormation as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "cloudformation",
		Protocol:        query.New(APIVersion, Namespace),
		Resources:       s.iamResources,
		ValidationError: ErrValidation,
		ViolationError:  violationError,
		Operations: []awsproto.Operation{
			{Name: "CreateStack", Handler: awsproto.Handle(s.createStack)},
			{Name: "UpdateStack", Handler: awsproto.Handle(s.updateStack)},
			{Name: "DeleteStack", Handler: awsproto.Handle(s.deleteStack)},
			{Name: "DescribeStacks", Handler: awsproto.Handle(s.describeStacks)},
			{Name: "DescribeStackEvents", Handler: awsproto.Handle(s.describeStackEvents)},
			{Name: "DescribeStackResource", Handler: awsproto.Handle(s.describeStackResource)},
			{Name: "DescribeStackResources", Handler: awsproto.Handle(s.describeStackResources)},
			{Name: "ListStacks", Handler: awsproto.Handle(s.listStacks)},
			{Name: "ListStackResources", Handler: awsproto.Handle(s.listStackResources)},
			{Name: "GetTemplate", Handler: awsproto.Handle(s.getTemplate)},
			{Name: "GetTemplateSummary", Handler: awsproto.Handle(s.getTemplateSummary)},
			{Name: "ValidateTemplate", Handler: awsproto.Handle(s.validateTemplate)},
			{Name: "EstimateTemplateCost", Handler: awsproto.Handle(s.estimateTemplateCost)},
			{Name: "CreateChangeSet", Handler: awsproto.Handle(s.createChangeSet)},
			{Name: "DescribeChangeSet", Handler: awsproto.Handle(s.describeChangeSet)},
			{Name: "ExecuteChangeSet", Handler: awsproto.Handle(s.executeChangeSet)},
			{Name: "DeleteChangeSet", Handler: awsproto.Handle(s.deleteChangeSet)},
			{Name: "ListChangeSets", Handler: awsproto.Handle(s.listChangeSets)},
			{Name: "ListExports", Handler: awsproto.Handle(s.listExports)},
			{Name: "ListImports", Handler: awsproto.Handle(s.listImports)},
			{Name: "UpdateTerminationProtection", Handler: awsproto.Handle(s.updateTerminationProtection)},
			{Name: "SetStackPolicy", Handler: awsproto.Handle(s.setStackPolicy)},
			{Name: "GetStackPolicy", Handler: awsproto.Handle(s.getStackPolicy)},
			{Name: "RollbackStack", Handler: awsproto.Handle(s.rollbackStack)},
			{Name: "ContinueUpdateRollback", Handler: awsproto.Handle(s.continueUpdateRollback)},
			{Name: "CancelUpdateStack", Handler: awsproto.Handle(s.cancelUpdateStack)},
		},
	}).Init()
}

// stack is a stack: its record, and whether an operation runs on it.
type stack struct {
	rec  stackRecord
	busy bool
	// stop cancels the forward part of the operation in progress (the
	// creation or update of its resources, see forward), with
	// CancelUpdateStack's or DeleteStack's cause; nil outside it.
	stop context.CancelCauseFunc
	// done is closed when the stack's last operation ends.
	done chan struct{}
	// deleteRequested is set by DeleteStack of a stack being created
	// outside the creation of its resources (before it, or after it as
	// the creation ends), where stop is nil: the creation then stops
	// before its resources, or deletes what it made instead of ending.
	deleteRequested bool
	// controlled are the logical IDs of the resources the Cloud Control
	// API is updating (UpdateResource); the stack is busy while there
	// are any.
	controlled map[string]bool
}

// stackRecord is a stack as the store keeps it.
type stackRecord struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Description  string            `json:"description,omitempty"`
	Status       string            `json:"status"`
	StatusReason string            `json:"reason,omitempty"`
	Created      time.Time         `json:"created"`
	Updated      time.Time         `json:"updated,omitempty"`
	Deleted      time.Time         `json:"deleted,omitempty"`
	Template     string            `json:"template"`  // as submitted
	Processed    string            `json:"processed"` // after transforms, JSON
	Parameters   []paramRecord     `json:"params,omitempty"`
	Capabilities []Capability      `json:"capabilities,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	NoRollback   bool              `json:"noRollback,omitempty"`
	// DoNothing is a creation's OnFailure DO_NOTHING: like
	// DisableRollback it leaves a failed creation as it stands, but the
	// stack may not then be updated, only rolled back or deleted.
	DoNothing bool `json:"doNothing,omitempty"`
	// DeleteOnFailure is a creation's OnFailure (or change set's
	// OnStackFailure) DELETE: a failed
	// creation deletes the stack (DELETE_IN_PROGRESS, DELETE_COMPLETE)
	// instead of rolling it back to ROLLBACK_COMPLETE.
	DeleteOnFailure bool `json:"deleteOnFailure,omitempty"`
	// Stable is the stack's last known stable state while an update
	// has left it short of one (UPDATE_FAILED, UPDATE_ROLLBACK_FAILED):
	// what RollbackStack and ContinueUpdateRollback return it to.
	Stable *stableState `json:"stable,omitempty"`
	// Protected is termination protection: DeleteStack refuses the
	// stack while it is set.
	Protected bool `json:"protected,omitempty"`
	// Policy is the stack policy as given, "" for none (ops_policy.go).
	Policy  string         `json:"policy,omitempty"`
	Outputs []outputRecord `json:"outputs,omitempty"`
	// Imports are the exports the stack's template imported when it was
	// last created or updated.
	Imports     []string                  `json:"imports,omitempty"`
	Resources   map[string]*resourceState `json:"resources,omitempty"`
	ChangeSetID string                    `json:"changeSet,omitempty"`
	// ParentID and RootID are, for a nested stack, the IDs of the stack
	// whose AWS::CloudFormation::Stack resource made it and of the
	// top-level stack it ultimately belongs to (the same for the first
	// level of nesting).
	ParentID   string                `json:"parent,omitempty"`
	RootID     string                `json:"root,omitempty"`
	ChangeSets map[string]*changeSet `json:"changeSets,omitempty"`
}

type paramRecord struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	NoEcho bool   `json:"noEcho,omitempty"`
	// Resolved is an SSM-typed parameter's value, which DescribeStacks
	// shows as ResolvedValue.
	Resolved *string `json:"resolved,omitempty"`
}

type outputRecord struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	ExportName  string `json:"export,omitempty"`
	// Masked: the value reads an attribute its resource's provider
	// asked to hide (a custom resource's NoEcho), and DescribeStacks
	// shows asterisks; an export still gives the value.
	Masked bool `json:"masked,omitempty"`
}

// resourceState is a resource of a stack.
type resourceState struct {
	LogicalID      string         `json:"logicalId"`
	Type           string         `json:"type"`
	PhysicalID     string         `json:"physicalId,omitempty"`
	Ref            string         `json:"ref,omitempty"`
	Status         string         `json:"status"`
	StatusReason   string         `json:"reason,omitempty"`
	Updated        time.Time      `json:"updated"`
	Properties     map[string]any `json:"properties,omitempty"`
	Attributes     map[string]any `json:"attributes,omitempty"`
	DeletionPolicy string         `json:"deletionPolicy,omitempty"`
	Description    string         `json:"description,omitempty"`
	// NoEcho: the provider asked that its attributes be masked where
	// they are shown (resource.Result.NoEcho).
	NoEcho bool `json:"noEcho,omitempty"`
	// Refused: the provider refused the update that failed it, without
	// touching it (resource.ErrRefused); the update's rollback leaves it,
	// after a restart too (RollbackStack of an UPDATE_FAILED stack).
	Refused bool `json:"refused,omitempty"`
	// Gone is the physical ID the Cloud Control API's DeleteResource
	// deleted outside the stack's operations. The stack lists the
	// resource as before, as AWS's does (its drift), but while its
	// physical ID is this one it is no resource the Cloud Control API
	// finds, and the stack's deletion finds nothing left to delete.
	Gone string `json:"gone,omitempty"`
}

func (r *resourceState) ref() string {
	if r.Ref != "" {
		return r.Ref
	}
	return r.PhysicalID
}

// event is a stack event as the store keeps it.
type event struct {
	ID         string    `json:"id"`
	StackID    string    `json:"stackId"`
	StackName  string    `json:"stackName"`
	LogicalID  string    `json:"logicalId"`
	PhysicalID string    `json:"physicalId,omitempty"`
	Type       string    `json:"type"`
	Time       time.Time `json:"time"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason,omitempty"`
	Properties string    `json:"properties,omitempty"`
}

// Store layout:
//
//	("cfn", "stack", ID)          stackRecord, live or deleted
//	("cfn", "event", ID, SEQ)     event
func stackKey(id string) []byte { return cfnKey("stack", id) }

func eventPrefix(id string) []byte { return cfnKey("event", id) }

func cfnKey(parts ...string) []byte {
	k := keys.AppendString(nil, "cfn")
	for _, p := range parts {
		k = keys.AppendString(k, p)
	}
	return k
}

func (s *Service) load() error {
	p := cfnKey("stack")
	it, err := s.d.Store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		var r stackRecord
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			return fmt.Errorf("cloudformation: stack record: %w", err)
		}
		st := &stack{rec: r}
		if !r.Deleted.IsZero() {
			s.deleted = append(s.deleted, st)
			continue
		}
		// An operation that a stop interrupted is taken up again
		// (Resume), or, where it cannot be, ends failed, as AWS's
		// would if it could not finish.
		if resumable(r.Status) {
			st.busy = true
			s.interrupted = append(s.interrupted, st)
		} else if isInProgress(r.Status) {
			st.rec.Status = interruptedStatus(r.Status)
			st.rec.StatusReason = "The operation was interrupted when virga stopped."
			for _, cs := range st.rec.ChangeSets {
				if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" {
					cs.ExecutionStatus = "EXECUTE_FAILED"
				}
			}
		}
		if r.Imports == nil {
			// A stack kept by a virga that did not record imports: the
			// export names its template imports literally.
			st.rec.Imports = literalImports(r.Processed)
		}
		s.stacks[r.Name] = st
	}
	pe := cfnKey("event")
	ie, err := s.d.Store.NewIter(pe, keys.PrefixEnd(pe))
	if err != nil {
		return err
	}
	defer ie.Close()
	if ie.Last() {
		if vals, err := keys.Decode(ie.Key()); err == nil && len(vals) == 4 {
			if n, ok := vals[3].(uint64); ok {
				s.nextEv = n
			}
		}
	}
	return ie.Error()
}

// save writes a stack's record; the caller holds s.mu.
func (s *Service) save(st *stack) error {
	data, err := json.Marshal(&st.rec)
	if err != nil {
		return err
	}
	b := s.d.Store.NewBatch()
	defer b.Close()
	b.Set(stackKey(st.rec.ID), data)
	return b.Commit()
}

// record appends an event; the caller holds s.mu.
func (s *Service) record(st *stack, logicalID, physicalID, typ, status, reason string, props map[string]any) {
	s.nextEv++
	ev := event{ID: s.d.IDs.UUID(), StackID: st.rec.ID, StackName: st.rec.Name, LogicalID: logicalID,
		PhysicalID: physicalID, Type: typ, Time: s.d.Clock.Now(), Status: status, Reason: reason}
	if props != nil {
		b, _ := json.Marshal(props)
		ev.Properties = string(b)
	}
	data, _ := json.Marshal(ev)
	b := s.d.Store.NewBatch()
	defer b.Close()
	b.Set(keys.AppendUint(eventPrefix(st.rec.ID), s.nextEv), data)
	if err := b.Commit(); err != nil {
		s.log.Error("cloudformation: recording an event", "stack", st.rec.Name, "err", err)
	}
}

// stackEvent records a stack-level event: the stack's own status.
func (s *Service) stackEvent(st *stack, status, reason string) {
	st.rec.Status, st.rec.StatusReason = status, reason
	if err := s.save(st); err != nil {
		s.log.Error("cloudformation: saving a stack", "stack", st.rec.Name, "err", err)
	}
	s.record(st, st.rec.Name, st.rec.ID, "AWS::CloudFormation::Stack", status, reason, nil)
}

// events returns a stack's events, newest first.
func (s *Service) events(stackID string) ([]event, error) {
	p := eventPrefix(stackID)
	it, err := s.d.Store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []event
	for ok := it.Last(); ok; ok = it.Prev() {
		var ev event
		if json.Unmarshal(it.Value(), &ev) == nil {
			out = append(out, ev)
		}
	}
	return out, it.Error()
}

// find returns the stack a StackName parameter names: a live stack by
// name, or any stack by id; the caller holds s.mu.
func (s *Service) find(nameOrID string) *stack {
	if st := s.stacks[nameOrID]; st != nil {
		return st
	}
	for _, st := range s.stacks {
		if st.rec.ID == nameOrID {
			return st
		}
	}
	for _, st := range s.deleted {
		if st.rec.ID == nameOrID {
			return st
		}
	}
	return nil
}

// notFound is DescribeStacks' (and the read operations') answer for a
// stack that does not exist.
func (s *Service) notFound(nameOrID string) error {
	return ErrValidation.Withf("Stack with id %s does not exist", nameOrID)
}

// missing is the answer of the operations that act on a stack
// (UpdateStack, DescribeStackEvents, UpdateTerminationProtection) for
// one that does not exist: "Stack [name] does not exist".
func missing(nameOrID string) error {
	return ErrValidation.Withf("Stack [%s] does not exist", nameOrID)
}

// exports returns every live stack's exports by name; the caller holds
// s.mu.
func (s *Service) exports() map[string]Export {
	out := map[string]Export{}
	for _, st := range s.stacks {
		for _, o := range st.rec.Outputs {
			if o.ExportName != "" {
				out[o.ExportName] = Export{ExportingStackId: ptr(st.rec.ID), Name: ptr(o.ExportName), Value: ptr(o.Value)}
			}
		}
	}
	return out
}

func (s *Service) listExports(ctx context.Context, in *ListExportsInput) (*ListExportsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ex := s.exports()
	names := make([]string, 0, len(ex))
	for n := range ex {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &ListExportsOutput{Exports: []Export{}}
	// The token is the last name of the page before, so that a page
	// follows the one before even when exports come and go between calls.
	after := ""
	if tok := deref(in.NextToken); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) == 0 {
			return nil, ErrValidation.WithMessage("Invalid NextToken")
		}
		after = string(b)
	}
	for _, n := range names {
		if after != "" && n <= after {
			continue
		}
		if len(out.Exports) == exportsPage {
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(*out.Exports[len(out.Exports)-1].Name)))
			break
		}
		out.Exports = append(out.Exports, ex[n])
	}
	return out, nil
}

// exportsPage is how many exports ListExports answers at most; AWS
// pages "if the output exceeds 100 exported output values".
const exportsPage = 100

// listImports names the stacks that import an export.
func (s *Service) listImports(ctx context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	users := s.importers(deref(in.ExportName), "")
	if len(users) == 0 {
		return nil, ErrValidation.Withf("Export '%s' is not imported by any stack.", deref(in.ExportName))
	}
	return &ListImportsOutput{Imports: users}, nil
}

// env is what providers reach services through.
func (s *Service) env() *resource.Env {
	ep := "http://127.0.0.1:4566"
	if s.d.Endpoint != nil {
		ep = s.d.Endpoint()
	}
	return &resource.Env{Call: s.d.Call, Region: s.d.Region, Account: s.d.Account, Endpoint: ep, Clock: s.d.Clock, Responses: s.d.Responses, WaitHandles: s.d.WaitHandles,
		ReadObject: func(ctx context.Context, bucket, key, version string) ([]byte, error) {
			return s.readObject(ctx, s3url.Object{Bucket: bucket, Key: key, VersionID: version}, maxTemplateURL)
		}}
}

func ptr[T any](v T) *T { return &v }

// deref is the value p points to, or "" when it is nil.
func deref[T ~string](p *T) T {
	if p == nil {
		return ""
	}
	return *p
}

// literalImports is the export names a processed template (JSON) imports
// with a literal Fn::ImportValue, in order.
func literalImports(processed string) []string {
	var tree any
	if json.Unmarshal([]byte(processed), &tree) != nil {
		return nil
	}
	seen := map[string]bool{}
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			if name, ok := n["Fn::ImportValue"].(string); ok && len(n) == 1 {
				seen[name] = true
			}
			for _, v := range n {
				walk(v)
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(tree)
	if len(seen) == 0 {
		return nil
	}
	return sortedKeys(seen)
}
