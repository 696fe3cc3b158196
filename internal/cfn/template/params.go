package template

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Pseudo holds the values of CloudFormation's pseudo parameters for one
// stack. AWS::NoValue needs no value: Eval removes what refers to it.
type Pseudo struct {
	// Region is AWS::Region, for example "us-east-1".
	Region string
	// AccountID is AWS::AccountId.
	AccountID string
	// StackName and StackID are AWS::StackName and AWS::StackId.
	StackName, StackID string
	// Partition is AWS::Partition. When empty it follows Region: "aws-cn"
	// for cn-* regions, "aws-us-gov" for us-gov-* and "aws" otherwise.
	Partition string
	// URLSuffix is AWS::URLSuffix. When empty it is "amazonaws.com.cn" in
	// the China partition and "amazonaws.com" elsewhere.
	URLSuffix string
	// NotificationARNs is AWS::NotificationARNs, the stack's SNS topics.
	NotificationARNs []string
}

// pseudoNames are the pseudo parameters a Ref may name.
var pseudoNames = map[string]bool{
	"AWS::Region": true, "AWS::AccountId": true, "AWS::StackName": true, "AWS::StackId": true,
	"AWS::Partition": true, "AWS::URLSuffix": true, "AWS::NoValue": true, "AWS::NotificationARNs": true,
}

// isPseudo reports whether name is a pseudo parameter.
func isPseudo(name string) bool { return pseudoNames[name] }

