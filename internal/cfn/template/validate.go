package template

import (
	"github.com/virga/virga/internal/cfn/dynref"
	"slices"
	"sort"
	"strings"
)

// Template quotas from AWS's documentation ("CloudFormation quotas").
const (
	maxResources        = 500  // resources declared in a template
	maxParameters       = 200  // parameters declared in a template
	maxOutputs          = 200  // outputs declared in a template
	maxMappings         = 200  // mappings declared in a template
	maxDescriptionBytes = 1024 // the template description
	maxLogicalIDLength  = 255  // a resource, parameter or output name
)

// serverlessTransform is the SAM transform, which allows a Globals section.
const serverlessTransform = "AWS::Serverless-2016-10-31"

// sections are the top-level keys CloudFormation accepts.
var sections = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true,
	"Parameters": true, "Rules": true, "Mappings": true, "Conditions": true,
	"Transform": true, "Resources": true, "Outputs": true, "Hooks": true,
}

// resourceAttributes are the keys a resource declaration may have.
var resourceAttributes = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true,
	"DeletionPolicy": true, "UpdateReplacePolicy": true, "Metadata": true,
	"CreationPolicy": true, "UpdatePolicy": true,
}

// outputAttributes are the keys an output declaration may have.
var outputAttributes = map[string]bool{"Value": true, "Description": true, "Export": true, "Condition": true}

// deletionPolicies are the values DeletionPolicy and UpdateReplacePolicy
// take when written as strings.
var deletionPolicies = map[string]bool{"Delete": true, "Retain": true, "RetainExceptOnCreate": true, "Snapshot": true}

// Validate checks the template the way CloudFormation's ValidateTemplate
// does and returns the first problem as an *Error: unknown top-level keys,
// malformed parameters, resources without Type, malformed intrinsic
// functions, references to undeclared resources, parameters, conditions
// and mappings, DependsOn on unknown resources, Fn::GetAtt on unknown
// resources and dependency cycles.
//
// A template that declares a Transform is checked only for what a
// transform cannot change (its top-level keys, parameters and that
// every resource has a Type): its references may name resources the
// transform creates. Validate the transformed template again.
func (t *Template) Validate() error {
	if err := t.validateStructure(); err != nil {
		return err
	}
	if len(t.Transforms) > 0 {
		return nil
	}
	if err := t.validateResources(); err != nil {
		return err
	}
	if err := t.validateConditions(); err != nil {
		return err
	}
	if err := t.validateReferences(); err != nil {
		return err
	}
	all := map[string]bool{}
	for _, n := range t.ResourceNames {
		all[n] = true
	}
	if _, err := t.buildGraph(all, nil); err != nil {
		return err
	}
	if err := t.validateOutputs(); err != nil {
		return err
	}
	if err := t.validateRules(); err != nil {
		return err
	}
	return t.validateDynamicReferences()
}

// maxDynamicReferences: "You can include up to 60 dynamic references
// in a stack template."
const maxDynamicReferences = 60

