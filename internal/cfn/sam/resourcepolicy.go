package sam

import (
	"reflect"
	"slices"
	"strings"
)

// apiPolicyKey is where an OpenAPI document carries the REST API's
// resource policy, which API Gateway takes on import.
const apiPolicyKey = "x-amazon-apigateway-policy"

// resourcePolicies writes the API's Auth.ResourcePolicy, and those of
// its events' Auth, into the document's resource policy, as SAM's
// translator does: the events' first, each for the methods of its path
// (the operations on it so far), then the API's for each path of the
// document, and last the API's CustomStatements. Each option becomes
// statements on execute-api:Invoke for the path's methods in the API's
// stage, written "execute-api:/STAGE/METHOD/PATH" (API Gateway expands
// the short form to the method's ARN when it saves the policy):
//
//   - AwsAccountWhitelist and AwsAccountBlacklist allow and deny the
//     accounts named as Principal AWS;
//   - IpRangeWhitelist and IpRangeBlacklist allow everyone, then deny
//     the addresses outside the ranges (NotIpAddress aws:SourceIp) or
//     inside them (IpAddress);
//   - SourceVpcWhitelist and SourceVpcBlacklist, with their intrinsic
//     forms IntrinsicVpc(e)Whitelist and IntrinsicVpc(e)Blacklist, allow
//     everyone and deny the requests not from (StringNotEquals) or from
//     (StringEquals) the VPCs (aws:SourceVpc, vpc-...) and VPC endpoints
//     (aws:SourceVpce, vpce-...);
//   - CustomStatements are added as they are.
//
// An Allow-everyone or Deny statement already present is not repeated,
// nor is a custom statement; the account statements always are.
func (t *transformer) resourcePolicies(api *restAPI, auth map[string]any) error {
	paths, _ := api.body["paths"].(map[string]any)
	// A path's operations, in the order they were added.
	added := map[string][]string{}
	for _, m := range api.methods {
		if api.userBody && !truthy(m.auth["OverrideApiAuth"]) {
			continue // SAM leaves a document the template wrote alone
		}
		added[m.path] = append(added[m.path], m.key)
		rp := m.auth["ResourcePolicy"]
		if rp == nil || isEmpty(rp) || rp == false {
			continue
		}
		p := asMap(rp)
		if p == nil {
			// SAM names the event alone here.
			return resourceError(m.event, "Property 'Auth.ResourcePolicy' should be a map.")
		}
		methods := added[m.path]
		if api.userBody {
			methods = sortedKeys(asMap(paths[m.path]))
		}
		if err := t.addResourcePolicy(api, p, m.path, methods); err != nil {
			return err
		}
		if err := addCustomStatements(api, p["CustomStatements"]); err != nil {
			return err
		}
	}
	rp := auth["ResourcePolicy"]
	if rp == nil || isEmpty(rp) || rp == false {
		return nil
	}
	p := asMap(rp)
	if p == nil {
		return structureError("ResourcePolicy must be a map (ResourcePolicyStatement).")
	}
	for _, path := range documentPaths(api, paths) {
		var methods []string
		if !api.userBody {
			// The operations as added, then any the document had.
			methods = append(methods, added[path]...)
		}
		for _, k := range sortedKeys(asMap(paths[path])) {
			if !slices.Contains(methods, k) {
				methods = append(methods, k)
			}
		}
		if err := t.addResourcePolicy(api, p, path, methods); err != nil {
			return err
		}
	}
	return addCustomStatements(api, p["CustomStatements"])
}

