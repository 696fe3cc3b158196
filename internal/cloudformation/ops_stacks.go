package cloudformation

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cfn/template"
)

// settle is how long a call that starts an operation waits for it before
// answering. Operations here take milliseconds to seconds; answering once
// they are done lets clients' waiters, which sleep 30 seconds between
// polls, see the outcome at their first look. The answer is the same as
// AWS's either way.
const settle = 20 * time.Second

// start runs op on st in the background; the caller holds s.mu and has
// marked st busy. It waits (without s.mu) up to settle for op to end,
// for the call whose context is ctx (await).
func (s *Service) start(ctx context.Context, st *stack, op func(ctx context.Context)) {
	s.launch(st, op)
	s.await(ctx, st.done)
}

// launch runs op on st in the background; the caller holds s.mu and has
// marked st busy.
func (s *Service) launch(st *stack, op func(ctx context.Context)) {
	done := make(chan struct{})
	st.done = done
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		defer close(done)
		// Its calls may set the aws:cloudformation: tags.
		op(awsproto.WithReservedTags(s.ctx))
	}()
}

// await waits (without s.mu) up to settle for an operation to end, or
// until virga stops (EndWaits), for the call whose context is ctx; the
// caller holds s.mu. A nested stack's parent (resource.ParentStack),
// which follows the operation itself, is answered at once: its wait
// would hold up its own operation, out of reach of its cancellation.
func (s *Service) await(ctx context.Context, done <-chan struct{}) {
	if resource.ParentStack(ctx) != "" {
		return
	}
	s.mu.Unlock()
	select {
	case <-done:
	case <-s.ending:
	case <-time.After(settle):
	}
	s.mu.Lock()
}

// stackID is the ARN of a new stack.
func (s *Service) stackID(name string) string {
	return "arn:aws:cloudformation:" + s.d.Region + ":" + s.d.Account + ":stack/" + name + "/" + s.d.IDs.UUID()
}

func validStackName(name string) bool {
	if name == "" || len(name) > 128 || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, t := range tags {
		m[deref(t.Key)] = deref(t.Value)
	}
	return m
}