// validateDynamicReferences checks the dynamic references
// ("{{resolve:ssm:/app/name}}") in resource properties: each must parse,
// there may be at most 60, and custom resources may not read secure
// values (ssm-secure, secretsmanager). The engine resolves them when it
// creates or updates the resource. A reference in an output is refused:
// virga resolves references in resource properties only.
//
// A reference may be built by Fn::Join from literal pieces and other
// values (the CDK writes a secret's field as "{{resolve:secretsmanager:",
// the secret's Ref, ":SecretString:password::}}"): a piece of a join that
// opens a reference it does not close is counted here (and refused in a
// custom resource when it names a secure service) and checked whole when
// the engine resolves the joined value.
func (t *Template) validateDynamicReferences() error {
	count := 0
	var walk func(node any, where string, custom, joined bool) error
	walk = func(node any, where string, custom, joined bool) error {
		switch n := node.(type) {
		case string:
			if !dynref.Contains(n) {
				return nil
			}
			if joined {
				if open := strings.LastIndex(n, dynref.OpenMark); !strings.Contains(n[open:], dynref.CloseMark) {
					service, _, named := strings.Cut(n[open+len(dynref.OpenMark):], ":")
					if custom && named && service != dynref.SSM {
						// Wording unconfirmed.
						return templateErr("%s: the dynamic reference %s... reads a secure value, which custom resources cannot use", where, n[open:])
					}
					count++
					n = n[:open]
				}
			}
			refs, _, err := dynref.Find(n)
			if err != nil {
				return templateErr("%s: %s", where, err.Error())
			}
			for _, r := range refs {
				if custom && r.Service != dynref.SSM {
					// Wording unconfirmed.
					return templateErr("%s: the dynamic reference %s reads a secure value, which custom resources cannot use", where, r.Text)
				}
			}
			count += len(refs)
		case map[string]any:
			for _, k := range sortedKeys(n) {
				if err := walk(n[k], where, custom, joined || k == "Fn::Join"); err != nil {
					return err
				}
			}
		case []any:
			for _, v := range n {
				if err := walk(v, where, custom, joined); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, name := range t.ResourceNames {
		r := t.Resources[name]
		custom := r.Type == "AWS::CloudFormation::CustomResource" || strings.HasPrefix(r.Type, "Custom::")
		if err := walk(r.Properties, "Resource "+name, custom, false); err != nil {
			return err
		}
	}
	if count > maxDynamicReferences {
		// Wording unconfirmed.
		return templateErr("The template has %d dynamic references; a template may have at most %d", count, maxDynamicReferences)
	}
	if outputs, ok := t.Tree["Outputs"].(map[string]any); ok {
		for _, name := range sortedKeys(outputs) {
			before := count
			if err := walk(outputs[name], "Output "+name, false, false); err != nil {
				return err
			}
			if count > before {
				return unsupportedErr("Output %s: dynamic references are resolved in resource properties only", name)
			}
		}
	}
	return nil
}

func (t *Template) validateStructure() error {
	var unknown []string
	for k := range t.Tree {
		if !sections[k] && !(k == "Globals" && t.HasTransform(serverlessTransform)) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return t.locate(formatErr("Invalid template property or properties %s", bracketList(unknown)), childPath("", unknown[0]))
	}
	if v, ok := t.Tree["AWSTemplateFormatVersion"]; ok && scalarText(v) != "2010-09-09" {
		return t.locate(formatErr("unsupported value for AWSTemplateFormatVersion."), "/AWSTemplateFormatVersion")
	}
	if d, ok := t.Tree["Description"]; ok {
		if _, isString := d.(string); !isString && d != nil {
			return t.locate(formatErr("Every Description member must be a string."), "/Description")
		}
		if len(t.Description) > maxDescriptionBytes {
			return t.locate(formatErr("Description must be no longer than %d bytes.", maxDescriptionBytes), "/Description")
		}
	}
	if tr, ok := t.Tree["Transform"]; ok && !validTransform(tr) {
		return t.locate(formatErr("Transform must be a string or a list of strings."), "/Transform")
	}
	// A transform may carry nulls to where a template may hold them:
	// SAM renders a state machine's inline Definition, whose
	// "ResultPath": null is no error, as JSON text. So a template with a
	// transform is checked for nulls once transformed.
	if path, ok := findNull(t.Tree, ""); ok && len(t.Transforms) == 0 {
		return t.locate(plainErr("[%s] 'null' values are not allowed in templates", awsNullPath(path)), path)
	}
	for _, s := range []string{"Parameters", "Mappings", "Conditions", "Resources", "Outputs", "Metadata", "Rules"} {
		if v, ok := t.Tree[s]; ok {
			if _, isMap := v.(map[string]any); !isMap {
				return t.locate(formatErr("%s must be a JSON object.", s), childPath("", s))
			}
		}
	}
	if err := t.validateParameters(); err != nil {
		return err
	}
	if err := t.validateMappings(); err != nil {
		return err
	}
	if len(t.ResourceNames) == 0 {
		return formatErr("At least one Resources member must be defined.")
	}
	if n := len(t.ResourceNames); n > maxResources {
		return formatErr("Number of resources, %d, is greater than maximum allowed, %d", n, maxResources)
	}
	for _, name := range t.ResourceNames {
		r := t.Resources[name]
		path := childPath("/Resources", name)
		if r.Raw == nil {
			return t.locate(formatErr("Any Resources member must be a JSON object."), path)
		}
		if r.Type == "" {
			return t.locate(formatErr("[%s] Every Resources object must contain a Type member.", path), path)
		}
	}
	return nil
}

func validTransform(v any) bool {
	switch v := v.(type) {
	case string:
		return true
	case []any:
		for _, e := range v {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// findNull returns the path of the first null in a tree, visiting map
// keys in sorted order so that the answer is stable.
func findNull(node any, path string) (string, bool) {
	switch n := node.(type) {
	case nil:
		return path, true
	case map[string]any:
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := findNull(n[k], childPath(path, k)); ok {
				return p, true
			}
		}
	case []any:
		for i, v := range n {
			if p, ok := findNull(v, indexPath(path, i)); ok {
				return p, true
			}
		}
	}
	return "", false
}

// awsNullPath renders a path the way AWS does in its null message, which
// names a resource property as "/Resources/X/Type/Prop" rather than
// "/Resources/X/Properties/Prop".
func awsNullPath(path string) string {
	segs := strings.Split(path, "/")
	if len(segs) > 4 && segs[1] == "Resources" && segs[3] == "Properties" {
		segs[3] = "Type"
	}
	return strings.Join(segs, "/")
}

func (t *Template) validateParameters() error {
	if n := len(t.ParameterNames); n > maxParameters {
		// Wording unconfirmed, modelled on the resource quota's.
		return formatErr("Number of parameters, %d, is greater than maximum allowed, %d", n, maxParameters)
	}
	for _, name := range t.ParameterNames {
		if !alphanumeric(name) {
			return t.locate(formatErr("Parameter name %s is non alphanumeric.", name), childPath("/Parameters", name))
		}
		if err := t.checkParameterDecl(t.Parameters[name]); err != nil {
			return err
		}
		if _, clash := t.Resources[name]; clash {
			// Wording unconfirmed.
			return t.locate(templateErr("all resources and parameters must have unique names. Common name(s): %s", bracketList([]string{name})),
				childPath("/Resources", name))
		}
	}
	return nil
}

func (t *Template) validateMappings() error {
	if len(t.Mappings) > maxMappings {
		return formatErr("Number of mappings, %d, is greater than maximum allowed, %d", len(t.Mappings), maxMappings)
	}
	names := sortedKeys(t.Mappings)
	for _, name := range names {
		path := childPath("/Mappings", name)
		m, ok := t.Mappings[name].(map[string]any)
		if !ok {
			return t.locate(formatErr("Every Mappings member %s must be a map", name), path)
		}
		for _, key := range sortedKeys(m) {
			attrs, ok := m[key].(map[string]any)
			if !ok {
				return t.locate(formatErr("Every Mappings member %s must be a map", key), childPath(path, key))
			}
			for _, a := range sortedKeys(attrs) {
				switch attrs[a].(type) {
				case map[string]any:
					return t.locate(formatErr("Every Mappings attribute must be a String or a List."), childPath(childPath(path, key), a))
				}
			}
		}
	}
	return nil
}

func (t *Template) validateResources() error {
	for _, name := range t.ResourceNames {
		r := t.Resources[name]
		path := childPath("/Resources", name)
		if !alphanumeric(name) {
			return t.locate(formatErr("Resource name %s is non alphanumeric.", name), path)
		}
		if len(name) > maxLogicalIDLength {
			return t.locate(formatErr("Resource name %s exceeds the maximum length of %d characters.", name, maxLogicalIDLength), path)
		}
		for _, k := range sortedKeys(r.Raw) {
			if !resourceAttributes[k] {
				return t.locate(plainErr("Invalid template resource property '%s'", k), childPath(path, k))
			}
		}
		if p, ok := r.Raw["Properties"]; ok {
			if _, isMap := p.(map[string]any); !isMap {
				return t.locate(formatErr("[%s/Properties] Every Properties member must be an object.", path), childPath(path, "Properties"))
			}
		}
		if c, ok := r.Raw["Condition"]; ok {
			if _, isString := c.(string); !isString {
				return t.locate(formatErr("Every Condition member must be a string."), childPath(path, "Condition"))
			}
			if _, declared := t.Conditions[r.Condition]; !declared {
				return t.locate(unresolvedConditions([]string{r.Condition}, "Resources"), childPath(path, "Condition"))
			}
		}
		for _, k := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
			if s, ok := r.Raw[k].(string); ok && !deletionPolicies[s] {
				return t.locate(formatErr("Unrecognized %s %s for resource %s", k, s, name), childPath(path, k))
			}
		}
	}
	return nil
}

// validateConditions checks that conditions refer only to parameters,
// pseudo parameters and other declared conditions, without a cycle.
func (t *Template) validateConditions() error {
	edges := map[string][]string{}
	for _, name := range t.ConditionNames {
		path := childPath("/Conditions", name)
		w := &refWalker{inConditions: true}
		w.walk(t.Conditions[name], path)
		if w.err != nil {
			return t.locate(w.err, w.errPath)
		}
		var resources []string
		for _, r := range w.refs {
			if r.kind == refAttr || !t.isParameterOrPseudo(r.name) {
				if !slices.Contains(resources, r.name) {
					resources = append(resources, r.name)
				}
			}
		}
		if len(resources) > 0 {
			return t.locate(formatErr("Unresolved dependencies %s. Cannot reference resources in the Conditions block of the template", bracketList(resources)), path)
		}
		for _, c := range w.condRefs {
			if _, ok := t.Conditions[c.name]; !ok {
				return t.locate(unresolvedConditions([]string{c.name}, "Conditions"), c.path)
			}
			edges[name] = append(edges[name], c.name)
		}
		if err := t.checkMapNames(w); err != nil {
			return err
		}
	}
	// A cycle among conditions.
	state := map[string]int{} // 1 visiting, 2 done
	var stack []string
	var visit func(n string) []string
	visit = func(n string) []string {
		state[n] = 1
		stack = append(stack, n)
		for _, d := range edges[n] {
			switch state[d] {
			case 1:
				i := slices.Index(stack, d)
				return slices.Clone(stack[i:])
			case 0:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return nil
	}
	for _, n := range t.ConditionNames {
		if state[n] == 0 {
			if c := visit(n); c != nil {
				// Wording unconfirmed.
				return t.locate(formatErr("Circular dependency between conditions: %s", bracketList(c)), childPath("/Conditions", c[0]))
			}
		}
	}
	return nil
}

func (t *Template) isParameterOrPseudo(name string) bool {
	_, ok := t.Parameters[name]
	return ok || isPseudo(name)
}

// checkMapNames reports a literal Fn::FindInMap map name that the
// Mappings section lacks.
func (t *Template) checkMapNames(w *refWalker) error {
	for _, m := range w.mapNames {
		if _, ok := t.Mappings[m.name]; !ok {
			return t.locate(templateErr("Mapping named '%s' is not present in the 'Mappings' section of template", m.name), m.path)
		}
	}
	return nil
}

// checkIfConds reports an Fn::If condition the template does not declare.
func (t *Template) checkIfConds(w *refWalker) error {
	for _, c := range w.ifConds {
		if _, ok := t.Conditions[c.name]; !ok {
			return t.locate(templateErr("unresolved condition dependency %s in Fn::If", c.name), c.path)
		}
	}
	return nil
}

// validateReferences checks what the resources refer to. Both branches of
// every Fn::If are checked, as AWS does, although only one will be used.
func (t *Template) validateReferences() error {
	var unresolved []string
	var firstPath string
	note := func(name, path string) {
		if !slices.Contains(unresolved, name) {
			unresolved = append(unresolved, name)
		}
		if firstPath == "" {
			firstPath = path
		}
	}
	for _, name := range t.ResourceNames {
		r := t.Resources[name]
		path := childPath("/Resources", name)
		for _, d := range r.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				note(d, childPath(path, "DependsOn"))
			}
		}
		w := &refWalker{}
		for _, k := range sortedKeys(r.Raw) {
			switch k {
			case "Type", "Condition", "DependsOn":
				continue
			}
			w.walk(r.Raw[k], childPath(path, k))
		}
		if w.err != nil {
			return t.locate(w.err, w.errPath)
		}
		if err := t.checkRefs(w, note); err != nil {
			return err
		}
		if err := t.checkIfConds(w); err != nil {
			return err
		}
		if err := t.checkMapNames(w); err != nil {
			return err
		}
	}
	if len(unresolved) > 0 {
		return t.locate(unresolvedResources(unresolved, "Resources"), firstPath)
	}
	return nil
}

// checkRefs passes undeclared Ref and ${} names to note and fails on
// Fn::GetAtt of an undeclared resource.
func (t *Template) checkRefs(w *refWalker, note func(name, path string)) error {
	t.sortRefs(w.refs)
	for _, ref := range w.refs {
		_, isResource := t.Resources[ref.name]
		switch {
		case ref.kind == refName:
			if !isResource && !t.isParameterOrPseudo(ref.name) {
				note(ref.name, ref.path)
			}
		case isResource:
		case ref.sub != "":
			return t.locate(templateErr("instance of Fn::Sub references invalid resource attribute %s", ref.sub), ref.path)
		default:
			return t.locate(templateErr("instance of Fn::GetAtt references undefined resource %s", ref.name), ref.path)
		}
	}
	return nil
}

func (t *Template) validateOutputs() error {
	if n := len(t.OutputNames); n > maxOutputs {
		// Wording unconfirmed, modelled on the resource quota's.
		return formatErr("Number of outputs, %d, is greater than maximum allowed, %d", n, maxOutputs)
	}
	var unresolved []string
	var firstPath string
	for _, name := range t.OutputNames {
		o := t.Outputs[name]
		path := childPath("/Outputs", name)
		if o.Raw == nil {
			return t.locate(formatErr("Every Outputs member must be an object."), path)
		}
		for _, k := range sortedKeys(o.Raw) {
			if !outputAttributes[k] {
				// Wording unconfirmed.
				return t.locate(formatErr("Invalid output property or properties %s", bracketList([]string{k})), childPath(path, k))
			}
		}
		if _, ok := o.Raw["Value"]; !ok {
			return t.locate(formatErr("Every Outputs member must contain a Value object"), path)
		}
		if c, ok := o.Raw["Condition"]; ok {
			if _, declared := t.Conditions[o.Condition]; !declared || c == "" {
				return t.locate(unresolvedConditions([]string{scalarText(c)}, "Outputs"), childPath(path, "Condition"))
			}
		}
		w := &refWalker{}
		w.walk(o.Raw, path)
		if w.err != nil {
			return t.locate(w.err, w.errPath)
		}
		err := t.checkRefs(w, func(n, p string) {
			if !slices.Contains(unresolved, n) {
				unresolved = append(unresolved, n)
			}
			if firstPath == "" {
				firstPath = p
			}
		})
		if err != nil {
			return err
		}
		if err := t.checkIfConds(w); err != nil {
			return err
		}
		if err := t.checkMapNames(w); err != nil {
			return err
		}
		if o.ExportName != nil && exportDependsOnResources(t, o.ExportName) {
			return t.locate(formatErr("Output %s is malformed.  The Name field of Export must not depend on any resources, imported values, or Fn::GetAZs.", name),
				childPath(childPath(path, "Export"), "Name"))
		}
	}
	if len(unresolved) > 0 {
		return t.locate(unresolvedResources(unresolved, "Outputs"), firstPath)
	}
	return nil
}

// exportDependsOnResources reports whether an export name refers to a
// resource or uses Fn::ImportValue or Fn::GetAZs.
func exportDependsOnResources(t *Template, node any) bool {
	w := &refWalker{}
	w.walk(node, "")
	for _, r := range w.refs {
		if r.kind == refAttr || !t.isParameterOrPseudo(r.name) {
			return true
		}
	}
	return containsFunction(node, "Fn::ImportValue") || containsFunction(node, "Fn::GetAZs")
}

// containsFunction reports whether a tree invokes the named function.
func containsFunction(node any, fn string) bool {
	switch n := node.(type) {
	case map[string]any:
		if name, _, ok := functionName(n); ok && name == fn {
			return true
		}
		for _, v := range n {
			if containsFunction(v, fn) {
				return true
			}
		}
	case []any:
		for _, v := range n {
			if containsFunction(v, fn) {
				return true
			}
		}
	}
	return false
}

// alphanumeric reports whether a logical name is made of ASCII letters
// and digits only, as CloudFormation requires.
func alphanumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
