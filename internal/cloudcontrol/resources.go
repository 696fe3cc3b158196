package cloudcontrol

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cloudformation"
)

// resourceType is the provider of typ, which the Cloud Control API
// serves: any type CloudFormation has a provider for except custom
// resources, which are no registry type.
func resourceType(typ string) (*resource.Type, error) {
	if strings.HasPrefix(typ, "Custom::") || typ == resource.CustomType {
		return nil, typeNotFound(typ)
	}
	t := resource.Lookup(typ)
	if t == nil {
		return nil, typeNotFound(typ)
	}
	return t, nil
}

// held returns the resources of type typ the API finds: those live
// stacks hold, then those it made itself (CreateResource), then those
// the type's read handler finds in its service that neither has (made
// by the service's own API), which it reads, changes and deletes
// through the same providers.
func (s *Service) held(ctx context.Context, typ string) ([]cloudformation.HeldResource, error) {
	all, err := s.recorded(typ)
	if err != nil {
		return nil, err
	}
	return s.withDescribed(ctx, typ, all)
}

// recorded returns the resources of type typ that a stack or the API
// keeps a record of: those live stacks hold, then those it made.
func (s *Service) recorded(typ string) ([]cloudformation.HeldResource, error) {
	own, err := s.own(typ)
	if err != nil {
		return nil, err
	}
	return append(s.stacks.Resources(typ), own...), nil
}

// withDescribed adds to the recorded resources of type typ those the
// type's read handler finds that none of them is.
func (s *Service) withDescribed(ctx context.Context, typ string, recorded []cloudformation.HeldResource) ([]cloudformation.HeldResource, error) {
	described, err := s.stacks.Described(ctx, typ)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, h := range recorded {
		known[h.PhysicalID] = true
	}
	for _, h := range described {
		if !known[h.PhysicalID] {
			recorded = append(recorded, h)
		}
	}
	return recorded, nil
}

// find is the resource of type typ that identifier names, or nil. The
// records are looked at first, so that a resource a stack or the API
// holds is found without the type's read handler.
func (s *Service) find(ctx context.Context, typ, identifier string) (*cloudformation.HeldResource, error) {
	rec, err := s.recorded(typ)
	if err != nil {
		return nil, err
	}
	if h := named(rec, identifier); h != nil {
		return h, nil
	}
	all, err := s.withDescribed(ctx, typ, rec)
	if err != nil {
		return nil, err
	}
	return named(all[len(rec):], identifier), nil
}

// named is the resource of all that identifier names, or nil.
func named(all []cloudformation.HeldResource, identifier string) *cloudformation.HeldResource {
	for _, h := range all {
		if names(h, identifier) {
			return &h
		}
	}
	return nil
}

// names reports whether identifier is h's primary identifier. For
// most types that is the physical ID CloudFormation reports (a queue's
// URL, a state machine's ARN); a compound identifier joins the values
// of several properties with "|" (an API Gateway stage's
// "RestApiId|StageName"): each part must then be one of h's values, and
// one of them its physical ID or Ref.
func names(h cloudformation.HeldResource, identifier string) bool {
	if identifier == h.PhysicalID || identifier == h.Ref {
		return true
	}
	parts := strings.Split(identifier, "|")
	if len(parts) < 2 {
		return false
	}
	own := false
	for _, p := range parts {
		switch {
		case p == h.PhysicalID || p == h.Ref:
			own = true
		case !holds(h.Properties, p) && !holds(h.Attributes, p):
			return false
		}
	}
	return own
}

// holds reports whether a top-level value of m is the text v.
func holds(m map[string]any, v string) bool {
	for _, e := range m {
		if s, ok := e.(string); ok && s == v {
			return true
		}
	}
	return false
}

// model is a resource's properties as GetResource shows them: those it
// was made or last updated with, and its read-only values (its
// attributes: an Arn, a QueueUrl) beside them.
func model(h cloudformation.HeldResource) map[string]any {
	m := resource.Clone(h.Properties).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	for k, v := range readOnly(h) {
		m[k] = v
	}
	return m
}

// readOnly are the attributes of h that are no property of it, by name;
// attributes of nested members ("Endpoint.Address") are left out.
func readOnly(h cloudformation.HeldResource) map[string]any {
	out := map[string]any{}
	for k, v := range h.Attributes {
		if _, given := h.Properties[k]; given || strings.Contains(k, ".") {
			continue
		}
		out[k] = v
	}
	return out
}

// modelText is a model as a JSON text.
func modelText(m map[string]any) (string, error) {
	b, err := json.Marshal(m)
	return string(b), err
}

// propertyPaths words property names as the schemas' paths
// ("/properties/QueueName"), sorted.
func propertyPaths(names []string) string {
	sort.Strings(names)
	for i, n := range names {
		names[i] = "/properties/" + n
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// checkPatched refuses a patched model that changes what cannot change:
// read-only values, or properties a change of which replaces the
// resource (the schemas' createOnlyProperties), with the Cloud Control
// API's NotUpdatableException; and one missing a required property,
// with its ValidationException. It returns the properties to update
// the resource to: the patched model without its read-only values.
func checkPatched(t *resource.Type, h cloudformation.HeldResource, patched map[string]any) (map[string]any, error) {
	ro := readOnly(h)
	var readOnlyChanged []string
	for k, v := range ro {
		if w, ok := patched[k]; !ok || !resource.Equal(v, w) {
			readOnlyChanged = append(readOnlyChanged, k)
		}
	}
	if len(readOnlyChanged) > 0 {
		return nil, ErrNotUpdatable.Withf("Invalid patch update: readOnlyProperties %s cannot be updated", propertyPaths(readOnlyChanged))
	}
	props := map[string]any{}
	for k, v := range patched {
		if _, isRO := ro[k]; !isRO {
			props[k] = v
		}
	}
	var createOnly []string
	for _, p := range t.Replace {
		if p == "*" {
			createOnly = changed(h.Properties, props)
			break
		}
		if !resource.Equal(h.Properties[p], props[p]) {
			createOnly = append(createOnly, p)
		}
	}
	if len(createOnly) > 0 {
		return nil, ErrNotUpdatable.Withf("Invalid patch update: createOnlyProperties %s cannot be updated", propertyPaths(createOnly))
	}
	if err := checkRequired(t, props); err != nil {
		return nil, err
	}
	return props, nil
}

// checkRequired refuses a model missing a property the type requires
// with the Cloud Control API's ValidationException, in the words of its
// schema validation.
func checkRequired(t *resource.Type, props map[string]any) error {
	var missing []string
	for _, k := range t.Required {
		if !strings.Contains(k, "/") && props[k] == nil {
			missing = append(missing, fmt.Sprintf("#: required key [%s] not found", k))
		}
	}
	if len(missing) > 0 {
		return ErrValidation.Withf("Model validation failed (%s)", strings.Join(missing, "\n"))
	}
	return nil
}

// changed lists the top-level properties that differ between a and b.
func changed(a, b map[string]any) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || !resource.Equal(v, w) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}