func (s *Service) createStack(ctx context.Context, in *CreateStackInput) (*CreateStackOutput, error) {
	name := *in.StackName
	if !validStackName(name) {
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	if in.DisableRollback != nil && in.OnFailure != nil {
		return nil, ErrValidation.WithMessage("Either DisableRollback or OnFailure can be specified, not both.")
	}
	b, err := s.body(ctx, in.TemplateBody, in.TemplateURL)
	if err != nil {
		return nil, err
	}
	policy, err := s.stackPolicy(ctx, in.StackPolicyBody, in.StackPolicyURL)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if st := s.stacks[name]; st != nil {
		s.mu.Unlock()
		return nil, ErrAlreadyExists.Withf("Stack [%s] already exists", name)
	}
	s.mu.Unlock()
	id := s.stackID(name)
	p, err := s.prepare(ctx, b, in.Parameters, nil, name, id, in.Capabilities, false)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	st := &stack{busy: true, rec: stackRecord{ID: id, Name: name, Created: now, Template: b, Processed: p.processed,
		Parameters: p.params, Capabilities: in.Capabilities, Tags: tagMap(in.Tags), Description: p.tmpl.Description,
		NoRollback:      in.DisableRollback != nil && *in.DisableRollback || deref(in.OnFailure) == "DO_NOTHING",
		DoNothing:       deref(in.OnFailure) == "DO_NOTHING",
		DeleteOnFailure: deref(in.OnFailure) == "DELETE",
		Protected:       in.EnableTerminationProtection != nil && *in.EnableTerminationProtection,
		Policy:          policy}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stacks[name] != nil {
		return nil, ErrAlreadyExists.Withf("Stack [%s] already exists", name)
	}
	s.nest(ctx, st)
	s.stacks[name] = st
	s.stackEvent(st, createInProgress, "User Initiated")
	s.transformWarnings(st, p, createInProgress)
	s.start(ctx, st, func(ctx context.Context) { s.runCreate(ctx, st, p) })
	return &CreateStackOutput{StackId: &id}, nil
}

// nest records st as a nested stack when a parent stack's
// AWS::CloudFormation::Stack resource is creating it: its parent, and
// the parent's root (the parent itself at the first level); the caller
// holds s.mu.
func (s *Service) nest(ctx context.Context, st *stack) {
	id := resource.ParentStack(ctx)
	if id == "" {
		return
	}
	st.rec.ParentID, st.rec.RootID = id, id
	if parent := s.find(id); parent != nil && parent.rec.RootID != "" {
		st.rec.RootID = parent.rec.RootID
	}
}

// updatable finds a stack an update may start on; the caller holds s.mu.
func (s *Service) updatable(name string) (*stack, error) {
	st := s.find(name)
	if st == nil || !st.rec.Deleted.IsZero() {
		return nil, missing(name)
	}
	if st.busy || isInProgress(st.rec.Status) {
		return nil, ErrValidation.Withf("Stack:%s is in %s state and can not be updated.", st.rec.ID, st.rec.Status)
	}
	return st, notUpdatable(st)
}

// notUpdatable refuses an update of a stack that is not in progress
// but may not be updated: one whose creation was rolled back (it can
// only be deleted), whose deletion or update rollback failed, or whose
// creation failed with OnFailure DO_NOTHING rather than
// DisableRollback. A stack a failure left CREATE_FAILED or UPDATE_FAILED
// with rollback disabled may be: the update retries what failed.
func notUpdatable(st *stack) error {
	switch st.rec.Status {
	case rollbackComplete, rollbackFailed, deleteFailed, updateRollbackFailed:
		return ErrValidation.Withf("Stack:%s is in %s state and can not be updated.", st.rec.ID, st.rec.Status)
	case createFailed:
		if st.rec.DoNothing {
			return ErrValidation.Withf("This stack cannot be updated from [%s] state because it contains [on-failure: DO_NOTHING]. "+
				"Please use disable-rollback option instead during stack creation.", st.rec.Status)
		}
	}
	return nil
}

// failedState reports whether a failure with rollback disabled left the
// stack as it stands: an update of it is not empty even with nothing
// changed, as it retries what failed.
func failedState(status string) bool { return status == createFailed || status == updateFailed }

// noRollbackReplacement refuses an update with rollback disabled that
// replaces a resource: a stack that stops part way must not hold both
// the old and the new physical resource.
func noRollbackReplacement(noRollback bool, chs []changeRecord) error {
	if !noRollback {
		return nil
	}
	for _, c := range chs {
		if c.Replacement == "True" {
			return ErrValidation.WithMessage("Replacement type updates not supported on stack with disable-rollback.")
		}
	}
	return nil
}

func (s *Service) updateStack(ctx context.Context, in *UpdateStackInput) (*UpdateStackOutput, error) {
	s.mu.Lock()
	st, err := s.updatable(*in.StackName)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	rec := st.rec
	s.mu.Unlock()
	b := rec.Template
	if in.UsePreviousTemplate == nil || !*in.UsePreviousTemplate {
		if b, err = s.body(ctx, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, err
		}
	}
	policy, err := s.stackPolicy(ctx, in.StackPolicyBody, in.StackPolicyURL)
	if err != nil {
		return nil, err
	}
	// The update answers to the stack's policy, or the one given for
	// its duration; a new policy holds from then on.
	guard, err := s.stackPolicy(ctx, in.StackPolicyDuringUpdateBody, in.StackPolicyDuringUpdateURL)
	if err != nil {
		return nil, err
	}
	if guard == "" {
		guard = rec.Policy
	}
	caps := in.Capabilities
	p, err := s.prepare(ctx, b, in.Parameters, rec.Parameters, rec.Name, rec.ID, caps, false)
	if err != nil {
		return nil, err
	}
	old := s.deployed(ctx, st, rec.settings())
	chs := changes(old, p, rec.Resources)
	if len(chs) == 0 && sameParams(rec.Parameters, p.params) && (in.Tags == nil || equalTags(rec.Tags, tagMap(in.Tags))) && !failedState(rec.Status) {
		return nil, ErrValidation.WithMessage("No updates are to be performed.")
	}
	noRollback := in.DisableRollback != nil && *in.DisableRollback
	if err := noRollbackReplacement(noRollback, chs); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.busy {
		return nil, ErrValidation.Withf("Stack:%s is in %s state and can not be updated.", st.rec.ID, st.rec.Status)
	}
	st.busy = true
	st.rec.Stable = st.stable()
	st.rec.NoRollback = noRollback
	st.rec.Template = b
	st.rec.Capabilities = caps
	if in.Tags != nil {
		st.rec.Tags = tagMap(in.Tags)
	}
	if policy != "" {
		st.rec.Policy = policy
	}
	s.stackEvent(st, updateInProgress, "User Initiated")
	s.transformWarnings(st, p, updateInProgress)
	s.start(ctx, st, func(ctx context.Context) { s.runUpdate(ctx, st, p, old, guard) })
	return &UpdateStackOutput{StackId: &st.rec.ID}, nil
}

func paramsOf(ps []paramRecord) []Parameter {
	out := make([]Parameter, len(ps))
	for i, p := range ps {
		out[i] = Parameter{ParameterKey: ptr(p.Key), ParameterValue: ptr(p.Value)}
	}
	return out
}

func sameParams(a, b []paramRecord) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]string{}
	for _, p := range a {
		m[p.Key] = p.Value
	}
	for _, p := range b {
		if v, ok := m[p.Key]; !ok || v != p.Value {
			return false
		}
	}
	return true
}

