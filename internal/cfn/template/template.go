package template

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Template is a parsed CloudFormation template. Tree holds the whole
// document as plain values; the other fields are typed views of its
// sections, built leniently: a field that has the wrong shape in Tree is
// left zero here and reported by Validate. A Template is not modified by
// any method and is safe for concurrent use once built.
type Template struct {
	// Tree is the whole template as plain Go values (map[string]any,
	// []any, string, json.Number, bool and nil) with short-form YAML tags
	// already in their long form. It keeps the sections this package does
	// not interpret, such as Globals, Metadata and Rules, for a transform
	// to read.
	Tree map[string]any
	// Format is the syntax the template was parsed from.
	Format Format

	// FormatVersion is AWSTemplateFormatVersion, or "" when absent.
	FormatVersion string
	// Description is the template's description, or "".
	Description string
	// Transforms lists the macros the template declares, in order: a
	// single Transform string becomes a one-element list.
	Transforms []string

	// Parameters are the declared parameters by name; ParameterNames
	// keeps their order in the template.
	Parameters     map[string]*Parameter
	ParameterNames []string
	// Mappings is the Mappings section: map name, then top-level key,
	// then second-level key to a value.
	Mappings map[string]any
	// Conditions holds each condition's expression, unevaluated, by name;
	// ConditionNames keeps their order.
	Conditions     map[string]any
	ConditionNames []string
	// Resources are the declared resources by logical ID; ResourceNames
	// keeps their order.
	Resources     map[string]*Resource
	ResourceNames []string
	// Outputs are the declared outputs by name; OutputNames keeps their
	// order.
	Outputs     map[string]*Output
	OutputNames []string

	// positions maps JSON pointers into Tree to their place in the body.
	positions map[string]Pos
}

// Parameter is one entry of the Parameters section.
type Parameter struct {
	// Name is the parameter's logical name.
	Name string
	// Type is the declared type, such as "String", "List<Number>" or
	// "AWS::EC2::VPC::Id".
	Type string
	// Default is the default value as text, or nil when there is none.
	// Numbers and booleans written unquoted are given as their text.
	Default *string
	// AllowedValues lists the permitted values as text; nil means any.
	AllowedValues []string
	// AllowedPattern is a regular expression the whole value must match,
	// or "" for none.
	AllowedPattern string
	// MinLength and MaxLength bound a string value's length when set.
	MinLength, MaxLength *int
	// MinValue and MaxValue bound a number value when set.
	MinValue, MaxValue *float64
	// NoEcho asks that the value be masked when described.
	NoEcho bool
	// Description and ConstraintDescription are the author's text; the
	// latter replaces AWS's message when a constraint fails.
	Description, ConstraintDescription string
	// Raw is the parameter's declaration as written.
	Raw map[string]any
}

// Resource is one entry of the Resources section.
type Resource struct {
	// Type is the resource type, such as "AWS::S3::Bucket", or "" when
	// missing (Validate reports it).
	Type string
	// Properties is the unevaluated Properties map, or nil.
	Properties map[string]any
	// DependsOn lists the explicit dependencies; a single string becomes
	// a one-element list.
	DependsOn []string
	// Condition names the condition the resource is created under, or "".
	Condition string
	// DeletionPolicy and UpdateReplacePolicy are as written: a string
	// such as "Retain", or an intrinsic function to evaluate with Eval.
	// They are nil when absent.
	DeletionPolicy, UpdateReplacePolicy any
	// Metadata is the unevaluated Metadata map, or nil.
	Metadata map[string]any
	// Raw is the whole resource declaration, including CreationPolicy,
	// UpdatePolicy and any SAM-only attributes.
	Raw map[string]any
}

// Output is one entry of the Outputs section.
type Output struct {
	// Value is the unevaluated value.
	Value any
	// Description is the output's description, unevaluated.
	Description any
	// Condition names the condition the output exists under, or "".
	Condition string
	// ExportName is Export.Name unevaluated, or nil when the output is
	// not exported.
	ExportName any
	// Raw is the whole output declaration.
	Raw map[string]any
}

// FromTree builds a Template from plain values, such as the output of a
// transform. The tree is used as is, not copied; positions are unknown,
// so errors about it carry paths but no lines.
func FromTree(tree map[string]any) (*Template, error) {
	return fromTree(tree, nil)
}

func fromTree(tree map[string]any, pos map[string]Pos) (*Template, error) {
	if pos == nil {
		pos = map[string]Pos{}
	}
	t := &Template{
		Tree:        tree,
		Parameters:  map[string]*Parameter{},
		Mappings:    map[string]any{},
		Conditions:  map[string]any{},
		Resources:   map[string]*Resource{},
		Outputs:     map[string]*Output{},
		positions:   pos,
		Description: scalarText(tree["Description"]),
	}
	t.FormatVersion = scalarText(tree["AWSTemplateFormatVersion"])
	switch tr := tree["Transform"].(type) {
	case string:
		t.Transforms = []string{tr}
	case []any:
		for _, v := range tr {
			if s, ok := v.(string); ok {
				t.Transforms = append(t.Transforms, s)
			}
		}
	}
	if m, ok := tree["Mappings"].(map[string]any); ok {
		t.Mappings = m
	}
	if m, ok := tree["Conditions"].(map[string]any); ok {
		t.Conditions = m
		t.ConditionNames = t.orderedKeys("/Conditions", m)
	}
	if m, ok := tree["Parameters"].(map[string]any); ok {
		t.ParameterNames = t.orderedKeys("/Parameters", m)
		for _, name := range t.ParameterNames {
			t.Parameters[name] = buildParameter(name, m[name])
		}
	}
	if m, ok := tree["Resources"].(map[string]any); ok {
		t.ResourceNames = t.orderedKeys("/Resources", m)
		for _, name := range t.ResourceNames {
			r, err := buildResource(m[name])
			if err != nil {
				return nil, t.locate(err, childPath(childPath("/Resources", name), "DependsOn"))
			}
			t.Resources[name] = r
		}
	}
	if m, ok := tree["Outputs"].(map[string]any); ok {
		t.OutputNames = t.orderedKeys("/Outputs", m)
		for _, name := range t.OutputNames {
			t.Outputs[name] = buildOutput(m[name])
		}
	}
	return t, nil
}

