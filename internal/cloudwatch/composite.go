package cloudwatch

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Composite alarms (PutCompositeAlarm): an alarm whose state is its
// AlarmRule over other alarms' states, ALARM when the rule holds and OK
// otherwise. It starts in INSUFFICIENT_DATA and is evaluated at once,
// then whenever an alarm changes state and every evaluation round. It
// lives among the metric alarms (one namespace of names), with Rule set.

// maxCompositePasses bounds the rounds of evaluating composite alarms
// of composite alarms after a change (a cycle never settles).
const maxCompositePasses = 10

func (s *Service) putCompositeAlarm(ctx context.Context, in *PutCompositeAlarmInput) (*noOutput, error) {
	if in.ActionsSuppressor != nil {
		return nil, ErrValidation.WithMessage("Composite alarms' action suppression (ActionsSuppressor) is not supported by this CloudWatch.")
	}
	rule, err := parseAlarmRule(*in.AlarmRule, s.account, s.region)
	if err != nil {
		return nil, ErrValidation.Withf("Invalid AlarmRule: %v.", err)
	}
	now := s.clock.Now()
	s.mu.Lock()
	a := s.alarms[*in.AlarmName]
	created := a == nil
	switch {
	case created:
		a = &alarm{Name: *in.AlarmName, State: stateInsufficient, StateReason: "Unchecked: Initial alarm creation",
			StateUpdated: now.UnixMilli(), StateTransitioned: now.UnixMilli()}
	case a.Rule == "":
		s.mu.Unlock()
		return nil, ErrValidation.Withf("An alarm named %s exists and is not a composite alarm.", *in.AlarmName)
	default:
		c := *a
		a = &c
	}
	a.Description = in.AlarmDescription
	a.ActionsEnabled = in.ActionsEnabled == nil || *in.ActionsEnabled
	a.OKActions, a.AlarmActions, a.InsufficientDataActions = in.OKActions, in.AlarmActions, in.InsufficientDataActions
	a.Rule, a.rule = *in.AlarmRule, rule
	if created && len(in.Tags) > 0 {
		a.Tags = map[string]string{}
		for _, t := range in.Tags {
			a.Tags[*t.Key] = *t.Value
		}
	}
	a.ConfigUpdated = max(now.UnixMilli(), a.ConfigUpdated+1)
	verb := map[bool]string{true: "created", false: "updated"}[created]
	hist, _ := json.Marshal(map[string]any{"version": "1.0", "type": map[bool]string{true: "Create", false: "Update"}[created]})
	a.addHistory(now, "ConfigurationUpdate", fmt.Sprintf("Alarm %q %s", a.Name, verb), string(hist))
	err = s.saveAlarms(a)
	if err == nil {
		s.alarms[a.Name] = a
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.evaluateComposites(ctx, now)
	return nil, nil
}

// evaluateComposites moves every composite alarm to the state its rule
// gives, until none changes, and runs the actions of those that moved.
func (s *Service) evaluateComposites(ctx context.Context, now time.Time) {
	for range maxCompositePasses {
		var notes []*notification
		s.mu.Lock()
		state := func(name string) string {
			if c := s.alarms[name]; c != nil {
				return c.State
			}
			return ""
		}
		var changed []*alarm
		for _, a := range s.alarms {
			if a.Rule == "" {
				continue
			}
			if a.rule == nil {
				r, err := parseAlarmRule(a.Rule, s.account, s.region)
				if err != nil {
					continue
				}
				a.rule = r
			}
			want := stateOK
			if a.rule.expr.eval(state) {
				want = stateAlarm
			}
			if want == a.State {
				continue
			}
			reason := fmt.Sprintf("AlarmRule %s evaluated to %s", a.Rule, map[bool]string{true: "TRUE", false: "FALSE"}[want == stateAlarm])
			notes = append(notes, s.transition(a, want, reason, "", now))
			changed = append(changed, a)
		}
		if err := s.saveAlarms(changed...); err != nil {
			s.log.Error("cloudwatch: saving composite alarms", "err", err)
		}
		s.mu.Unlock()
		for _, n := range notes {
			s.notify(ctx, n)
		}
		if len(changed) == 0 {
			return
		}
	}
}

// describeComposite returns a composite alarm as the API shows it.
func (s *Service) describeComposite(a *alarm) CompositeAlarm {
	c := CompositeAlarm{
		AlarmName: ptr(a.Name), AlarmArn: ptr(s.alarmARN(a.Name)), AlarmDescription: a.Description, AlarmRule: ptr(a.Rule),
		AlarmConfigurationUpdatedTimestamp: ptr(time.UnixMilli(a.ConfigUpdated).UTC()),
		ActionsEnabled:                     ptr(a.ActionsEnabled),
		OKActions:                          orEmpty(a.OKActions), AlarmActions: orEmpty(a.AlarmActions),
		InsufficientDataActions: orEmpty(a.InsufficientDataActions),
		StateValue:              ptr(StateValue(a.State)), StateReason: ptr(a.StateReason),
		StateUpdatedTimestamp:      ptr(time.UnixMilli(a.StateUpdated).UTC()),
		StateTransitionedTimestamp: ptr(time.UnixMilli(a.StateTransitioned).UTC()),
	}
	if a.StateReasonData != "" {
		c.StateReasonData = ptr(a.StateReasonData)
	}
	return c
}

// related reports whether a is among the alarms DescribeAlarms'
// ChildrenOfAlarmName (those the named composite's rule names) or
// ParentsOfAlarmName (the composites whose rules name it) asks for.
// The caller holds s.mu.
func (s *Service) related(a *alarm, children, parents *string) bool {
	if children != nil {
		c := s.alarms[*children]
		if c == nil || c.rule == nil {
			return false
		}
		for _, n := range c.rule.alarms {
			if n == a.Name {
				return true
			}
		}
		return false
	}
	if parents != nil {
		if a.rule == nil {
			return false
		}
		for _, n := range a.rule.alarms {
			if n == *parents {
				return true
			}
		}
		return false
	}
	return true
}