func equalTags(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func (s *Service) deleteStack(ctx context.Context, in *DeleteStackInput) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil || !st.rec.Deleted.IsZero() {
		return &noOutput{}, nil // deleting what is gone succeeds
	}
	if st.busy && st.rec.Status == deleteInProgress {
		return &noOutput{}, nil
	}
	if st.rec.Protected {
		// Whatever the stack's status, a failed creation's included.
		return nil, ErrValidation.Withf("Stack [%s] cannot be deleted while TerminationProtection is enabled", st.rec.Name)
	}
	if st.busy {
		if st.rec.Status == createInProgress {
			// A creation in progress is cancelled: what it made is
			// deleted (runCreate), as on AWS. Outside the creation of
			// its resources, it learns of it before they start or
			// before it ends.
			if st.stop != nil {
				st.stop(errDeleteRequested)
			}
			st.deleteRequested = true
			s.stackEvent(st, deleteInProgress, "User Initiated")
			s.await(ctx, st.done)
			return &noOutput{}, nil
		}
		return nil, ErrValidation.Withf("Stack [%s] cannot be deleted while in status %s", st.rec.Name, st.rec.Status)
	}
	st.busy = true
	s.stackEvent(st, deleteInProgress, "User Initiated")
	s.start(ctx, st, func(ctx context.Context) { s.runDelete(ctx, st, in.RetainResources) })
	return &noOutput{}, nil
}

// updateTerminationProtection sets or clears a stack's termination
// protection, in any status but a deletion's.
func (s *Service) updateTerminationProtection(ctx context.Context, in *UpdateTerminationProtectionInput) (*UpdateTerminationProtectionOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil || !st.rec.Deleted.IsZero() {
		return nil, missing(*in.StackName)
	}
	if st.rec.Status == deleteInProgress {
		return nil, ErrValidation.Withf("Stack [%s] cannot be updated while in status %s", st.rec.Name, st.rec.Status)
	}
	st.rec.Protected = *in.EnableTerminationProtection
	if err := s.save(st); err != nil {
		return nil, err
	}
	return &UpdateTerminationProtectionOutput{StackId: ptr(st.rec.ID)}, nil
}

