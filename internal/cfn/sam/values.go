package sam

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The tree is plain values (map[string]any, []any, string, json.Number,
// bool, nil); these helpers read and build it.

// asMap returns v as a map when it is one and not an intrinsic function,
// which stands for a value the transform cannot see.
func asMap(v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok || isIntrinsic(m) {
		return nil
	}
	return m
}

// asList returns v as a list, or nil.
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// asString returns v as a string when it is one.
func asString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// isIntrinsic reports whether v is an intrinsic function: a map with one
// key that is Ref, Condition or Fn::Something.
func isIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// truthy reports whether v is true, written as a boolean or as the text
// "true" (YAML and JSON may spell it either way).
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// isFalse reports whether v is false, as a boolean or text.
func isFalse(v any) bool {
	switch v := v.(type) {
	case bool:
		return !v
	case string:
		return strings.EqualFold(v, "false")
	}
	return false
}

// scalarString is a number or text as text, as SAM writes the status
// codes it passes on; false for anything else (an intrinsic function).
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// number makes a template number.
func number(n int) json.Number { return json.Number(strconv.Itoa(n)) }

// clone copies a tree deeply so that the transform never changes its
// input and never shares a node between two places of its output.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = clone(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = clone(e)
		}
		return l
	}
	return v
}

// cloneMap copies a map deeply; nil stays nil.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return clone(m).(map[string]any)
}

// sortedKeys returns a map's keys in order, so that output built by
// walking a map does not depend on Go's map order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// ref is {"Ref": id}.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }

// getAtt is {"Fn::GetAtt": [id, attr]}.
func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}

// sub is {"Fn::Sub": s}.
func sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }

// subVars is {"Fn::Sub": [s, vars]}.
func subVars(s string, vars map[string]any) map[string]any {
	return map[string]any{"Fn::Sub": []any{s, vars}}
}

// hashOf returns the hexadecimal SHA-1 of the canonical JSON of the
// values: maps are written with sorted keys, so equal trees hash alike.
// SAM names generated resources whose identity is their content (API
// deployments, Lambda versions, layer versions) by such digests.
func hashOf(values ...any) string {
	h := sha1.New()
	for _, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			// Only plain values reach here; a failure would be a
			// programming error, and the digest stays deterministic.
			b = []byte(err.Error())
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// logicalIDHashLength is how many hexadecimal digits of a digest SAM
// appends to a logical ID (MyFunctionVersion926eeb5ff1).
const logicalIDHashLength = 10

// alphanumeric keeps the letters and digits of s, which is how a stage or
// alias name becomes part of a logical ID.
func alphanumeric(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isAlphanumeric reports whether s is non-empty letters and digits only.
func isAlphanumeric(s string) bool {
	return s != "" && alphanumeric(s) == s
}

// tagList turns SAM's map of tags into CloudFormation's list of
// {Key, Value}, sorted by key, after the leading tags.
func tagList(leading []map[string]any, tags map[string]any) []any {
	out := make([]any, 0, len(leading)+len(tags))
	for _, t := range leading {
		out = append(out, t)
	}
	for _, k := range sortedKeys(tags) {
		out = append(out, map[string]any{"Key": k, "Value": tags[k]})
	}
	return out
}

// samTag is the tag SAM puts on the functions and roles it creates.
func samTag() map[string]any {
	return map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}
}

// partitionOf is the AWS partition a region belongs to.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

// lambdaInvocationURI is the URI API Gateway invokes a function by, with
// target the function (or alias) ARN as a Fn::Sub variable reference,
// such as "${MyFunction.Arn}".
func lambdaInvocationURI(target string) map[string]any {
	return sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/" + target + "/invocations")
}
