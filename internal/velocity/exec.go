package velocity

import (
	"errors"
	"math"
	"strings"
)

// Errors that stop an execution.
var (
	errTooLarge = errors.New("velocity: template output or data too large")
	errBreak    = errors.New("#break")
	errStop     = errors.New("#stop")
)

// Execute renders the template with vars as its variables ($name is
// vars["name"]). The template may change vars' values (#set of a map's
// key, $list.add): API Gateway reads $context.responseOverride back that
// way.
func (t *Template) Execute(vars map[string]any) (string, error) {
	x := &execution{vars: map[string]any{}, steps: new(int)}
	for k, v := range vars {
		x.vars[k] = v
	}
	err := x.nodes(t.nodes)
	if err != nil && err != errStop && err != errBreak {
		return "", err
	}
	return x.out.String(), nil
}

type execution struct {
	vars  map[string]any
	out   strings.Builder
	steps *int // nodes run, shared with interpolated strings' executions
}

func (x *execution) write(s string) error {
	if x.out.Len()+len(s) > maxOutput {
		return errTooLarge
	}
	x.out.WriteString(s)
	return nil
}

func (x *execution) nodes(ns []node) error {
	for _, n := range ns {
		if err := x.node(n); err != nil {
			return err
		}
	}
	return nil
}

func (x *execution) node(n node) error {
	if *x.steps++; *x.steps > maxSteps {
		return errTooLarge
	}
	switch n := n.(type) {
	case textNode:
		return x.write(string(n))
	case refNode:
		v, err := x.ref(n.ref)
		if err != nil {
			return err
		}
		return x.write(String(v))
	case setNode:
		v, err := x.eval(n.value)
		if err != nil {
			return err
		}
		if v == nil {
			// Velocity 1.7: a #set whose value is null leaves its
			// target as it was.
			return nil
		}
		return x.assign(n.target, v)
	case ifNode:
		for i, c := range n.conds {
			v, err := x.eval(c)
			if err != nil {
				return err
			}
			if truthy(v) {
				return x.nodes(n.blocks[i])
			}
		}
		return x.nodes(n.els)
	case foreachNode:
		return x.foreach(n)
	case breakNode:
		return errBreak
	case stopNode:
		return errStop
	}
	return nil
}

// loop is $foreach.
type loop struct {
	index int
	n     int
}

func (l *loop) Property(name string) (any, bool) {
	switch name {
	case "index":
		return int64(l.index), true
	case "count":
		return int64(l.index + 1), true
	case "hasNext":
		return l.index+1 < l.n, true
	case "first":
		return l.index == 0, true
	case "last":
		return l.index+1 == l.n, true
	}
	return nil, false
}

func (l *loop) Method(name string, args []any) (any, error) {
	if len(args) == 0 {
		switch name {
		case "hasNext", "getIndex", "getCount", "isFirst", "isLast":
			key := strings.TrimPrefix(strings.TrimPrefix(name, "get"), "is")
			key = strings.ToLower(key[:1]) + key[1:]
			v, _ := l.Property(key)
			return v, nil
		}
	}
	return nil, ErrNoMethod
}

func (x *execution) foreach(n foreachNode) error {
	v, err := x.eval(n.list)
	if err != nil {
		return err
	}
	var items []any
	switch v := v.(type) {
	case *List:
		items = v.Items
	case *Map:
		for _, k := range v.keys {
			items = append(items, v.m[k])
		}
	}
	if len(items) > maxIterations {
		items = items[:maxIterations]
	}
	items = append([]any(nil), items...) // the body may change the list
	saved := map[string]any{}
	for _, k := range []string{n.name, "foreach", "velocityCount"} {
		if old, ok := x.vars[k]; ok {
			saved[k] = old
		}
	}
	defer func() {
		for _, k := range []string{n.name, "foreach", "velocityCount"} {
			if old, ok := saved[k]; ok {
				x.vars[k] = old
			} else {
				delete(x.vars, k)
			}
		}
	}()
	l := &loop{n: len(items)}
	for i, item := range items {
		if *x.steps++; *x.steps > maxSteps {
			return errTooLarge
		}
		l.index = i
		x.vars[n.name] = item
		x.vars["foreach"] = l
		x.vars["velocityCount"] = int64(i + 1)
		if err := x.nodes(n.body); err != nil {
			if err == errBreak {
				return nil
			}
			return err
		}
	}
	return nil
}

