package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/virga/virga/internal/cfn/template"
)

// AWS::Include with a local Location: sam deploy and aws cloudformation
// package upload the file to S3, and CloudFormation puts its content in
// the template's place before the SAM transform. virga deploy puts it in
// directly. A mapping whose only key is Fn::Transform becomes the
// snippet; one with other keys takes the snippet's keys as well, as
// CloudFormation merges them. Locations in S3 or on the web are left
// for the server, which cannot read them.

// maxIncludeDepth bounds snippets that include others.
const maxIncludeDepth = 10

// includeLocalFiles replaces the AWS::Include transforms of v whose
// Location is a local file (relative to dir) with the file's content,
// and says which it included.
func includeLocalFiles(v any, dir string, depth int, log func(string)) (any, error) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			out, err := includeLocalFiles(e, dir, depth, log)
			if err != nil {
				return nil, err
			}
			x[i] = out
		}
		return x, nil
	case map[string]any:
		if path, ok := localInclude(x["Fn::Transform"]); ok {
			if depth >= maxIncludeDepth {
				return nil, fmt.Errorf("AWS::Include: %s: snippets include each other more than %d deep", path, maxIncludeDepth)
			}
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			body, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("AWS::Include: %w", err)
			}
			snippet, err := template.ParseSnippet(body)
			if err != nil {
				return nil, fmt.Errorf("AWS::Include: %s: %w", path, err)
			}
			log(fmt.Sprintf("Included %s", path))
			snippet, err = includeLocalFiles(snippet, filepath.Dir(path), depth+1, log)
			if err != nil {
				return nil, err
			}
			if len(x) == 1 {
				return snippet, nil
			}
			m, ok := snippet.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("AWS::Include: %s: a snippet merged into a mapping must be a mapping", path)
			}
			delete(x, "Fn::Transform")
			for k, e := range m {
				x[k] = e
			}
		}
		for k, e := range x {
			out, err := includeLocalFiles(e, dir, depth, log)
			if err != nil {
				return nil, err
			}
			x[k] = out
		}
		return x, nil
	}
	return v, nil
}

// localInclude returns the local Location of an AWS::Include transform.
func localInclude(v any) (string, bool) {
	t, ok := v.(map[string]any)
	if !ok || t["Name"] != "AWS::Include" {
		return "", false
	}
	params, _ := t["Parameters"].(map[string]any)
	loc, ok := params["Location"].(string)
	if !ok || loc == "" || strings.HasPrefix(loc, "s3://") || strings.Contains(loc, "://") {
		return "", false
	}
	return loc, true
}
