package cloudwatch

import (
	"errors"
	"fmt"
	"strings"
)

// A composite alarm's AlarmRule, as PutCompositeAlarm documents it:
//
//	ALARM(name) AND NOT (OK("other name") OR INSUFFICIENT_DATA(arn))
//
// ALARM, OK and INSUFFICIENT_DATA are true when the alarm named (by name
// or ARN, in double quotes or not) is in that state; TRUE and FALSE are
// constants; NOT binds tighter than AND, AND than OR; parentheses group.
// Keywords are upper case.

// Limits of an AlarmRule.
const (
	// maxRuleLength is AlarmRule's length constraint (10240).
	maxRuleLength = 10240
	// maxRuleAlarms: "The rule expression of a composite alarm can
	// include as many as 100 underlying alarms." (PutCompositeAlarm)
	maxRuleAlarms = 100
)

// ruleExpr is a parsed AlarmRule.
type ruleExpr interface {
	// eval reports whether the rule holds, given each alarm's state.
	eval(state func(alarm string) string) bool
}

type ruleConst bool
type ruleState struct{ state, alarm string }
type ruleNot struct{ x ruleExpr }
type ruleAnd struct{ l, r ruleExpr }
type ruleOr struct{ l, r ruleExpr }

func (c ruleConst) eval(func(string) string) bool    { return bool(c) }
func (r ruleState) eval(st func(string) string) bool { return st(r.alarm) == r.state }
func (n ruleNot) eval(st func(string) string) bool   { return !n.x.eval(st) }
func (a ruleAnd) eval(st func(string) string) bool   { return a.l.eval(st) && a.r.eval(st) }
func (o ruleOr) eval(st func(string) string) bool    { return o.l.eval(st) || o.r.eval(st) }

// parsedRule is an AlarmRule with the alarms it names (by name: an ARN
// is reduced to its name), in order of first mention.
type parsedRule struct {
	expr   ruleExpr
	alarms []string
}

// parseAlarmRule parses an AlarmRule; account and region are the
// alarm's, which ARNs in the rule must name.
func parseAlarmRule(s, account, region string) (*parsedRule, error) {
	if len(s) > maxRuleLength {
		return nil, fmt.Errorf("the rule is longer than %d characters", maxRuleLength)
	}
	p := &ruleParser{src: s, prefix: "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:", seen: map[string]bool{}}
	p.next()
	e, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEnd {
		return nil, fmt.Errorf("unexpected %q at position %d", p.tok.text, p.tok.pos)
	}
	if len(p.alarms) > maxRuleAlarms {
		return nil, fmt.Errorf("the rule names more than %d alarms", maxRuleAlarms)
	}
	return &parsedRule{expr: e, alarms: p.alarms}, nil
}

type tokKind int

const (
	tokEnd tokKind = iota
	tokWord
	tokQuoted
	tokOpen
	tokClose
	tokBad
)

type ruleToken struct {
	kind tokKind
	text string
	pos  int
}

type ruleParser struct {
	src    string
	i      int
	tok    ruleToken
	prefix string
	alarms []string
	seen   map[string]bool
}

// maxRuleDepth bounds nesting, so that a rule cannot exhaust the stack.
const maxRuleDepth = 100

func (p *ruleParser) next() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t' || p.src[p.i] == '\n' || p.src[p.i] == '\r') {
		p.i++
	}
	start := p.i
	if p.i >= len(p.src) {
		p.tok = ruleToken{kind: tokEnd, pos: start}
		return
	}
	switch c := p.src[p.i]; c {
	case '(':
		p.i++
		p.tok = ruleToken{kind: tokOpen, text: "(", pos: start}
	case ')':
		p.i++
		p.tok = ruleToken{kind: tokClose, text: ")", pos: start}
	case '"':
		j := strings.IndexByte(p.src[p.i+1:], '"')
		if j < 0 {
			p.i = len(p.src)
			p.tok = ruleToken{kind: tokBad, text: p.src[start:], pos: start}
			return
		}
		p.tok = ruleToken{kind: tokQuoted, text: p.src[p.i+1 : p.i+1+j], pos: start}
		p.i += j + 2
	default:
		for p.i < len(p.src) && !strings.ContainsRune(" \t\r\n()\"", rune(p.src[p.i])) {
			p.i++
		}
		p.tok = ruleToken{kind: tokWord, text: p.src[start:p.i], pos: start}
	}
}

func (p *ruleParser) or(depth int) (ruleExpr, error) {
	l, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokWord && p.tok.text == "OR" {
		p.next()
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l = ruleOr{l, r}
	}
	return l, nil
}

func (p *ruleParser) and(depth int) (ruleExpr, error) {
	l, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokWord && p.tok.text == "AND" {
		p.next()
		r, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		l = ruleAnd{l, r}
	}
	return l, nil
}

func (p *ruleParser) unary(depth int) (ruleExpr, error) {
	if depth > maxRuleDepth {
		return nil, errors.New("the rule is nested too deeply")
	}
	t := p.tok
	switch {
	case t.kind == tokOpen:
		p.next()
		e, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokClose {
			return nil, fmt.Errorf("missing ) at position %d", p.tok.pos)
		}
		p.next()
		return e, nil
	case t.kind == tokWord && t.text == "NOT":
		p.next()
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return ruleNot{x}, nil
	case t.kind == tokWord && (t.text == "TRUE" || t.text == "FALSE"):
		p.next()
		return ruleConst(t.text == "TRUE"), nil
	case t.kind == tokWord && (t.text == "ALARM" || t.text == "OK" || t.text == "INSUFFICIENT_DATA"):
		p.next()
		if p.tok.kind != tokOpen {
			return nil, fmt.Errorf("expected ( after %s at position %d", t.text, p.tok.pos)
		}
		p.next()
		if p.tok.kind != tokWord && p.tok.kind != tokQuoted || p.tok.text == "" {
			return nil, fmt.Errorf("expected an alarm name in %s at position %d", t.text, p.tok.pos)
		}
		name := p.tok.text
		if strings.HasPrefix(name, "arn:") {
			if !strings.HasPrefix(name, p.prefix) || len(name) == len(p.prefix) {
				return nil, fmt.Errorf("%s is not an alarm of this account and region", name)
			}
			name = name[len(p.prefix):]
		}
		p.next()
		if p.tok.kind != tokClose {
			return nil, fmt.Errorf("missing ) at position %d", p.tok.pos)
		}
		p.next()
		if !p.seen[name] {
			p.seen[name] = true
			p.alarms = append(p.alarms, name)
		}
		return ruleState{state: t.text, alarm: name}, nil
	case t.kind == tokEnd:
		return nil, errors.New("the rule ends too soon")
	}
	return nil, fmt.Errorf("unexpected %q at position %d", t.text, t.pos)
}
