package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
)

// props are a resource's evaluated properties, or one of their objects.
type props map[string]any

// has reports whether the property is set.
func (p props) has(k string) bool {
	_, ok := p[k]
	return ok
}

// str returns a scalar property as text ("" when absent).
func (p props) str(k string) string {
	s, _ := text(p[k])
	return s
}

// obj returns an object property, or nil.
func (p props) obj(k string) props {
	m, _ := p[k].(map[string]any)
	return m
}

// list returns a list property, or nil.
func (p props) list(k string) []any {
	l, _ := p[k].([]any)
	return l
}

// flag returns a boolean property; text is read as CloudFormation reads
// it ("true", "false").
func (p props) flag(k string) bool {
	switch v := p[k].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// pick copies the properties named that are set into dst.
func (p props) pick(dst map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		if v, ok := p[k]; ok && v != nil {
			dst[k] = v
		}
	}
	return dst
}

// changed reports whether any of the properties named differ between
// old and new.
func changed(old, new props, keys ...string) bool {
	for _, k := range keys {
		if !resource.Equal(old[k], new[k]) {
			return true
		}
	}
	return false
}

// text formats a scalar as an API takes it as text: strings as they are,
// numbers in their spelling, booleans as true and false.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

// jsonText returns a property that AWS takes as a JSON object or as its
// text (a policy, an event pattern) as text.
func jsonText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	// CloudFormation writes <, > and & as they are: a numeric filter
	// (">", 100) reads back as written, not as \u003e.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("encoding a JSON property: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// kind is the type a member takes, for coerce.
type kind int

const (
	number kind = iota + 1
	boolean
	// stringKind is a member the schema types as a String that templates often
	// write as a number (a FixedResponseConfig's StatusCode: 404, an
	// attribute's Value: 60): CloudFormation passes the number's text.
	stringKind
)

// coerce returns a copy of v in which the members named in kinds that
// hold text ("256", "true") hold a number or a boolean instead, and
// those of kind stringKind that hold a number or a boolean hold its text, at
// any depth, as CloudFormation converts a template's values (parameters
// are text) to the types a resource's schema gives its properties. A
// key "Parent.Member" in kinds names the member only inside the object
// property Parent, and wins over the plain "Member" there (a
// RedirectConfig's Port is text where a Listener's is a number). Text
// that is not a number or a boolean is left for the API to refuse.
func coerce(v any, kinds map[string]kind) any { return coerceIn(v, kinds, "") }

func coerceIn(v any, kinds map[string]kind, parent string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			want, ok := kinds[parent+"."+k]
			if !ok {
				want = kinds[k]
			}
			switch s := e.(type) {
			case string:
				switch want {
				case number:
					if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
						out[k] = json.Number(strings.TrimSpace(s))
						continue
					}
				case boolean:
					if strings.EqualFold(s, "true") || strings.EqualFold(s, "false") {
						out[k] = strings.EqualFold(s, "true")
						continue
					}
				}
			case json.Number, float64, bool:
				if want == stringKind {
					out[k] = fmt.Sprint(s)
					continue
				}
			}
			out[k] = coerceIn(e, kinds, k)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = coerceIn(e, kinds, parent)
		}
		return out
	}
	return v
}

// coerced returns a request's properties and, for an update, its old
// properties, coerced.
func coerced(r *resource.Request, kinds map[string]kind) (cur, old props) {
	cur, _ = coerce(r.Properties, kinds).(map[string]any)
	old, _ = coerce(r.OldProperties, kinds).(map[string]any)
	return cur, old
}

// call runs an operation of a service for a provider.
func call(ctx context.Context, r *resource.Request, service, op string, in map[string]any) (map[string]any, error) {
	if r.Env == nil || r.Env.Call == nil {
		return nil, errors.New("providers: the request has no environment to call services in")
	}
	return r.Env.Call(ctx, service, op, in)
}

// notFoundCodes are the error codes with which virga's services (as
// AWS's) say that what an operation names does not exist.
var notFoundCodes = map[string]bool{
	"ResourceNotFoundException":               true, // DynamoDB, Lambda, EventBridge, Scheduler, Logs
	"NotFound":                                true, // SNS topics and subscriptions
	"ResourceNotFound":                        true, // SNS tagging
	"NotFoundException":                       true, // API Gateway
	"QueueDoesNotExist":                       true, // SQS (awsJson)
	"AWS.SimpleQueueService.NonExistentQueue": true, // SQS (awsQuery)
	"NoSuchBucket":                            true, // S3
	"ParameterNotFound":                       true, // Systems Manager Parameter Store
	"TrailNotFoundException":                  true, // CloudTrail
	"NoSuchEntity":                            true, // IAM
	"ConfigurationSetDoesNotExist":            true, // SES (v1)
	"RepositoryNotFoundException":             true, // ECR
	"ListenerNotFound":                        true, // Elastic Load Balancing v2
	"RuleNotFound":                            true,
	"TargetGroupNotFound":                     true,
	"LoadBalancerNotFound":                    true,
	"ServiceNotFoundException":                true, // ECS
	"ClusterNotFoundException":                true, // ECS
	"UserNotFoundException":                   true, // Cognito user pools' users
	"DashboardNotFoundError":                  true, // CloudWatch dashboards
	"InvalidVpcID.NotFound":                   true, // EC2
	"InvalidSubnetID.NotFound":                true,
	"InvalidGroup.NotFound":                   true,
	"InvalidPermission.NotFound":              true,
	"InvalidAllocationID.NotFound":            true,
	"NatGatewayNotFound":                      true,
	"NoSuchHostedZone":                        true, // Route 53
	"NoSuchHealthCheck":                       true, // Route 53
	"ObjectNotFoundException":                 true, // Application Auto Scaling
}

// gone reports whether err says that the resource does not exist, which
// Delete takes for success.
func gone(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && notFoundCodes[e.Code]
}

// ignoreGone returns err unless it says that the resource is gone.
func ignoreGone(err error) error {
	if gone(err) {
		return nil
	}
	return err
}

// tagMap reads CloudFormation's tag list ([{Key, Value}]) as a map.
func tagMap(v any) map[string]string {
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil
	}
	out := make(map[string]string, len(l))
	for _, e := range l {
		t := props(asMap(e))
		out[t.str("Key")] = t.str("Value")
	}
	return out
}

// tagList is a tag map as the APIs that take a list of {Key, Value}
// want it, in key order.
func tagList(m map[string]string) []any {
	out := make([]any, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, map[string]any{"Key": k, "Value": m[k]})
	}
	return out
}

// tagDiff says which tags an update sets (added or changed) and which it
// removes.
func tagDiff(old, new map[string]string) (set map[string]string, removed []string) {
	set = map[string]string{}
	for k, v := range new {
		if w, ok := old[k]; !ok || w != v {
			set[k] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(old)) {
		if _, ok := new[k]; !ok {
			removed = append(removed, k)
		}
	}
	return set, removed
}

// asMap returns v as an object, or nil.
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// stringMap reads an object of scalars as a map of text (environment
// variables, which templates may give as numbers or booleans).
func stringMap(v any) map[string]any {
	m := asMap(v)
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		if s, ok := text(e); ok {
			out[k] = s
		} else {
			out[k] = e
		}
	}
	return out
}

// outStr reads a text member of an operation's output.
func outStr(out map[string]any, k string) string {
	s, _ := text(out[k])
	return s
}

// anyStrings returns a list of text as []any, for an input document.
func anyStrings(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// anyMap returns a map of text as map[string]any, for an input document.
func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