// documentPaths are the document's paths in the order SAM has them: as
// the events added them, then the others.
func documentPaths(api *restAPI, paths map[string]any) []string {
	var out []string
	for _, m := range api.methods {
		if _, ok := paths[m.path]; ok && !slices.Contains(out, m.path) {
			out = append(out, m.path)
		}
	}
	for _, p := range sortedKeys(paths) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// addResourcePolicy adds the statements of one ResourcePolicy for the
// methods of one path.
func (t *transformer) addResourcePolicy(api *restAPI, p map[string]any, path string, methods []string) error {
	pol := documentPolicy(api)
	resources := policyResources(path, methods, api.stageName)
	for _, acct := range []struct{ key, effect string }{{"AwsAccountWhitelist", "Allow"}, {"AwsAccountBlacklist", "Deny"}} {
		v := p[acct.key]
		if v == nil || isEmpty(v) {
			continue
		}
		list, ok := v.([]any)
		if !ok {
			if asMap(v) == nil {
				return structureError("Type of '%v' must be a list or dictionary", v)
			}
			list = []any{v}
		}
		appendStatement(pol, map[string]any{"Effect": acct.effect, "Action": "execute-api:Invoke",
			"Resource": clone(resources), "Principal": map[string]any{"AWS": clone(list)}})
	}
	for _, ip := range []struct{ key, condition string }{{"IpRangeWhitelist", "NotIpAddress"}, {"IpRangeBlacklist", "IpAddress"}} {
		if v := p[ip.key]; v != nil && !isEmpty(v) {
			addAllowDeny(pol, resources, map[string]any{ip.condition: map[string]any{"aws:SourceIp": clone(listOf(v))}})
		}
	}
	for _, vpc := range []struct{ list, vpcs, vpces, condition string }{
		{"SourceVpcBlacklist", "IntrinsicVpcBlacklist", "IntrinsicVpceBlacklist", "StringEquals"},
		{"SourceVpcWhitelist", "IntrinsicVpcWhitelist", "IntrinsicVpceWhitelist", "StringNotEquals"},
	} {
		var vpcs, vpces []any
		if v, ok := p[vpc.list]; ok && v != nil {
			// Strings, or references SAM resolves to strings (a
			// parameter, a pseudo parameter).
			list, ok := v.([]any)
			var ids []string
			for _, e := range list {
				s, resolved := t.resolve(e)
				ok = ok && resolved
				ids = append(ids, s)
			}
			if !ok {
				return structureError("%s must be a list of strings. Use %s instead for values that use Intrinsic Functions",
					vpc.list, strings.Replace(vpc.list, "Source", "Intrinsic", 1))
			}
			for _, s := range ids {
				switch {
				case strings.HasPrefix(s, "vpce-"):
					vpces = append(vpces, s)
				case strings.HasPrefix(s, "vpc-"):
					vpcs = append(vpcs, s)
				}
			}
		}
		vpcs = append(vpcs, t.resolvedList(p[vpc.vpcs])...)
		vpces = append(vpces, t.resolvedList(p[vpc.vpces])...)
		cond := map[string]any{}
		if len(vpcs) > 0 {
			cond["aws:SourceVpc"] = clone(vpcs)
		}
		if len(vpces) > 0 {
			cond["aws:SourceVpce"] = clone(vpces)
		}
		if len(cond) > 0 {
			addAllowDeny(pol, resources, map[string]any{vpc.condition: cond})
		}
	}
	return nil
}

// listOf is a list property's items; one value is a list of one.
func listOf(v any) []any {
	if v == nil {
		return nil
	}
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// resolvedList is listOf(v) with the references SAM resolves (to
// parameters, pseudo parameters) resolved.
func (t *transformer) resolvedList(v any) []any {
	out := []any{}
	for _, e := range listOf(v) {
		if s, ok := t.resolve(e); ok {
			e = s
		}
		out = append(out, e)
	}
	return out
}

// isEmpty reports whether v is an empty list, map or string, which SAM
// takes as not given.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	case string:
		return v == ""
	}
	return false
}

// documentPolicy is the document's resource policy, made when the
// document has none; SAM writes it even when no option adds to it.
func documentPolicy(api *restAPI) map[string]any {
	pol := asMap(api.body[apiPolicyKey])
	if pol == nil {
		pol = map[string]any{}
		api.body[apiPolicyKey] = pol
	}
	return pol
}

// policyResources are the execute-api resources of a path's methods in
// the stage: the any-method is "*", path parameters match anything.
func policyResources(path string, methods []string, stage any) []any {
	out := []any{}
	for _, m := range methods {
		verb := strings.ToUpper(m)
		if m == anyMethod || strings.EqualFold(m, "any") {
			verb = "*"
		}
		out = append(out, map[string]any{"Fn::Sub": []any{"execute-api:/${__Stage__}/" + verb + permissionPath(path),
			map[string]any{"__Stage__": clone(stage)}}})
	}
	return out
}

// statements are the policy's statements as a list: SAM keeps a first
// statement added alone as the Statement itself.
func statements(pol map[string]any) []any {
	switch s := pol["Statement"].(type) {
	case nil:
		return nil
	case []any:
		return s
	default:
		return []any{s}
	}
}

// appendStatement adds one statement, even if the policy has it.
func appendStatement(pol map[string]any, st map[string]any) {
	pol["Version"] = "2012-10-17"
	if pol["Statement"] == nil {
		pol["Statement"] = st
		return
	}
	pol["Statement"] = append(statements(pol), st)
}

// addAllowDeny adds an Allow for everyone and a Deny under condition on
// the resources, each unless the policy has it.
func addAllowDeny(pol map[string]any, resources []any, condition map[string]any) {
	pol["Version"] = "2012-10-17"
	allow := map[string]any{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": clone(resources), "Principal": "*"}
	deny := map[string]any{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": clone(resources), "Principal": "*", "Condition": condition}
	pol["Statement"] = addMissing(statements(pol), allow, deny)
}

// addMissing appends the statements the list does not have.
func addMissing(list []any, sts ...any) []any {
	for _, st := range sts {
		found := false
		for _, have := range list {
			if reflect.DeepEqual(have, st) {
				found = true
				break
			}
		}
		if !found {
			list = append(list, st)
		}
	}
	return list
}

// addCustomStatements adds CustomStatements: as the Statement when the
// policy has none, else each the policy does not have.
func addCustomStatements(api *restAPI, custom any) error {
	if custom == nil || isEmpty(custom) {
		return nil
	}
	pol := documentPolicy(api)
	pol["Version"] = "2012-10-17"
	if pol["Statement"] == nil {
		pol["Statement"] = clone(custom)
		return nil
	}
	pol["Statement"] = addMissing(statements(pol), listOf(clone(custom))...)
	return nil
}
