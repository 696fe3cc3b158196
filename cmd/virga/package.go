package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/virga/virga/internal/pkginstall"
)

// Packaging: virga deploy turns each local code location of a template
// into a zip in virga's artifact store, as sam build and sam deploy do
// with S3: Go functions are built (go build of a bootstrap for the
// host, or the Makefile's build-LOGICALID target), Python functions get
// their requirements.txt installed beside the code, Node.js functions
// their package.json's production dependencies, Ruby functions their
// Gemfile's gems in vendor/bundle; Java projects (Maven, Gradle) are
// refused, as virga does not build Java: a jar or a directory of
// compiled classes deploys as it is, as does everything else.

// codeLocation is one local path a template names as code.
type codeLocation struct {
	logicalID string
	runtime   string
	method    string // Metadata.BuildMethod
	// props is Metadata.BuildProperties (esbuild's options).
	props   map[string]any
	handler string
	dir     string // absolute
	layer   bool   // a layer's content, not a function's code
	// function is the function's Properties (nil for a layer), and
	// architecture the first of the Architectures it declares, itself or
	// through Globals ("" when it declares none, "?" when an expression
	// declares them).
	function     map[string]any
	architecture string
	// sdkV2: the function's template named a retired Node.js runtime
	// that included the AWS SDK for JavaScript v2 (see bundleSDKv2).
	sdkV2 bool
	// set replaces the location in the template with an artifact's URI.
	set func(bucket, key string)
}

// buildKey is the same for two code locations whose builds make the same
// package: the same directory, runtime and build method and options, and,
// where the build depends on it (a go1.x executable's name, esbuild's
// entry point), the same handler. Layers never share a key with functions.
func (c codeLocation) buildKey() string {
	props, _ := json.Marshal(c.props)
	key := strings.Join([]string{c.dir, c.runtime, c.method, string(props)}, "\x00")
	if c.runtime == "go1.x" || c.method == "esbuild" {
		key += "\x00" + c.handler
	}
	if c.layer {
		key += "\x00layer"
	}
	if c.sdkV2 {
		key += "\x00sdk-v2"
	}
	return key
}

// findCode lists the local code locations of a template's resources:
// CodeUri of AWS::Serverless::Function (or Globals.Function.CodeUri),
// ContentUri of AWS::Serverless::LayerVersion, and Code or Content
// given as a path on AWS::Lambda::Function and AWS::Lambda::LayerVersion.
func findCode(tree map[string]any, baseDir string) []codeLocation {
	resources := resourcesOf(tree)
	globals, _ := tree["Globals"].(map[string]any)
	gfn, _ := globals["Function"].(map[string]any)
	var out []codeLocation
	local := func(v any) (string, bool) {
		s, ok := v.(string)
		if !ok || s == "" || strings.HasPrefix(s, "s3://") {
			return "", false
		}
		if !filepath.IsAbs(s) {
			s = filepath.Join(baseDir, s)
		}
		return s, true
	}
	for id, r := range resources {
		res, _ := r.(map[string]any)
		props, _ := res["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			if res != nil {
				res["Properties"] = props
			}
		}
		meta, _ := res["Metadata"].(map[string]any)
		method, _ := meta["BuildMethod"].(string)
		bprops, _ := meta["BuildProperties"].(map[string]any)
		rt, _ := props["Runtime"].(string)
		if rt == "" {
			rt, _ = gfn["Runtime"].(string)
		}
		handler, _ := props["Handler"].(string)
		if handler == "" {
			handler, _ = gfn["Handler"].(string)
		}
		archs, declared := props["Architectures"]
		if !declared && res["Type"] == "AWS::Serverless::Function" {
			archs, declared = gfn["Architectures"]
		}
		arch := ""
		if declared {
			arch = "?"
			if l, ok := archs.([]any); ok && len(l) == 1 {
				if s, ok := l[0].(string); ok {
					arch = s
				}
			}
		}
		switch res["Type"] {
		case "AWS::Serverless::Function":
			if _, inline := props["InlineCode"]; inline {
				continue
			}
			uri, ok := props["CodeUri"]
			if !ok {
				uri = gfn["CodeUri"]
			}
			if uri == nil {
				uri = "."
			}
			if dir, ok := local(uri); ok {
				out = append(out, codeLocation{logicalID: id, runtime: rt, method: method, props: bprops, handler: handler, dir: dir,
					function: props, architecture: arch,
					set: func(b, k string) { props["CodeUri"] = "s3://" + b + "/" + k }})
			}
		case "AWS::Serverless::LayerVersion":
			if dir, ok := local(props["ContentUri"]); ok {
				out = append(out, codeLocation{logicalID: id, method: method, dir: dir, layer: true,
					set: func(b, k string) { props["ContentUri"] = "s3://" + b + "/" + k }})
			}
		case "AWS::Lambda::Function":
			if dir, ok := local(props["Code"]); ok {
				out = append(out, codeLocation{logicalID: id, runtime: rt, method: method, props: bprops, handler: handler, dir: dir,
					function: props, architecture: arch,
					set: func(b, k string) { props["Code"] = map[string]any{"S3Bucket": b, "S3Key": k} }})
			}
		case "AWS::Lambda::LayerVersion":
			if dir, ok := local(props["Content"]); ok {
				out = append(out, codeLocation{logicalID: id, method: method, dir: dir, layer: true,
					set: func(b, k string) { props["Content"] = map[string]any{"S3Bucket": b, "S3Key": k} }})
			}
		}
	}
	return out
}

