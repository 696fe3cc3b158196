package velocity

import (
	"regexp"
	"strings"
	"unicode/utf16"
)

// property is $v.name: a map's key, an Object's property, a map entry's key
// or value, or empty (Java's isEmpty through Velocity's "is" getters).
func property(v any, name string) any {
	switch v := v.(type) {
	case *Map:
		x, _ := v.Get(name)
		return x
	case Object:
		x, _ := v.Property(name)
		return x
	case entry:
		switch name {
		case "key":
			return v.key
		case "value":
			return v.val
		}
	}
	if name == "empty" {
		if r, err := method(v, "isEmpty", nil); err == nil {
			return r
		}
	}
	return nil
}

// method calls $v.name(args...) with the Java method of that name.
func method(v any, name string, args []any) (any, error) {
	var r any
	err := ErrNoMethod
	switch v := v.(type) {
	case Object:
		return v.Method(name, args)
	case string:
		r, err = stringMethod(v, name, args)
	case *List:
		r, err = listMethod(v, name, args)
	case *Map:
		r, err = mapMethod(v, name, args)
	case int64, float64:
		switch name {
		case "intValue", "longValue":
			f, _ := number(v)
			return int64(f), nil
		case "doubleValue", "floatValue":
			f, _ := number(v)
			return f, nil
		}
	case entry:
		switch name {
		case "getKey":
			return v.key, nil
		case "getValue":
			return v.val, nil
		}
	}
	if err != ErrNoMethod {
		return r, err
	}
	if v != nil {
		switch name {
		case "toString":
			if len(args) == 0 {
				return String(v), nil
			}
		case "equals":
			if len(args) == 1 {
				return equal(v, args[0]), nil
			}
		}
	}
	return nil, ErrNoMethod
}

// javaLen is a string's length in UTF-16 code units, as Java counts.
func javaLen(s string) int { return len(utf16.Encode([]rune(s))) }

// javaSub is s[from:to] in UTF-16 code units; ok is false when out of
// range (Java would throw).
func javaSub(s string, from, to int) (string, bool) {
	u := utf16.Encode([]rune(s))
	if to < 0 {
		to = len(u)
	}
	if from < 0 || to > len(u) || from > to {
		return "", false
	}
	return string(utf16.Decode(u[from:to])), true
}

func javaIndex(s string, i int) int {
	if i < 0 {
		return -1
	}
	return javaLen(s[:i])
}

func stringMethod(s, name string, args []any) (any, error) {
	str := func(i int) string { return String(args[i]) }
	n := len(args)
	switch {
	case name == "length" && n == 0:
		return int64(javaLen(s)), nil
	case name == "isEmpty" && n == 0:
		return s == "", nil
	case name == "contains" && n == 1:
		return strings.Contains(s, str(0)), nil
	case name == "startsWith" && n == 1:
		return strings.HasPrefix(s, str(0)), nil
	case name == "endsWith" && n == 1:
		return strings.HasSuffix(s, str(0)), nil
	case name == "indexOf" && n == 1:
		return int64(javaIndex(s, strings.Index(s, str(0)))), nil
	case name == "lastIndexOf" && n == 1:
		return int64(javaIndex(s, strings.LastIndex(s, str(0)))), nil
	case name == "substring" && (n == 1 || n == 2):
		from, ok := toInt(args[0])
		to := -1
		if n == 2 {
			var ok2 bool
			to, ok2 = toInt(args[1])
			ok = ok && ok2 && to >= 0
		}
		if !ok {
			return nil, nil
		}
		r, ok := javaSub(s, from, to)
		if !ok {
			return nil, nil
		}
		return r, nil
	case name == "replace" && n == 2:
		return strings.ReplaceAll(s, str(0), str(1)), nil
	case (name == "replaceAll" || name == "replaceFirst") && n == 2:
		re, err := regexp.Compile(str(0))
		if err != nil {
			return nil, nil
		}
		repl := javaReplacement(str(1))
		if name == "replaceAll" {
			return re.ReplaceAllString(s, repl), nil
		}
		done := false
		return re.ReplaceAllStringFunc(s, func(m string) string {
			if done {
				return m
			}
			done = true
			return re.ReplaceAllString(m, repl)
		}), nil
	case name == "matches" && n == 1:
		re, err := regexp.Compile("^(?:" + str(0) + ")$")
		if err != nil {
			return nil, nil
		}
		return re.MatchString(s), nil
	case name == "split" && (n == 1 || n == 2):
		re, err := regexp.Compile(str(0))
		if err != nil {
			return nil, nil
		}
		// Java's split(regex, limit): at most limit parts when it is
		// positive; all of them when negative; and with no limit (0),
		// all but the trailing empty ones.
		limit := 0
		if n == 2 {
			l, ok := toInt(args[1])
			if !ok {
				return nil, nil
			}
			limit = l
		}
		parts := re.Split(s, -1)
		if limit > 0 {
			parts = re.Split(s, limit)
		}
		for limit == 0 && len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if s == "" {
			parts = []string{""}
		}
		l := NewList()
		for _, p := range parts {
			l.Items = append(l.Items, p)
		}
		return l, nil
	case name == "toLowerCase" && n == 0:
		return strings.ToLower(s), nil
	case name == "toUpperCase" && n == 0:
		return strings.ToUpper(s), nil
	case name == "trim" && n == 0:
		return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }), nil
	case name == "equalsIgnoreCase" && n == 1:
		return strings.EqualFold(s, str(0)), nil
	case name == "concat" && n == 1:
		return s + str(0), nil
	case name == "charAt" && n == 1:
		i, ok := toInt(args[0])
		if !ok {
			return nil, nil
		}
		r, ok := javaSub(s, i, i+1)
		if !ok {
			return nil, nil
		}
		return r, nil
	}
	return nil, ErrNoMethod
}

