package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/cfn/template"
)

// Preparing a template for CloudFormation, as sam build and sam deploy
// do: local AWS::Include snippets and API definitions are put in place,
// retired runtimes are named anew, each function's and layer's code is
// built and stored, and each nested application
// (AWS::Serverless::Application) or stack (AWS::CloudFormation::Stack)
// whose Location or TemplateURL is a local template file is prepared in
// turn and stored in virga's S3, its URL taking the path's place, as
// sam deploy uploads it to its bucket.

// maxNestingDepth bounds local templates that nest each other.
const maxNestingDepth = 10

// builtPackage is a package already stored: functions that share their
// code and its build share one package, as sam build builds them once,
// in the parent template and in nested ones alike.
type builtPackage struct {
	key    string
	native bool
	// handler replaces the function's Handler when not "" (see
	// esbuildHandler).
	handler string
}

// preparer prepares a template and the local templates it nests.
type preparer struct {
	endpoint string
	s3       *s3.Client
	log      io.Writer
	built    map[string]builtPackage
}

// prepare prepares the template tree read from the file at path (an
// absolute path); depth counts the templates that nest it.
func (p *preparer) prepare(ctx context.Context, tree map[string]any, path string, depth int) error {
	dir := filepath.Dir(path)
	note := func(n string) { fmt.Fprintln(p.log, n) }
	if _, err := includeLocalFiles(tree, dir, 0, note); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := inlineDefinitionURIs(tree, dir, note); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	notes, sdkV2 := modernizeRuntimes(tree)
	for _, n := range notes {
		fmt.Fprintln(p.log, "notice:", n)
	}
	for _, n := range esbuildSourceMaps(tree) {
		fmt.Fprintln(p.log, "notice:", n)
	}
	for _, c := range findCode(tree, dir) {
		c.sdkV2 = sdkV2[c.logicalID]
		if b, ok := p.built[c.buildKey()]; ok {
			c.set(artifactBucket, b.key)
			if b.native {
				useHostArchitecture(c, p.log)
			}
			p.setHandler(c, b.handler)
			fmt.Fprintf(p.log, "Packaged %s (the same package as a function before it)\n", c.logicalID)
			continue
		}
		zip, native, err := build(ctx, c, p.log)
		if err != nil {
			return err
		}
		key, err := upload(ctx, p.endpoint, zip)
		if err != nil {
			return fmt.Errorf("%s: %w", c.logicalID, err)
		}
		handler := esbuildHandler(c, zip)
		p.built[c.buildKey()] = builtPackage{key, native, handler}
		c.set(artifactBucket, key)
		if native {
			useHostArchitecture(c, p.log)
		}
		p.setHandler(c, handler)
		fmt.Fprintf(p.log, "Packaged %s (%d bytes)\n", c.logicalID, len(zip))
	}
	return p.nested(ctx, tree, path, depth)
}

// setHandler gives c's function the Handler h, unless h is "".
func (p *preparer) setHandler(c codeLocation, h string) {
	if h == "" {
		return
	}
	c.function["Handler"] = h
	fmt.Fprintf(p.log, "notice: %s: esbuild bundles %s at the package's root: Handler is %s, as sam build makes it\n", c.logicalID, c.handler, h)
}

// nestedTemplateProperty is the property that names a nested template,
// by resource type.
var nestedTemplateProperty = map[string]string{
	"AWS::Serverless::Application": "Location",
	"AWS::CloudFormation::Stack":   "TemplateURL",
}

// nested prepares and stores the local templates the resources of tree
// nest, and puts their URLs in the paths' place.
func (p *preparer) nested(ctx context.Context, tree map[string]any, path string, depth int) error {
	resources, _ := tree["Resources"].(map[string]any)
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r, _ := resources[id].(map[string]any)
		typ, _ := r["Type"].(string)
		prop, ok := nestedTemplateProperty[typ]
		if !ok {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		loc, _ := props[prop].(string)
		if loc == "" || !localTemplatePath(loc) {
			continue
		}
		if depth+1 >= maxNestingDepth {
			return fmt.Errorf("%s: %s: local templates nest each other more than %d deep", path, id, maxNestingDepth)
		}
		child := loc
		if !filepath.IsAbs(child) {
			child = filepath.Join(filepath.Dir(path), child)
		}
		body, err := os.ReadFile(child)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, id, err)
		}
		t, dups, err := template.ParseKeepingLastKey(body)
		if err != nil {
			return fmt.Errorf("%s: %w", child, err)
		}
		for _, d := range dups {
			fmt.Fprintf(p.log, "notice: %s %s\n", child, d)
		}
		if err := p.prepare(ctx, t.Tree, child, depth+1); err != nil {
			return err
		}
		processed, err := json.Marshal(t.Tree)
		if err != nil {
			return err
		}
		u, err := uploadTemplate(ctx, p.s3, p.endpoint, processed)
		if err != nil {
			return explain(p.endpoint, err)
		}
		props[prop] = u
		fmt.Fprintf(p.log, "Uploaded the template of %s (%s) to %s\n", id, loc, u)
	}
	return nil
}

// localTemplatePath reports whether a nested template's location is a
// path on this machine rather than a URL (S3's, or virga's, which the
// server reads).
func localTemplatePath(loc string) bool {
	for _, scheme := range []string{"http://", "https://", "s3://"} {
		if strings.HasPrefix(strings.ToLower(loc), scheme) {
			return false
		}
	}
	return true
}