// Pos returns where the node at a JSON pointer (such as
// "/Resources/Bucket/Properties") starts in the template body.
func (t *Template) Pos(path string) (Pos, bool) {
	p, ok := t.positions[path]
	return p, ok
}

// HasTransform reports whether the template declares the named macro, for
// example "AWS::Serverless-2016-10-31".
func (t *Template) HasTransform(name string) bool {
	for _, tr := range t.Transforms {
		if tr == name {
			return true
		}
	}
	return false
}

// orderedKeys returns a section's keys in the order they appear in the
// body, falling back to alphabetical order for keys without a position.
func (t *Template) orderedKeys(section string, m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		pi, iok := t.positions[childPath(section, keys[i])]
		pj, jok := t.positions[childPath(section, keys[j])]
		switch {
		case iok && jok && pi != pj:
			if pi.Line != pj.Line {
				return pi.Line < pj.Line
			}
			return pi.Column < pj.Column
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	return keys
}

func buildParameter(name string, v any) *Parameter {
	raw, _ := v.(map[string]any)
	p := &Parameter{Name: name, Raw: raw}
	if raw == nil {
		return p
	}
	p.Type, _ = raw["Type"].(string)
	if d, ok := raw["Default"]; ok && isScalar(d) && d != nil {
		s := scalarText(d)
		p.Default = &s
	}
	if l, ok := raw["AllowedValues"].([]any); ok {
		p.AllowedValues = make([]string, 0, len(l))
		for _, v := range l {
			p.AllowedValues = append(p.AllowedValues, scalarText(v))
		}
	}
	p.AllowedPattern = scalarText(raw["AllowedPattern"])
	p.MinLength = intField(raw["MinLength"])
	p.MaxLength = intField(raw["MaxLength"])
	p.MinValue = floatField(raw["MinValue"])
	p.MaxValue = floatField(raw["MaxValue"])
	p.NoEcho = strings.EqualFold(scalarText(raw["NoEcho"]), "true")
	p.Description = scalarText(raw["Description"])
	p.ConstraintDescription = scalarText(raw["ConstraintDescription"])
	return p
}

func buildResource(v any) (*Resource, *Error) {
	raw, _ := v.(map[string]any)
	r := &Resource{Raw: raw}
	if raw == nil {
		return r, nil
	}
	r.Type, _ = raw["Type"].(string)
	r.Properties, _ = raw["Properties"].(map[string]any)
	r.Metadata, _ = raw["Metadata"].(map[string]any)
	r.Condition, _ = raw["Condition"].(string)
	r.DeletionPolicy = raw["DeletionPolicy"]
	r.UpdateReplacePolicy = raw["UpdateReplacePolicy"]
	switch d := raw["DependsOn"].(type) {
	case nil:
	case string:
		r.DependsOn = []string{d}
	case []any:
		for _, v := range d {
			s, ok := v.(string)
			if !ok {
				// The wording is unconfirmed.
				return nil, formatErr("Every DependsOn value must be a string.")
			}
			r.DependsOn = append(r.DependsOn, s)
		}
	default:
		return nil, formatErr("DependsOn must be a string or list of strings.")
	}
	return r, nil
}

func buildOutput(v any) *Output {
	raw, _ := v.(map[string]any)
	o := &Output{Raw: raw}
	if raw == nil {
		return o
	}
	o.Value = raw["Value"]
	o.Description = raw["Description"]
	o.Condition, _ = raw["Condition"].(string)
	if e, ok := raw["Export"].(map[string]any); ok {
		o.ExportName = e["Name"]
	}
	return o
}

// isScalar reports whether v is a string, number, boolean or null.
func isScalar(v any) bool {
	switch v.(type) {
	case string, json.Number, bool, nil, float64, int:
		return true
	}
	return false
}

// scalarText is the text of a scalar: numbers as written, booleans as
// "true" and "false". Anything else gives "".
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	return ""
}

func intField(v any) *int {
	if !isScalar(v) || v == nil {
		return nil
	}
	f, err := strconv.ParseFloat(scalarText(v), 64)
	if err != nil || f != float64(int(f)) {
		return nil
	}
	n := int(f)
	return &n
}

func floatField(v any) *float64 {
	if !isScalar(v) || v == nil {
		return nil
	}
	f, err := strconv.ParseFloat(scalarText(v), 64)
	if err != nil {
		return nil
	}
	return &f
}
