package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/dynref"
	"github.com/virga/virga/internal/cfn/langext"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cfn/template"
)

// Stack and resource statuses, as CloudFormation reports them.
const (
	createInProgress         = "CREATE_IN_PROGRESS"
	createComplete           = "CREATE_COMPLETE"
	createFailed             = "CREATE_FAILED"
	rollbackInProgress       = "ROLLBACK_IN_PROGRESS"
	rollbackComplete         = "ROLLBACK_COMPLETE"
	rollbackFailed           = "ROLLBACK_FAILED"
	updateInProgress         = "UPDATE_IN_PROGRESS"
	updateCleanup            = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	updateComplete           = "UPDATE_COMPLETE"
	updateFailed             = "UPDATE_FAILED"
	updateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS"
	updateRollbackCleanup    = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
	updateRollbackComplete   = "UPDATE_ROLLBACK_COMPLETE"
	updateRollbackFailed     = "UPDATE_ROLLBACK_FAILED"
	deleteInProgress         = "DELETE_IN_PROGRESS"
	deleteComplete           = "DELETE_COMPLETE"
	deleteFailed             = "DELETE_FAILED"
	deleteSkipped            = "DELETE_SKIPPED"
	reviewInProgress         = "REVIEW_IN_PROGRESS"
)

func isInProgress(status string) bool { return strings.HasSuffix(status, "_IN_PROGRESS") }

// interruptedStatus is where an operation a stop interrupted ends.
func interruptedStatus(status string) string {
	switch {
	case status == reviewInProgress:
		return reviewInProgress
	case strings.HasPrefix(status, "CREATE"), status == rollbackInProgress:
		return rollbackFailed
	case strings.HasPrefix(status, "UPDATE_ROLLBACK"):
		return updateRollbackFailed
	case strings.HasPrefix(status, "UPDATE"):
		return updateRollbackFailed
	case strings.HasPrefix(status, "DELETE"):
		return deleteFailed
	}
	return status
}

// plan is a template made ready for an operation: transformed, parsed,
// validated, with its parameter values and conditions.
type plan struct {
	tmpl      *template.Template
	processed string // the processed template, JSON
	values    *template.Values
	conds     map[string]bool
	params    []paramRecord
	// warnings are what the transforms skipped or only recorded; the
	// operation reports them as stack events.
	warnings []string
	// imports are the exports Fn::ImportValue resolved while the plan
	// was carried out (guarded by the service's mu).
	imports map[string]bool
}

const samTransform = "AWS::Serverless-2016-10-31"

