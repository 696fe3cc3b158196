package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Policy is a parsed policy document, ready to be matched against
// requests. It is immutable and safe for concurrent use.
type Policy struct {
	// ID names the policy in denial messages: a managed policy's ARN, or
	// empty for inline, session and resource-based policies.
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	Sid  string
	Deny bool
	// Principal and NotPrincipal are nil when the statement has no such
	// element (identity-based policies never do).
	Principal, NotPrincipal *Principals
	// Actions are lower-cased patterns; NotAction is set when they came
	// from the NotAction element.
	Actions   []string
	NotAction bool
	// Resources are ARN patterns (with policy variables unresolved);
	// NotResource is set when they came from NotResource. A statement
	// with neither element (trust policies, some resource policies)
	// matches any resource.
	Resources   []string
	NotResource bool
	HasResource bool
	Conditions  []Condition
	// Start and End are where the statement is in its document (see
	// Position); zero when they could not be told.
	Start, End Position
}

// Principals is a Principal or NotPrincipal element: "*" (Any) or a map
// of principal types (AWS, Service, Federated, CanonicalUser) to values.
type Principals struct {
	Any bool
	// AWS are account ids, account root ARNs, user, role and
	// assumed-role ARNs, or "*".
	AWS []string
	// Service are service principals such as lambda.amazonaws.com.
	Service   []string
	Federated []string
}

// Condition is one operator and key of a Condition block with its values.
type Condition struct {
	// Op is the operator without its IfExists suffix and set prefix, as
	// written ("StringEquals").
	Op string
	// IfExists is the ...IfExists suffix: an absent key matches.
	IfExists bool
	// Set is "", "ForAnyValue" or "ForAllValues".
	Set string
	// Key is the condition key, lower-cased (keys are case-insensitive);
	// Name is the key as the document spells it.
	Key, Name string
	Values    []string
}

// Parse reads a policy document. It accepts what IAM accepts (see
// package iam's checkPolicyDocument) and rejects elements of the wrong
// type, an unknown Effect and unknown condition operators.
func Parse(doc string) (*Policy, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if top == nil {
		return nil, errors.New("policy: not an object")
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, errors.New("policy: no Statement")
	}
	var stmts []map[string]json.RawMessage
	if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "{") {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, fmt.Errorf("policy: Statement: %w", err)
		}
		stmts = append(stmts, one)
	} else if err := json.Unmarshal(raw, &stmts); err != nil {
		return nil, fmt.Errorf("policy: Statement: %w", err)
	}
	p := &Policy{}
	for i, st := range stmts {
		s, err := parseStatement(st)
		if err != nil {
			return nil, fmt.Errorf("policy: statement %d: %w", i, err)
		}
		p.Statements = append(p.Statements, s)
	}
	if spans := statementSpans(doc); len(spans) == len(p.Statements) {
		for i, sp := range spans {
			p.Statements[i].Start = position(doc, sp[0]+1)
			p.Statements[i].End = position(doc, sp[1])
		}
	}
	return p, nil
}

// Position is a place in a policy document as IAM's policy simulator
// reports a statement's: the 1-based line, and the 1-based column of the
// character just past the statement's opening or closing brace.
type Position struct {
	Line, Column int
}

// statementSpans returns the byte offsets of each statement object of
// the top-level Statement element of doc, [start, end) from its opening
// brace to just past its closing one; nil when doc is not an object.
// The last Statement key wins, as it does when the document is decoded.
func statementSpans(doc string) [][2]int {
	dec := json.NewDecoder(strings.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var spans [][2]int
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil
		}
		if t != "Statement" {
			continue
		}
		end := int(dec.InputOffset())
		start := end - len(raw)
		spans = spans[:0]
		if len(raw) > 0 && raw[0] == '{' {
			spans = append(spans, [2]int{start, end})
			continue
		}
		elems := json.NewDecoder(bytes.NewReader(raw))
		if _, err := elems.Token(); err != nil {
			return nil
		}
		for elems.More() {
			var el json.RawMessage
			if err := elems.Decode(&el); err != nil {
				return nil
			}
			e := int(elems.InputOffset())
			spans = append(spans, [2]int{start + e - len(el), start + e})
		}
	}
	return spans
}

// position is the Position just before byte offset off of doc.
func position(doc string, off int) Position {
	line := 1 + strings.Count(doc[:off], "\n")
	lineStart := strings.LastIndexByte(doc[:off], '\n') + 1
	return Position{Line: line, Column: utf8.RuneCountInString(doc[lineStart:off]) + 1}
}

