package cloudformation

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cfn/template"
)

// A change set is a stack operation described before it runs: what the
// template would add, modify (and whether it replaces) and remove. It
// lives with its stack; executing one runs the create or update it
// describes and deletes the stack's change sets.
type changeSet struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Type            string            `json:"type"` // CREATE or UPDATE
	Status          string            `json:"status"`
	ExecutionStatus string            `json:"executionStatus"`
	StatusReason    string            `json:"reason,omitempty"`
	Description     string            `json:"description,omitempty"`
	Created         time.Time         `json:"created"`
	Template        string            `json:"template"`
	Processed       string            `json:"processed"`
	Params          []paramRecord     `json:"params,omitempty"`
	Capabilities    []Capability      `json:"capabilities,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	Changes         []changeRecord    `json:"changes,omitempty"`
	// OnStackFailure is what a failed creation by the change set does
	// (ROLLBACK, DELETE or DO_NOTHING), when its creation said.
	OnStackFailure OnStackFailure `json:"onStackFailure,omitempty"`
}

type changeRecord struct {
	Action      string `json:"action"` // Add, Modify, Remove
	LogicalID   string `json:"logicalId"`
	PhysicalID  string `json:"physicalId,omitempty"`
	Type        string `json:"type"`
	Replacement string `json:"replacement,omitempty"` // True, False, Conditional
	// Scope and Details say what of a modified resource changes.
	Scope   []string       `json:"scope,omitempty"`
	Details []detailRecord `json:"details,omitempty"`
}

// detailRecord is one of a Modify's details: the attribute (Properties
// or Tags) and property that change, whether that recreates the
// resource, and what caused it: the template itself
// (DirectModification) or a parameter's new value (ParameterReference).
type detailRecord struct {
	Attribute  string `json:"attribute"`
	Name       string `json:"name,omitempty"`
	Recreation string `json:"recreation"` // Never, Always
	Source     string `json:"source"`
	Causing    string `json:"causing,omitempty"`
	// Dynamic marks a value known only once the change runs: the
	// property a changed parameter feeds is such a direct modification.
	Dynamic bool `json:"dynamic,omitempty"`
}

// modification compares a resource's old and new definitions, property
// by property: a property written differently is a direct
// modification; one written the same that refers to a parameter whose
// value changed is modified by that parameter. Tags are their own
// attribute, as CloudFormation reports them.
func modification(typ string, o, r *template.Resource, oldVals, newVals *template.Values, params map[string]bool) (scope []string, details []detailRecord) {
	var replace []string
	if t := resource.Lookup(typ); t != nil {
		replace = t.Replace
	}
	recreation := func(name string) string {
		if slices.Contains(replace, "*") || slices.Contains(replace, name) {
			return "Always"
		}
		return "Never"
	}
	keys := map[string]bool{}
	for k := range o.Properties {
		keys[k] = true
	}
	for k := range r.Properties {
		keys[k] = true
	}
	scopes := map[string]bool{}
	var byParams []detailRecord
	add := func(name, source, causing string, dynamic bool) {
		d := detailRecord{Attribute: "Properties", Name: name, Recreation: recreation(name), Source: source, Causing: causing, Dynamic: dynamic}
		if name == "Tags" {
			d.Attribute, d.Name = "Tags", ""
		}
		scopes[d.Attribute] = true
		if source == "ParameterReference" {
			byParams = append(byParams, d)
			return
		}
		details = append(details, d)
	}
	// The modifications come first, then what the parameters caused,
	// in the order of AWS's examples.
	defer func() { details = append(details, byParams...) }()
	for _, k := range sortedKeys(keys) {
		if !resource.Equal(o.Properties[k], r.Properties[k]) {
			add(k, "DirectModification", "", false)
			continue
		}
		// As AWS reports a parameter's new value: the property's
		// modification, Dynamic, then one Static ParameterReference
		// detail for each parameter that changed.
		first := true
		for _, name := range paramRefs(r.Properties[k], params) {
			if oldVals != nil && newVals != nil && oldVals.Params[name].Value != newVals.Params[name].Value {
				if first {
					add(k, "DirectModification", "", true)
					first = false
				}
				add(k, "ParameterReference", name, false)
			}
		}
	}
	for _, a := range []string{"Properties", "Tags"} {
		if scopes[a] {
			scope = append(scope, a)
		}
	}
	return scope, details
}

func evaluation(dynamic bool) string {
	if dynamic {
		return "Dynamic"
	}
	return "Static"
}

// paramRefs names the parameters a property's definition refers to,
// with Ref or in an Fn::Sub string, in order of first use.
func paramRefs(node any, params map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	use := func(name string) {
		if params[name] && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			if name, ok := n["Ref"].(string); ok && len(n) == 1 {
				use(name)
			}
			if sub, ok := n["Fn::Sub"]; ok && len(n) == 1 {
				str, _ := sub.(string)
				if l, ok := sub.([]any); ok && len(l) > 0 {
					str, _ = l[0].(string)
				}
				for _, m := range subVar.FindAllStringSubmatch(str, -1) {
					use(m[1])
				}
			}
			for _, k := range sortedKeys(n) {
				walk(n[k])
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(node)
	return out
}

// subVar matches an Fn::Sub variable, ${Name} but not ${!Literal}.
var subVar = regexp.MustCompile(`\$\{([^!}][^}.]*)\}`)

// nestedStackType is the type of a nested stack's resource.
const nestedStackType = "AWS::CloudFormation::Stack"

// noChanges is CloudFormation's reason for a change set with nothing to
// do; `aws cloudformation deploy` recognises it.
const noChanges = "The submitted information didn't contain changes. Submit different information to create a change set."

// changes compares the resources of two plans (old is nil for a new
// stack): added, removed, and modified ones, by their unevaluated
// definitions.
func changes(old, p *plan, current map[string]*resourceState) []changeRecord {
	var out []changeRecord
	params := map[string]bool{}
	for name := range p.tmpl.Parameters {
		params[name] = true
	}
	for _, id := range p.tmpl.ResourceNames {
		r := p.tmpl.Resources[id]
		if r.Condition != "" && !p.conds[r.Condition] {
			continue
		}
		cur := current[id]
		if old == nil || cur == nil || old.tmpl.Resources[id] == nil {
			out = append(out, changeRecord{Action: "Add", LogicalID: id, Type: r.Type})
			continue
		}
		o := old.tmpl.Resources[id]
		var scope []string
		var details []detailRecord
		if o.Type == r.Type {
			scope, details = modification(r.Type, o, r, old.values, p.values, params)
		}
		if o.Type == r.Type && resource.Equal(o.Properties, r.Properties) && resource.Equal(o.Raw["DependsOn"], r.Raw["DependsOn"]) && len(details) == 0 {
			if r.Type != nestedStackType {
				continue
			}
			// A nested stack's template may have changed behind the
			// same TemplateURL: CloudFormation updates it on every
			// update of its parent, a modification whose source is
			// Automatic.
			scope, details = []string{"Properties"}, []detailRecord{{Attribute: "Properties", Recreation: "Never", Source: "Automatic"}}
		}
		rep := "False"
		if o.Type != r.Type {
			rep = "True"
		} else if t := resource.Lookup(r.Type); t != nil && t.NeedsReplacement(o.Properties, r.Properties) {
			rep = "True"
		}
		for _, d := range details {
			if d.Recreation == "Always" {
				rep = "True"
			}
		}
		out = append(out, changeRecord{Action: "Modify", LogicalID: id, PhysicalID: cur.PhysicalID, Type: r.Type, Replacement: rep,
			Scope: scope, Details: details})
	}
	for id, cur := range current {
		if r := p.tmpl.Resources[id]; r == nil || r.Condition != "" && !p.conds[r.Condition] {
			out = append(out, changeRecord{Action: "Remove", LogicalID: id, PhysicalID: cur.PhysicalID, Type: cur.Type})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Action == "Add" && out[j].Action != "Add" })
	return out
}

func findChangeSet(st *stack, nameOrID string) *changeSet {
	for _, cs := range st.rec.ChangeSets {
		if cs.Name == nameOrID || cs.ID == nameOrID {
			return cs
		}
	}
	return nil
}

// stackOfChangeSet finds the stack a change set belongs to, by the
// StackName parameter or by the change set's ARN; the caller holds s.mu.
func (s *Service) stackOfChangeSet(stackName *string, cs string) *stack {
	if stackName != nil && *stackName != "" {
		return s.find(*stackName)
	}
	for _, st := range s.stacks {
		if findChangeSet(st, cs) != nil {
			return st
		}
	}
	return nil
}

func (s *Service) createChangeSet(ctx context.Context, in *CreateChangeSetInput) (*CreateChangeSetOutput, error) {
	name := *in.StackName
	typ := deref(in.ChangeSetType)
	if typ == "" {
		typ = "UPDATE"
	}
	if typ != "CREATE" && typ != "UPDATE" {
		return nil, ErrValidation.Withf("ChangeSetType %s is not supported in this version of virga.", typ)
	}
	if deref(in.OnStackFailure) == "DELETE" && typ != "CREATE" {
		return nil, ErrValidation.WithMessage("OnStackFailure DELETE is only valid for a change set of type CREATE.")
	}
	b := ""
	if in.UsePreviousTemplate == nil || !*in.UsePreviousTemplate {
		var err error
		if b, err = s.body(ctx, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	st := s.find(name)
	if st != nil && !st.rec.Deleted.IsZero() {
		st = nil
	}
	switch {
	case typ == "CREATE" && st != nil && st.rec.Status != reviewInProgress:
		s.mu.Unlock()
		return nil, ErrAlreadyExists.Withf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, *in.ChangeSetName)
	case typ == "UPDATE" && st == nil:
		s.mu.Unlock()
		return nil, ErrValidation.Withf("Stack [%s] does not exist", name)
	case typ == "UPDATE" && (st.busy || isInProgress(st.rec.Status)):
		s.mu.Unlock()
		return nil, ErrValidation.Withf("Stack:%s is in %s state and can not be updated.", st.rec.ID, st.rec.Status)
	case typ == "UPDATE" && notUpdatable(st) != nil:
		s.mu.Unlock()
		return nil, notUpdatable(st)
	}
	if st != nil && findChangeSet(st, *in.ChangeSetName) != nil {
		s.mu.Unlock()
		return nil, ErrAlreadyExists.Withf("ChangeSet %s already exists", *in.ChangeSetName)
	}
	var id string
	var prev []paramRecord
	var current map[string]*resourceState
	var oldBody string
	var oldTags map[string]string
	var settings stackSettings
	status := ""
	if st != nil {
		id, prev, oldBody, oldTags, status, settings = st.rec.ID, st.rec.Parameters, st.rec.Template, st.rec.Tags, st.rec.Status, st.rec.settings()
		current = map[string]*resourceState{}
		for k, v := range st.rec.Resources {
			current[k] = v
		}
		if b == "" {
			b = oldBody
		}
	} else {
		id = s.stackID(name)
	}
	s.mu.Unlock()
	p, err := s.prepare(ctx, b, in.Parameters, prev, name, id, in.Capabilities, true)
	if err != nil {
		return nil, err
	}
	var old *plan
	if st != nil && st.rec.Status != reviewInProgress {
		old = s.deployed(ctx, st, settings)
	}
	now := s.d.Clock.Now()
	cs := &changeSet{ID: "arn:aws:cloudformation:" + s.d.Region + ":" + s.d.Account + ":changeSet/" + *in.ChangeSetName + "/" + s.d.IDs.UUID(),
		Name: *in.ChangeSetName, Type: string(typ), Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE", Description: deref(in.Description),
		Created: now, Template: b, Processed: p.processed, Params: p.params, Capabilities: in.Capabilities, Tags: tagMap(in.Tags),
		Changes: changes(old, p, current), OnStackFailure: deref(in.OnStackFailure)}
	// New parameter values or stack tags are changes even when no
	// resource's definition is: executing the change set records them
	// (and CloudFormation gives the stack's resources the new tags).
	// Tags left out keep the stack's.
	if len(cs.Changes) == 0 && !failedState(status) && (old == nil || sameParams(prev, p.params) && (cs.Tags == nil || equalTags(oldTags, cs.Tags))) {
		cs.Status, cs.ExecutionStatus, cs.StatusReason = "FAILED", "UNAVAILABLE", noChanges
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == nil {
		st = &stack{rec: stackRecord{ID: id, Name: name, Created: now, Template: b, Processed: p.processed,
			Description: p.tmpl.Description, Tags: cs.Tags}}
		s.stacks[name] = st
		s.stackEvent(st, reviewInProgress, "User Initiated")
	}
	if st.rec.ChangeSets == nil {
		st.rec.ChangeSets = map[string]*changeSet{}
	}
	st.rec.ChangeSets[cs.Name] = cs
	if err := s.save(st); err != nil {
		return nil, err
	}
	return &CreateChangeSetOutput{Id: ptr(cs.ID), StackId: ptr(st.rec.ID)}, nil
}

func (s *Service) describeChangeSet(ctx context.Context, in *DescribeChangeSetInput) (*DescribeChangeSetOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stackOfChangeSet(in.StackName, *in.ChangeSetName)
	var cs *changeSet
	if st != nil {
		cs = findChangeSet(st, *in.ChangeSetName)
	}
	if cs == nil {
		return nil, ErrChangeSetGone.Withf("ChangeSet [%s] does not exist", *in.ChangeSetName)
	}
	out := &DescribeChangeSetOutput{ChangeSetName: ptr(cs.Name), ChangeSetId: ptr(cs.ID), StackId: ptr(st.rec.ID), StackName: ptr(st.rec.Name),
		Description: optional(cs.Description), CreationTime: ptr(cs.Created), ExecutionStatus: ptr(cs.ExecutionStatus), Status: ptr(cs.Status),
		StatusReason: optional(cs.StatusReason), Capabilities: append([]Capability{}, cs.Capabilities...), Changes: []Change{}, IncludeNestedStacks: ptr(false),
		NotificationARNs: []string{}, OnStackFailure: optional(cs.OnStackFailure)}
	for _, p := range cs.Params {
		v := p.Value
		if p.NoEcho {
			v = noEchoMask // masked, as DescribeStacks masks it
		}
		out.Parameters = append(out.Parameters, Parameter{ParameterKey: ptr(p.Key), ParameterValue: ptr(v), ResolvedValue: resolvedValue(p)})
	}
	for _, k := range sortedKeys(cs.Tags) {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(cs.Tags[k])})
	}
	for _, c := range cs.Changes {
		rc := &ResourceChange{Action: ptr(c.Action), LogicalResourceId: ptr(c.LogicalID), PhysicalResourceId: optional(c.PhysicalID),
			ResourceType: ptr(c.Type), Replacement: optional(c.Replacement), Scope: []string{}, Details: []ResourceChangeDetail{}}
		if c.Scope != nil {
			rc.Scope = c.Scope
		} else if c.Action == "Modify" {
			rc.Scope = []string{"Properties"}
		}
		for _, d := range c.Details {
			rc.Details = append(rc.Details, ResourceChangeDetail{Target: &ResourceTargetDefinition{Attribute: ptr(d.Attribute),
				Name: optional(d.Name), RequiresRecreation: ptr(d.Recreation)}, Evaluation: ptr(evaluation(d.Dynamic)),
				ChangeSource: ptr(d.Source), CausingEntity: optional(d.Causing)})
		}
		out.Changes = append(out.Changes, Change{Type: ptr("Resource"), ResourceChange: rc})
	}
	return out, nil
}

func (s *Service) executeChangeSet(ctx context.Context, in *ExecuteChangeSetInput) (*ExecuteChangeSetOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stackOfChangeSet(in.StackName, *in.ChangeSetName)
	var cs *changeSet
	if st != nil {
		cs = findChangeSet(st, *in.ChangeSetName)
	}
	if err := executable(st, cs, in); err != nil {
		return nil, err
	}
	name, id, settings := st.rec.Name, st.rec.ID, st.rec.settings()
	s.mu.Unlock()
	p, err := s.prepare(ctx, cs.Template, paramsOf(cs.Params), nil, name, id, everyCapability, true)
	var old *plan
	if err == nil && cs.Type == "UPDATE" {
		old = s.deployed(ctx, st, settings)
	}
	// A creation's OnStackFailure DO_NOTHING is DisableRollback; an
	// update's rollback only DisableRollback turns off.
	noRollback := in.DisableRollback != nil && *in.DisableRollback || cs.Type == "CREATE" && cs.OnStackFailure == "DO_NOTHING"
	if err == nil && cs.Type == "UPDATE" {
		err = noRollbackReplacement(noRollback, cs.Changes)
	}
	s.mu.Lock()
	if err != nil {
		return nil, err
	}
	// Another call may have executed or deleted the change set, or
	// started an operation on the stack, while this one prepared it.
	if findChangeSet(st, cs.Name) != cs {
		cs = nil
	}
	if err := executable(st, cs, in); err != nil {
		return nil, err
	}
	st.busy = true
	// Executing a change set deletes the stack's other change sets; the
	// one executed stays, its ExecutionStatus following the operation.
	st.rec.ChangeSets = map[string]*changeSet{cs.Name: cs}
	cs.ExecutionStatus = "EXECUTE_IN_PROGRESS"
	st.rec.ChangeSetID = cs.ID
	if cs.Type == "UPDATE" {
		st.rec.Stable = st.stable()
	}
	st.rec.Template, st.rec.Capabilities = cs.Template, cs.Capabilities
	if cs.Tags != nil {
		st.rec.Tags = cs.Tags
	}
	st.rec.NoRollback = noRollback
	st.rec.DeleteOnFailure = cs.Type == "CREATE" && cs.OnStackFailure == "DELETE"
	if cs.Type == "CREATE" {
		st.rec.Processed, st.rec.Parameters = p.processed, p.params
		s.stackEvent(st, createInProgress, "User Initiated")
		s.transformWarnings(st, p, createInProgress)
		s.start(ctx, st, func(ctx context.Context) { s.runCreate(ctx, st, p) })
	} else {
		s.stackEvent(st, updateInProgress, "User Initiated")
		s.transformWarnings(st, p, updateInProgress)
		s.start(ctx, st, func(ctx context.Context) { s.runUpdate(ctx, st, p, old, st.rec.Policy) })
	}
	return &ExecuteChangeSetOutput{}, nil
}

// executable refuses to execute cs (nil if it does not exist), a
// change set of st, as in; the caller holds s.mu.
func executable(st *stack, cs *changeSet, in *ExecuteChangeSetInput) error {
	switch {
	case cs == nil:
		return ErrChangeSetGone.Withf("ChangeSet [%s] does not exist", *in.ChangeSetName)
	case cs.Status != "CREATE_COMPLETE":
		return ErrInvalidState.Withf("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
	case cs.ExecutionStatus != "AVAILABLE":
		// AWS names the stack in this one.
		return ErrInvalidState.Withf("ChangeSet [%s] cannot be executed in its current execution status of [%s]", st.rec.ID, cs.ExecutionStatus)
	case st.busy:
		return ErrInvalidState.Withf("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
	case cs.OnStackFailure != "" && in.DisableRollback != nil:
		return ErrValidation.WithMessage("Either DisableRollback or OnStackFailure can be specified, but not both. " +
			"Validation error as OnStackFailure parameter was specified during CreateChangeSet.")
	}
	return nil
}

func (s *Service) deleteChangeSet(ctx context.Context, in *DeleteChangeSetInput) (*DeleteChangeSetOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stackOfChangeSet(in.StackName, *in.ChangeSetName)
	var cs *changeSet
	if st != nil {
		cs = findChangeSet(st, *in.ChangeSetName)
	}
	if cs == nil {
		// Named by stack, a change set that does not exist is already
		// deleted: AWS answers success as long as the stack exists, and
		// the CDK relies on it, deleting its change set's name before
		// every deploy of an existing stack. Only a stack that does not
		// exist (a deleted one is addressable by ID alone) is an error.
		if deref(in.StackName) == "" {
			return nil, ErrChangeSetGone.Withf("ChangeSet [%s] does not exist", *in.ChangeSetName)
		}
		if st == nil || !st.rec.Deleted.IsZero() {
			return nil, missing(*in.StackName)
		}
		return &DeleteChangeSetOutput{}, nil
	}
	delete(st.rec.ChangeSets, cs.Name)
	if err := s.save(st); err != nil {
		return nil, err
	}
	return &DeleteChangeSetOutput{}, nil
}

func (s *Service) listChangeSets(ctx context.Context, in *ListChangeSetsInput) (*ListChangeSetsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil {
		return nil, s.notFound(*in.StackName)
	}
	out := &ListChangeSetsOutput{Summaries: []ChangeSetSummary{}}
	for _, n := range sortedKeys(st.rec.ChangeSets) {
		cs := st.rec.ChangeSets[n]
		out.Summaries = append(out.Summaries, ChangeSetSummary{StackId: ptr(st.rec.ID), StackName: ptr(st.rec.Name), ChangeSetId: ptr(cs.ID),
			ChangeSetName: ptr(cs.Name), ExecutionStatus: ptr(cs.ExecutionStatus), Status: ptr(cs.Status), StatusReason: optional(cs.StatusReason),
			CreationTime: ptr(cs.Created), Description: optional(cs.Description), IncludeNestedStacks: ptr(false)})
	}
	return out, nil
}
