package cloudformation

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/template"
	"github.com/virga/virga/internal/s3url"
)

// includeTransform is the macro CloudFormation hosts that inserts a
// snippet kept in S3 where the template names it.
const includeTransform = "AWS::Include"

// maxSnippet bounds a snippet as a template in S3 is bounded.
const maxSnippet = maxTemplateURL

// includeError is how CloudFormation reports an AWS::Include that failed:
// "Transform AWS::Include failed with: " and the reason.
func includeError(reason string) *apierr.Error {
	return ErrValidation.WithMessage("Transform " + includeTransform + " failed with: " + reason)
}

// The reasons AWS::Include gives for a Location it cannot read as an S3
// object, and for a snippet it cannot use (one that is not YAML or JSON,
// or that itself includes another).
const (
	includeBadLocation = "The location parameter is not a valid S3 uri."
	includeBadContent  = "The specified S3 object's content should be valid Yaml/JSON."
)

// expandIncludes replaces each AWS::Include in tree by the snippet its
// Location names: an Fn::Transform that is a whole value becomes the
// snippet, one that sits among other keys of a mapping adds the
// snippet's keys there, and one in the template's Transform section adds
// the snippet's keys to the template (leaving the other transforms
// declared). Embedded transforms are expanded deepest first, then the
// Transform section, as CloudFormation orders macros. It reports whether
// the template had any.
func (s *Service) expandIncludes(ctx context.Context, tree map[string]any) (map[string]any, bool, error) {
	found := false
	out, err := s.expandNode(ctx, tree, &found)
	if err != nil {
		return nil, false, err
	}
	tree = out.(map[string]any)
	var keep []any
	var snippets []map[string]any
	for _, tr := range transformList(tree["Transform"]) {
		m, ok := tr.(map[string]any)
		if !ok || m["Name"] != includeTransform {
			keep = append(keep, tr)
			continue
		}
		found = true
		snip, err := s.include(ctx, m)
		if err != nil {
			return nil, false, err
		}
		sm, ok := snip.(map[string]any)
		if !ok {
			return nil, false, includeError(includeBadContent)
		}
		snippets = append(snippets, sm)
	}
	if _, ok := tree["Transform"]; ok && found {
		switch len(keep) {
		case 0:
			delete(tree, "Transform")
		case 1:
			tree["Transform"] = keep[0]
		default:
			tree["Transform"] = keep
		}
	}
	for _, sm := range snippets {
		for k, v := range sm {
			tree[k] = v
		}
	}
	return tree, found, nil
}

// transformList is a Transform section as a list.
func transformList(v any) []any {
	switch tr := v.(type) {
	case nil:
		return nil
	case []any:
		return tr
	default:
		return []any{tr}
	}
}

func (s *Service) expandNode(ctx context.Context, node any, found *bool) (any, error) {
	switch n := node.(type) {
	case []any:
		for i, v := range n {
			out, err := s.expandNode(ctx, v, found)
			if err != nil {
				return nil, err
			}
			n[i] = out
		}
		return n, nil
	case map[string]any:
		for k, v := range n {
			if k == "Transform" || k == "Fn::Transform" {
				continue
			}
			out, err := s.expandNode(ctx, v, found)
			if err != nil {
				return nil, err
			}
			n[k] = out
		}
		spec, ok := n["Fn::Transform"].(map[string]any)
		if !ok || spec["Name"] != includeTransform {
			return n, nil
		}
		*found = true
		snip, err := s.include(ctx, spec)
		if err != nil {
			return nil, err
		}
		if len(n) == 1 {
			return snip, nil
		}
		sm, ok := snip.(map[string]any)
		if !ok {
			return nil, includeError(includeBadContent)
		}
		delete(n, "Fn::Transform")
		for k, v := range sm {
			n[k] = v
		}
		return n, nil
	default:
		return node, nil
	}
}

// include reads and parses the snippet an AWS::Include's Parameters name.
func (s *Service) include(ctx context.Context, spec map[string]any) (any, error) {
	params, _ := spec["Parameters"].(map[string]any)
	loc, _ := params["Location"].(string)
	var obj s3url.Object
	var err error
	if strings.HasPrefix(loc, "s3://") {
		obj, err = s3url.ParseURI(loc)
	} else {
		obj, err = s3url.Parse(loc, s.localHosts()...)
	}
	if err != nil {
		return nil, includeError(includeBadLocation)
	}
	data, err := s.readObject(ctx, obj, maxSnippet)
	if err != nil {
		if e := apierr.As(err); e != nil && e.Code == ErrValidation.Code {
			return nil, includeError(strings.TrimPrefix(e.Message, "S3 error: "))
		}
		return nil, err
	}
	snip, err := template.ParseSnippet(data)
	if err != nil || snip == nil || includes(snip) {
		return nil, includeError(includeBadContent)
	}
	return snip, nil
}

// includes reports whether a snippet has an AWS::Include of its own,
// which CloudFormation refuses.
func includes(node any) bool {
	switch n := node.(type) {
	case []any:
		for _, v := range n {
			if includes(v) {
				return true
			}
		}
	case map[string]any:
		for k, v := range n {
			if m, ok := v.(map[string]any); ok && (k == "Fn::Transform" || k == "Transform") && m["Name"] == includeTransform {
				return true
			}
			if includes(v) {
				return true
			}
		}
	}
	return false
}

// declaresInclude reports whether a template uses AWS::Include, in its
// Transform section or embedded, before anything is read for it.
func declaresInclude(tree map[string]any) bool {
	for _, tr := range transformList(tree["Transform"]) {
		if m, ok := tr.(map[string]any); ok && m["Name"] == includeTransform {
			return true
		}
	}
	return includes(tree)
}