func parseStatement(st map[string]json.RawMessage) (Statement, error) {
	var s Statement
	if st == nil {
		return s, errors.New("not an object")
	}
	if raw, ok := st["Sid"]; ok {
		_ = json.Unmarshal(raw, &s.Sid)
	}
	var effect string
	if err := json.Unmarshal(st["Effect"], &effect); err != nil || (effect != "Allow" && effect != "Deny") {
		return s, errors.New("Effect must be Allow or Deny")
	}
	s.Deny = effect == "Deny"
	var err error
	if s.Actions, s.NotAction, err = either(st, "Action", "NotAction"); err != nil {
		return s, err
	}
	for i, a := range s.Actions {
		s.Actions[i] = strings.ToLower(a)
	}
	if s.Resources, s.NotResource, err = either(st, "Resource", "NotResource"); err != nil {
		return s, err
	}
	_, hasR := st["Resource"]
	_, hasNR := st["NotResource"]
	s.HasResource = hasR || hasNR
	if raw, ok := st["Principal"]; ok {
		if s.Principal, err = parsePrincipals(raw); err != nil {
			return s, fmt.Errorf("Principal: %w", err)
		}
	}
	if raw, ok := st["NotPrincipal"]; ok {
		if s.NotPrincipal, err = parsePrincipals(raw); err != nil {
			return s, fmt.Errorf("NotPrincipal: %w", err)
		}
	}
	if raw, ok := st["Condition"]; ok {
		if s.Conditions, err = parseConditions(raw); err != nil {
			return s, fmt.Errorf("Condition: %w", err)
		}
	}
	return s, nil
}

// either reads the element name or its negation notName (a string or a
// list of strings); both at once is an error.
func either(st map[string]json.RawMessage, name, notName string) ([]string, bool, error) {
	raw, ok := st[name]
	nraw, nok := st[notName]
	switch {
	case ok && nok:
		return nil, false, fmt.Errorf("both %s and %s", name, notName)
	case ok:
		v, err := stringOrList(raw)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", name, err)
		}
		return v, false, nil
	case nok:
		v, err := stringOrList(nraw)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", notName, err)
		}
		return v, true, nil
	}
	return nil, false, nil
}

// stringOrList reads a JSON string or list of strings. Numbers and
// booleans are taken as their text, as IAM does for condition values.
func stringOrList(raw json.RawMessage) ([]string, error) {
	var one any
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	switch v := one.(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := scalar(e)
			if !ok {
				return nil, errors.New("want a string or a list of strings")
			}
			out = append(out, s)
		}
		return out, nil
	default:
		s, ok := scalar(v)
		if !ok {
			return nil, errors.New("want a string or a list of strings")
		}
		return []string{s}, nil
	}
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", v), "0"), "."), true
	}
	return "", false
}

func parsePrincipals(raw json.RawMessage) (*Principals, error) {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, errors.New(`a string Principal must be "*"`)
		}
		return &Principals{Any: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("want \"*\" or an object")
	}
	p := &Principals{}
	for k, v := range m {
		vals, err := stringOrList(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		switch k {
		case "AWS":
			p.AWS = vals
		case "Service":
			p.Service = vals
		case "Federated":
			p.Federated = vals
		case "CanonicalUser":
			// S3's canonical users are not principals virga has.
		default:
			return nil, fmt.Errorf("unknown principal type %q", k)
		}
	}
	return p, nil
}

// operators are the condition operators IAM documents ("IAM JSON policy
// elements: Condition operators"), lower-cased, without IfExists.
var operators = func() map[string]string {
	m := map[string]string{}
	for _, op := range []string{
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
		"NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
		"DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
		"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
	} {
		m[strings.ToLower(op)] = op
	}
	return m
}()

func parseConditions(raw json.RawMessage) ([]Condition, error) {
	var block map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &block); err != nil {
		return nil, errors.New("want an object of operators")
	}
	var out []Condition
	for opName, keys := range block {
		c := Condition{}
		name := opName
		if set, rest, ok := strings.Cut(name, ":"); ok {
			switch strings.ToLower(set) {
			case "foranyvalue":
				c.Set = "ForAnyValue"
			case "forallvalues":
				c.Set = "ForAllValues"
			default:
				return nil, fmt.Errorf("unknown set operator %q", set)
			}
			name = rest
		}
		lower := strings.ToLower(name)
		if strings.HasSuffix(lower, "ifexists") && lower != "null" {
			c.IfExists = true
			lower = strings.TrimSuffix(lower, "ifexists")
		}
		op, ok := operators[lower]
		if !ok || (op == "Null" && c.IfExists) {
			return nil, fmt.Errorf("unknown operator %q", opName)
		}
		c.Op = op
		for key, v := range keys {
			vals, err := stringOrList(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", opName, key, err)
			}
			cc := c
			cc.Key, cc.Name = strings.ToLower(key), key
			cc.Values = vals
			out = append(out, cc)
		}
	}
	// Map order is random; keep evaluation and tests deterministic.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Op != out[j].Op {
			return out[i].Op < out[j].Op
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}