// ref evaluates a reference; a missing variable, key or method is null.
func (x *execution) ref(r *refExpr) (any, error) {
	v := x.vars[r.name]
	for _, part := range r.parts {
		var err error
		if v, err = x.part(v, part); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (x *execution) part(v any, part refPart) (any, error) {
	switch {
	case part.isIdx:
		idx, err := x.eval(part.index)
		if err != nil {
			return nil, err
		}
		switch c := v.(type) {
		case *List:
			i, ok := toInt(idx)
			if i < 0 {
				i += len(c.Items)
			}
			if !ok || i < 0 || i >= len(c.Items) {
				return nil, nil
			}
			return c.Items[i], nil
		case *Map:
			r, _ := c.Get(String(idx))
			return r, nil
		}
		return nil, nil
	case part.call:
		args := make([]any, len(part.args))
		for i, a := range part.args {
			var err error
			if args[i], err = x.eval(a); err != nil {
				return nil, err
			}
		}
		if v == nil {
			return nil, nil
		}
		r, err := method(v, part.name, args)
		if err == ErrNoMethod {
			return nil, nil
		}
		return r, err
	}
	return property(v, part.name), nil
}

// assign is #set: of a variable, a map's key or a list's element.
func (x *execution) assign(target *refExpr, v any) error {
	if len(target.parts) == 0 {
		x.vars[target.name] = v
		return nil
	}
	container := x.vars[target.name]
	for _, part := range target.parts[:len(target.parts)-1] {
		var err error
		if container, err = x.part(container, part); err != nil {
			return err
		}
	}
	last := target.parts[len(target.parts)-1]
	switch c := container.(type) {
	case *Map:
		key := last.name
		if last.isIdx {
			idx, err := x.eval(last.index)
			if err != nil {
				return err
			}
			key = String(idx)
		} else if last.call {
			return nil
		}
		if _, ok := c.Get(key); !ok && c.Len() >= maxListItems {
			return errTooLarge
		}
		c.Put(key, v)
	case *List:
		if last.isIdx {
			idx, err := x.eval(last.index)
			if err != nil {
				return err
			}
			if i, ok := toInt(idx); ok && i >= 0 && i < len(c.Items) {
				c.Items[i] = v
			}
		}
	}
	return nil
}

func (x *execution) eval(e expr) (any, error) {
	switch e := e.(type) {
	case litExpr:
		return e.v, nil
	case *refExpr:
		return x.ref(e)
	case interpStr:
		sub := &execution{vars: x.vars, steps: x.steps}
		if err := sub.nodes(e.nodes); err != nil && err != errBreak && err != errStop {
			return nil, err
		}
		return sub.out.String(), nil
	case listExpr:
		l := NewList()
		for _, it := range e.items {
			v, err := x.eval(it)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case rangeExpr:
		fv, err := x.eval(e.from)
		if err != nil {
			return nil, err
		}
		tv, err := x.eval(e.to)
		if err != nil {
			return nil, err
		}
		from, ok1 := toInt(fv)
		to, ok2 := toInt(tv)
		if !ok1 || !ok2 {
			return nil, nil
		}
		step := 1
		if to < from {
			step = -1
		}
		// In floats: the ends may be as far apart as int64 allows.
		if math.Abs(float64(to)-float64(from)) >= maxListItems {
			return nil, errTooLarge
		}
		l := NewList()
		for i := from; ; i += step {
			l.Items = append(l.Items, int64(i))
			if i == to {
				break
			}
		}
		return l, nil
	case mapExpr:
		m := NewMap()
		for i := range e.keys {
			k, err := x.eval(e.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := x.eval(e.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(String(k), v)
		}
		return m, nil
	case unaryExpr:
		v, err := x.eval(e.x)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case binExpr:
		return x.binary(e)
	}
	return nil, nil
}

func (x *execution) binary(e binExpr) (any, error) {
	a, err := x.eval(e.x)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "&&":
		if !truthy(a) {
			return false, nil
		}
		b, err := x.eval(e.y)
		return truthy(b), err
	case "||":
		if truthy(a) {
			return true, nil
		}
		b, err := x.eval(e.y)
		return truthy(b), err
	}
	b, err := x.eval(e.y)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "==":
		return equal(a, b), nil
	case "!=":
		return !equal(a, b), nil
	case "<", ">", "<=", ">=":
		c, ok := compare(a, b)
		if !ok {
			return false, nil
		}
		switch e.op {
		case "<":
			return c < 0, nil
		case ">":
			return c > 0, nil
		case "<=":
			return c <= 0, nil
		}
		return c >= 0, nil
	}
	return arith(e.op, a, b), nil
}
