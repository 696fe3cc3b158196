package asl

import (
	"context"
	"fmt"
	"time"
)

// attemptJ runs a JSONata state once: its work with Arguments (or the
// input), then Output and Assign.
func (t *thread) attemptJ(ctx context.Context, s *State, raw any, x *evalContext, entered time.Time, token string) (any, string, error) {
	states := map[string]any{"input": raw, "context": x.ctx}
	jc := &jctx{env: t.r.env, states: states, vars: t.vars}
	x.j = jc
	next := s.Next
	if s.End {
		next = ""
	}
	output, assign := s.Output, s.Assign
	var result any
	hasResult := false
	args := func() (any, error) {
		if s.Arguments == nil {
			return raw, nil
		}
		return s.Arguments.eval(jc)
	}
	switch s.Type {
	case "Succeed":
		next = ""
	case "Choice":
		next = ""
		for _, r := range s.Choices {
			v, err := r.Condition.eval(jc)
			if err != nil {
				return nil, "", err
			}
			ok, isBool := v.(bool)
			if !isBool {
				return nil, "", &Failure{Name: ErrQueryEvaluation, Cause: fmt.Sprintf("The Condition '%s' must evaluate to a boolean", r.Condition.src)}
			}
			if ok {
				next = r.Next
				if r.Output != nil {
					output = r.Output
				}
				if r.Assign != nil {
					assign = r.Assign
				}
				break
			}
		}
		if next == "" {
			next = s.Default
		}
		if next == "" {
			return nil, "", &Failure{Name: ErrNoChoiceMatched, Cause: "No Matches!"}
		}
	case "Wait":
		var until time.Time
		switch {
		case s.Seconds != nil:
			until = entered.Add(time.Duration(*s.Seconds) * time.Second)
		case s.Timestamp != nil:
			until = *s.Timestamp
		case s.jfields["Seconds"] != nil:
			v, err := s.jfields["Seconds"].eval(jc)
			if err != nil {
				return nil, "", err
			}
			n, ok := integer(v)
			if !ok || n < 0 {
				return nil, "", &Failure{Name: ErrQueryEvaluation, Cause: fmt.Sprintf("The Seconds expression must evaluate to a non-negative integer, not %s", Encode(v))}
			}
			until = entered.Add(time.Duration(n) * time.Second)
		case s.jfields["Timestamp"] != nil:
			v, err := s.jfields["Timestamp"].eval(jc)
			if err != nil {
				return nil, "", err
			}
			str, _ := v.(string)
			ts, ok := parseTimestamp(str)
			if !ok {
				return nil, "", &Failure{Name: ErrQueryEvaluation, Cause: fmt.Sprintf("The Timestamp expression must evaluate to an ISO-8601 timestamp, not %s", Encode(v))}
			}
			until = ts
		}
		if err := t.r.env.WaitUntil(ctx, until); err != nil {
			return nil, "", err
		}
	case "Task":
		in, err := args()
		if err != nil {
			return nil, "", err
		}
		if result, err = t.task(ctx, s, x, in, token); err != nil {
			return nil, "", err
		}
		hasResult = true
	case "Parallel":
		in, err := args()
		if err != nil {
			return nil, "", err
		}
		if result, err = t.parallel(ctx, s, in); err != nil {
			return nil, "", err
		}
		hasResult = true
	case "Map":
		var err error
		if result, err = t.mapJ(ctx, s, jc, raw); err != nil {
			return nil, "", err
		}
		hasResult = true
	}
	def := raw
	if hasResult {
		states["result"] = result
		def = result
	}
	out, err := t.finishJ(jc, def, output, assign)
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// finishJ evaluates Output (def when there is none) and Assign, both
// with the variables as they were, then assigns, noting what for the
// state's StateExited event.
func (t *thread) finishJ(jc *jctx, def any, output, assign *jvalue) (any, error) {
	out := def
	if output != nil {
		v, err := output.eval(jc)
		if err != nil {
			return nil, err
		}
		out = v
	}
	t.assigned = nil
	if assign != nil {
		v, err := assign.eval(jc)
		if err != nil {
			return nil, err
		}
		t.assigned = v.(map[string]any)
		for k, val := range t.assigned {
			t.vars[k] = val
		}
	}
	return out, nil
}

// jsonataLimit evaluates a JSONata state's TimeoutSeconds or
// HeartbeatSeconds given as an expression.
func jsonataLimit(s *State, x *evalContext, field string) (int64, bool, error) {
	j := s.jfields[field]
	if j == nil || x.j == nil {
		return 0, false, nil
	}
	v, err := j.eval(x.j)
	if err != nil {
		return 0, true, err
	}
	n, ok := integer(v)
	if !ok || n <= 0 {
		return 0, true, &Failure{Name: ErrQueryEvaluation, Cause: fmt.Sprintf("%s must evaluate to a positive integer, not %s", field, Encode(v))}
	}
	return n, true, nil
}

// mapJ runs a JSONata Map state: Items (the input when absent), each
// through ItemSelector when given, with $states.context.Map.Item.
func (t *thread) mapJ(ctx context.Context, s *State, jc *jctx, raw any) (any, error) {
	items := raw
	if s.Items != nil {
		v, err := s.Items.eval(jc)
		if err != nil {
			return nil, err
		}
		items = v
	}
	list, ok := items.([]any)
	if !ok {
		return nil, &Failure{Name: ErrQueryEvaluation, Cause: "The Map state's Items must be a JSON array"}
	}
	limit := s.MaxConcurrency
	if j := s.jfields["MaxConcurrency"]; j != nil {
		v, err := j.eval(jc)
		if err != nil {
			return nil, err
		}
		n, ok := integer(v)
		if !ok || n < 0 {
			return nil, &Failure{Name: ErrQueryEvaluation, Cause: "MaxConcurrency must evaluate to a non-negative integer"}
		}
		limit = int(n)
	}
	if s.Distributed {
		rs, err := t.settingsJ(s, jc)
		if err != nil {
			return nil, err
		}
		return t.mapRun(ctx, s, list, limit, rs, func(i int, th *thread) (any, error) {
			sel := s.jfields["ItemSelector"]
			if sel == nil {
				return list[i], nil
			}
			th.mapItem = map[string]any{"Index": num(float64(i)), "Value": list[i]}
			c := th.contextObject(s, t.r.env.Now(), 0, "")
			th.mapItem = nil
			return sel.eval(&jctx{env: jc.env, vars: th.vars, states: map[string]any{"input": raw, "context": c}})
		}, nil)
	}
	t.record(Event{Type: "MapStateStarted", Length: len(list)})
	res, err := t.fanOut(ctx, len(list), inlineLimit(limit), func(ctx context.Context, i int, th *thread) (any, error) {
		th.record(Event{Type: "MapIterationStarted", State: s.Name, Index: i})
		item := list[i]
		if sel := s.jfields["ItemSelector"]; sel != nil {
			th.mapItem = map[string]any{"Index": num(float64(i)), "Value": list[i]}
			c := th.contextObject(s, t.r.env.Now(), 0, "")
			th.mapItem = nil
			v, err := sel.eval(&jctx{env: jc.env, vars: th.vars, states: map[string]any{"input": raw, "context": c}})
			if err != nil {
				return nil, err
			}
			item = v
		}
		out, err := th.machine(ctx, s.Processor, s.Processor.StartAt, item, 1)
		if err != nil {
			if ctx.Err() == nil {
				th.record(Event{Type: "MapIterationFailed", State: s.Name, Index: i})
			} else {
				th.record(Event{Type: "MapIterationAborted", State: s.Name, Index: i})
			}
			return nil, err
		}
		th.record(Event{Type: "MapIterationSucceeded", State: s.Name, Index: i})
		return out, nil
	})
	if err != nil {
		if ctx.Err() == nil {
			t.record(Event{Type: "MapStateFailed"})
		}
		return nil, err
	}
	t.record(Event{Type: "MapStateSucceeded"})
	return res, nil
}
