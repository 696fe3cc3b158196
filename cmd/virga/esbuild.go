package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// BuildMethod esbuild, as sam build does it: the function's directory is
// copied aside, its package.json installed with npm (every dependency:
// esbuild itself is usually a devDependency), and esbuild bundles each
// entry point for Node.js into the package, which then holds only the
// bundles (and their source maps). Metadata.BuildProperties carries
// esbuild's options under SAM's names.

// esbuildDefaultTarget is the target sam build uses when the template
// gives none.
const esbuildDefaultTarget = "es2020"

// errNoEsbuild says where esbuild is looked for.
var errNoEsbuild = errors.New("BuildMethod esbuild needs esbuild: add it to package.json's dependencies or devDependencies, or install it on this host (npm install -g esbuild)")

// buildEsbuild bundles c's entry points into out.
//
// The copy of the code and esbuild's output sit side by side in one
// temporary directory, as task/ and bundle/: a source map then names
// its sources ../task/PATH, the same on every build, so that an
// unchanged function packages the same bytes and deploys as unchanged
// (with AutoPublishAlias, publishes no new version). From /var/task,
// where Lambda unpacks the bundle, ../task/PATH is the source's path
// as if it were in the package.
func buildEsbuild(ctx context.Context, c codeLocation, out string, log io.Writer) error {
	tmp, err := os.MkdirTemp("", "virga-esbuild-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src, bundle := filepath.Join(tmp, "task"), filepath.Join(tmp, "bundle")
	if err := copyTree(c.dir, src); err != nil {
		return err
	}
	if err := os.Mkdir(bundle, 0o755); err != nil {
		return err
	}
	if hasFile(src, "package.json") {
		fmt.Fprintf(log, "Installing %s's dependencies for esbuild\n", c.logicalID)
		verb := "install"
		if truthy(c.props["UseNpmCi"]) && hasFile(src, "package-lock.json") {
			verb = "ci"
		}
		if err := runIn(ctx, src, nil, log, "npm", verb, "--no-audit", "--no-fund"); err != nil {
			return fmt.Errorf("%s: npm %s: %w", c.logicalID, verb, err)
		}
	}
	bin, err := findEsbuild(src)
	if err != nil {
		return fmt.Errorf("%s: %w", c.logicalID, err)
	}
	args, err := esbuildArgs(c.props, c.handler, src, bundle)
	if err != nil {
		return fmt.Errorf("%s: Metadata.BuildProperties: %w", c.logicalID, err)
	}
	fmt.Fprintf(log, "Bundling %s with esbuild\n", c.logicalID)
	if err := runIn(ctx, src, nil, log, bin, args...); err != nil {
		return fmt.Errorf("%s: esbuild: %w", c.logicalID, err)
	}
	return copyTree(bundle, out)
}

// findEsbuild is the project's esbuild, or else the host's.
func findEsbuild(dir string) (string, error) {
	local := filepath.Join(dir, "node_modules", ".bin", "esbuild")
	if info, err := os.Stat(local); err == nil && !info.IsDir() {
		return local, nil
	}
	if p, err := exec.LookPath("esbuild"); err == nil {
		return p, nil
	}
	return "", errNoEsbuild
}

// esbuildArgs turns SAM's BuildProperties into esbuild's command line.
// Without EntryPoints, the handler's file is the entry point, as sam
// build takes it: app.lambdaHandler is app.ts, or app.js, in dir.
func esbuildArgs(props map[string]any, handler, dir, outdir string) ([]string, error) {
	known := map[string]bool{"EntryPoints": true, "Minify": true, "Target": true, "Sourcemap": true,
		"External": true, "Format": true, "OutExtension": true, "Loader": true, "MainFields": true,
		"Banner": true, "Footer": true, "Define": true, "UseNpmCi": true}
	var unknown []string
	for k := range props {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("virga deploy does not know %s", strings.Join(unknown, ", "))
	}
	entries, err := stringList(props["EntryPoints"])
	if err != nil {
		return nil, fmt.Errorf("EntryPoints: %w", err)
	}
	if len(entries) == 0 {
		e, err := handlerEntry(handler, dir)
		if err != nil {
			return nil, err
		}
		entries = []string{e}
	}
	target := esbuildDefaultTarget
	if s, ok := props["Target"].(string); ok && s != "" {
		target = s
	}
	args := append([]string{}, entries...)
	args = append(args, "--bundle", "--platform=node", "--target="+target, "--outdir="+outdir)
	// sam build minifies unless Minify is given (and not true).
	if m, given := props["Minify"]; !given || truthy(m) {
		args = append(args, "--minify")
	}
	if truthy(props["Sourcemap"]) {
		args = append(args, "--sourcemap")
	}
	if s, ok := props["Format"].(string); ok && s != "" {
		args = append(args, "--format="+s)
	}
	for _, opt := range []struct{ prop, flag string }{
		{"External", "--external:"}, {"OutExtension", "--out-extension:"}, {"Loader", "--loader:"},
		{"Banner", "--banner:"}, {"Footer", "--footer:"}, {"Define", "--define:"},
	} {
		list, err := stringList(props[opt.prop])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", opt.prop, err)
		}
		for _, v := range list {
			args = append(args, opt.flag+v)
		}
	}
	if mf, err := stringList(props["MainFields"]); err != nil {
		return nil, fmt.Errorf("MainFields: %w", err)
	} else if len(mf) > 0 {
		args = append(args, "--main-fields="+strings.Join(mf, ","))
	}
	return args, nil
}

