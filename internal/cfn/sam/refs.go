package sam

import (
	"strings"
)

// SAM lets a template refer to resources it generates through
// "referenceable properties" of the SAM resource: {"Ref":
// "MyFunction.Alias"} is the alias AutoPublishAlias made, and
// "${MyApi.Stage}" in a Fn::Sub is the API's stage. A layer version's
// logical ID gains a hash, and references to the layer follow it. The
// functions here rewrite such references once every resource is built.

// rewrite returns v with the references to renamed resources and to
// referenceable properties replaced by the logical IDs they stand for.
func (t *transformer) rewrite(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			if r, ok := v["Ref"].(string); ok {
				if lit, ok := t.literals[r]; ok {
					return lit
				}
				if id, ok := t.target(r); ok {
					return ref(id)
				}
				return v
			}
			if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
				if name, ok := ga[0].(string); ok {
					if id, ok := t.target(name); ok {
						return map[string]any{"Fn::GetAtt": []any{id, t.rewrite(ga[1])}}
					}
					// "!GetAtt MyFunction.Alias.Name" parses as
					// [MyFunction, Alias.Name].
					if attr, ok := ga[1].(string); ok {
						if prop, rest, ok := strings.Cut(attr, "."); ok {
							if id, ok := t.target(name + "." + prop); ok {
								return map[string]any{"Fn::GetAtt": []any{id, rest}}
							}
						}
					}
				}
			}
			if s, ok := v["Fn::Sub"].(string); ok {
				return sub(t.rewriteSub(s, nil))
			}
			if l, ok := v["Fn::Sub"].([]any); ok && len(l) == 2 {
				if s, ok := l[0].(string); ok {
					vars, _ := l[1].(map[string]any)
					return map[string]any{"Fn::Sub": []any{t.rewriteSub(s, vars), t.rewrite(l[1])}}
				}
			}
		}
		for k, e := range v {
			v[k] = t.rewrite(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = t.rewrite(e)
		}
		return v
	}
	return v
}

// target is the logical ID a name in a Ref or Fn::GetAtt stands for, when
// the transform changed it.
func (t *transformer) target(name string) (string, bool) {
	if id, ok := t.renames[name]; ok {
		return id, true
	}
	if id, ok := t.refs[name]; ok {
		return id, true
	}
	return "", false
}

// rewriteSub rewrites the ${Name} and ${Name.Attribute} variables of a
// Fn::Sub string; names the variable map defines are left alone, as are
// literals written ${!Name}.
func (t *transformer) rewriteSub(s string, vars map[string]any) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+2 : i+j]
		b.WriteString(s[:i])
		s = s[i+j+1:]
		if lit, ok := t.literals[name]; ok && vars[name] == nil {
			b.WriteString(lit)
			continue
		}
		b.WriteString("${")
		b.WriteString(t.rewriteSubName(name, vars))
		b.WriteString("}")
	}
}

// rewriteSubName rewrites one Fn::Sub variable name.
func (t *transformer) rewriteSubName(name string, vars map[string]any) string {
	if strings.HasPrefix(name, "!") {
		return name
	}
	if _, ok := vars[name]; ok {
		return name
	}
	if id, ok := t.target(name); ok {
		return id
	}
	// The longest prefix that is a renamed resource or a referenceable
	// property, followed by an attribute: "MyLayer.Arn" or
	// "MyFunction.Alias.Name".
	for i := len(name) - 1; i > 0; i-- {
		if name[i] != '.' {
			continue
		}
		if id, ok := t.target(name[:i]); ok {
			return id + name[i:]
		}
	}
	return name
}

// rewriteDependsOn follows renamed resources in a DependsOn.
func (t *transformer) rewriteDependsOn(r map[string]any) {
	switch d := r["DependsOn"].(type) {
	case string:
		if id, ok := t.renames[d]; ok {
			r["DependsOn"] = id
		}
	case []any:
		for i, e := range d {
			if s, ok := e.(string); ok {
				if id, ok := t.renames[s]; ok {
					d[i] = id
				}
			}
		}
	}
}