// noOutput is the output of operations that return nothing.
type noOutput struct{}

// describe renders a stack.
func (s *Service) describe(st *stack) Stack {
	r := st.rec
	out := Stack{StackId: ptr(r.ID), StackName: ptr(r.Name), CreationTime: ptr(r.Created), StackStatus: ptr(StackStatus(r.Status)),
		StackStatusReason: optional(r.StatusReason), Description: optional(r.Description), Capabilities: r.Capabilities,
		DisableRollback: ptr(r.NoRollback), EnableTerminationProtection: ptr(r.Protected), ChangeSetId: optional(r.ChangeSetID),
		DriftInformation: &StackDriftInformation{StackDriftStatus: ptr("NOT_CHECKED")},
		// AWS answers these empty rather than leave them out.
		NotificationARNs: []string{}, RollbackConfiguration: &RollbackConfiguration{}, Tags: []Tag{}}
	if !r.Updated.IsZero() && r.Updated != r.Created {
		out.LastUpdatedTime = ptr(r.Updated)
	}
	if !r.Deleted.IsZero() {
		out.DeletionTime = ptr(r.Deleted)
	}
	out.ParentId, out.RootId = optional(r.ParentID), optional(r.RootID)
	for _, p := range r.Parameters {
		v := p.Value
		if p.NoEcho {
			v = noEchoMask
		}
		out.Parameters = append(out.Parameters, Parameter{ParameterKey: ptr(p.Key), ParameterValue: ptr(v), ResolvedValue: resolvedValue(p)})
	}
	for _, o := range r.Outputs {
		value := o.Value
		if o.Masked {
			value = noEchoMask
		}
		out.Outputs = append(out.Outputs, Output{OutputKey: ptr(o.Key), OutputValue: ptr(value),
			Description: optional(o.Description), ExportName: optional(o.ExportName)})
	}
	for _, k := range sortedKeys(r.Tags) {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(r.Tags[k])})
	}
	return out
}

// optional points to s, or is nil when s is empty.
func optional[T ~string](s T) *T {
	if s == "" {
		return nil
	}
	return &s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Service) describeStacks(ctx context.Context, in *DescribeStacksInput) (*DescribeStacksOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &DescribeStacksOutput{Stacks: []Stack{}}
	if in.StackName != nil && *in.StackName != "" {
		st := s.find(*in.StackName)
		if st == nil || !st.rec.Deleted.IsZero() && !strings.HasPrefix(*in.StackName, "arn:") {
			return nil, s.notFound(*in.StackName)
		}
		out.Stacks = append(out.Stacks, s.describe(st))
		return out, nil
	}
	for _, name := range sortedKeys(s.stacks) {
		out.Stacks = append(out.Stacks, s.describe(s.stacks[name]))
	}
	return out, nil
}

func (s *Service) describeStackEvents(ctx context.Context, in *DescribeStackEventsInput) (*DescribeStackEventsOutput, error) {
	s.mu.Lock()
	st := s.find(deref(in.StackName))
	s.mu.Unlock()
	if st == nil {
		return nil, missing(deref(in.StackName))
	}
	evs, err := s.events(st.rec.ID)
	if err != nil {
		return nil, err
	}
	out := &DescribeStackEventsOutput{StackEvents: []StackEvent{}}
	for _, e := range evs {
		out.StackEvents = append(out.StackEvents, StackEvent{StackId: ptr(e.StackID), EventId: ptr(e.ID), StackName: ptr(e.StackName),
			LogicalResourceId: ptr(e.LogicalID), PhysicalResourceId: optional(e.PhysicalID), ResourceType: ptr(e.Type),
			Timestamp: ptr(e.Time), ResourceStatus: ptr(e.Status), ResourceStatusReason: optional(e.Reason),
			ResourceProperties: optional(e.Properties)})
	}
	return out, nil
}

