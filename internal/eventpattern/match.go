package eventpattern

// matchObject reports whether the event object obj (nil when there is
// none) satisfies o.
func (o *objectNode) matchObject(obj map[string]any) bool {
	for i := range o.fields {
		f := &o.fields[i]
		v, present := obj[f.name]
		switch {
		case !present && f.leaf != nil:
			if !f.leaf.existsFalse {
				return false
			}
		case !present:
			if !f.child.absent {
				return false
			}
		case f.leaf != nil:
			if !f.leaf.matchPresent(v) {
				return false
			}
		default:
			if !f.child.matchValue(v) {
				return false
			}
		}
	}
	for _, branches := range o.ors {
		if !anyBranch(branches, obj) {
			return false
		}
	}
	return true
}

// matchesAbsent works out objectNode.absent from the already compiled
// fields and branches.
func (o *objectNode) matchesAbsent() bool {
	for i := range o.fields {
		f := &o.fields[i]
		if f.leaf != nil && !f.leaf.existsFalse || f.child != nil && !f.child.absent {
			return false
		}
	}
	for _, branches := range o.ors {
		ok := false
		for _, b := range branches {
			ok = ok || b.absent
		}
		if !ok {
			return false
		}
	}
	return true
}

func anyBranch(branches []*objectNode, obj map[string]any) bool {
	for _, b := range branches {
		if b.matchObject(obj) {
			return true
		}
	}
	return false
}

// matchValue matches a nested pattern object against the value of its
// field. When the value is an array, the pattern must match one of its
// objects on its own: fields matched in different elements of one array
// do not combine. A value holding no object at all is judged like a
// missing one.
func (o *objectNode) matchValue(v any) bool {
	found := false
	if o.scanObjects(v, &found) {
		return true
	}
	return !found && o.absent
}

func (o *objectNode) scanObjects(v any, found *bool) bool {
	switch x := v.(type) {
	case map[string]any:
		*found = true
		return o.matchObject(x)
	case []any:
		for _, e := range x {
			if o.scanObjects(e, found) {
				return true
			}
		}
	}
	return false
}

// matchPresent matches a value array against the value of a field that is
// present. Arrays, nested ones included, contribute each of their leaf
// values, and the field matches when any value matches any entry. Objects
// are not leaf values: a field holding only objects, or an empty array,
// has no value, so only {"exists": false} matches it ("exists matching
// only works on leaf nodes").
func (l *leafNode) matchPresent(v any) bool {
	seen := false
	if l.scan(v, &seen) {
		return true
	}
	return !seen && l.existsFalse
}

func (l *leafNode) scan(v any, seen *bool) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if l.scan(e, seen) {
				return true
			}
		}
		return false
	case map[string]any:
		return false
	}
	s, ok := toScalar(v)
	if !ok {
		return false
	}
	*seen = true
	if l.existsTrue {
		return true
	}
	for _, m := range l.matchers {
		if m.match(&s) {
			return true
		}
	}
	return false
}
