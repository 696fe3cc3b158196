package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

func TestEsbuildArgs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.ts"), []byte("export const h = 1\n"), 0o644)
	tests := []struct {
		name    string
		props   map[string]any
		handler string
		want    []string
		wantErr string
	}{
		{
			name: "sam init's TypeScript hello world",
			props: map[string]any{"Minify": true, "Target": "es2020", "Sourcemap": true,
				"EntryPoints": []any{"app.ts"}},
			want: []string{"app.ts", "--bundle", "--platform=node", "--target=es2020", "--outdir=/out", "--minify", "--sourcemap"},
		},
		{
			name:    "entry point from the handler, minified when Minify is not given",
			handler: "app.lambdaHandler",
			want:    []string{"app.ts", "--bundle", "--platform=node", "--target=es2020", "--outdir=/out", "--minify"},
		},
		{
			name:    "Minify false",
			props:   map[string]any{"Minify": false},
			handler: "app.lambdaHandler",
			want:    []string{"app.ts", "--bundle", "--platform=node", "--target=es2020", "--outdir=/out"},
		},
		{
			name: "ESM with externals",
			props: map[string]any{"EntryPoints": "src/a.ts, src/b.ts", "Format": "esm", "Minify": "false",
				"OutExtension": []any{".js=.mjs"}, "External": []any{"@aws-sdk/*"}, "MainFields": []any{"module", "main"}},
			want: []string{"src/a.ts", "src/b.ts", "--bundle", "--platform=node", "--target=es2020", "--outdir=/out",
				"--format=esm", "--external:@aws-sdk/*", "--out-extension:.js=.mjs", "--main-fields=module,main"},
		},
		{name: "no file for the handler", handler: "nope.handler", wantErr: "no nope.ts or nope.js"},
		{name: "an option virga does not know", props: map[string]any{"Splitting": true}, handler: "app.h", wantErr: "does not know Splitting"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := esbuildArgs(tc.props, tc.handler, dir, "/out")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("esbuildArgs = %q, %v\nwant %q", got, err, tc.want)
			}
		})
	}
}

// TestEsbuildSourceMaps: as sam build, Sourcemap adds --enable-source-maps
// to NODE_OPTIONS (keeping what the function or Globals had), and
// --enable-source-maps without Sourcemap turns source maps on.
func TestEsbuildSourceMaps(t *testing.T) {
	t.Parallel()
	esb := func(bprops map[string]any, props map[string]any) map[string]any {
		m := map[string]any{"BuildMethod": "esbuild"}
		if bprops != nil {
			m["BuildProperties"] = bprops
		}
		return map[string]any{"Type": "AWS::Serverless::Function", "Metadata": m, "Properties": props}
	}
	vars := func(kv ...string) map[string]any {
		v := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			v[kv[i]] = kv[i+1]
		}
		return map[string]any{"Environment": map[string]any{"Variables": v}}
	}
	tree := map[string]any{
		"Globals": map[string]any{"Function": vars("NODE_OPTIONS", "--max-old-space-size=100")},
		"Resources": map[string]any{
			"Maps":     esb(map[string]any{"Sourcemap": true}, map[string]any{}),
			"Own":      esb(map[string]any{"Sourcemap": "true"}, vars("NODE_OPTIONS", "--no-warnings", "A", "b")),
			"Already":  esb(map[string]any{"Sourcemap": true}, vars("NODE_OPTIONS", "--enable-source-maps")),
			"FromEnv":  esb(nil, vars("NODE_OPTIONS", "--enable-source-maps")),
			"Off":      esb(map[string]any{"Sourcemap": false}, vars("NODE_OPTIONS", "--enable-source-maps")),
			"NotBuilt": map[string]any{"Type": "AWS::Serverless::Function", "Properties": vars("NODE_OPTIONS", "--enable-source-maps")},
		},
	}
	notes := esbuildSourceMaps(tree)
	if len(notes) != 3 {
		t.Errorf("notes = %q, want 3", notes)
	}
	res := tree["Resources"].(map[string]any)
	opts := func(id string) any {
		p := res[id].(map[string]any)["Properties"].(map[string]any)
		env, _ := p["Environment"].(map[string]any)
		v, _ := env["Variables"].(map[string]any)
		return v["NODE_OPTIONS"]
	}
	for id, want := range map[string]any{
		"Maps":    "--max-old-space-size=100 --enable-source-maps",
		"Own":     "--no-warnings --enable-source-maps",
		"Already": "--enable-source-maps",
	} {
		if got := opts(id); got != want {
			t.Errorf("%s NODE_OPTIONS = %v, want %q", id, got, want)
		}
	}
	bp := func(id string) any {
		m := res[id].(map[string]any)["Metadata"].(map[string]any)
		b, _ := m["BuildProperties"].(map[string]any)
		return b["Sourcemap"]
	}
	if bp("FromEnv") != true || bp("Off") != false {
		t.Errorf("Sourcemap: FromEnv %v, Off %v; want true, false", bp("FromEnv"), bp("Off"))
	}
}