func (s *Service) resources(name string) (*stack, []*resourceState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(name)
	if st == nil {
		return nil, nil, s.notFound(name)
	}
	var out []*resourceState
	for _, id := range sortedKeys(st.rec.Resources) {
		rs := *st.rec.Resources[id]
		out = append(out, &rs)
	}
	return st, out, nil
}

func (s *Service) describeStackResource(ctx context.Context, in *DescribeStackResourceInput) (*DescribeStackResourceOutput, error) {
	st, rs, err := s.resources(*in.StackName)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.LogicalID == *in.LogicalResourceId {
			return &DescribeStackResourceOutput{StackResourceDetail: &StackResourceDetail{StackName: ptr(st.rec.Name), StackId: ptr(st.rec.ID),
				LogicalResourceId: ptr(r.LogicalID), PhysicalResourceId: optional(r.PhysicalID), ResourceType: ptr(r.Type),
				LastUpdatedTimestamp: ptr(r.Updated), ResourceStatus: ptr(r.Status), ResourceStatusReason: optional(r.StatusReason),
				Metadata: ptr(resourceMetadata(st.rec.Processed, r.LogicalID)), DriftInformation: &StackResourceDriftInformation{StackResourceDriftStatus: ptr("NOT_CHECKED")}}}, nil
		}
	}
	return nil, ErrValidation.Withf("Resource %s does not exist for stack %s", *in.LogicalResourceId, *in.StackName)
}

// resourceMetadata is the JSON of a resource's Metadata attribute in a
// processed template, "{}" when it has none, as DescribeStackResource
// answers it.
func resourceMetadata(processed, id string) string {
	var tree struct {
		Resources map[string]struct {
			Metadata json.RawMessage
		}
	}
	if json.Unmarshal([]byte(processed), &tree) != nil {
		return "{}"
	}
	if md := tree.Resources[id].Metadata; len(md) > 0 && string(md) != "null" {
		var v any
		if json.Unmarshal(md, &v) == nil {
			b, _ := json.Marshal(v) // compact
			return string(b)
		}
	}
	return "{}"
}

func (s *Service) describeStackResources(ctx context.Context, in *DescribeStackResourcesInput) (*DescribeStackResourcesOutput, error) {
	name := deref(in.StackName)
	if name == "" && in.PhysicalResourceId != nil {
		s.mu.Lock()
		for _, st := range s.stacks {
			for _, r := range st.rec.Resources {
				if r.PhysicalID == *in.PhysicalResourceId {
					name = st.rec.Name
				}
			}
		}
		s.mu.Unlock()
	}
	if name == "" {
		return nil, ErrValidation.WithMessage("Either StackName or PhysicalResourceId must be specified.")
	}
	st, rs, err := s.resources(name)
	if err != nil {
		return nil, err
	}
	out := &DescribeStackResourcesOutput{StackResources: []StackResource{}}
	for _, r := range rs {
		if in.LogicalResourceId != nil && r.LogicalID != *in.LogicalResourceId {
			continue
		}
		out.StackResources = append(out.StackResources, StackResource{StackName: ptr(st.rec.Name), StackId: ptr(st.rec.ID),
			LogicalResourceId: ptr(r.LogicalID), PhysicalResourceId: optional(r.PhysicalID), ResourceType: ptr(r.Type),
			Timestamp: ptr(r.Updated), ResourceStatus: ptr(r.Status), ResourceStatusReason: optional(r.StatusReason),
			DriftInformation: &StackResourceDriftInformation{StackResourceDriftStatus: ptr("NOT_CHECKED")}})
	}
	return out, nil
}

