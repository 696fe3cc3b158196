package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/wildcard"
)

// Request is what a statement is matched against: one action on one
// resource by one principal, with the request context's condition keys.
type Request struct {
	// Action is "prefix:Operation", such as "dynamodb:PutItem".
	Action string
	// Resource is the resource's ARN, or "*" for actions on no resource.
	Resource string
	// Principal is who makes the request, for resource-based policies'
	// Principal and NotPrincipal elements.
	Principal Principal
	// Context holds the condition keys of the request, lower-cased
	// (aws:username, aws:principaltag/team), with their values.
	Context map[string][]string
}

// Principal is the caller as resource-based policies name it.
type Principal struct {
	// ARN is an IAM user's ARN, a role session's assumed-role ARN, or
	// the account root's ARN.
	ARN string
	// Account is the caller's account id.
	Account string
	// RoleARN is the role of a role session (empty otherwise): a
	// resource-based policy naming the role applies to its sessions.
	RoleARN string
	// Service is set instead for a service principal
	// (lambda.amazonaws.com).
	Service string
	// Federated is set instead for a web identity's provider
	// (cognito-identity.amazonaws.com, an OpenID Connect provider's
	// ARN), as a role's trust policy names
	// it for AssumeRoleWithWebIdentity.
	Federated string
}

// principalMatch is how a statement's Principal names the caller, from
// weakest to strongest: AWS's same-account rule gives a resource-based
// policy that names the caller's own ARN more weight than one that names
// its account.
type principalMatch int

const (
	noMatch principalMatch = iota
	// accountMatch: the statement names the caller's account (its id or
	// its root ARN); the account must still delegate through identity
	// policies.
	accountMatch
	// roleMatch: the statement names the role whose session calls.
	roleMatch
	// exactMatch: the statement names the caller itself, or everyone.
	exactMatch
)

// matches reports whether s applies to r, and how its Principal named
// the caller (exactMatch when it has no Principal element).
func (s *Statement) matches(r *Request) (bool, principalMatch) {
	pm := exactMatch
	if s.Principal != nil {
		if pm = s.Principal.match(r.Principal); pm == noMatch {
			return false, noMatch
		}
	}
	if s.NotPrincipal != nil && s.NotPrincipal.match(r.Principal) != noMatch {
		return false, noMatch
	}
	if !s.matchAction(r.Action) || !s.matchResource(r) || !s.matchConditions(r) {
		return false, noMatch
	}
	return true, pm
}

// applies reports whether s is about r: its principal, action and
// resource match, whatever its conditions say.
func (s *Statement) applies(r *Request) bool {
	if s.Principal != nil && s.Principal.match(r.Principal) == noMatch {
		return false
	}
	if s.NotPrincipal != nil && s.NotPrincipal.match(r.Principal) != noMatch {
		return false
	}
	return s.matchAction(r.Action) && s.matchResource(r)
}

func (s *Statement) matchAction(action string) bool {
	action = strings.ToLower(action)
	hit := false
	for _, a := range s.Actions {
		if wildcard.Match(a, action, wildcard.Question) {
			hit = true
			break
		}
	}
	return hit != s.NotAction
}

func (s *Statement) matchResource(r *Request) bool {
	if !s.HasResource {
		return true
	}
	hit := false
	for _, pat := range s.Resources {
		pat, ok := substitute(pat, r.Context)
		if ok && arnLike(pat, r.Resource) {
			hit = true
			break
		}
	}
	return hit != s.NotResource
}

func (s *Statement) matchConditions(r *Request) bool {
	for i := range s.Conditions {
		if !s.Conditions[i].eval(r.Context) {
			return false
		}
	}
	return true
}

func (p *Principals) match(c Principal) principalMatch {
	if p.Any {
		return exactMatch
	}
	best := noMatch
	for _, v := range p.AWS {
		m := noMatch
		switch {
		case v == "*":
			m = exactMatch
		case c.ARN != "" && v == c.ARN:
			m = exactMatch
		case c.RoleARN != "" && v == c.RoleARN:
			m = roleMatch
		case c.Account != "" && (v == c.Account || v == "arn:aws:iam::"+c.Account+":root"):
			m = accountMatch
		}
		best = max(best, m)
	}
	for _, v := range p.Service {
		if c.Service != "" && v == c.Service {
			best = exactMatch
		}
	}
	for _, v := range p.Federated {
		if c.Federated != "" && v == c.Federated {
			best = exactMatch
		}
	}
	return best
}

// negated maps each negated condition operator to its positive form.
var negated = map[string]string{
	"StringNotEquals":           "StringEquals",
	"StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike":             "StringLike",
	"NumericNotEquals":          "NumericEquals",
	"DateNotEquals":             "DateEquals",
	"NotIpAddress":              "IpAddress",
	"ArnNotEquals":              "ArnEquals",
	"ArnNotLike":                "ArnLike",
}

