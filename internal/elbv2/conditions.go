package elbv2

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/virga/virga/internal/wildcard"
)

// Condition limits, from "Quotas for your Application Load Balancers"
// and the condition configs' API references.
const (
	maxConditionValues = 5   // "Condition values per rule: 5"
	maxConditionValue  = 128 // "The maximum size of each string is 128 characters"
	maxWildcards       = 5   // "Condition wildcards per rule: 5"
)

// singleConditions may appear at most once in a rule.
var singleConditions = []string{"host-header", "http-request-method", "path-pattern", "source-ip"}

var (
	methodRE = regexp.MustCompile(`^[A-Z_-]+$`)
	// hostRE is a host-header value: "A-Z, a-z, 0-9 - . * ?".
	hostRE = regexp.MustCompile(`^[A-Za-z0-9.*?-]+$`)
)

// conditionValues returns a condition's values, whichever form gave
// them: Values (host-header and path-pattern only) or the Config.
func conditionValues(c RuleCondition) (field string, values []string, err error) {
	field = deref(c.Field)
	if field == "" {
		return "", nil, validation("A condition field must be specified")
	}
	fromConfig := func(present bool, vs []string) ([]string, error) {
		if present && len(c.Values) > 0 {
			return nil, validation("You cannot specify both 'Values' and '%s' config for a '%s' condition", field, field)
		}
		if present {
			return vs, nil
		}
		return c.Values, nil
	}
	switch field {
	case "host-header":
		values, err = fromConfig(c.HostHeaderConfig != nil, cfgValues(c.HostHeaderConfig))
	case "path-pattern":
		values, err = fromConfig(c.PathPatternConfig != nil, cfgValues(c.PathPatternConfig))
	case "http-header":
		if c.HttpHeaderConfig == nil || len(c.Values) > 0 {
			return "", nil, validation("An 'HttpHeaderConfig' must be specified for a 'http-header' condition")
		}
		values = c.HttpHeaderConfig.Values
	case "http-request-method":
		if c.HttpRequestMethodConfig == nil || len(c.Values) > 0 {
			return "", nil, validation("An 'HttpRequestMethodConfig' must be specified for a 'http-request-method' condition")
		}
		values = c.HttpRequestMethodConfig.Values
	case "query-string":
		if c.QueryStringConfig == nil || len(c.Values) > 0 {
			return "", nil, validation("A 'QueryStringConfig' must be specified for a 'query-string' condition")
		}
		for _, kv := range c.QueryStringConfig.Values {
			values = append(values, deref(kv.Key)+"="+deref(kv.Value))
		}
	case "source-ip":
		if c.SourceIpConfig == nil || len(c.Values) > 0 {
			return "", nil, validation("A 'SourceIpConfig' must be specified for a 'source-ip' condition")
		}
		values = c.SourceIpConfig.Values
	default:
		return "", nil, validation("Condition field '%s' must be one of [http-header, http-request-method, host-header, path-pattern, query-string, source-ip]", field)
	}
	return field, values, err
}

type valuesConfig interface {
	*HostHeaderConditionConfig | *PathPatternConditionConfig
}

func cfgValues[T valuesConfig](c T) []string {
	switch v := any(c).(type) {
	case *HostHeaderConditionConfig:
		if v != nil {
			return v.Values
		}
	case *PathPatternConditionConfig:
		if v != nil {
			return v.Values
		}
	}
	return nil
}