// TestDeployEsbuild deploys a function with BuildMethod esbuild. The
// project's own esbuild (node_modules/.bin) is a stand-in script that
// writes the bundle from the entry point, so that the test needs no
// package registry; it checks the arguments sam build would give.
func TestDeployEsbuild(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/node")
	env := e2e.Start(t)
	dir := t.TempDir()
	files := map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.lambdaHandler
      Runtime: nodejs20.x
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Minify: true
        Target: es2020
        EntryPoints:
          - app.ts
Outputs:
  Name:
    Value: !Ref Hello
`,
		"hello/app.ts": "export const lambdaHandler = async (): Promise<object> => ({ bundled: true });\n",
		"hello/node_modules/.bin/esbuild": `#!/bin/sh
# A stand-in for esbuild: checks the options and writes the bundle.
[ "$1" = app.ts ] && [ "$2" = --bundle ] && [ "$3" = --platform=node ] && [ "$4" = --target=es2020 ] && [ "$6" = --minify ] || { echo "unexpected arguments: $*" >&2; exit 2; }
out=${5#--outdir=}
echo 'exports.lambdaHandler = async () => ({ bundled: true });' > "$out/app.js"
echo "bundled into $out"
`,
	}
	writeFiles(t, dir, files)
	os.Chmod(filepath.Join(dir, "hello/node_modules/.bin/esbuild"), 0o755)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "esb")
	if !strings.Contains(out, "Bundling Hello with esbuild") || !strings.Contains(out, "bundled into") {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	name := outputValue(out, "Name")
	fn, err := lambda.NewFromConfig(env.Config).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name)})
	if err != nil || string(res.Payload) != `{"bundled":true}` {
		t.Errorf("the bundled function: %s %v", res.Payload, err)
	}
	// The package holds the bundle, not the sources.
	if size := fn.Configuration.CodeSize; size > 400 {
		t.Errorf("the package is %d bytes; want only the bundle", size)
	}
}

// TestDeployEsbuildMissing: without esbuild, the deploy stops and says
// where esbuild is looked for.
func TestDeployEsbuildMissing(t *testing.T) {
	t.Parallel()
	if _, err := findEsbuild(t.TempDir()); err == nil {
		t.Skip("this host has esbuild on PATH")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("exports.h = async () => 1\n"), 0o644)
	c := codeLocation{logicalID: "Fn", method: "esbuild", handler: "app.h", dir: dir}
	_, _, err := build(context.Background(), c, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "Fn: BuildMethod esbuild needs esbuild") {
		t.Errorf("build = %v", err)
	}
}

// TestEsbuildBuildIsReproducible builds one function twice: the packages
// are the same bytes, so an unchanged function deploys as unchanged. A
// source map names its sources relative to the bundle, so the stand-in
// esbuild writes the path from its output directory to the code it
// bundles, which must be the same on every build (../task, the source's
// own path from /var/task).
func TestEsbuildBuildIsReproducible(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/realpath")
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "node_modules", ".bin"), 0o755)
	os.WriteFile(filepath.Join(dir, "app.ts"), []byte("export const h = async () => 1;\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "node_modules", ".bin", "esbuild"), []byte(`#!/bin/sh
for a; do case $a in --outdir=*) out=${a#--outdir=};; esac; done
echo 'exports.h = async () => 1;' > "$out/app.js"
echo "{\"sources\":[\"$(realpath --relative-to="$out" "$PWD")/app.ts\"]}" > "$out/app.js.map"
`), 0o755)
	c := codeLocation{logicalID: "Fn", method: "esbuild", handler: "app.h", dir: dir, props: map[string]any{"Sourcemap": true}}
	first := buildTwice(t, c)
	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("app.js.map")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if m, _ := io.ReadAll(f); strings.TrimSpace(string(m)) != `{"sources":["../task/app.ts"]}` {
		t.Errorf("source map %s", m)
	}
}

// TestDeployEsbuildNestedHandler: esbuild writes handlers/app.ts's bundle
// as app.js at the package's root, so the function's Handler
// handlers/app.lambdaHandler becomes app.lambdaHandler, as sam build
// makes it, and the function runs.
func TestDeployEsbuildNestedHandler(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/node")
	env := e2e.Start(t)
	dir := t.TempDir()
	files := map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Nested:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: handlers/app.lambdaHandler
      Runtime: nodejs20.x
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints:
          - handlers/app.ts
Outputs:
  Name:
    Value: !Ref Nested
`,
		"src/handlers/app.ts": "export const lambdaHandler = async (): Promise<string> => 'nested';\n",
		"src/node_modules/.bin/esbuild": `#!/bin/sh
for a; do case $a in --outdir=*) out=${a#--outdir=};; esac; done
echo "exports.lambdaHandler = async () => 'nested';" > "$out/app.js"
`,
	}
	writeFiles(t, dir, files)
	os.Chmod(filepath.Join(dir, "src/node_modules/.bin/esbuild"), 0o755)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "nested")
	if !strings.Contains(out, "notice: Nested: esbuild bundles handlers/app.lambdaHandler at the package's root: Handler is app.lambdaHandler") {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	lc := lambda.NewFromConfig(env.Config)
	name := aws.String(outputValue(out, "Name"))
	res, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: name})
	if err != nil || res.FunctionError != nil || string(res.Payload) != `"nested"` {
		t.Errorf("invoke: %v %s", err, res.Payload)
	}
	if cfg, err := lc.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: name}); err != nil || aws.ToString(cfg.Handler) != "app.lambdaHandler" {
		t.Errorf("Handler %q (%v)", aws.ToString(cfg.Handler), err)
	}
}

func TestEsbuildHandler(t *testing.T) {
	t.Parallel()
	nested := func(files ...string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, f := range files {
			zw.Create(f)
		}
		zw.Close()
		return b.Bytes()
	}
	fn := map[string]any{}
	for _, c := range []struct {
		method, handler string
		pkg             []byte
		want            string
	}{
		{"esbuild", "handlers/get.handler", nested("get.js"), "get.handler"},
		{"esbuild", "a/b/get.handler", nested("get.mjs"), "get.handler"},
		{"esbuild", "handlers/get.handler", nested("handlers/get.js"), ""},
		{"esbuild", "app.handler", nested("other.js"), ""},
		{"", "handlers/get.handler", nested("get.js"), ""},
	} {
		got := esbuildHandler(codeLocation{method: c.method, handler: c.handler, function: fn}, c.pkg)
		if got != c.want {
			t.Errorf("%s %s: %q, want %q", c.method, c.handler, got, c.want)
		}
	}
}
