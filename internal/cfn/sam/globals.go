package sam

import (
	"strings"
)

// globalsSections maps each section of Globals to the resource type its
// properties apply to. StateMachine and CapacityProvider are accepted so
// that a template using them fails on the resource, with a clear
// not-supported error, rather than on its Globals.
var globalsSections = map[string]string{
	"Api":              typeAPI,
	"CapacityProvider": "AWS::Serverless::CapacityProvider",
	"Function":         typeFunction,
	"HttpApi":          typeHTTPAPI,
	"SimpleTable":      typeSimpleTable,
	"StateMachine":     "AWS::Serverless::StateMachine",
}

// globalsUnsupported lists, per section, the properties SAM refuses in
// Globals (from "Globals section of the AWS SAM template": they "either
// made the template hard to understand, or they might open a potential
// security issue").
var globalsUnsupported = map[string][]string{
	"Function": {"Role", "Policies", "FunctionName", "Events"},
	"Api":      {"StageName", "DefinitionBody"},
	"HttpApi":  {"StageName", "DefinitionBody", "DefinitionUri"},
}

// globals holds the Globals section by section name ("Function", ...).
type globals map[string]map[string]any

// parseGlobals checks a Globals section: every section must be one SAM
// knows and every property one its resource type defines and Globals
// allows.
func parseGlobals(v any) (globals, error) {
	g := globals{}
	if v == nil {
		return g, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, globalsError("Globals must be a dictionary.")
	}
	for _, section := range sortedKeys(m) {
		resourceType, known := globalsSections[section]
		if !known {
			return nil, globalsError("'%s' is not supported. Must be one of the following values - %s",
				section, quotedList(sortedKeys(globalsSections)))
		}
		props, ok := m[section].(map[string]any)
		if !ok {
			return nil, globalsError("Value of %s must be a dictionary.", section)
		}
		allowed := allowedGlobals(section, resourceType)
		for _, p := range sortedKeys(props) {
			if allowed != nil && !allowed[p] {
				return nil, globalsError("'%s' is not a supported property of '%s'. Must be one of the following values - %s",
					p, section, quotedList(sortedKeys(allowed)))
			}
		}
		g[section] = props
	}
	return g, nil
}

// allowedGlobals is the set of properties a section accepts: those its
// resource type defines, less those Globals refuses. Sections for types
// virga does not transform accept anything.
func allowedGlobals(section, resourceType string) map[string]bool {
	props := resourceProperties[resourceType]
	if props == nil {
		return nil
	}
	allowed := map[string]bool{}
	for p := range props {
		allowed[p] = true
	}
	for _, p := range globalsUnsupported[section] {
		delete(allowed, p)
	}
	return allowed
}

// quotedList renders names the way SAM lists allowed values: ['A', 'B'].
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// apply merges a section of Globals into a resource's properties and
// returns the result; neither input is changed.
//
// SAM's rules ("Overridable properties"): a primitive in the resource
// replaces the global one, maps are merged key by key with the resource
// winning, and lists are additive with the global entries first. An
// intrinsic function counts as a primitive, since its value is unknown
// until the stack is deployed. One exception is virga's: Architectures
// is replaced rather than appended, because a function runs on exactly
// one architecture and ["x86_64", "arm64"] is not a valid value (SAM's
// own pull request 3945 makes the same change).
func (g globals) apply(section string, props map[string]any) map[string]any {
	out := cloneMap(props)
	if out == nil {
		out = map[string]any{}
	}
	for k, gv := range g[section] {
		lv, ok := out[k]
		switch {
		case !ok:
			out[k] = clone(gv)
		case section == "Function" && k == "Architectures":
			// The resource's value stands.
		default:
			out[k] = mergeGlobal(gv, lv)
		}
	}
	return out
}

// mergeGlobal merges one global value with the resource's value for it.
func mergeGlobal(global, local any) any {
	if gm, lm := asMap(global), asMap(local); gm != nil && lm != nil {
		out := cloneMap(lm)
		for k, gv := range gm {
			if lv, ok := lm[k]; ok {
				out[k] = mergeGlobal(gv, lv)
			} else {
				out[k] = clone(gv)
			}
		}
		return out
	}
	if gl, ok := global.([]any); ok {
		if ll, ok := local.([]any); ok {
			out := make([]any, 0, len(gl)+len(ll))
			for _, v := range gl {
				out = append(out, clone(v))
			}
			for _, v := range ll {
				out = append(out, clone(v))
			}
			return out
		}
	}
	return clone(local)
}