// resourcesOf is a template's resources by logical ID, those that the
// Fn::ForEach loops of the AWS::LanguageExtensions transform declare
// included, under their output keys as written (${Name}Function): as
// the SAM CLI does, their code is packaged once and the package named
// in the loop, for every iteration.
func resourcesOf(tree map[string]any) map[string]any {
	out := map[string]any{}
	var add func(m map[string]any, depth int)
	add = func(m map[string]any, depth int) {
		for id, r := range m {
			if !strings.HasPrefix(id, "Fn::ForEach::") {
				out[id] = r
				continue
			}
			if l, ok := r.([]any); ok && len(l) == 3 && depth < maxLoopDepth {
				if body, ok := l[2].(map[string]any); ok {
					add(body, depth+1)
				}
			}
		}
	}
	resources, _ := tree["Resources"].(map[string]any)
	add(resources, 0)
	return out
}

// maxLoopDepth bounds the nesting of the loops resourcesOf looks into.
const maxLoopDepth = 10

// build makes the zip of one code location, reporting steps to log.
// native reports a function whose build left an executable for this
// machine (see arch.go).
func build(ctx context.Context, c codeLocation, log io.Writer) (zip []byte, native bool, err error) {
	info, err := os.Stat(c.dir)
	if err != nil {
		return nil, false, fmt.Errorf("%s: code at %s: %w", c.logicalID, c.dir, err)
	}
	if !info.IsDir() {
		// A jar is a zip: Lambda takes one as a Java function's package.
		if strings.HasSuffix(c.dir, ".zip") || strings.HasSuffix(c.dir, ".jar") {
			zip, err := os.ReadFile(c.dir)
			return zip, false, err
		}
		return nil, false, fmt.Errorf("%s: %s is neither a directory nor a .zip or .jar", c.logicalID, c.dir)
	}
	if err := javaBuildTool(c); err != nil {
		return nil, false, err
	}
	work, err := os.MkdirTemp("", "virga-build-")
	if err != nil {
		return nil, false, err
	}
	defer os.RemoveAll(work)
	if err := buildInto(ctx, c, work, log); err != nil {
		return nil, false, err
	}
	if native, err = checkExecutable(c, work); err != nil {
		return nil, false, err
	}
	zip, err = zipDir(work)
	return zip, native, err
}

