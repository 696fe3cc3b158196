package ssm

import (
	"slices"
	"strings"
)

// filterRule says which ParameterStringFilter keys an operation takes.
type filterRule int

const (
	filtersDescribe filterRule = iota // DescribeParameters: every key
	filtersByPath                     // GetParametersByPath: Type, KeyId, Label
)

// filter is one parsed ParameterStringFilter.
type filter struct {
	key    string // Name, Type, KeyId, Path, Label, Tier, DataType, or tag:KEY
	option string
	values []string
}

type filterSet []filter

// parseFilters checks ParameterFilters as the API reference describes
// them: every key takes Equals and BeginsWith (the default is Equals),
// Name also Contains (DescribeParameters only), Path takes Recursive and
// OneLevel (the default); GetParametersByPath takes only Type, KeyId and
// Label.
func parseFilters(in []ParameterStringFilter, rule filterRule) (filterSet, error) {
	var out filterSet
	for _, f := range in {
		key := deref(f.Key)
		isTag := strings.HasPrefix(key, "tag:")
		if rule == filtersByPath && key != "Type" && key != "KeyId" && key != "Label" {
			return nil, ErrInvalidFilterKey.WithMessage("The following filter key is not valid: " + key + ". Valid filter keys include: [Type, KeyId, Label].")
		}
		option := deref(f.Option)
		switch {
		case key == "Path":
			if option == "" {
				option = "OneLevel"
			}
			if option != "Recursive" && option != "OneLevel" {
				return nil, ErrInvalidFilterOption.WithMessage("The following filter option is not valid: " + option + ". Valid options include: [Recursive, OneLevel].")
			}
		case key == "Label":
			if option == "" {
				option = "Equals"
			}
			if option != "Equals" {
				return nil, ErrInvalidFilterOption.WithMessage("The following filter option is not valid: " + option + ". Valid options include: [Equals].")
			}
		default:
			if option == "" {
				option = "Equals"
			}
			valid := option == "Equals" || option == "BeginsWith" || (key == "Name" && rule == filtersDescribe && option == "Contains")
			if !valid {
				opts := "[Equals, BeginsWith]"
				if key == "Name" {
					opts = "[Equals, BeginsWith, Contains]"
				}
				return nil, ErrInvalidFilterOption.WithMessage("The following filter option is not valid: " + option + ". Valid options include: " + opts + ".")
			}
		}
		if len(f.Values) == 0 && !isTag {
			return nil, ErrInvalidFilterValue.WithMessage("The following filter values are missing : null for filter key " + key + ".")
		}
		for _, v := range f.Values {
			switch key {
			case "Type":
				if option == "Equals" && !slices.Contains(ParameterType("").Values(), v) {
					return nil, ErrInvalidFilterValue.WithMessage("The following filter value is not valid: " + v + ". Valid values include: [String, StringList, SecureString].")
				}
			case "Tier":
				if option == "Equals" && v != "Standard" && v != "Advanced" && v != "Intelligent-Tiering" {
					return nil, ErrInvalidFilterValue.WithMessage("The following filter value is not valid: " + v + ". Valid values include: [Standard, Advanced, Intelligent-Tiering].")
				}
			case "Path":
				if !validPath(v) {
					return nil, ErrValidation.WithMessage(pathMessage)
				}
			}
		}
		out = append(out, filter{key: key, option: option, values: f.Values})
	}
	return out, nil
}

func (fs filterSet) match(p *param) bool {
	for _, f := range fs {
		if !f.match(p) {
			return false
		}
	}
	return true
}

func (f filter) match(p *param) bool {
	v := p.current()
	switch {
	case strings.HasPrefix(f.key, "tag:"):
		tv, ok := p.Tags[strings.TrimPrefix(f.key, "tag:")]
		if !ok {
			return false
		}
		return len(f.values) == 0 || f.any(tv)
	case f.key == "Name":
		name := p.Name
		return f.any(name) || (!strings.HasPrefix(name, "/") && f.any("/"+name))
	case f.key == "Type":
		return f.any(v.Type)
	case f.key == "KeyId":
		return v.KeyID != "" && f.any(v.KeyID)
	case f.key == "Tier":
		return f.any(v.Tier)
	case f.key == "DataType":
		return f.any(v.DataType)
	case f.key == "Label":
		for i := range p.Versions {
			for _, l := range p.Versions[i].Labels {
				if slices.Contains(f.values, l) {
					return true
				}
			}
		}
		return false
	case f.key == "Path":
		for _, path := range f.values {
			prefix := path
			if !strings.HasSuffix(prefix, "/") {
				prefix += "/"
			}
			name := p.Name
			if !strings.HasPrefix(name, "/") {
				name = "/" + name
			}
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			if f.option == "Recursive" || !strings.Contains(name[len(prefix):], "/") {
				return true
			}
		}
		return false
	}
	return false
}

// any reports whether s meets the filter's option against any value.
func (f filter) any(s string) bool {
	for _, want := range f.values {
		switch f.option {
		case "Equals":
			if s == want {
				return true
			}
		case "BeginsWith":
			if strings.HasPrefix(s, want) {
				return true
			}
		case "Contains":
			if strings.Contains(s, want) {
				return true
			}
		}
	}
	return false
}
