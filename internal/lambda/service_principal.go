package lambda

import (
	"encoding/json"
	"strings"

	iampolicy "github.com/virga/virga/internal/iam/policy"
	"github.com/virga/virga/internal/wildcard"
)

// AllowsService reports whether the resource-based policy of the
// function (or version or alias) the ARN names lets an AWS service
// principal (lambda.alarms.cloudwatch.amazonaws.com) invoke it on behalf
// of sourceARN in sourceAccount: a statement that allows
// lambda:InvokeFunction (or lambda:*) to that service or to "*", whose
// AWS:SourceArn and AWS:SourceAccount conditions, when present, hold.
// The policy of the qualifier the ARN names is the one that applies, as
// Lambda evaluates permissions of a qualified invocation.
func (s *Service) AllowsService(function, service, sourceARN, sourceAccount string) bool {
	t, err := s.parseTarget(function, nil)
	if err != nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn := s.functions[t.Name]
	if fn == nil {
		return false
	}
	p := fn.Policies[t.Qualifier]
	if p == nil {
		return false
	}
	for _, raw := range p.Statements {
		var st struct {
			Effect    string
			Principal any
			Action    any
			Condition map[string]map[string]any
		}
		if json.Unmarshal(raw, &st) != nil || st.Effect != "Allow" {
			continue
		}
		if !principalIs(st.Principal, service) || !anyOf(st.Action, func(a string) bool {
			return a == "lambda:InvokeFunction" || a == "lambda:*" || a == "*"
		}) {
			continue
		}
		if conditionsHold(st.Condition, sourceARN, sourceAccount) {
			return true
		}
	}
	return false
}

func principalIs(p any, service string) bool {
	switch x := p.(type) {
	case string:
		return x == "*"
	case map[string]any:
		return anyOf(x["Service"], func(s string) bool { return s == service }) || anyOf(x["AWS"], func(s string) bool { return s == "*" })
	}
	return false
}

// anyOf reports whether v, a string or a list of strings, has one for
// which ok holds.
func anyOf(v any, ok func(string) bool) bool {
	switch x := v.(type) {
	case string:
		return ok(x)
	case []any:
		for _, e := range x {
			if s, isStr := e.(string); isStr && ok(s) {
				return true
			}
		}
	}
	return false
}

// conditionsHold evaluates the condition keys a service invocation
// carries: AWS:SourceArn (ArnLike, ArnEquals, StringEquals, StringLike)
// and AWS:SourceAccount (StringEquals, StringLike). A statement with
// any other condition key is not taken to allow the invocation.
func conditionsHold(conds map[string]map[string]any, sourceARN, sourceAccount string) bool {
	for op, keys := range conds {
		for key, want := range keys {
			var got string
			switch strings.ToLower(key) {
			case "aws:sourcearn":
				got = sourceARN
			case "aws:sourceaccount":
				got = sourceAccount
			default:
				return false
			}
			var match func(string) bool
			switch op {
			case "StringEquals":
				match = func(w string) bool { return w == got }
			case "StringLike":
				match = func(w string) bool { return wildcard.Match(w, got, wildcard.Question) }
			case "ArnEquals", "ArnLike":
				match = func(w string) bool { return iampolicy.ArnLike(w, got) }
			default:
				return false
			}
			if !anyOf(want, match) {
				return false
			}
		}
	}
	return true
}