// checkConditions checks a rule's conditions against ALB's rules and
// quotas.
func checkConditions(cs []RuleCondition) error {
	if len(cs) == 0 {
		return validation("A rule must have at least one condition")
	}
	seen := map[string]bool{}
	total, wildcards := 0, 0
	for _, c := range cs {
		field, values, err := conditionValues(c)
		if err != nil {
			return err
		}
		for _, f := range singleConditions {
			if f == field && seen[f] {
				return validation("A rule can only have one '%s' condition", field)
			}
		}
		seen[field] = true
		if len(values) == 0 {
			return validation("A condition value must be specified for a '%s' condition", field)
		}
		total += len(values)
		for _, v := range values {
			if v == "" || (field == "query-string" && v == "=") {
				return validation("A condition value cannot be empty")
			}
			if len(v) > maxConditionValue {
				return validation("The value '%s' is longer than %d characters", v, maxConditionValue)
			}
			if field != "source-ip" && field != "http-request-method" {
				wildcards += strings.Count(v, "*") + strings.Count(v, "?")
			}
			switch field {
			case "http-request-method":
				if !methodRE.MatchString(v) {
					return validation("The HTTP request method '%s' can contain only A-Z, hyphen (-) and underscore (_)", v)
				}
			case "host-header":
				if !hostRE.MatchString(v) {
					return validation("The host header '%s' can contain only A-Z, a-z, 0-9, hyphen (-), period (.), and the wildcards * and ?", v)
				}
			case "source-ip":
				if _, _, err := net.ParseCIDR(v); err != nil {
					return validation("The source IP '%s' must be in CIDR format", v)
				}
			case "query-string":
				if strings.HasSuffix(v, "=") {
					return validation("A query string condition value must be specified")
				}
			}
		}
		if field == "http-header" {
			name := deref(c.HttpHeaderConfig.HttpHeaderName)
			if name == "" || len(name) > 40 {
				return validation("The HTTP header name '%s' must be between 1 and 40 characters", name)
			}
		}
	}
	if total > maxConditionValues {
		return validation("A rule can only have '%d' condition values", maxConditionValues)
	}
	if wildcards > maxWildcards {
		return validation("A rule can only have '%d' wildcards", maxWildcards)
	}
	return nil
}

// request is what rule conditions look at.
type request struct {
	host, path, method string
	header             http.Header
	query              url.Values
	source             net.IP
}

// conditionsMatch reports whether every condition of a rule matches the
// request; within one condition, any of its values.
func conditionsMatch(cs []RuleCondition, r request) bool {
	for _, c := range cs {
		if !conditionMatches(c, r) {
			return false
		}
	}
	return true
}

func conditionMatches(c RuleCondition, r request) bool {
	field, values, err := conditionValues(c)
	if err != nil {
		return false
	}
	switch field {
	case "host-header":
		host := r.host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		for _, v := range values {
			if wildcard.Match(v, host, wildcard.Question|wildcard.FoldCase) {
				return true
			}
		}
	case "path-pattern":
		for _, v := range values {
			if wildcard.Match(v, r.path, wildcard.Question) {
				return true
			}
		}
	case "http-header":
		for _, got := range r.header.Values(deref(c.HttpHeaderConfig.HttpHeaderName)) {
			for _, v := range values {
				if wildcard.Match(v, got, wildcard.Question|wildcard.FoldCase) {
					return true
				}
			}
		}
	case "http-request-method":
		for _, v := range values {
			if v == r.method {
				return true
			}
		}
	case "query-string":
		for _, kv := range c.QueryStringConfig.Values {
			key, want := deref(kv.Key), deref(kv.Value)
			for k, vs := range r.query {
				if key != "" && !wildcard.Match(key, k, wildcard.Question|wildcard.FoldCase) {
					continue
				}
				for _, got := range vs {
					if wildcard.Match(want, got, wildcard.Question|wildcard.FoldCase) {
						return true
					}
				}
			}
		}
	case "source-ip":
		for _, v := range values {
			if _, n, err := net.ParseCIDR(v); err == nil && r.source != nil && n.Contains(r.source) {
				return true
			}
		}
	}
	return false
}

// describeCondition fills in the Values or Config form a condition was
// not given in, as DescribeRules answers both.
func describeCondition(c RuleCondition) RuleCondition {
	field := deref(c.Field)
	switch field {
	case "host-header":
		vs := c.Values
		if c.HostHeaderConfig != nil {
			vs = c.HostHeaderConfig.Values
		}
		c.Values, c.HostHeaderConfig = vs, &HostHeaderConditionConfig{Values: vs}
	case "path-pattern":
		vs := c.Values
		if c.PathPatternConfig != nil {
			vs = c.PathPatternConfig.Values
		}
		c.Values, c.PathPatternConfig = vs, &PathPatternConditionConfig{Values: vs}
	}
	return c
}