// partition is the partition the pseudo parameters describe.
func (p Pseudo) partition() string {
	switch {
	case p.Partition != "":
		return p.Partition
	case strings.HasPrefix(p.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(p.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Ref returns the value of a pseudo parameter: a string, or a list for
// AWS::NotificationARNs. It reports false for any other name, including
// AWS::NoValue, which has no value.
func (p Pseudo) Ref(name string) (any, bool) {
	switch name {
	case "AWS::Region":
		return p.Region, true
	case "AWS::AccountId":
		return p.AccountID, true
	case "AWS::StackName":
		return p.StackName, true
	case "AWS::StackId":
		return p.StackID, true
	case "AWS::Partition":
		return p.partition(), true
	case "AWS::URLSuffix":
		switch {
		case p.URLSuffix != "":
			return p.URLSuffix, true
		case p.partition() == "aws-cn":
			return "amazonaws.com.cn", true
		}
		return "amazonaws.com", true
	case "AWS::NotificationARNs":
		l := make([]any, len(p.NotificationARNs))
		for i, a := range p.NotificationARNs {
			l[i] = a
		}
		return l, true
	}
	return nil, false
}

// ParamValue is the value a stack gives one parameter.
type ParamValue struct {
	// Type is the parameter's declared type.
	Type string
	// Value is the value as text, as the caller passed it or as the
	// default gives it: "a,b" for a list. A stack keeps it to answer
	// UsePreviousValue on a later update.
	Value string
	// List holds the elements of a list type (List<...> and
	// CommaDelimitedList), split on commas and trimmed; nil otherwise.
	List []string
	// NoEcho is the parameter's NoEcho: describe it masked.
	NoEcho bool
	// FromDefault reports that the value came from the template's
	// Default, not from the caller.
	FromDefault bool
	// Resolved is, for an AWS::SSM::Parameter::Value<...> parameter, the
	// Systems Manager parameter's value that Value names; DescribeStacks
	// shows it as ResolvedValue. Ref gives it (List holds its elements
	// for list types).
	Resolved *string
}

// Ref is what Ref gives for the parameter: the text, or for list types a
// list of strings. A Number parameter gives its text too, as in AWS.
func (v ParamValue) Ref() any {
	if v.List == nil {
		if v.Resolved != nil {
			return *v.Resolved
		}
		return v.Value
	}
	l := make([]any, len(v.List))
	for i, s := range v.List {
		l[i] = s
	}
	return l
}

// Values are the parameter and pseudo parameter values of one stack, as
// ResolveParameters returns them.
type Values struct {
	// Params holds every declared parameter's value by name.
	Params map[string]ParamValue
	// Pseudo holds the pseudo parameters.
	Pseudo Pseudo
}

// Ref returns what Ref gives for a parameter or pseudo parameter, and
// false when name is neither (it may be a resource) or is AWS::NoValue.
func (v *Values) Ref(name string) (any, bool) {
	if v == nil {
		return nil, false
	}
	if p, ok := v.Params[name]; ok {
		return p.Ref(), true
	}
	return v.Pseudo.Ref(name)
}

// ResolveParameters gives every declared parameter its value: the
// caller's override when there is one, the Default otherwise. It checks
// each value against its type and constraints and answers with AWS's
// messages: "Parameters: [X] must have values", "Parameters: [X] do not
// exist in the template", "Parameter 'X' must be one of AllowedValues" and
// so on, or "Parameter X failed to satisfy constraint: ..." when the
// parameter has a ConstraintDescription.
//
// For UsePreviousValue a service passes the previous ParamValue.Value as
// the override. Parameters of type AWS::SSM::Parameter::Value<...> need
// Systems Manager and give an error wrapping ErrNotSupported.
func (t *Template) ResolveParameters(overrides map[string]string, pseudo Pseudo) (*Values, error) {
	return t.ResolveParametersWith(overrides, pseudo, nil)
}

// SSMLookup reads a Systems Manager parameter for an
// AWS::SSM::Parameter::Value<...> template parameter: its type (String,
// StringList or SecureString) and value; found is false when there is
// no such parameter.
type SSMLookup func(name string) (typ, value string, found bool, err error)

// ResolveParametersWith is ResolveParameters with Systems Manager
// parameters read through lookup: an AWS::SSM::Parameter::Value<...>
// parameter's value is a parameter name, and its Ref is that
// parameter's value. A nil lookup refuses such parameters
// (ErrNotSupported). Every name that does not exist is reported in one
// error, as AWS does; a SecureString is refused, as AWS refuses it.
func (t *Template) ResolveParametersWith(overrides map[string]string, pseudo Pseudo, lookup SSMLookup) (*Values, error) {
	var unknown []string
	for name := range overrides {
		if _, ok := t.Parameters[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, plainErr("Parameters: %s do not exist in the template", bracketList(unknown))
	}
	vals := &Values{Params: make(map[string]ParamValue, len(t.Parameters)), Pseudo: pseudo}
	var missing []string
	for _, name := range t.ParameterNames {
		p := t.Parameters[name]
		if err := t.checkParameterDecl(p); err != nil {
			return nil, err
		}
		v, given := overrides[name]
		fromDefault := false
		if !given {
			if p.Default == nil {
				missing = append(missing, name)
				continue
			}
			v, fromDefault = *p.Default, true
		}
		pv, err := p.value(v)
		if err != nil {
			return nil, err
		}
		pv.FromDefault = fromDefault
		vals.Params[name] = pv
	}
	if len(missing) > 0 {
		return nil, plainErr("Parameters: %s must have values", bracketList(missing))
	}
	return vals, resolveSSM(t, vals, lookup)
}

// resolveSSM looks up the values of the SSM-typed parameters.
func resolveSSM(t *Template, vals *Values, lookup SSMLookup) error {
	var unfetched, unsupported []string
	for _, name := range t.ParameterNames {
		pv, ok := vals.Params[name]
		if !ok {
			continue
		}
		inner, isSSM := ssmInner(pv.Type)
		if !isSSM {
			continue
		}
		if lookup == nil {
			return unsupportedErr("Parameter %s: type %s needs Systems Manager parameter lookup, which this stack has not", name, pv.Type)
		}
		typ, value, found, err := lookup(pv.Value)
		if err != nil {
			return err
		}
		switch {
		case !found:
			unfetched = append(unfetched, pv.Value)
			continue
		case typ == "SecureString":
			unsupported = append(unsupported, pv.Value)
			continue
		}
		pv.Resolved = &value
		if kind, _ := parameterKind(inner); kind == kindStringList || inner == "List<String>" {
			pv.List = strings.Split(value, ",")
		}
		vals.Params[name] = pv
	}
	if len(unfetched) > 0 {
		return plainErr("Unable to fetch parameters %s from parameter store for this account.", bracketList(unfetched))
	}
	if len(unsupported) > 0 {
		return plainErr("Parameters %s referenced by template have types not supported by CloudFormation.", bracketList(unsupported))
	}
	return nil
}

// ssmInner returns X of AWS::SSM::Parameter::Value<X>.
func ssmInner(typ string) (string, bool) {
	const prefix = "AWS::SSM::Parameter::Value<"
	if !strings.HasPrefix(typ, prefix) || !strings.HasSuffix(typ, ">") {
		return "", false
	}
	return typ[len(prefix) : len(typ)-1], true
}

// paramKind is how a parameter type treats its value.
type paramKind int

const (
	kindString paramKind = iota
	kindNumber
	kindNumberList
	kindStringList
	kindSSM // AWS::SSM::Parameter::Value<...>: the value names a parameter
)

// awsSpecificTypes are the AWS-specific parameter types, which virga
// treats as strings: it does not look the values up in the account.
var awsSpecificTypes = map[string]bool{
	"AWS::EC2::AvailabilityZone::Name":   true,
	"AWS::EC2::Image::Id":                true,
	"AWS::EC2::Instance::Id":             true,
	"AWS::EC2::KeyPair::KeyName":         true,
	"AWS::EC2::SecurityGroup::GroupName": true,
	"AWS::EC2::SecurityGroup::Id":        true,
	"AWS::EC2::Subnet::Id":               true,
	"AWS::EC2::Volume::Id":               true,
	"AWS::EC2::VPC::Id":                  true,
	"AWS::Route53::HostedZone::Id":       true,
}

// parameterKind classifies a declared type, reporting false for one
// CloudFormation does not recognise.
func parameterKind(typ string) (paramKind, bool) {
	switch {
	case typ == "String" || typ == "AWS::SSM::Parameter::Name" || awsSpecificTypes[typ]:
		return kindString, true
	case typ == "Number":
		return kindNumber, true
	case typ == "List<Number>":
		return kindNumberList, true
	case typ == "CommaDelimitedList":
		return kindStringList, true
	case strings.HasPrefix(typ, "List<") && strings.HasSuffix(typ, ">") && awsSpecificTypes[typ[5:len(typ)-1]]:
		return kindStringList, true
	case strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") && strings.HasSuffix(typ, ">"):
		// The value types AWS allows: String, List<String>,
		// CommaDelimitedList and the AWS-specific types and their lists.
		inner := typ[len("AWS::SSM::Parameter::Value<") : len(typ)-1]
		if k, ok := parameterKind(inner); !ok || k == kindNumber || k == kindNumberList || k == kindSSM || inner == "AWS::SSM::Parameter::Name" {
			if inner != "List<String>" {
				return 0, false
			}
		}
		return kindSSM, true
	}
	return 0, false
}

// parameterProperties are the keys a parameter declaration may have.
var parameterProperties = map[string]bool{
	"Type": true, "Default": true, "AllowedValues": true, "AllowedPattern": true,
	"MinLength": true, "MaxLength": true, "MinValue": true, "MaxValue": true,
	"NoEcho": true, "Description": true, "ConstraintDescription": true,
}

// checkParameterDecl checks one parameter's declaration.
func (t *Template) checkParameterDecl(p *Parameter) error {
	path := childPath("/Parameters", p.Name)
	if p.Raw == nil {
		// Wording unconfirmed.
		return t.locate(formatErr("Every Parameters member must be an object."), path)
	}
	keys := make([]string, 0, len(p.Raw))
	for k := range p.Raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !parameterProperties[k] {
			return t.locate(plainErr("Invalid template parameter property '%s'", k), childPath(path, k))
		}
	}
	if p.Type == "" {
		return t.locate(formatErr("Every Parameters object must contain a Type member."), path)
	}
	if _, ok := parameterKind(p.Type); !ok {
		return t.locate(formatErr("Unrecognized parameter type: %s", p.Type), childPath(path, "Type"))
	}
	if av, ok := p.Raw["AllowedValues"]; ok {
		l, isList := av.([]any)
		if !isList {
			return t.locate(formatErr("Every AllowedValues member must be a list."), childPath(path, "AllowedValues"))
		}
		for i, v := range l {
			if !isScalar(v) || v == nil {
				return t.locate(formatErr("Every AllowedValues value must be a string."), indexPath(childPath(path, "AllowedValues"), i))
			}
		}
	}
	if d, ok := p.Raw["Default"]; ok && (!isScalar(d) || d == nil) {
		return t.locate(formatErr("Every Default member must be a string."), childPath(path, "Default"))
	}
	for _, k := range []string{"MinLength", "MaxLength", "MinValue", "MaxValue"} {
		if v, ok := p.Raw[k]; ok {
			valid := floatField(v) != nil
			if k == "MinLength" || k == "MaxLength" {
				valid = intField(v) != nil
			}
			if !valid {
				return t.locate(formatErr("Parameter '%s' %s must be a number.", p.Name, k), childPath(path, k))
			}
		}
	}
	if p.AllowedPattern != "" {
		if _, err := compilePattern(p.AllowedPattern); err != nil {
			// Go's RE2 lacks some Java constructs, such as look-ahead.
			return t.locate(plainErr("Parameter '%s' AllowedPattern must be a valid regular expression.", p.Name), childPath(path, "AllowedPattern"))
		}
	}
	return nil
}

// compilePattern compiles an AllowedPattern so that it must match the
// whole value, as AWS requires.
func compilePattern(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + pattern + `)$`)
}

// value checks a value against the parameter's type and constraints.
func (p *Parameter) value(v string) (ParamValue, error) {
	kind, _ := parameterKind(p.Type)
	pv := ParamValue{Type: p.Type, Value: v, NoEcho: p.NoEcho}
	switch kind {
	case kindSSM:
		// The value is a parameter name, looked up by resolveSSM.
		return pv, nil
	case kindString:
		return pv, p.checkString(v)
	case kindNumber:
		return pv, p.checkNumber(v)
	}
	// AWS splits list values on commas; virga also trims blanks around
	// each element (unconfirmed).
	pv.List = strings.Split(v, ",")
	for i := range pv.List {
		pv.List[i] = strings.TrimSpace(pv.List[i])
	}
	for _, e := range pv.List {
		var err error
		if kind == kindNumberList {
			err = p.checkNumber(e)
		} else {
			err = p.checkString(e)
		}
		if err != nil {
			return pv, err
		}
	}
	return pv, nil
}

// constraintErr is the message for a failed constraint: AWS's own, or the
// parameter's ConstraintDescription when it has one.
func (p *Parameter) constraintErr(format string, args ...any) error {
	if p.ConstraintDescription != "" {
		return plainErr("Parameter %s failed to satisfy constraint: %s", p.Name, p.ConstraintDescription)
	}
	return plainErr(format, args...)
}

// checkString applies AllowedValues, AllowedPattern and the length
// bounds. AWS reports a pattern failure before a length failure.
func (p *Parameter) checkString(v string) error {
	if p.AllowedValues != nil && !slices.Contains(p.AllowedValues, v) {
		return p.constraintErr("Parameter '%s' must be one of AllowedValues", p.Name)
	}
	if p.AllowedPattern != "" {
		if re, err := compilePattern(p.AllowedPattern); err == nil && !re.MatchString(v) {
			return p.constraintErr("Parameter '%s' must match pattern %s", p.Name, p.AllowedPattern)
		}
	}
	n := len([]rune(v))
	if p.MinLength != nil && n < *p.MinLength {
		return p.constraintErr("Parameter '%s' must contain at least %d characters", p.Name, *p.MinLength)
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		return p.constraintErr("Parameter '%s' must contain at most %d characters", p.Name, *p.MaxLength)
	}
	return nil
}

// checkNumber applies the Number type, AllowedValues and the value bounds.
func (p *Parameter) checkNumber(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return p.constraintErr("Parameter '%s' must be a number", p.Name)
	}
	if p.AllowedValues != nil && !slices.Contains(p.AllowedValues, v) {
		return p.constraintErr("Parameter '%s' must be one of AllowedValues", p.Name)
	}
	if p.MinValue != nil && f < *p.MinValue {
		return p.constraintErr("Parameter '%s' must be a number not less than %s", p.Name, scalarText(p.Raw["MinValue"]))
	}
	if p.MaxValue != nil && f > *p.MaxValue {
		return p.constraintErr("Parameter '%s' must be a number not greater than %s", p.Name, scalarText(p.Raw["MaxValue"]))
	}
	return nil
}