// buildInto builds one code location into the directory work.
func buildInto(ctx context.Context, c codeLocation, work string, log io.Writer) error {
	switch {
	case c.method == "makefile" && !hasMakefile(c.dir) && goPackage(c.dir):
		// A Go project whose Makefile is elsewhere (one Makefile at the
		// repository's root that builds each function's directory, run by
		// hand before sam deploy): its functions build as Go code.
		fmt.Fprintf(log, "notice: %s: BuildMethod makefile, but %s has no Makefile; building its Go code with go build\n", c.logicalID, c.dir)
		return goBuild(ctx, c, work, log)
	case c.method == "makefile" && !hasMakefile(c.dir):
		return fmt.Errorf("%s: BuildMethod makefile builds with the Makefile in CodeUri (%s), which has none", c.logicalID, c.dir)
	case c.method == "makefile":
		fmt.Fprintf(log, "Building %s with make build-%s\n", c.logicalID, c.logicalID)
		var env []string
		if nativeExecutable(c) != "" {
			tools, err := os.MkdirTemp("", "virga-go-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tools)
			dir, err := hostGoCommand(tools)
			if err != nil {
				return err
			}
			if dir != "" {
				env = append(env, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			}
		}
		// Go builds in the recipe leave out the path of that copy, which
		// differs on each build (-trimpath, as virga's own go build): the
		// same code then makes the same package and deploys as unchanged.
		env = append(env, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"))
		// As sam build, make runs in a copy of the code: what the recipe
		// leaves behind (a go build's executable, object files) stays out
		// of the project, where virga up -t would take it for an edit.
		scratch, err := os.MkdirTemp("", "virga-make-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(scratch)
		if err := copyTree(c.dir, scratch); err != nil {
			return err
		}
		if err := runIn(ctx, scratch, env, log, "make", "build-"+c.logicalID, "ARTIFACTS_DIR="+work); err != nil {
			return fmt.Errorf("%s: make: %w", c.logicalID, err)
		}
	case c.method == "go1.x" || c.runtime == "go1.x" || (strings.HasPrefix(c.runtime, "provided") && (hasFile(c.dir, "go.mod") || goPackage(c.dir))):
		return goBuild(ctx, c, work, log)
	case c.method == "esbuild":
		if err := buildEsbuild(ctx, c, work, log); err != nil {
			return err
		}
	case c.method == "rust-cargolambda":
		if err := buildCargo(ctx, c, work, log); err != nil {
			return err
		}
	case c.layer && layerRuntimeDir(c.method) != "":
		// A layer whose BuildMethod names a runtime is built as that
		// runtime's function is (its requirements.txt or package.json
		// installed), into the directory of the layer that the runtime
		// looks in, as sam build does.
		fn := c
		fn.layer, fn.runtime, fn.method = false, c.method, ""
		return buildInto(ctx, fn, filepath.Join(work, layerRuntimeDir(c.method)), log)
	default:
		if err := copyTree(c.dir, work); err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(c.runtime, "python") && hasFile(work, "requirements.txt"):
			fmt.Fprintf(log, "Installing %s's requirements.txt\n", c.logicalID)
			if err := pkginstall.Pip(ctx, "python3", work, log, "-r", "requirements.txt"); err != nil {
				if err := copyHostRequirements(c.logicalID, work, err, log); err != nil {
					return err
				}
			}
		case strings.HasPrefix(c.runtime, "ruby") && hasFile(work, "Gemfile"):
			fmt.Fprintf(log, "Installing %s's Gemfile with bundler into vendor/bundle\n", c.logicalID)
			if err := bundleInstall(ctx, work, log); err != nil {
				fmt.Fprintf(log, "warning: %s: bundle install failed (%v); the function will use the gems installed on this host\n", c.logicalID, err)
			}
		case strings.HasPrefix(c.runtime, "nodejs") && hasFile(work, "package.json"):
			fmt.Fprintf(log, "Installing %s's production dependencies\n", c.logicalID)
			if err := pkginstall.NPM(ctx, "npm", work, log, "--omit=dev"); err != nil {
				return fmt.Errorf("%s: npm install: %w", c.logicalID, err)
			}
		}
		if c.sdkV2 && strings.HasPrefix(c.runtime, "nodejs") {
			bundleSDKv2(ctx, c, work, log)
		}
	}
	return nil
}

// goBuild builds c's Go code into work as the executable its runtime
// runs: bootstrap, or for go1.x the one its Handler names.
func goBuild(ctx context.Context, c codeLocation, work string, log io.Writer) error {
	fmt.Fprintf(log, "Building %s with go build\n", c.logicalID)
	env := []string{"GOOS=linux", "GOARCH=" + runtime.GOARCH, "CGO_ENABLED=0"}
	out := filepath.Join(work, "bootstrap")
	if err := runIn(ctx, c.dir, env, log, "go", "build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-o", out, "."); err != nil {
		return fmt.Errorf("%s: go build: %w", c.logicalID, err)
	}
	if c.runtime == "go1.x" && c.handler != "" && c.handler != "bootstrap" {
		// go1.x runs the executable its Handler names.
		return os.Rename(out, filepath.Join(work, filepath.Base(c.handler)))
	}
	return nil
}

// goPackage reports whether dir holds the Go source of a package (its
// .go files) in a module whose go.mod is there or in a directory above:
// a repository with one go.mod and a directory per function, which sam
// build's go1.x method and go build itself build in place.
func goPackage(dir string) bool {
	if m, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(m) == 0 {
		return false
	}
	d, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		if hasFile(d, "go.mod") {
			return true
		}
		up := filepath.Dir(d)
		if up == d {
			return false
		}
		d = up
	}
}

// hasMakefile reports whether dir holds a file make reads by default.
func hasMakefile(dir string) bool {
	return hasFile(dir, "GNUmakefile") || hasFile(dir, "makefile") || hasFile(dir, "Makefile")
}

// layerRuntimeDir is where a layer built for runtime puts its content:
// python (on sys.path as /opt/python) or nodejs (whose node_modules is
// on NODE_PATH as /opt/nodejs/node_modules); "" for other runtimes,
// whose layers are packaged as they are.
func layerRuntimeDir(runtime string) string {
	switch {
	case strings.HasPrefix(runtime, "python"):
		return "python"
	case strings.HasPrefix(runtime, "nodejs"):
		return "nodejs"
	}
	return ""
}

// bundleInstall installs a Ruby function's gems as sam build does: the
// Gemfile's groups but development and test, into vendor/bundle, where
// the function's GEM_PATH looks (vendor/bundle/ruby/ABI), with the
// bundle's configuration in .bundle so that a function requiring
// bundler/setup finds them too. When the gems' source cannot be reached,
// bundle install --local installs from vendor/cache or this host's gems.
func bundleInstall(ctx context.Context, work string, log io.Writer) error {
	if _, err := exec.LookPath("bundle"); err != nil {
		return errors.New("bundler is not installed (Debian package bundler)")
	}
	env := []string{"BUNDLE_GEMFILE=" + filepath.Join(work, "Gemfile"), "BUNDLE_APP_CONFIG=" + filepath.Join(work, ".bundle"),
		"BUNDLE_RETRY=0", "BUNDLE_TIMEOUT=10", "BUNDLE_SILENCE_ROOT_WARNING=1"}
	for _, args := range [][]string{
		{"config", "set", "--local", "path", "vendor/bundle"},
		{"config", "set", "--local", "without", "development:test"},
	} {
		if err := runIn(ctx, work, env, log, "bundle", args...); err != nil {
			return fmt.Errorf("bundle %s: %w", args[0], err)
		}
	}
	err := runIn(ctx, work, env, log, "bundle", "install")
	if err != nil {
		// The gems' source cannot be reached: what vendor/cache (bundle
		// cache) or this host's gems hold may still do.
		fmt.Fprintln(log, "Retrying with bundle install --local (vendor/cache and the gems installed on this host)")
		if runIn(ctx, work, env, log, "bundle", "install", "--local") == nil {
			return nil
		}
	}
	return err
}

// javaBuildTool refuses a Java project that needs building: sam build
// builds java* functions with Maven (pom.xml) or Gradle (build.gradle),
// which virga deploy does not run. A directory of compiled classes (and
// lib/*.jar) or a jar deploys as it is.
func javaBuildTool(c codeLocation) error {
	tool, file := "", ""
	switch {
	case c.method == "maven" || hasFile(c.dir, "pom.xml"):
		tool, file = "Maven", "pom.xml"
	case c.method == "gradle" || hasFile(c.dir, "build.gradle") || hasFile(c.dir, "build.gradle.kts"):
		tool, file = "Gradle", "build.gradle"
	}
	if tool == "" || (!strings.HasPrefix(c.runtime, "java") && c.method != "maven" && c.method != "gradle") {
		return nil
	}
	installed := "neither mvn nor gradle is installed here"
	for _, name := range []string{"mvn", "gradle"} {
		if _, err := exec.LookPath(name); err == nil {
			installed = name + " is installed, but virga deploy does not run it"
		}
	}
	return fmt.Errorf("%s: %s is a Java project (%s) that sam build would build with %s; virga deploy does not build Java (%s): "+
		"build it yourself (mvn package, gradle build) and point CodeUri at the jar, or at a directory of compiled classes with its jars under lib/",
		c.logicalID, c.dir, file, tool, installed)
}

// sdkV2Import finds the AWS SDK for JavaScript v2 package, aws-sdk, or a
// path in it ("aws-sdk/clients/s3"), in source text.
var sdkV2Import = regexp.MustCompile(`["']aws-sdk(?:/[^"']*)?["']`)

// bundleSDKv2 installs aws-sdk@2 into a function's package when its code
// (outside node_modules) requires it and does not bundle it: the
// function's template named a Node.js runtime whose image included that
// SDK, and virga deploy runs it on a newer one, which includes only v3.
// AWS's advice for such code on a newer runtime is to deploy the SDK v2
// with it. npm installs it apart, so that neither the package's own
// dependency tree (where aws-sdk is often a devDependency) nor its
// devDependencies get in the way; the SDK then goes to node_modules/aws-sdk
// and its dependencies under it, where only it looks for them. Without
// npm or the registry the function is deployed as it is and its require
// fails, as it would on the newer runtime.
func bundleSDKv2(ctx context.Context, c codeLocation, work string, log io.Writer) {
	if hasFile(work, filepath.Join("node_modules", "aws-sdk", "package.json")) || !requiresSDKv2(work) {
		return
	}
	fmt.Fprintf(log, "Bundling the AWS SDK for JavaScript v2 (aws-sdk@2) with %s, whose code requires it\n", c.logicalID)
	if err := installSDKv2(ctx, work, log); err != nil {
		fmt.Fprintf(log, "warning: %s: installing aws-sdk@2 failed (%v); its require('aws-sdk') will fail\n", c.logicalID, err)
	}
}

func installSDKv2(ctx context.Context, work string, log io.Writer) error {
	apart, err := os.MkdirTemp("", "virga-sdk-v2-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(apart)
	if err := runIn(ctx, apart, nil, log, "npm", "install", "--prefix", apart, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "aws-sdk@2"); err != nil {
		return fmt.Errorf("npm install: %w", err)
	}
	from := filepath.Join(apart, "node_modules")
	sdk := filepath.Join(work, "node_modules", "aws-sdk")
	if err := os.MkdirAll(filepath.Dir(sdk), 0o755); err != nil {
		return err
	}
	if err := moveTree(filepath.Join(from, "aws-sdk"), sdk); err != nil {
		return err
	}
	deps, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, d := range deps {
		if d.Name() == "aws-sdk" || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		to := filepath.Join(sdk, "node_modules", d.Name())
		if _, err := os.Stat(to); err == nil {
			continue // npm nested its own copy already
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := moveTree(filepath.Join(from, d.Name()), to); err != nil {
			return err
		}
	}
	return nil
}

// moveTree renames a directory, or copies it where it cannot.
func moveTree(from, to string) error {
	if os.Rename(from, to) == nil {
		return nil
	}
	return copyTree(from, to)
}

// requiresSDKv2 reports whether a JavaScript or TypeScript file under dir,
// outside node_modules, names the aws-sdk package.
func requiresSDKv2(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipAll
		}
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".js", ".mjs", ".cjs", ".ts":
			if b, err := os.ReadFile(p); err == nil && sdkV2Import.Match(b) {
				found = true
			}
		}
		return nil
	})
	return found
}

func hasFile(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

func runIn(ctx context.Context, dir string, env []string, log io.Writer, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	return cmd.Run()
}

// copyTree copies a directory's regular files, keeping their modes, and
// leaves out version control directories.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == ".aws-sam" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, info.Mode().Perm())
	})
}

// zipHas reports whether a package zip holds the file name (slash-separated).
func zipHas(pkg []byte, name string) bool {
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

// zipDir zips a directory's files with their modes, in a stable order.
func zipDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		h.Method = zip.Deflate
		// A fixed time: the same files make the same package, so a
		// deploy without changes changes nothing.
		h.Modified = packageTime
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// packageTime is every packaged file's modification time.
var packageTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// upload stores a zip in virga's artifact store and returns its key.
func upload(ctx context.Context, endpoint string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:]) + ".zip"
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimSuffix(endpoint, "/")+"/_virga/artifacts/"+key, bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(res.Body)
		return "", fmt.Errorf("uploading an artifact: %s: %s", res.Status, strings.TrimSpace(string(body)))
	}
	return key, nil
}