// eval applies the condition to the request context as IAM documents:
// the policy's values are ORed; a key absent from the context fails a
// positive operator and satisfies a negated one (and ...IfExists, and
// ForAllValues); ForAnyValue needs one request value to match, and
// ForAllValues every one.
func (c *Condition) eval(ctx map[string][]string) bool {
	vals, present := ctx[c.Key]
	present = present && len(vals) > 0
	if c.Op == "Null" {
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") == !present {
				return true
			}
		}
		return false
	}
	pos, neg := negated[c.Op]
	if !neg {
		pos = c.Op
	}
	if !present {
		switch {
		case c.Set == "ForAllValues":
			return true
		case c.Set == "ForAnyValue":
			return false
		case c.IfExists:
			return true
		}
		return neg
	}
	// single reports whether one request value satisfies the operator.
	single := func(v string) bool {
		hit := false
		for _, want := range c.Values {
			if compare(pos, want, v, ctx) {
				hit = true
				break
			}
		}
		return hit != neg
	}
	switch {
	case c.Set == "ForAllValues" || (c.Set == "" && neg):
		for _, v := range vals {
			if !single(v) {
				return false
			}
		}
		return true
	default:
		for _, v := range vals {
			if single(v) {
				return true
			}
		}
		return false
	}
}

// compare applies a positive operator to a policy value and a request
// value.
func compare(op, want, got string, ctx map[string][]string) bool {
	switch op {
	case "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike":
		var ok bool
		if want, ok = substitute(want, ctx); !ok {
			return false
		}
	}
	switch op {
	case "StringEquals":
		return unescape(want) == got
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(unescape(want), got)
	case "StringLike":
		return wildcard.Match(want, got, patternFlags)
	case "ArnEquals", "ArnLike":
		return arnLike(want, got)
	case "Bool":
		return strings.EqualFold(want, got)
	case "BinaryEquals":
		return want == got
	case "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
		w, err1 := strconv.ParseFloat(want, 64)
		g, err2 := strconv.ParseFloat(got, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return ordered(op[len("Numeric"):], cmp(g, w))
	case "DateEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals":
		w, ok1 := parseDate(want)
		g, ok2 := parseDate(got)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op[len("Date"):], g.Compare(w))
	case "IpAddress":
		addr, err := netip.ParseAddr(got)
		if err != nil {
			return false
		}
		if pfx, err := netip.ParsePrefix(want); err == nil {
			return pfx.Contains(addr.Unmap())
		}
		w, err := netip.ParseAddr(want)
		return err == nil && w == addr.Unmap()
	}
	return false
}

func cmp(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ordered reports whether a comparison result c (request value against
// policy value) satisfies the operator's relation.
func ordered(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThan":
		return c > 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// parseDate reads the date forms condition values use: ISO 8601 (a date,
// or a date and time) or seconds since the epoch.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

// patternFlags is the syntax of a Resource or condition value once
// substitute has run: '*' and '?' are wildcards and '\' makes the next
// character literal, which is how ${*} and ${?} (and any '\' the policy
// itself holds) reach the matcher.
const patternFlags = wildcard.Question | wildcard.Escape

// substitute replaces policy variables (${aws:username},
// ${aws:PrincipalTag/team}, ${*}, ${?}, ${$}) with their values from the
// context and returns the pattern in patternFlags syntax. It reports
// false when a variable has no value (and no ${key, 'default'}): IAM
// then treats the element as not matching.
func substitute(pat string, ctx map[string][]string) (string, bool) {
	if !strings.Contains(pat, "${") && !strings.Contains(pat, `\`) {
		return pat, true
	}
	var b strings.Builder
	text := func(s string) { b.WriteString(strings.ReplaceAll(s, `\`, `\\`)) }
	for {
		i := strings.Index(pat, "${")
		if i < 0 {
			text(pat)
			return b.String(), true
		}
		j := strings.IndexByte(pat[i:], '}')
		if j < 0 {
			text(pat)
			return b.String(), true
		}
		text(pat[:i])
		name := pat[i+2 : i+j]
		pat = pat[i+j+1:]
		switch name {
		case "*", "?":
			b.WriteString(`\` + name)
			continue
		case "$":
			b.WriteByte('$')
			continue
		}
		key, def, hasDef := strings.Cut(name, ",")
		key = strings.ToLower(strings.TrimSpace(key))
		if v, ok := ctx[key]; ok && len(v) == 1 {
			text(v[0])
			continue
		}
		if hasDef {
			def = strings.TrimSpace(def)
			if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
				text(def[1 : len(def)-1])
				continue
			}
		}
		return "", false
	}
}

// unescape is the literal string a substituted pattern stands for, for
// the operators that take no wildcards (StringEquals and its kin).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++ // substitute escapes only ASCII characters
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ArnLike reports whether arn matches pattern as IAM's ArnLike and
// ArnEquals condition operators and Resource elements compare them: each
// of the six colon-separated parts (the last of which may hold colons)
// matches its own part, '*' standing for any run of characters and '?'
// for one, so a wildcard does not reach across a colon before the
// resource part. Anything that is not six parts compares whole.
func ArnLike(pattern, arn string) bool { return arnParts(pattern, arn, wildcard.Question) }

// arnLike is ArnLike for a pattern that has been through substitute.
func arnLike(pat, arn string) bool { return arnParts(pat, arn, patternFlags) }

// arnParts matches an ARN against a pattern part by part. Splitting at
// colons keeps escapes whole: substitute escapes no colon.
func arnParts(pat, arn string, f wildcard.Flags) bool {
	if pat == "*" {
		return true
	}
	pp := strings.SplitN(pat, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return wildcard.Match(pat, arn, f)
	}
	for i := range pp {
		if !wildcard.Match(pp[i], ap[i], f) {
			return false
		}
	}
	return true
}
