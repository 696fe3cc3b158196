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

// inlineDefinitionURIs gives the SAM APIs whose DefinitionUri is a local
// file (relative to dir) that file's document as DefinitionBody, and the
// state machines whose DefinitionUri (AWS::Serverless::StateMachine) or
// DefinitionS3Location (AWS::StepFunctions::StateMachine) is a local file
// that file's definition, JSON or YAML, as Definition: sam deploy and
// aws cloudformation package upload the file and the service reads it
// back, and virga, which runs the transform and the resources, cannot
// read the files of the machine virga deploy runs on.
func inlineDefinitionURIs(tree map[string]any, dir string, log func(string)) error {
	resources, _ := tree["Resources"].(map[string]any)
	for _, id := range sortedIDs(resources) {
		res, _ := resources[id].(map[string]any)
		from, to, kind := "DefinitionUri", "DefinitionBody", "an OpenAPI document"
		switch res["Type"] {
		case "AWS::Serverless::Api", "AWS::Serverless::HttpApi":
		case "AWS::Serverless::StateMachine":
			to, kind = "Definition", "a state machine definition"
		case "AWS::StepFunctions::StateMachine":
			from, to, kind = "DefinitionS3Location", "Definition", "a state machine definition"
		default:
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		path, ok := props[from].(string)
		if !ok || path == "" || strings.Contains(path, "://") {
			continue
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", id, from, err)
		}
		doc, err := template.ParseSnippet(body)
		if err != nil {
			return fmt.Errorf("%s: %s: %s: %w", id, from, path, err)
		}
		if _, ok := doc.(map[string]any); !ok {
			return fmt.Errorf("%s: %s: %s is not %s", id, from, path, kind)
		}
		delete(props, from)
		props[to] = doc
		log(fmt.Sprintf("Read %s's definition from %s", id, path))
	}
	return nil
}