func (s *Service) listStackResources(ctx context.Context, in *ListStackResourcesInput) (*ListStackResourcesOutput, error) {
	_, rs, err := s.resources(*in.StackName)
	if err != nil {
		return nil, err
	}
	out := &ListStackResourcesOutput{StackResourceSummaries: []StackResourceSummary{}}
	for _, r := range rs {
		out.StackResourceSummaries = append(out.StackResourceSummaries, StackResourceSummary{LogicalResourceId: ptr(r.LogicalID),
			PhysicalResourceId: optional(r.PhysicalID), ResourceType: ptr(r.Type), LastUpdatedTimestamp: ptr(r.Updated),
			ResourceStatus: ptr(r.Status), ResourceStatusReason: optional(r.StatusReason),
			DriftInformation: &StackResourceDriftInformationSummary{StackResourceDriftStatus: ptr("NOT_CHECKED")}})
	}
	return out, nil
}

func (s *Service) listStacks(ctx context.Context, in *ListStacksInput) (*ListStacksOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]*stack, 0, len(s.stacks)+len(s.deleted))
	for _, st := range s.stacks {
		all = append(all, st)
	}
	all = append(all, s.deleted...)
	sort.Slice(all, func(i, j int) bool { return all[i].rec.Created.After(all[j].rec.Created) })
	out := &ListStacksOutput{StackSummaries: []StackSummary{}}
	for _, st := range all {
		r := st.rec
		if len(in.StackStatusFilter) > 0 && !slices.Contains(in.StackStatusFilter, StackStatus(r.Status)) {
			continue
		}
		sum := StackSummary{StackId: ptr(r.ID), StackName: ptr(r.Name), TemplateDescription: optional(r.Description),
			CreationTime: ptr(r.Created), StackStatus: ptr(StackStatus(r.Status)), StackStatusReason: optional(r.StatusReason),
			DriftInformation: &StackDriftInformationSummary{StackDriftStatus: ptr("NOT_CHECKED")}}
		if !r.Updated.IsZero() && r.Updated != r.Created {
			sum.LastUpdatedTime = ptr(r.Updated)
		}
		if !r.Deleted.IsZero() {
			sum.DeletionTime = ptr(r.Deleted)
		}
		sum.ParentId, sum.RootId = optional(r.ParentID), optional(r.RootID)
		out.StackSummaries = append(out.StackSummaries, sum)
	}
	return out, nil
}

func (s *Service) getTemplate(ctx context.Context, in *GetTemplateInput) (*GetTemplateOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(deref(in.StackName))
	if st == nil {
		return nil, s.notFound(deref(in.StackName))
	}
	r := st.rec
	tmpl, processed := r.Template, r.Processed
	if in.ChangeSetName != nil {
		cs := findChangeSet(st, *in.ChangeSetName)
		if cs == nil {
			return nil, ErrChangeSetGone.Withf("ChangeSet [%s] does not exist", *in.ChangeSetName)
		}
		tmpl, processed = cs.Template, cs.Processed
	}
	out := &GetTemplateOutput{TemplateBody: ptr(tmpl), StagesAvailable: []TemplateStage{"Original", "Processed"}}
	if deref(in.TemplateStage) == "Processed" {
		out.TemplateBody = ptr(processed)
	}
	return out, nil
}

// validTemplate reads a template from its body or URL and checks it as
// ValidateTemplate does (a template with transforms is checked once
// they have run, when a stack is made of it).
func (s *Service) validTemplate(ctx context.Context, body, url *string) (*template.Template, error) {
	b, err := s.body(ctx, body, url)
	if err != nil {
		return nil, err
	}
	t, err := template.Parse([]byte(b))
	if err != nil {
		return nil, templateError(err)
	}
	if len(t.Transforms) == 0 {
		if err := t.Validate(); err != nil {
			return nil, templateError(err)
		}
	}
	return t, nil
}

func (s *Service) validateTemplate(ctx context.Context, in *ValidateTemplateInput) (*ValidateTemplateOutput, error) {
	t, err := s.validTemplate(ctx, in.TemplateBody, in.TemplateURL)
	if err != nil {
		return nil, err
	}
	out := &ValidateTemplateOutput{Description: optional(t.Description), Parameters: []TemplateParameter{}, DeclaredTransforms: t.Transforms}
	for _, name := range t.ParameterNames {
		p := t.Parameters[name]
		out.Parameters = append(out.Parameters, TemplateParameter{ParameterKey: ptr(name), DefaultValue: p.Default,
			NoEcho: ptr(p.NoEcho), Description: optional(p.Description)})
	}
	if need := iamCapability(t); need != "" {
		out.Capabilities = []Capability{need}
		out.CapabilitiesReason = ptr("The following resource(s) require capabilities: " + iamTypes(t))
	}
	return out, nil
}

