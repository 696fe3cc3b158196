package template

import (
	"strings"
)

// subPart is one piece of an Fn::Sub string: literal text, or a variable.
type subPart struct {
	text  string
	isVar bool
}

const (
	errSubArgs    = "One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"
	errSubVarName = "variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons"
	errSubContext = "every value of the context object of every Fn::Sub object must be a string or a function that returns a string"
)

// parseSub splits an Fn::Sub string into literal text and ${Name}
// variables, spaces around a name ignored. "${!Text}" writes "${Text}"
// literally; a "${" without its "}" and an empty "${}" are literal text
// too.
func parseSub(s string) ([]subPart, error) {
	var parts []subPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		rest := s[i+2:]
		if strings.HasPrefix(rest, "!") {
			lit.WriteString("${")
			s = rest[1:]
			continue
		}
		end := strings.IndexByte(rest, '}')
		if end <= 0 {
			// No closing brace, or "${}": literal.
			lit.WriteString("${")
			s = rest
			continue
		}
		name := rest[:end]
		// CloudFormation ignores spaces around a variable's name:
		// "${ MyApi}" is "${MyApi}".
		if trimmed := strings.Trim(name, " "); trimmed != "" {
			name = trimmed
		}
		if !validSubName(name) {
			return nil, templateErr(errSubVarName)
		}
		if lit.Len() > 0 {
			parts = append(parts, subPart{text: lit.String()})
			lit.Reset()
		}
		parts = append(parts, subPart{text: name, isVar: true})
		s = rest[end+1:]
	}
	if lit.Len() > 0 {
		parts = append(parts, subPart{text: lit.String()})
	}
	return parts, nil
}

func validSubName(name string) bool {
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// subArgs splits Fn::Sub's argument into its string and its variable
// map, which is nil in the one-argument form.
func subArgs(arg any) (string, map[string]any, bool) {
	switch a := arg.(type) {
	case string:
		return a, nil, true
	case []any:
		if len(a) != 2 {
			return "", nil, false
		}
		s, sok := a[0].(string)
		vars, vok := a[1].(map[string]any)
		return s, vars, sok && vok
	}
	return "", nil, false
}

func (e *evaluator) sub(arg any, path string, depth int) (any, error) {
	s, varNodes, ok := subArgs(arg)
	if !ok {
		return nil, templateErr(errSubArgs)
	}
	parts, err := parseSub(s)
	if err != nil {
		return nil, err
	}
	vars := make(map[string]string, len(varNodes))
	for _, k := range sortedKeys(varNodes) {
		v, err := e.evalString(varNodes[k], childPath(indexPath(path, 1), k), depth)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, templateErr(errSubContext)
		}
		vars[k] = *v
	}
	var b strings.Builder
	for _, p := range parts {
		if !p.isVar {
			b.WriteString(p.text)
			continue
		}
		v, ok := vars[p.text]
		if !ok {
			v, err = e.subVariable(p.text)
			if err != nil {
				return nil, err
			}
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// subVariable resolves a ${Name} that the variable map does not hold: a
// parameter, a pseudo parameter, a resource or Resource.Attribute.
func (e *evaluator) subVariable(name string) (string, error) {
	notString := templateErr("variable %s in Fn::Sub expression does not resolve to a string", name)
	var v any
	var err error
	switch {
	case name == "AWS::NoValue":
		return "", notString
	case isPseudo(name) || e.isParameter(name):
		v, err = e.ref(name)
	case e.isResource(name):
		v, err = e.ref(name)
	case strings.Contains(name, "."):
		res, attr, _ := strings.Cut(name, ".")
		v, err = e.getAttValue(res, attr)
	default:
		return "", unresolvedResources([]string{name}, "Resources")
	}
	if err != nil {
		return "", err
	}
	if !isScalar(v) || v == nil {
		return "", notString
	}
	return scalarText(v), nil
}

func (e *evaluator) isParameter(name string) bool {
	if e.ctx.Values != nil {
		if _, ok := e.ctx.Values.Params[name]; ok {
			return true
		}
	}
	if t := e.ctx.Template; t != nil {
		_, ok := t.Parameters[name]
		return ok
	}
	return false
}

// isResource reports whether a Sub variable names a resource. Without a
// template any name without a dot is taken for one.
func (e *evaluator) isResource(name string) bool {
	if t := e.ctx.Template; t != nil {
		_, ok := t.Resources[name]
		return ok
	}
	return !strings.Contains(name, ".")
}