// handlerEntry finds the source file a Node.js handler names.
func handlerEntry(handler, dir string) (string, error) {
	i := strings.LastIndexByte(handler, '.')
	if i <= 0 {
		return "", fmt.Errorf("no EntryPoints, and the handler %q names no file", handler)
	}
	base := handler[:i]
	for _, ext := range []string{".ts", ".mts", ".js", ".mjs", ".cjs"} {
		if hasFile(dir, base+ext) {
			return base + ext, nil
		}
	}
	return "", fmt.Errorf("no EntryPoints, and no %s.ts or %s.js for the handler %q", base, base, handler)
}

// stringList reads a list of strings, or one string, or a comma-separated
// string (sam build accepts each).
func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		var out []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			switch e := e.(type) {
			case string:
				out = append(out, e)
			case json.Number:
				out = append(out, e.String())
			default:
				return nil, fmt.Errorf("want a list of strings, got %v", e)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a list of strings, got %v", v)
}

// truthy reads a YAML boolean that may have been written as text.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// esbuildSourceMaps does what sam build does between a function's
// Sourcemap build property and Node.js's --enable-source-maps: a function
// bundled with source maps gets --enable-source-maps added to its
// NODE_OPTIONS (else the maps would go unused in stack traces), and one
// whose NODE_OPTIONS (or the Globals') already has it is bundled with
// source maps when its BuildProperties do not say otherwise. It returns
// what it changed.
func esbuildSourceMaps(tree map[string]any) []string {
	nodeOptions := func(props map[string]any) (string, bool) {
		env, _ := props["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		s, ok := vars["NODE_OPTIONS"].(string)
		return s, ok
	}
	hasFlag := func(s string) bool {
		for _, f := range strings.Fields(s) {
			if f == "--enable-source-maps" {
				return true
			}
		}
		return false
	}
	var globalOpts string
	if g, ok := tree["Globals"].(map[string]any); ok {
		if fn, ok := g["Function"].(map[string]any); ok {
			globalOpts, _ = nodeOptions(fn)
		}
	}
	var notes []string
	resources, _ := tree["Resources"].(map[string]any)
	for _, id := range sortedIDs(resources) {
		res, _ := resources[id].(map[string]any)
		meta, _ := res["Metadata"].(map[string]any)
		if meta["BuildMethod"] != "esbuild" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		if props == nil {
			continue
		}
		own, hasOwn := nodeOptions(props)
		// A SAM function's variables are merged over the Globals'.
		effective := own
		if !hasOwn && res["Type"] == "AWS::Serverless::Function" {
			effective = globalOpts
		}
		bprops, _ := meta["BuildProperties"].(map[string]any)
		sourcemap, given := bprops["Sourcemap"]
		switch {
		case !given && hasFlag(effective):
			if bprops == nil {
				bprops = map[string]any{}
				meta["BuildProperties"] = bprops
			}
			bprops["Sourcemap"] = true
			notes = append(notes, id+": NODE_OPTIONS has --enable-source-maps: bundling it with source maps, as sam build does")
		case truthy(sourcemap) && !hasFlag(effective):
			env, _ := props["Environment"].(map[string]any)
			if env == nil {
				env = map[string]any{}
				props["Environment"] = env
			}
			vars, _ := env["Variables"].(map[string]any)
			if vars == nil {
				vars = map[string]any{}
				env["Variables"] = vars
			}
			vars["NODE_OPTIONS"] = strings.TrimSpace(effective + " --enable-source-maps")
			notes = append(notes, id+": Sourcemap is set: adding --enable-source-maps to its NODE_OPTIONS, as sam build does")
		}
	}
	return notes
}

// esbuildHandler is the Handler of c's function once esbuild has made
// its package zip, "" when the template's stays. esbuild writes each
// entry point's bundle at the package's root, so a handler naming a file
// in a directory (handlers/get.handler for handlers/get.ts) finds no
// handlers/get.js there; sam build then sets the function's Handler to
// the handler's last element (get.handler), and so does virga deploy.
func esbuildHandler(c codeLocation, zip []byte) string {
	if c.method != "esbuild" || c.function == nil || !strings.Contains(c.handler, "/") {
		return ""
	}
	base := path.Base(c.handler)
	file := path.Join(path.Dir(c.handler), strings.TrimSuffix(base, path.Ext(base))+".js")
	if zipHas(zip, file) {
		return ""
	}
	return base
}