// calculatorURL is where EstimateTemplateCost's answer points: AWS's
// Simple Monthly Calculator, as the API reference's sample response
// shows it, with a key of its own for each estimate.
const calculatorURL = "http://calculator.s3.amazonaws.com/calc5.html?key=cf-"

// estimateTemplateCost answers, for a valid template, a calculator URL
// as AWS does; virga prices nothing.
func (s *Service) estimateTemplateCost(ctx context.Context, in *EstimateTemplateCostInput) (*EstimateTemplateCostOutput, error) {
	if _, err := s.validTemplate(ctx, in.TemplateBody, in.TemplateURL); err != nil {
		return nil, err
	}
	return &EstimateTemplateCostOutput{Url: ptr(calculatorURL + s.d.IDs.UUID())}, nil
}

func iamTypes(t *template.Template) string {
	seen := map[string]bool{}
	for _, r := range t.Resources {
		if strings.HasPrefix(r.Type, "AWS::IAM::") {
			seen[r.Type] = true
		}
	}
	return "[" + strings.Join(sortedKeys(seen), ", ") + "]"
}

func (s *Service) getTemplateSummary(ctx context.Context, in *GetTemplateSummaryInput) (*GetTemplateSummaryOutput, error) {
	var b string
	if in.StackName != nil {
		s.mu.Lock()
		st := s.find(*in.StackName)
		if st != nil {
			b = st.rec.Template
		}
		s.mu.Unlock()
		if st == nil {
			return nil, s.notFound(*in.StackName)
		}
	} else {
		var err error
		if b, err = s.body(ctx, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, err
		}
	}
	t, err := template.Parse([]byte(b))
	if err != nil {
		return nil, templateError(err)
	}
	out := &GetTemplateSummaryOutput{Description: optional(t.Description), Parameters: []ParameterDeclaration{},
		Version: optional(t.FormatVersion), DeclaredTransforms: t.Transforms}
	for _, name := range t.ParameterNames {
		p := t.Parameters[name]
		d := ParameterDeclaration{ParameterKey: ptr(name), DefaultValue: p.Default, ParameterType: ptr(p.Type),
			NoEcho: ptr(p.NoEcho), Description: optional(p.Description)}
		if p.AllowedValues != nil {
			d.ParameterConstraints = &ParameterConstraints{AllowedValues: p.AllowedValues}
		}
		out.Parameters = append(out.Parameters, d)
	}
	types := map[string][]string{}
	for _, id := range t.ResourceNames {
		types[t.Resources[id].Type] = append(types[t.Resources[id].Type], id)
	}
	for _, typ := range sortedKeys(types) {
		out.ResourceTypes = append(out.ResourceTypes, typ)
	}
	if need := iamCapability(t); need != "" {
		out.Capabilities = []Capability{need}
		out.CapabilitiesReason = ptr("The following resource(s) require capabilities: " + iamTypes(t))
	}
	if len(t.Transforms) > 0 {
		out.Capabilities = append(out.Capabilities, "CAPABILITY_AUTO_EXPAND")
	}
	if md, ok := t.Tree["Metadata"]; ok {
		b, _ := json.Marshal(md)
		out.Metadata = ptr(string(b))
	}
	return out, nil
}

// resolvedValue is what DescribeStacks shows as an SSM-typed parameter's
// ResolvedValue: the value it read, masked for NoEcho.
func resolvedValue(p paramRecord) *string {
	if p.Resolved == nil || !p.NoEcho {
		return p.Resolved
	}
	return ptr(noEchoMask)
}