// javaReplacement turns Java's replacement syntax ($1, \$) into Go's.
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		switch c := r[i]; {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9':
			b.WriteString("${")
			i++
			b.WriteByte(r[i])
			b.WriteByte('}')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func listMethod(l *List, name string, args []any) (any, error) {
	n := len(args)
	switch {
	case name == "size" && n == 0:
		return int64(len(l.Items)), nil
	case name == "isEmpty" && n == 0:
		return len(l.Items) == 0, nil
	case name == "get" && n == 1:
		i, ok := toInt(args[0])
		if !ok || i < 0 || i >= len(l.Items) {
			return nil, nil
		}
		return l.Items[i], nil
	case name == "contains" && n == 1:
		for _, x := range l.Items {
			if equal(x, args[0]) {
				return true, nil
			}
		}
		return false, nil
	case name == "indexOf" && n == 1:
		for i, x := range l.Items {
			if equal(x, args[0]) {
				return int64(i), nil
			}
		}
		return int64(-1), nil
	case name == "add" && n == 1:
		if len(l.Items) >= maxListItems {
			return nil, errTooLarge
		}
		l.Items = append(l.Items, args[0])
		return true, nil
	case name == "add" && n == 2:
		i, ok := toInt(args[0])
		if !ok || i < 0 || i > len(l.Items) {
			return nil, nil
		}
		if len(l.Items) >= maxListItems {
			return nil, errTooLarge
		}
		l.Items = append(l.Items[:i], append([]any{args[1]}, l.Items[i:]...)...)
		return nil, nil
	case name == "set" && n == 2:
		i, ok := toInt(args[0])
		if !ok || i < 0 || i >= len(l.Items) {
			return nil, nil
		}
		old := l.Items[i]
		l.Items[i] = args[1]
		return old, nil
	case name == "remove" && n == 1:
		i, ok := args[0].(int64)
		if !ok || i < 0 || int(i) >= len(l.Items) {
			return nil, nil
		}
		old := l.Items[i]
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return old, nil
	case name == "addAll" && n == 1:
		other, ok := args[0].(*List)
		if !ok {
			return false, nil
		}
		if len(l.Items)+len(other.Items) > maxListItems {
			return nil, errTooLarge
		}
		l.Items = append(l.Items, other.Items...)
		return len(other.Items) > 0, nil
	case name == "clear" && n == 0:
		l.Items = nil
		return nil, nil
	}
	return nil, ErrNoMethod
}

func mapMethod(m *Map, name string, args []any) (any, error) {
	n := len(args)
	switch {
	case name == "get" && n == 1:
		v, _ := m.Get(String(args[0]))
		return v, nil
	case name == "put" && n == 2:
		if m.Len() >= maxListItems {
			return nil, errTooLarge
		}
		return m.Put(String(args[0]), args[1]), nil
	case name == "containsKey" && n == 1:
		_, ok := m.Get(String(args[0]))
		return ok, nil
	case name == "remove" && n == 1:
		return m.Remove(String(args[0])), nil
	case name == "size" && n == 0:
		return int64(m.Len()), nil
	case name == "isEmpty" && n == 0:
		return m.Len() == 0, nil
	case name == "keySet" && n == 0:
		l := NewList()
		for _, k := range m.keys {
			l.Items = append(l.Items, k)
		}
		return l, nil
	case name == "values" && n == 0:
		l := NewList()
		for _, k := range m.keys {
			l.Items = append(l.Items, m.m[k])
		}
		return l, nil
	case name == "entrySet" && n == 0:
		l := NewList()
		for _, k := range m.keys {
			l.Items = append(l.Items, entry{k, m.m[k]})
		}
		return l, nil
	case name == "putAll" && n == 1:
		other, ok := args[0].(*Map)
		if !ok {
			return nil, nil
		}
		for _, k := range other.keys {
			m.Put(k, other.m[k])
		}
		return nil, nil
	}
	return nil, ErrNoMethod
}