// prepare turns a template body and parameters into a plan. previous
// holds the stack's current parameter values, for UsePreviousValue.
func (s *Service) prepare(ctx context.Context, body string, params []Parameter, previous []paramRecord, stackName, stackID string, caps []Capability, changeSet bool) (*plan, error) {
	t, err := template.Parse([]byte(body))
	if err != nil {
		return nil, templateError(err)
	}
	overrides := map[string]string{}
	for _, p := range params {
		key := deref(p.ParameterKey)
		if p.UsePreviousValue != nil && *p.UsePreviousValue {
			for _, prev := range previous {
				if prev.Key == key {
					overrides[key] = prev.Value
				}
			}
			continue
		}
		overrides[key] = deref(p.ParameterValue)
	}
	var warnings []string
	if !changeSet && !slices.Contains(caps, "CAPABILITY_AUTO_EXPAND") && declaresInclude(t.Tree) {
		return nil, ErrCapabilities.WithMessage("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
	}
	tree, included, err := s.expandIncludes(ctx, t.Tree)
	if err != nil {
		return nil, err
	}
	if included {
		if !changeSet && !slices.Contains(caps, "CAPABILITY_AUTO_EXPAND") {
			return nil, ErrCapabilities.WithMessage("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
		}
		if t, err = template.FromTree(tree); err != nil {
			return nil, templateError(err)
		}
	}
	if len(t.Transforms) > 0 {
		if !changeSet && !slices.Contains(caps, "CAPABILITY_AUTO_EXPAND") {
			return nil, ErrCapabilities.WithMessage("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
		}
		tree := t.Tree
		for _, name := range t.Transforms {
			if name == langext.Name {
				if tree, err = langext.Transform(tree, overrides); err != nil {
					return nil, ErrValidation.WithMessage(err.Error())
				}
				continue
			}
			if name != samTransform || s.d.Transform == nil {
				return nil, ErrValidation.Withf("Template format error: Unsupported transform %s. virga supports %s and %s.", name, samTransform, langext.Name)
			}
			out, warns, err := s.d.Transform(ctx, name, tree, stackName, overrides)
			if err != nil {
				return nil, ErrValidation.WithMessage(err.Error())
			}
			for _, w := range warns {
				warnings = append(warnings, "Transform "+name+": "+w)
			}
			tree = out
		}

		delete(tree, "Transform")
		if t, err = template.FromTree(tree); err != nil {
			return nil, templateError(err)
		}
	}
	if err := t.Validate(); err != nil {
		return nil, templateError(err)
	}
	if need := iamCapability(t); need != "" && !slices.Contains(caps, need) &&
		!(need == "CAPABILITY_IAM" && slices.Contains(caps, "CAPABILITY_NAMED_IAM")) {
		return nil, ErrCapabilities.Withf("Requires capabilities : [%s]", need)
	}
	values, err := t.ResolveParametersWith(overrides, template.Pseudo{Region: s.d.Region, AccountID: s.d.Account, StackName: stackName, StackID: stackID}, s.d.SSMParameters)
	if err != nil {
		return nil, templateError(err)
	}
	conds, err := t.EvalConditions(values)
	if err != nil {
		return nil, templateError(err)
	}
	// The Rules section is checked before anything is created or
	// changed, by CreateStack, UpdateStack and CreateChangeSet alike.
	if err := t.CheckRules(values, conds); err != nil {
		return nil, templateError(err)
	}
	processed, err := json.Marshal(t.Tree)
	if err != nil {
		return nil, err
	}
	p := &plan{tmpl: t, processed: string(processed), values: values, conds: conds, warnings: warnings}
	for _, name := range t.ParameterNames {
		v := values.Params[name]
		p.params = append(p.params, paramRecord{Key: name, Value: v.Value, NoEcho: v.NoEcho, Resolved: v.Resolved})
	}
	return p, nil
}

// transformWarnings records a plan's transform warnings as events of
// the stack, in the status its operation starts with, so that whoever
// follows the events (virga deploy, aws cloudformation
// describe-stack-events) sees what was skipped; the caller holds s.mu.
func (s *Service) transformWarnings(st *stack, p *plan, status string) {
	for _, w := range p.warnings {
		s.record(st, st.rec.Name, st.rec.ID, "AWS::CloudFormation::Stack", status, w, nil)
	}
}

// iamCapability is the capability a template's IAM resources need: IAM
// resources with custom names need CAPABILITY_NAMED_IAM. The GroupName
// of an AWS::IAM::UserToGroupAddition names the group it adds users to,
// not a resource of its own.
func iamCapability(t *template.Template) Capability {
	var need Capability
	for _, r := range t.Resources {
		if !strings.HasPrefix(r.Type, "AWS::IAM::") {
			continue
		}
		need = "CAPABILITY_IAM"
		if r.Type == "AWS::IAM::UserToGroupAddition" {
			continue
		}
		for _, k := range []string{"RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName"} {
			if _, ok := r.Properties[k]; ok {
				return "CAPABILITY_NAMED_IAM"
			}
		}
	}
	return need
}

// templateError words a template package error as CloudFormation's
// ValidationError: AWS's words first, then where in the template the
// problem is ("Template format error: Unresolved resource dependencies
// [X] in the Resources block of the template (line 5, column 18)").
// CloudFormation names no line for most errors; virga does, because a
// developer fixing a template needs it, and a client that matches AWS's
// words finds them whole at the start of the message.
func templateError(err error) error {
	if e := apierr.As(err); e != nil {
		return e
	}
	return ErrValidation.WithMessage(err.Error())
}

// resolver resolves a stack's resources and exports for Eval.
type resolver struct {
	s  *Service
	st *stack
	p  *plan
}

func (r resolver) Ref(id string) (string, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	rs := r.st.rec.Resources[id]
	if rs == nil || rs.ref() == "" {
		return "", ErrValidation.Withf("Template error: resource %s is not yet created", id)
	}
	return rs.ref(), nil
}

func (r resolver) GetAtt(id, attr string) (any, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	rs := r.st.rec.Resources[id]
	if rs == nil {
		return nil, ErrValidation.Withf("Template error: instance of Fn::GetAtt references undefined resource %s", id)
	}
	v, ok := rs.Attributes[attr]
	if !ok {
		if t := resource.Lookup(rs.Type); t != nil && t.Opaque {
			// A custom resource's attributes are the Data its provider
			// answered with.
			return nil, fmt.Errorf("CustomResource attribute error: Vendor response doesn't contain %s attribute in object %s|%s", attr, r.st.rec.ID, id)
		}
		return nil, ErrValidation.Withf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", id, attr)
	}
	return v, nil
}

// noEchoMask is what CloudFormation shows for a value it masks. Its
// documentation writes five asterisks (the NoEcho of parameters and of
// custom resources' responses alike); its API answers four, which
// tools that read NoEcho parameters back from DescribeStacks match.
const noEchoMask = "****"

// noEchoWatch is a resolver that notes whether a value read an
// attribute of a resource whose provider asked for NoEcho.
type noEchoWatch struct {
	resolver
	read bool
}

func (w *noEchoWatch) GetAtt(id, attr string) (any, error) {
	w.s.mu.Lock()
	if rs := w.st.rec.Resources[id]; rs != nil && rs.NoEcho {
		w.read = true
	}
	w.s.mu.Unlock()
	return w.resolver.GetAtt(id, attr)
}

func (r resolver) ImportValue(name string) (string, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if e, ok := r.s.exports()[name]; ok {
		if r.p.imports == nil {
			r.p.imports = map[string]bool{}
		}
		r.p.imports[name] = true
		return *e.Value, nil
	}
	return "", ErrValidation.Withf("No export named %s found", name)
}

// importers names the live stacks other than except that import export,
// in order; the caller holds s.mu.
func (s *Service) importers(export, except string) []string {
	var out []string
	for _, st := range s.stacks {
		if st.rec.ID != except && slices.Contains(st.rec.Imports, export) {
			out = append(out, st.rec.Name)
		}
	}
	sort.Strings(out)
	return out
}

// exportTaken reports the first export of outs that another stack
// already exports ("" for none), with that stack's name; the caller
// holds s.mu. Export names are unique in an account and region.
func (s *Service) exportTaken(st *stack, outs []outputRecord) (string, string) {
	for _, o := range outs {
		if o.ExportName == "" {
			continue
		}
		for _, other := range s.stacks {
			if other == st {
				continue
			}
			for _, x := range other.rec.Outputs {
				if x.ExportName == o.ExportName {
					return o.ExportName, other.rec.Name
				}
			}
		}
	}
	return "", ""
}

// exportInUse reports the first export of st that other stacks import
// and that outs no longer carries with the same value ("" for none), with
// its importers; the caller holds s.mu. "After another stack imports an
// output value, you can't delete the stack that is exporting the output
// value or modify the exported output value."
func (s *Service) exportInUse(st *stack, outs []outputRecord) (string, []string) {
	kept := map[string]string{}
	for _, o := range outs {
		if o.ExportName != "" {
			kept[o.ExportName] = o.Value
		}
	}
	for _, o := range st.rec.Outputs {
		if o.ExportName == "" {
			continue
		}
		if v, ok := kept[o.ExportName]; ok && v == o.Value {
			continue
		}
		if users := s.importers(o.ExportName, st.rec.ID); len(users) > 0 {
			return o.ExportName, users
		}
	}
	return "", nil
}

// evalContext evaluates values of p's template for stack st.
func (s *Service) evalContext(st *stack, p *plan, path string) *template.EvalContext {
	return &template.EvalContext{Template: p.tmpl, Values: p.values, Conditions: p.conds, Resolver: resolver{s, st, p}, Path: path}
}

// properties evaluates a resource's properties.
func (s *Service) properties(st *stack, p *plan, id string) (map[string]any, error) {
	r := p.tmpl.Resources[id]
	v, err := template.Eval(r.Properties, s.evalContext(st, p, "/Resources/"+id+"/Properties"))
	if err != nil {
		return nil, err
	}
	props, _ := v.(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	if typ := resource.Lookup(r.Type); typ != nil {
		props = resource.WithTags(typ.Tags, props, s.resourceTags(st, id, typ.StackTagsOnly))
	}
	return props, nil
}

// resourceTags are the tags CloudFormation gives the resource id of st,
// of a type it tags: the stack's tags (CreateStack's and UpdateStack's
// Tags, which it propagates to the resources), and, unless stackOnly,
// its own aws:cloudformation: tags naming the stack and the resource.
// They are part of the properties the stack keeps, so that an update of
// the stack's tags updates its resources, and its rollback restores
// them.
func (s *Service) resourceTags(st *stack, id string, stackOnly bool) map[string]string {
	s.mu.Lock()
	tags := maps.Clone(st.rec.Tags)
	name, stackID := st.rec.Name, st.rec.ID
	s.mu.Unlock()
	if tags == nil {
		tags = map[string]string{}
	}
	if stackOnly {
		return tags
	}
	tags["aws:cloudformation:stack-name"] = name
	tags["aws:cloudformation:stack-id"] = stackID
	tags["aws:cloudformation:logical-id"] = id
	return tags
}

// forProvider is the copy of a resource's properties its provider is
// handed: the dynamic references resolved, and, in the values that code
// running here reads (codeValues), the URLs a template builds by hand
// for AWS's host names made local (localURLs). The stack keeps the
// properties as written. Properties missing one the type requires fail
// CloudFormation's schema validation here, before any service call.
func (s *Service) forProvider(ctx context.Context, id string, t *resource.Type, props map[string]any) (map[string]any, error) {
	typ := t.Name
	if err := t.CheckRequired(id, props); err != nil {
		return nil, err
	}
	v, err := dynref.Resolve(ctx, props, typ, s.d.DynamicReferences)
	if err != nil {
		return nil, err
	}
	out := v.(map[string]any) // a copy: Resolve rebuilds every map and list
	for _, path := range codeValues[typ] {
		s.localURLsAt(out, path)
	}
	return out, nil
}

// codeValues are the properties whose values a function's code reads
// (its environment variables, and parameters it fetches from Parameter
// Store), by resource type, as paths of property names; "*" is every
// key of a map. A template hands its functions the address of an API
// it built by hand (!Sub "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/Prod"),
// which no name resolution on this machine leads to virga; the local
// form does, from a function's environment as from the host.
var codeValues = map[string][][]string{
	"AWS::Lambda::Function": {{"Environment", "Variables", "*"}},
	"AWS::SSM::Parameter":   {{"Value"}},
}

// localURLsAt applies localURLs to the strings at path in m, in place.
func (s *Service) localURLsAt(m map[string]any, path []string) {
	if len(path) == 0 {
		return
	}
	keys := []string{path[0]}
	if path[0] == "*" {
		keys = slices.Collect(maps.Keys(m))
	}
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			if len(path) == 1 {
				m[k] = s.localURLs(v)
			}
		case map[string]any:
			s.localURLsAt(v, path[1:])
		}
	}
}

// failure is one resource that failed, for the stack's status reason.
type failures struct {
	mu  sync.Mutex
	ids []string
}

func (f *failures) add(id string) {
	f.mu.Lock()
	f.ids = append(f.ids, id)
	f.mu.Unlock()
}

func (f *failures) list() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := slices.Clone(f.ids)
	sort.Strings(ids)
	return "[" + strings.Join(ids, ", ") + "]"
}

// reason words a provider's error as CloudFormation's resource failure
// reason for a resource of type typ:
//
//	Resource handler returned message: "Invalid value for the parameter
//	VisibilityTimeout. (Service: Sqs, Status Code: 400, Request ID: ...)"
//	(RequestToken: ..., HandlerErrorCode: InvalidRequest)
//
// A failure the provider found itself (resource.HandlerError) has no
// service's details: Resource handler returned message: "NAME already
// exists" (RequestToken: ..., HandlerErrorCode: AlreadyExists).
func (s *Service) reason(typ string, err error) string {
	if h, ok := errors.AsType[*resource.HandlerError](err); ok {
		return fmt.Sprintf("Resource handler returned message: \"%s\" (RequestToken: %s, HandlerErrorCode: %s)",
			h.Message, s.d.IDs.UUID(), h.Code)
	}
	e := apierr.As(err)
	if e == nil {
		return err.Error()
	}
	return fmt.Sprintf("Resource handler returned message: \"%s (Service: %s, Status Code: %d, Request ID: %s)\" (RequestToken: %s, HandlerErrorCode: %s)",
		e.Message, resource.HandlerService(typ), e.Status, s.d.IDs.UUID(), s.d.IDs.UUID(), resource.HandlerErrorCode(e))
}

// inWaves runs f on every resource of every wave, a wave's resources in
// parallel, and stops after a wave in which f failed.
func inWaves(waves [][]string, f func(id string) bool) bool {
	for _, wave := range waves {
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := true
		for _, id := range wave {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if !f(id) {
					mu.Lock()
					ok = false
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if !ok {
			return false
		}
	}
	return true
}

// setResource updates a resource's state and records the event; the
// resource is created in the stack when new.
func (s *Service) setResource(st *stack, id, typ, status, why string, apply func(*resourceState), props map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.rec.Resources == nil {
		st.rec.Resources = map[string]*resourceState{}
	}
	rs := st.rec.Resources[id]
	if rs == nil {
		rs = &resourceState{LogicalID: id, Type: typ}
		st.rec.Resources[id] = rs
	}
	if apply != nil {
		apply(rs)
	}
	rs.Status, rs.StatusReason, rs.Updated = status, why, s.d.Clock.Now()
	if err := s.save(st); err != nil {
		s.log.Error("cloudformation: saving a stack", "stack", st.rec.Name, "err", err)
	}
	s.record(st, id, rs.PhysicalID, rs.Type, status, why, props)
}

// create makes one resource of p.
func (s *Service) create(ctx context.Context, st *stack, p *plan, id string) bool {
	r := p.tmpl.Resources[id]
	policy := s.policyString(st, p, id, r.DeletionPolicy)
	s.setResource(st, id, r.Type, createInProgress, "", func(rs *resourceState) {
		rs.Type, rs.PhysicalID, rs.Ref, rs.Attributes = r.Type, "", "", nil
		rs.DeletionPolicy = policy
	}, nil)
	typ := resource.Lookup(r.Type)
	if typ == nil {
		s.setResource(st, id, r.Type, createFailed, fmt.Sprintf("Resource type %s is not supported in this version of virga.", r.Type), nil, nil)
		return false
	}
	props, err := s.properties(st, p, id)
	if err != nil {
		s.setResource(st, id, r.Type, createFailed, err.Error(), nil, nil)
		return false
	}
	resolved, err := s.forProvider(ctx, id, typ, props)
	if err != nil {
		s.setResource(st, id, r.Type, createFailed, err.Error(), nil, nil)
		return false
	}
	// Its calls run to completion (resource.Detach): a cancellation ends
	// only its waits, and what it made is in res to be recorded.
	res, err := typ.Create(resource.Detach(ctx), &resource.Request{LogicalID: id, Type: r.Type, StackName: st.rec.Name, StackID: st.rec.ID,
		Properties: resolved, Env: s.env()})
	if err != nil {
		// A creation that failed after making the resource keeps its
		// physical id, so that the rollback deletes it.
		s.setResource(st, id, r.Type, createFailed, s.failReason(ctx, r.Type, err, true), func(rs *resourceState) {
			if res != nil && res.PhysicalID != "" {
				rs.PhysicalID, rs.Ref, rs.Attributes, rs.Properties = res.PhysicalID, res.Ref, res.Attributes, props
			}
		}, nil)
		return false
	}
	// AWS reports the resource's physical id as soon as the service
	// accepted the creation, with a second CREATE_IN_PROGRESS event,
	// then CREATE_COMPLETE once it is ready.
	s.setResource(st, id, r.Type, createInProgress, "Resource creation Initiated", func(rs *resourceState) {
		rs.PhysicalID, rs.Ref, rs.Attributes, rs.Properties, rs.NoEcho = res.PhysicalID, res.Ref, res.Attributes, props, res.NoEcho
	}, nil)
	s.setResource(st, id, r.Type, createComplete, "", nil, nil)
	return true
}

// policyString is a resource's DeletionPolicy: as written, or what the
// intrinsic function that gives it (Fn::If, which the
// AWS::LanguageExtensions transform allows there) evaluates to. The
// caller holds no lock: evaluating may take s.mu.
func (s *Service) policyString(st *stack, p *plan, id string, v any) string {
	if _, ok := v.(map[string]any); ok {
		v, _ = template.Eval(v, s.evalContext(st, p, "/Resources/"+id+"/DeletionPolicy"))
	}
	str, _ := v.(string)
	return str
}

// remove deletes one resource; Retain keeps it.
func (s *Service) remove(ctx context.Context, st *stack, id string) bool {
	s.mu.Lock()
	rs := st.rec.Resources[id]
	var cp resourceState
	if rs != nil {
		cp = *rs
	}
	s.mu.Unlock()
	if rs == nil {
		return true
	}
	drop := func() {
		s.mu.Lock()
		delete(st.rec.Resources, id)
		s.save(st)
		s.mu.Unlock()
	}
	if cp.DeletionPolicy == "Retain" {
		s.setResource(st, id, cp.Type, deleteSkipped, "", nil, nil)
		drop()
		return true
	}
	if cp.PhysicalID == "" || cp.Status == createFailed && cp.PhysicalID == "" {
		s.setResource(st, id, cp.Type, deleteComplete, "", nil, nil)
		drop()
		return true
	}
	s.setResource(st, id, cp.Type, deleteInProgress, "", nil, nil)
	typ := resource.Lookup(cp.Type)
	if typ != nil {
		err := typ.Delete(ctx, &resource.Request{LogicalID: id, Type: cp.Type, StackName: st.rec.Name, StackID: st.rec.ID,
			Properties: cp.Properties, PhysicalID: cp.PhysicalID, Attributes: cp.Attributes, Env: s.env()})
		if err != nil && !errors.Is(err, resource.ErrNotFound) {
			s.setResource(st, id, cp.Type, deleteFailed, s.reason(cp.Type, err), nil, nil)
			return false
		}
	}
	s.setResource(st, id, cp.Type, deleteComplete, "", nil, nil)
	drop()
	return true
}

// outputs evaluates p's outputs.
func (s *Service) outputs(st *stack, p *plan) ([]outputRecord, error) {
	var out []outputRecord
	for _, name := range p.tmpl.OutputNames {
		o := p.tmpl.Outputs[name]
		if o.Condition != "" && !p.conds[o.Condition] {
			continue
		}
		path := "/Outputs/" + name
		ec := s.evalContext(st, p, path+"/Value")
		watch := &noEchoWatch{resolver: ec.Resolver.(resolver)}
		ec.Resolver = watch
		v, err := template.Eval(o.Value, ec)
		if err != nil {
			return nil, err
		}
		rec := outputRecord{Key: name, Value: s.localURLs(text(v)), Masked: watch.read}
		if o.Description != nil {
			d, _ := template.Eval(o.Description, s.evalContext(st, p, path+"/Description"))
			rec.Description = text(d)
		}
		if o.ExportName != nil {
			e, err := template.Eval(o.ExportName, s.evalContext(st, p, path+"/Export/Name"))
			if err != nil {
				return nil, err
			}
			rec.ExportName = text(e)
		}
		out = append(out, rec)
	}
	return out, nil
}

// awsDataPlaneURL matches the URLs templates build by hand for API
// Gateway stages and function URLs on AWS's host names, WebSocket
// APIs' wss:// URLs included (groups 2 and 3: the ID and the kind), and
// for a user pool's prefix domain, its hosted sign-in pages
// (PREFIX.auth.REGION.amazoncognito.com; groups 4 and 5).
var awsDataPlaneURL = regexp.MustCompile(`(https?|wss?)://(?:([a-z0-9]+)\.(execute-api|lambda-url)\.[a-z0-9-]+\.(?:amazonaws\.com|on\.aws)|([a-z0-9-]+)\.(auth)\.[a-z0-9-]+\.amazoncognito\.com)`)

// localURLs rewrites, in an output's value and in the values code reads
// (codeValues), the URLs a template builds by hand for AWS's host names (!Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/")
// into the path form that reaches virga from this machine without any
// name resolution: http://ENDPOINT/_aws/execute-api/ID/Prod/. The rest of
// the URL is kept as written, so a URL without a trailing slash
// ("https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com", to
// which a README appends "/submit") gets none. (virga also answers
// requests sent with AWS's host names, for clients that send them here.)
// A WebSocket API's wss://ID.execute-api... becomes ws://ENDPOINT/_aws/...,
// which WebSocket clients connect to. A user pool domain's
// https://PREFIX.auth.REGION.amazoncognito.com/login?... becomes
// http://ENDPOINT/_aws/auth/PREFIX/login?..., where virga serves it.
func (s *Service) localURLs(v string) string {
	if !strings.Contains(v, "://") {
		return v
	}
	ep := strings.TrimSuffix(s.env().Endpoint, "/")
	return awsDataPlaneURL.ReplaceAllStringFunc(v, func(u string) string {
		m := awsDataPlaneURL.FindStringSubmatch(u)
		local := ep
		if strings.HasPrefix(m[1], "ws") {
			local = "ws" + strings.TrimPrefix(strings.TrimPrefix(ep, "https"), "http")
		}
		id, kind := m[2], m[3]
		if kind == "" {
			id, kind = m[4], m[5]
		}
		return local + "/_aws/" + kind + "/" + id
	})
}

// text renders an evaluated value as CloudFormation shows it: lists
// comma-joined.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = text(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// runCreate creates every resource of p, then the outputs; a failure
// rolls the stack back unless rollback is disabled.
func (s *Service) runCreate(ctx context.Context, st *stack, p *plan) {
	g, err := p.tmpl.Graph(p.conds)
	if err != nil {
		if !s.finish(st, createFailed, err.Error()) {
			s.deleteResources(ctx, st, nil)
		}
		return
	}
	s.reach(st, "waves")
	var failed failures
	fctx, end := s.forward(ctx, st)
	ok := inWaves(g.Waves(), func(id string) bool {
		if fctx.Err() != nil {
			return false
		}
		if !s.create(fctx, st, p, id) {
			failed.add(id)
			return false
		}
		return true
	})
	end()
	if cancelledBy(fctx, errDeleteRequested) {
		// DeleteStack, which made the stack DELETE_IN_PROGRESS.
		s.deleteResources(ctx, st, g)
		return
	}
	if !ok && ctx.Err() != nil {
		return // virga stops: the next start takes the creation up (resume)
	}
	why := ""
	if ok {
		outs, err := s.outputs(st, p)
		if err == nil {
			s.mu.Lock()
			name, owner := s.exportTaken(st, outs)
			if name == "" {
				st.rec.Outputs = outs
				st.rec.Imports = sortedKeys(p.imports)
			}
			s.mu.Unlock()
			if name == "" {
				s.reach(st, "finish")
				if !s.finish(st, createComplete, "") {
					s.deleteResources(ctx, st, g)
				}
				return
			}
			why = "Export with name " + name + " is already exported by stack " + owner + ". "
		} else {
			failed.add("Outputs: " + err.Error())
		}
		ok = false
	}
	if why == "" {
		why = "The following resource(s) failed to create: " + failed.list() + ". "
	}
	s.reach(st, "finish")
	s.createFailed(ctx, st, g, why)
}

// reach calls the test's creating hook, if set, at point of st's
// creation.
func (s *Service) reach(st *stack, point string) {
	if s.creating != nil {
		s.creating(st, point)
	}
}

// createFailed ends a creation that failed for the reason why: the
// stack stops CREATE_FAILED with rollback disabled, is deleted with
// OnFailure DELETE, and is rolled back otherwise.
func (s *Service) createFailed(ctx context.Context, st *stack, g *template.Graph, why string) {
	s.mu.Lock()
	noRollback, del := st.rec.NoRollback, st.rec.DeleteOnFailure
	s.mu.Unlock()
	switch {
	case noRollback:
		if !s.finish(st, createFailed, why+"Rollback disabled.") {
			s.deleteResources(ctx, st, g)
		}
	case del:
		s.mu.Lock()
		if !st.deleteRequested { // else DeleteStack's event said it
			s.stackEvent(st, deleteInProgress, why+"Delete requested by user.")
		}
		s.mu.Unlock()
		s.deleteResources(ctx, st, g)
	default:
		s.rollbackCreate(ctx, st, g, why+"Rollback requested by user.")
	}
}

// rollbackCreate rolls a stack that has no stable state back
// (ROLLBACK_IN_PROGRESS): its resources are deleted, in g's deletion
// order (g may be nil), and it ends ROLLBACK_COMPLETE.
func (s *Service) rollbackCreate(ctx context.Context, st *stack, g *template.Graph, why string) {
	s.mu.Lock()
	if st.deleteRequested { // DeleteStack during the creation: delete instead
		s.mu.Unlock()
		s.deleteResources(ctx, st, g)
		return
	}
	s.stackEvent(st, rollbackInProgress, why)
	s.mu.Unlock()
	if s.removeAll(ctx, st, g) {
		s.finish(st, rollbackComplete, "")
	} else {
		s.finish(st, rollbackFailed, "The following resource(s) failed to delete during rollback.")
	}
}

// removeAll deletes a stack's resources in g's deletion order (g is nil
// when the stack's template has none), then any left that g does not
// name. A resource whose deletion failed keeps those it refers to, which
// would fail too while it stands; the others go all the same.
func (s *Service) removeAll(ctx context.Context, st *stack, g *template.Graph) bool {
	var waves [][]string
	if g != nil {
		waves = g.DeletionWaves()
	}
	var mu sync.Mutex
	kept := map[string]bool{} // failed, or kept for a resource that did
	ok := true
	for _, wave := range waves {
		inWaves([][]string{wave}, func(id string) bool {
			mu.Lock()
			keep := slices.ContainsFunc(g.Dependents(id), func(d string) bool { return kept[d] })
			mu.Unlock()
			if !keep && s.remove(ctx, st, id) {
				return true
			}
			mu.Lock()
			kept[id], ok = true, false
			mu.Unlock()
			return false
		})
	}
	named := map[string]bool{}
	for _, w := range waves {
		for _, id := range w {
			named[id] = true
		}
	}
	s.mu.Lock()
	var rest []string
	for id := range st.rec.Resources {
		if !named[id] {
			rest = append(rest, id)
		}
	}
	s.mu.Unlock()
	slices.Sort(rest)
	for _, id := range rest {
		ok = s.remove(ctx, st, id) && ok
	}
	return ok
}

// finish ends an operation with a status. A failure while virga stops
// may be the stop's doing: the stack stays in progress, and the next
// start takes the operation up (resume). A creation whose stack
// DeleteStack asked to delete does not end but in a deletion's status:
// finish then reports false, and the caller deletes the stack's
// resources.
func (s *Service) finish(st *stack, status, why string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.deleteRequested && status != deleteComplete && status != deleteFailed {
		return false
	}
	if s.ctx.Err() != nil && strings.HasSuffix(status, "_FAILED") {
		return true
	}
	// LastUpdatedTime is "only returned if the stack has been updated at
	// least once": CreateStack's creation leaves it unset, while a
	// creation by change set (from REVIEW_IN_PROGRESS) sets it.
	switch status {
	case createComplete, createFailed, rollbackComplete, rollbackFailed:
		if st.rec.ChangeSetID != "" {
			st.rec.Updated = s.d.Clock.Now()
		}
	default:
		st.rec.Updated = s.d.Clock.Now()
	}
	if status == deleteComplete {
		st.rec.Deleted = st.rec.Updated
	}
	if strings.HasSuffix(status, "_COMPLETE") {
		st.rec.Stable = nil // the stack stands stable again
	}
	// The change set the operation executes says how it ended.
	for _, cs := range st.rec.ChangeSets {
		if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" {
			cs.ExecutionStatus = "EXECUTE_FAILED"
			if status == createComplete || status == updateComplete {
				cs.ExecutionStatus = "EXECUTE_COMPLETE"
			}
		}
	}
	s.stackEvent(st, status, why)
	st.busy, st.deleteRequested = false, false
	if status == deleteComplete {
		delete(s.stacks, st.rec.Name)
		s.deleted = append(s.deleted, st)
	}
	return true
}

// runDelete deletes every resource of the stack.
func (s *Service) runDelete(ctx context.Context, st *stack, retain []string) {
	s.mu.Lock()
	if name, users := s.exportInUse(st, nil); name != "" {
		s.mu.Unlock()
		s.finish(st, deleteFailed, "Export "+name+" cannot be deleted as it is in use by "+strings.Join(users, ", "))
		return
	}
	for _, id := range retain {
		if rs := st.rec.Resources[id]; rs != nil {
			rs.DeletionPolicy = "Retain"
		}
	}
	body := st.rec.Processed
	s.mu.Unlock()
	var g *template.Graph
	if t, err := template.Parse([]byte(body)); err == nil {
		g, _ = t.Graph(allTrue(t))
	}
	s.deleteResources(ctx, st, g)
}

// deleteResources ends a stack's deletion: it deletes its resources in
// g's deletion order (g may be nil), and the stack ends DELETE_COMPLETE,
// or DELETE_FAILED keeping those whose deletion failed.
func (s *Service) deleteResources(ctx context.Context, st *stack, g *template.Graph) {
	if s.removeAll(ctx, st, g) {
		s.finish(st, deleteComplete, "")
	} else {
		s.finish(st, deleteFailed, "The following resource(s) failed to delete.")
	}
}

// allTrue holds every condition of t true, so a graph covers every
// resource that may exist.
func allTrue(t *template.Template) map[string]bool {
	m := map[string]bool{}
	for _, n := range t.ConditionNames {
		m[n] = true
	}
	return m
}

// update is what an update does to one resource.
type update struct {
	action      string // Add, Modify, Remove
	replacement bool
}

// runUpdate moves a stack from its current template (old's) to p's. The
// caller has set the stack's Stable state, which a failure returns it
// to unless rollback is disabled; then the stack stops UPDATE_FAILED as
// it stands, and a later update retries what failed.
func (s *Service) runUpdate(ctx context.Context, st *stack, p *plan, old *plan, policy string) {
	g, err := p.tmpl.Graph(p.conds)
	if err != nil {
		s.updateFailed(ctx, st, p, err.Error())
		return
	}
	s.mu.Lock()
	saved := savedState{}
	for id, rs := range st.rec.Resources {
		saved[id] = *rs
	}
	var failed failures
	// The stack policy (policy) refuses changes before any is made.
	denied := false
	for _, ch := range changes(old, p, st.rec.Resources) {
		if why := policyDenial(policy, ch); why != "" {
			s.record(st, ch.LogicalID, ch.PhysicalID, ch.Type, updateFailed, why, nil)
			failed.add(ch.LogicalID)
			denied = true
		}
	}
	s.mu.Unlock()
	if denied {
		s.updateFailed(ctx, st, p, "The following resource(s) failed to update: "+failed.list()+". ")
		return
	}
	var replaced []resourceState // old resources to delete at cleanup
	var repMu sync.Mutex
	uctx := ctx // the operation's, for the cleanup
	ctx, end := s.forward(ctx, st)
	ok := inWaves(g.Waves(), func(id string) bool {
		if ctx.Err() != nil {
			return false
		}
		r := p.tmpl.Resources[id]
		b, existed := saved[id]
		if existed && b.Status == createFailed {
			// A creation an earlier update or the stack's creation
			// left failed is tried again, what it made removed first.
			s.discard(ctx, st, b)
			existed = false
		}
		if !existed || b.Type != r.Type || b.PhysicalID == "" {
			if existed {
				repMu.Lock()
				replaced = append(replaced, b)
				repMu.Unlock()
			}
			if !s.create(ctx, st, p, id) {
				failed.add(id)
				return false
			}
			return true
		}
		props, err := s.properties(st, p, id)
		if err != nil {
			s.setResource(st, id, r.Type, updateFailed, err.Error(), nil, nil)
			failed.add(id)
			return false
		}
		policy := s.policyString(st, p, id, r.DeletionPolicy)
		s.mu.Lock()
		if rs := st.rec.Resources[id]; rs != nil {
			rs.DeletionPolicy = policy
		}
		s.mu.Unlock()
		if resource.Equal(props, b.Properties) && r.Type != nestedStackType && b.Status != updateFailed {
			// Unchanged: no event, as CloudFormation. A nested stack is
			// updated all the same, as its template may have changed
			// behind the same URL.
			return true
		}
		typ := resource.Lookup(r.Type)
		if typ == nil {
			s.setResource(st, id, r.Type, updateFailed, fmt.Sprintf("Resource type %s is not supported in this version of virga.", r.Type), nil, nil)
			failed.add(id)
			return false
		}
		if typ.NeedsReplacement(b.Properties, props) {
			if n := typ.NameProperty; n != "" && props[n] != nil && resource.Equal(props[n], b.Properties[n]) {
				s.setResource(st, id, r.Type, updateFailed, fmt.Sprintf("CloudFormation cannot update a stack when a custom-named resource requires replacing. "+
					"Rename %s and update the stack again.", text(props[n])), nil, nil)
				failed.add(id)
				return false
			}
			s.setResource(st, id, r.Type, updateInProgress, "Requested update requires the creation of a new physical resource; hence creating one.", nil, nil)
			resolved, err := s.forProvider(ctx, id, typ, props)
			if err != nil {
				s.setResource(st, id, r.Type, updateFailed, err.Error(), nil, nil)
				failed.add(id)
				return false
			}
			res, err := typ.Create(resource.Detach(ctx), &resource.Request{LogicalID: id, Type: r.Type, StackName: st.rec.Name, StackID: st.rec.ID, Properties: resolved, Env: s.env()})
			if err != nil {
				// The old resource stays; a replacement made before
				// its creation failed is deleted now.
				if res != nil {
					s.discard(uctx, st, resourceState{LogicalID: id, Type: r.Type, Properties: resolved, PhysicalID: res.PhysicalID, Attributes: res.Attributes})
				}
				s.setResource(st, id, r.Type, updateFailed, s.failReason(ctx, r.Type, err, false), nil, nil)
				failed.add(id)
				return false
			}
			repMu.Lock()
			replaced = append(replaced, b)
			repMu.Unlock()
			s.setResource(st, id, r.Type, updateComplete, "", func(rs *resourceState) {
				rs.PhysicalID, rs.Ref, rs.Attributes, rs.Properties, rs.NoEcho = res.PhysicalID, res.Ref, res.Attributes, props, res.NoEcho
			}, nil)
			return true
		}
		s.setResource(st, id, r.Type, updateInProgress, "", nil, nil)
		resolved, err := s.forProvider(ctx, id, typ, props)
		if err != nil {
			s.setResource(st, id, r.Type, updateFailed, err.Error(), nil, nil)
			failed.add(id)
			return false
		}
		res, err := typ.Update(resource.Detach(ctx), &resource.Request{LogicalID: id, Type: r.Type, StackName: st.rec.Name, StackID: st.rec.ID,
			Properties: resolved, OldProperties: b.Properties, PhysicalID: b.PhysicalID, Attributes: b.Attributes, Env: s.env()})
		if err != nil {
			s.setResource(st, id, r.Type, updateFailed, s.failReason(ctx, r.Type, err, false), func(rs *resourceState) {
				rs.Refused = errors.Is(err, resource.ErrRefused)
			}, nil)
			failed.add(id)
			return false
		}
		if typ.Opaque && res.PhysicalID != "" && res.PhysicalID != b.PhysicalID {
			// The provider replaced the resource in its update (a custom
			// resource's answer named another physical resource): the
			// old one goes at cleanup, as a replaced one does.
			repMu.Lock()
			replaced = append(replaced, b)
			repMu.Unlock()
		}
		s.setResource(st, id, r.Type, updateComplete, "", func(rs *resourceState) {
			rs.PhysicalID, rs.Ref, rs.Attributes, rs.Properties, rs.NoEcho = res.PhysicalID, res.Ref, res.Attributes, props, res.NoEcho
			if rs.PhysicalID == "" {
				rs.PhysicalID = b.PhysicalID
			}
		}, nil)
		return true
	})
	end()
	cancelled := cancelledBy(ctx, errUpdateCancelled)
	ctx = uctx
	if !ok && ctx.Err() != nil {
		return // virga stops: the next start takes the update up (resume)
	}
	if cancelled {
		// CancelUpdateStack rolls back whether or not the update
		// disabled rollback.
		s.rollBack(ctx, st, p, "User Initiated")
		return
	}
	var outs []outputRecord
	if ok {
		if outs, err = s.outputs(st, p); err != nil {
			ok = false
			failed.add("Outputs: " + err.Error())
		}
	}
	if !ok {
		s.updateFailed(ctx, st, p, "The following resource(s) failed to update: "+failed.list()+". ")
		return
	}
	s.mu.Lock()
	if name, users := s.exportInUse(st, outs); name != "" {
		s.mu.Unlock()
		s.updateFailed(ctx, st, p, "Cannot update export "+name+" as it is in use by "+strings.Join(users, ", "))
		return
	}
	if name, owner := s.exportTaken(st, outs); name != "" {
		s.mu.Unlock()
		s.updateFailed(ctx, st, p, "Export with name "+name+" is already exported by stack "+owner+".")
		return
	}
	st.rec.Imports = sortedKeys(p.imports)
	st.rec.Outputs, st.rec.Processed, st.rec.Parameters = outs, p.processed, p.params
	s.stackEvent(st, updateCleanup, "")
	s.mu.Unlock()
	// Cleanup: resources the new template dropped, then replaced ones.
	var gone []string
	s.mu.Lock()
	for id := range st.rec.Resources {
		if !inPlan(p, id) {
			gone = append(gone, id)
		}
	}
	s.mu.Unlock()
	oldWaves := [][]string{gone}
	if old != nil {
		if og, err := old.tmpl.Graph(old.conds); err == nil {
			oldWaves = filterWaves(og.DeletionWaves(), gone)
		}
	}
	inWaves(oldWaves, func(id string) bool { return s.remove(ctx, st, id) })
	for _, rs := range replaced {
		if rs.DeletionPolicy != "Retain" {
			s.discard(ctx, st, rs)
		}
	}
	s.finish(st, updateComplete, "")
}

// inPlan reports whether p's template has the resource, under a
// condition that holds.
func inPlan(p *plan, id string) bool {
	r := p.tmpl.Resources[id]
	return r != nil && (r.Condition == "" || p.conds[r.Condition])
}

func filterWaves(waves [][]string, keep []string) [][]string {
	var out [][]string
	for _, w := range waves {
		var f []string
		for _, id := range w {
			if slices.Contains(keep, id) {
				f = append(f, id)
			}
		}
		if len(f) > 0 {
			out = append(out, f)
		}
	}
	// Anything the old graph did not name goes last.
	for _, id := range keep {
		found := false
		for _, w := range out {
			if slices.Contains(w, id) {
				found = true
			}
		}
		if !found {
			out = append(out, []string{id})
		}
	}
	return out
}

// savedState is a stack's resources before an update, by logical ID.
type savedState map[string]resourceState

// stackSettings are the parts of a stack's record an update sets:
// UpdateStack and ExecuteChangeSet set the template, capabilities and
// tags as the update starts, and its end the processed template,
// parameters, outputs and imports. A rollback puts the stable ones back,
// so that GetTemplate and DescribeStacks show the stack as it is.
type stackSettings struct {
	Template     string            `json:"template"`
	Processed    string            `json:"processed"`
	Parameters   []paramRecord     `json:"params,omitempty"`
	Capabilities []Capability      `json:"capabilities,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	Outputs      []outputRecord    `json:"outputs,omitempty"`
	Imports      []string          `json:"imports,omitempty"`
}

func (r *stackRecord) settings() stackSettings {
	return stackSettings{Template: r.Template, Processed: r.Processed, Parameters: r.Parameters, Capabilities: r.Capabilities,
		Tags: r.Tags, Outputs: r.Outputs, Imports: r.Imports}
}

func (r *stackRecord) restoreSettings(s stackSettings) {
	r.Template, r.Processed, r.Parameters, r.Capabilities = s.Template, s.Processed, s.Parameters, s.Capabilities
	r.Tags, r.Outputs, r.Imports = s.Tags, s.Outputs, s.Imports
}

// stableState is a stack's last known stable state: its settings and
// resources as they stood when it was last *_COMPLETE. A stack whose
// creation failed has none (Settings.Template is empty): rolling it
// back deletes every resource.
type stableState struct {
	Settings  stackSettings `json:"settings"`
	Resources savedState    `json:"resources,omitempty"`
}

func (s *stableState) none() bool { return s.Settings.Template == "" }

// stable is the state a failure of an update starting now returns the
// stack to: the one an earlier failure kept, none after a failed
// creation, else the stack as it stands; the caller holds s.mu.
func (st *stack) stable() *stableState {
	switch {
	case st.rec.Stable != nil:
		return st.rec.Stable
	case st.rec.Status == createFailed:
		return &stableState{}
	}
	saved := savedState{}
	for id, rs := range st.rec.Resources {
		saved[id] = *rs
	}
	return &stableState{Settings: st.rec.settings(), Resources: saved}
}

// rollbackUpdate undoes a failed update as CloudFormation does: first
// the resources it changed get their previous properties back, in the
// previous template's creation order (UPDATE_ROLLBACK_IN_PROGRESS); then
// the resources it created, and the new physical resources of those it
// replaced, are deleted in the new template's deletion order
// (UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS), so that a resource goes
// only after those that refer to it: a route before its integration.
func (s *Service) rollbackUpdate(ctx context.Context, st *stack, p *plan, stable *stableState, why string) {
	saved := stable.Resources
	s.mu.Lock()
	st.rec.restoreSettings(stable.Settings)
	s.stackEvent(st, updateRollbackInProgress, why)
	current := map[string]resourceState{}
	for id, rs := range st.rec.Resources {
		current[id] = *rs
	}
	s.mu.Unlock()
	var order [][]string
	if old := s.deployed(ctx, st, stable.Settings); old != nil {
		if og, err := old.tmpl.Graph(old.conds); err == nil {
			order = og.Waves()
		}
	}
	ok := true
	var created []string                       // logical IDs the update created
	replacements := map[string]resourceState{} // new physical resources of replaced ones
	for _, wave := range filterWaves(order, slices.Sorted(maps.Keys(current))) {
		for _, id := range wave {
			rs := current[id]
			prev, existed := saved[id]
			typ := resource.Lookup(rs.Type)
			switch {
			case !existed:
				created = append(created, id)
			case prev.PhysicalID != rs.PhysicalID:
				// Replaced: keep the old one, drop the new one at cleanup.
				if rs.PhysicalID != "" {
					replacements[id] = rs
				}
				s.restore(st, prev)
			case !resource.Equal(prev.Properties, rs.Properties) && typ != nil:
				ok = s.updateBack(ctx, st, id, typ, prev, rs, rs.Properties) && ok
			case rs.Status == updateFailed && typ != nil && typ.Opaque && !rs.Refused && p != nil:
				// Its failed update may have changed it: its provider
				// is asked to go back from the properties it failed with
				// (unknown when the template no longer evaluates: then
				// it is left as it stands).
				attempted, err := s.properties(st, p, id)
				if err != nil {
					s.restore(st, prev)
					continue
				}
				ok = s.updateBack(ctx, st, id, typ, prev, rs, attempted) && ok
			default:
				if rs.Status != prev.Status {
					s.restore(st, prev)
				}
			}
		}
	}
	if !ok {
		s.finish(st, updateRollbackFailed, "")
		return
	}
	s.mu.Lock()
	s.stackEvent(st, updateRollbackCleanup, "")
	s.mu.Unlock()
	var waves [][]string
	if p != nil {
		if g, err := p.tmpl.Graph(p.conds); err == nil {
			waves = g.DeletionWaves()
		}
	}
	gone := append(slices.Clone(created), slices.Collect(maps.Keys(replacements))...)
	inWaves(filterWaves(waves, gone), func(id string) bool {
		rs, replaced := replacements[id]
		if !replaced {
			return s.remove(ctx, st, id)
		}
		s.discard(ctx, st, rs)
		return true
	})
	s.finish(st, updateRollbackComplete, "")
}

// updateBack updates a resource of the rollback of an update from the
// properties from (its OldProperties) back to prev's, and restores prev;
// false when the provider failed.
func (s *Service) updateBack(ctx context.Context, st *stack, id string, typ *resource.Type, prev, rs resourceState, from map[string]any) bool {
	s.setResource(st, id, rs.Type, updateInProgress, "", nil, nil)
	resolved, err := s.forProvider(ctx, id, typ, prev.Properties)
	if err != nil {
		s.setResource(st, id, rs.Type, updateFailed, err.Error(), nil, nil)
		return false
	}
	res, err := typ.Update(ctx, &resource.Request{LogicalID: id, Type: rs.Type, StackName: st.rec.Name, StackID: st.rec.ID,
		Properties: resolved, OldProperties: from, PhysicalID: rs.PhysicalID, Attributes: rs.Attributes, Env: s.env()})
	if err != nil {
		s.setResource(st, id, rs.Type, updateFailed, s.reason(rs.Type, err), nil, nil)
		return false
	}
	prev.Attributes = res.Attributes
	s.restore(st, prev)
	return true
}

// restore puts a resource's previous state back.
func (s *Service) restore(st *stack, prev resourceState) {
	s.setResource(st, prev.LogicalID, prev.Type, updateComplete, "", func(rs *resourceState) {
		status := rs.Status
		*rs = prev
		rs.Status = status
	}, nil)
}

// discard deletes a physical resource the stack no longer records: the
// old one of a replaced resource, a replacement the update or its
// rollback gave up, what a failed creation made before it is created
// again. A failure is logged: the stack goes on without it.
func (s *Service) discard(ctx context.Context, st *stack, rs resourceState) {
	typ := resource.Lookup(rs.Type)
	if typ == nil || rs.PhysicalID == "" {
		return
	}
	err := typ.Delete(ctx, &resource.Request{LogicalID: rs.LogicalID, Type: rs.Type, StackName: st.rec.Name, StackID: st.rec.ID,
		Properties: rs.Properties, PhysicalID: rs.PhysicalID, Attributes: rs.Attributes, Env: s.env()})
	if err != nil && !errors.Is(err, resource.ErrNotFound) {
		s.log.Warn("cloudformation: deleting a resource the stack no longer records", "stack", st.rec.Name, "resource", rs.LogicalID, "physicalId", rs.PhysicalID, "err", err)
	}
}

// updateFailed ends an update that failed. With rollback disabled the
// stack stops UPDATE_FAILED, its resources as the update left them and
// p's template its own, which an update retries from; otherwise it
// rolls back to its stable state.
func (s *Service) updateFailed(ctx context.Context, st *stack, p *plan, why string) {
	s.mu.Lock()
	noRollback := st.rec.NoRollback
	if noRollback {
		st.rec.Processed, st.rec.Parameters = p.processed, p.params
	}
	s.mu.Unlock()
	if noRollback {
		s.finish(st, updateFailed, why+"Rollback disabled.")
		return
	}
	s.rollBack(ctx, st, p, why)
}

// rollBack returns a stack to its stable state (UPDATE_ROLLBACK_*), or,
// when it has none, deletes its resources (ROLLBACK_*); p is the plan of
// the stack's current template (nil if it no longer evaluates).
func (s *Service) rollBack(ctx context.Context, st *stack, p *plan, why string) {
	s.mu.Lock()
	stable := st.stable()
	s.mu.Unlock()
	if !stable.none() {
		s.rollbackUpdate(ctx, st, p, stable, why)
		return
	}
	var g *template.Graph
	if p != nil {
		g, _ = p.tmpl.Graph(p.conds)
	}
	s.rollbackCreate(ctx, st, g, why)
}

// everyCapability grants what a template can require: a template that was
// deployed, or a change set being executed, was checked for its
// capabilities when it was submitted.
var everyCapability = []Capability{"CAPABILITY_AUTO_EXPAND", "CAPABILITY_NAMED_IAM"}

// deployed is the plan of a template the stack has had, with its
// parameter values (nil if it no longer evaluates): the capabilities
// were granted when it was deployed.
func (s *Service) deployed(ctx context.Context, st *stack, set stackSettings) *plan {
	s.mu.Lock()
	name, id := st.rec.Name, st.rec.ID
	s.mu.Unlock()
	p, err := s.prepare(ctx, set.Template, paramsOf(set.Parameters), nil, name, id, everyCapability, true)
	if err != nil {
		return nil
	}
	return p
}
