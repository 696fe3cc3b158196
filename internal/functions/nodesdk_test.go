package functions

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/dirlock"
	"github.com/virga/virga/internal/pkginstall"
	"github.com/virga/virga/internal/testenv"
)

func TestScanSDKImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"index.mjs":                 `import { S3Client } from "@aws-sdk/client-s3"; import x from './local.js';`,
		"lib/db.js":                 `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb'); require("@aws-sdk/lib-dynamodb/dist-cjs/index.js");`,
		"README.md":                 `"@aws-sdk/client-sqs"`,
		"node_modules/dep/index.js": `require("@aws-sdk/client-kms")`,
		"src/handler.ts":            `import { SNSClient } from "@aws-sdk/client-sns";`,
		"data.json":                 `{"a": "@aws-sdk/client-ec2"}`,
		"lib/not-a-package.js":      `const s = "@aws-sdk";`,
		// Names the code completes as it runs: the scan leaves them
		// to the bootstrap, which asks for the whole name.
		"lib/dynamic.js": "require('@aws-sdk/client-' + svc); require(\"@aws-sdk/\" + name); import(`@aws-sdk/client-${svc}`);",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	got := scanSDKImports(dir)
	want := []string{"@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/client-sns", "@aws-sdk/lib-dynamodb"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scanSDKImports = %v, want %v", got, want)
	}
	// A function that bundles a package keeps its own copy.
	os.MkdirAll(filepath.Join(dir, "node_modules", "@aws-sdk", "client-s3"), 0o755)
	os.WriteFile(filepath.Join(dir, "node_modules", "@aws-sdk", "client-s3", "package.json"), []byte(`{}`), 0o644)
	if !hasPackage(dir, "@aws-sdk/client-s3") || hasPackage(dir, "@aws-sdk/client-sns") {
		t.Error("hasPackage does not see the bundled package")
	}
}

// fakeNPM stands in for npm install as far as the runtime directory's
// contents go: afterwards node_modules holds what the command line names
// and what package.json records, nothing else (npm removes extraneous
// packages), and --save records the command line's packages.
const fakeNPM = `#!/bin/sh
dir=""; save=0; pkgs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) dir=$2; shift 2;;
    --loglevel) shift 2;;
    --save) save=1; shift;;
    -*|install) shift;;
    *) pkgs="$pkgs $1"; shift;;
  esac
done
keep="$pkgs"
[ -f "$dir/recorded" ] && keep="$keep $(cat "$dir/recorded")"
rm -rf "$dir/node_modules"
for p in $keep; do mkdir -p "$dir/node_modules/$p"; echo '{}' > "$dir/node_modules/$p/package.json"; done
if [ $save = 1 ]; then
  echo $keep | tr ' ' '\n' | sort -u > "$dir/recorded"
  echo '{}' > "$dir/package.json"
fi
`

// TestNodeSDKInstallsKeepEarlierOnes: installing the packages one
// function imports leaves those another function's install put in place,
// including those of a runtime directory filled before installs were
// recorded in its package.json.
func TestNodeSDKInstallsKeepEarlierOnes(t *testing.T) {
	t.Parallel()
	code := func(src string) *Spec {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "index.mjs"), []byte(src), 0o644)
		return &Spec{CodeDir: dir}
	}
	n, rt := fakeNodeSDK(t)
	ctx := context.Background()
	if err := n.ensure(ctx, code(`import { DynamoDBClient } from '@aws-sdk/client-dynamodb';`)); err != nil {
		t.Fatal(err)
	}
	if err := n.ensure(ctx, code(`import { S3Client } from '@aws-sdk/client-s3';`)); err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"@aws-sdk/client-dynamodb", "@aws-sdk/client-s3"} {
		if !hasPackage(rt, pkg) {
			t.Errorf("%s is gone after the second install", pkg)
		}
	}

	// A directory whose packages were installed without a package.json.
	old := t.TempDir()
	os.MkdirAll(filepath.Join(old, "node_modules", "@aws-sdk", "client-sqs"), 0o755)
	os.WriteFile(filepath.Join(old, "node_modules", "@aws-sdk", "client-sqs", "package.json"), []byte(`{}`), 0o644)
	n2 := newNodeSDK(old, slog.New(slog.DiscardHandler), clock.Real{})
	n2.npm = n.npm
	if err := n2.ensure(ctx, code(`import { SNSClient } from "@aws-sdk/client-sns";`)); err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"@aws-sdk/client-sqs", "@aws-sdk/client-sns"} {
		if !hasPackage(old, pkg) {
			t.Errorf("%s is missing from the older directory", pkg)
		}
	}
}

// TestSDKMissingLayers finds the SDK packages a layer's code imports,
// or its packages name as peer dependencies, for a function whose own
// code names none, and leaves out those the function or a layer bundles.
func TestSDKMissingLayers(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string]string{
		"code/app.mjs":               `import { config } from "/opt/nodejs/config.mjs"; import { S3Client } from "@aws-sdk/client-s3";`,
		"layer1/nodejs/config.mjs":   `import { SSMClient } from "@aws-sdk/client-ssm";`,
		"layer2/nodejs/lib/queue.js": `require("@aws-sdk/client-sqs"); require("@aws-sdk/client-s3");`,
		"layer2/nodejs/node_modules/@aws-sdk/client-sqs/package.json": `{}`,
		"code/node_modules/@aws-sdk/client-s3/package.json":           `{}`,
		// A package the layer ships that counts on the runtime's SDK.
		"layer2/nodejs/node_modules/@aws-lambda-powertools/parameters/package.json": `{"peerDependencies": {"@aws-sdk/client-secrets-manager": ">=3.x", "@middy/core": "4.x || 5.x"}}`,
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	spec := &Spec{CodeDir: filepath.Join(root, "code"), LayerDirs: []string{filepath.Join(root, "layer1"), filepath.Join(root, "layer2")}}
	if got, want := sdkMissing(spec), []string{"@aws-sdk/client-secrets-manager", "@aws-sdk/client-ssm"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sdkMissing = %v, want %v", got, want)
	}
}

// TestNodeSDKInstallIsNotInit: the install of the SDK a Node function
// imports happens before its environment's init starts, so Init Duration
// does not count it. The fake npm holds the install until the test has
// moved the clock an hour on.
func TestNodeSDKInstallIsNotInit(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	tmp := t.TempDir()
	npm := filepath.Join(tmp, "npm")
	script := `#!/bin/sh
prefix=
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift ;;
    @aws-sdk/*) mkdir -p "$prefix/node_modules/$1" && echo '{}' > "$prefix/node_modules/$1/package.json" ;;
  esac
  shift
done
touch ` + tmp + `/running
i=0
while [ ! -e ` + tmp + `/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
`
	if err := os.WriteFile(npm, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	clk := newFakeClock()
	m := newPools(t, func(o *Options) { o.Clock = clk })
	m.nodeSDK.npm = npm
	s := spec(t, "nodejs20.x", "index.handler", map[string]string{
		"index.mjs": `const sdk = "@aws-sdk/client-sqs"; export const handler = async () => sdk;`,
	})
	done := make(chan *Result, 1)
	go func() { done <- invoke(t, m, s, `{}`) }()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(tmp, "running")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("npm never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
	clk.advance(time.Hour)
	os.WriteFile(filepath.Join(tmp, "go"), nil, 0o644)
	res := <-done
	if string(res.Payload) != `"@aws-sdk/client-sqs"` || res.FunctionError != "" {
		t.Fatalf("invoke: %s %s", res.FunctionError, res.Payload)
	}
	if res.InitDuration <= 0 || res.InitDuration >= time.Hour {
		t.Errorf("Init Duration %v counts the SDK's install", res.InitDuration)
	}
}

// TestNodeSDKProvide: a package a running function asks for is
// installed if it is the SDK's, next to those installed before; any
// other name is refused without running npm, and without npm nothing is
// installed.
func TestNodeSDKProvide(t *testing.T) {
	t.Parallel()
	n, rt := fakeNodeSDK(t)
	ctx := context.Background()
	for _, pkg := range []string{"@aws-sdk/client-ssm", "@aws-sdk/client-sqs"} {
		if err := n.ProvideSDK(ctx, pkg); err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
	}
	for _, pkg := range []string{"@aws-sdk/client-ssm", "@aws-sdk/client-sqs"} {
		if !hasPackage(rt, pkg) {
			t.Errorf("%s is not installed", pkg)
		}
	}
	for _, pkg := range []string{"left-pad", "@aws-sdk/../../x", "@aws-sdk/client-s3 left-pad", "@aws-sdk/", "--global", "@smithy/types"} {
		if err := n.ProvideSDK(ctx, pkg); err == nil {
			t.Errorf("%q was provided", pkg)
		}
	}
	for _, pkg := range []string{"left-pad", "@smithy/types", "x"} {
		if hasPackage(rt, pkg) {
			t.Errorf("%s was installed", pkg)
		}
	}
	// An install outlives a caller that gives up: npm is not killed
	// halfway through the shared directory.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := n.ProvideSDK(gone, "@aws-sdk/client-sns"); err != nil || !hasPackage(rt, "@aws-sdk/client-sns") {
		t.Errorf("for a caller that went away: %v", err)
	}
	none := newNodeSDK(t.TempDir(), slog.New(slog.DiscardHandler), clock.Real{})
	none.npm = ""
	if err := none.ProvideSDK(ctx, "@aws-sdk/client-ssm"); err == nil || hasPackage(none.dir, "@aws-sdk/client-ssm") {
		t.Errorf("without npm: %v", err)
	}
}

// TestNodeSDKRemembersFailures: a package npm does not know costs one
// npm run, not one per process that asks for it, until pkginstall.RetryAfter
// has passed; the packages named beside it are installed without it; a
// refused package does not wait for another install's turn, and a
// caller that gives up stops waiting for its own.
func TestNodeSDKRemembersFailures(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	runs := filepath.Join(tmp, "runs")
	npm := filepath.Join(tmp, "npm")
	// npm stops at the first package the registry does not have.
	script := `#!/bin/sh
echo run >> ` + runs + `
for a in "$@"; do
  case "$a" in
    @aws-sdk/*nope*) echo "npm error code E404"; echo "npm error 404 Not Found - GET https://registry.npmjs.org/$(echo $a | sed 's#/#%2f#') - Not found"; exit 1;;
  esac
done
` + fakeNPM[len("#!/bin/sh\n"):]
	if err := os.WriteFile(npm, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		b, _ := os.ReadFile(runs)
		return strings.Count(string(b), "run")
	}
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rt := t.TempDir()
	n := newNodeSDK(rt, slog.New(slog.DiscardHandler), clk)
	n.npm = npm
	ctx := context.Background()

	if err := n.ProvideSDK(ctx, "@aws-sdk/client-nope"); err == nil {
		t.Fatal("a package npm does not know was provided")
	}
	if err := n.ProvideSDK(ctx, "@aws-sdk/client-nope"); err == nil || !strings.Contains(err.Error(), "client-nope") {
		t.Fatalf("asked again: %v", err)
	}
	if got := count(); got != 1 {
		t.Errorf("npm ran %d times for one missing package, want 1", got)
	}
	clk.Advance(pkginstall.RetryAfter)
	if err := n.ProvideSDK(ctx, "@aws-sdk/client-nope"); err == nil {
		t.Fatal("a package npm does not know was provided")
	}
	if got := count(); got != 2 {
		t.Errorf("npm ran %d times after %v, want 2", got, pkginstall.RetryAfter)
	}

	// Code that names real packages beside made-up ones gets the real ones.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.mjs"), []byte(`import "@aws-sdk/client-s3"; import "@aws-sdk/nope-a"; import "@aws-sdk/nope-b";`), 0o644)
	err := n.ensure(ctx, &Spec{CodeDir: dir})
	if err == nil || !strings.Contains(err.Error(), "nope-a") || !strings.Contains(err.Error(), "nope-b") {
		t.Errorf("ensure: %v", err)
	}
	if !hasPackage(rt, "@aws-sdk/client-s3") {
		t.Error("@aws-sdk/client-s3 is not installed beside the made-up packages")
	}
	before := count()
	if err := n.ensure(ctx, &Spec{CodeDir: dir}); err == nil {
		t.Error("the made-up packages were provided")
	}
	if got := count(); got != before {
		t.Errorf("npm ran %d more times for packages that failed just now", got-before)
	}

	// While another install holds the turn, a refused package is answered
	// at once, and a caller that gives up stops waiting.
	n.turn <- struct{}{}
	answered := make(chan error, 2)
	go func() { answered <- n.ProvideSDK(ctx, "@aws-sdk/nope-a") }()
	gone, cancel := context.WithCancel(ctx)
	go func() { answered <- n.ProvideSDK(gone, "@aws-sdk/client-sqs") }()
	cancel()
	for range 2 {
		select {
		case err := <-answered:
			if err == nil {
				t.Error("provided while another install holds the turn")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a caller still waits for another install's turn")
		}
	}
	<-n.turn
	if err := n.ProvideSDK(ctx, "@aws-sdk/client-sqs"); err != nil || !hasPackage(rt, "@aws-sdk/client-sqs") {
		t.Errorf("after the turn is free: %v", err)
	}
}

// TestNodeSDKLockWaitEndsWithCaller: while another process holds the
// runtime directory's lock, a caller whose context ends stops waiting
// for it, and nothing is remembered as failed: once the lock is let go
// the package is installed.
func TestNodeSDKLockWaitEndsWithCaller(t *testing.T) {
	t.Parallel()
	n, rt := fakeNodeSDK(t)
	ctx := context.Background()
	unlock, err := dirlock.Lock(ctx, rt)
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	answered := make(chan error, 1)
	go func() { answered <- n.ProvideSDK(gone, "@aws-sdk/client-sqs") }()
	cancel()
	select {
	case err := <-answered:
		if err == nil || !strings.Contains(err.Error(), "gave up waiting") || !strings.Contains(err.Error(), context.Canceled.Error()) {
			t.Errorf("a caller that went away: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a caller that went away still waits for the directory's lock")
	}
	unlock()
	if err := n.ProvideSDK(ctx, "@aws-sdk/client-sqs"); err != nil || !hasPackage(rt, "@aws-sdk/client-sqs") {
		t.Errorf("once the lock is let go: %v", err)
	}
}

// fakeNodeSDK is a nodeSDK installing into a new runtime directory, rt,
// with fakeNPM for npm.
func fakeNodeSDK(t *testing.T) (n *nodeSDK, rt string) {
	t.Helper()
	npm := filepath.Join(t.TempDir(), "npm")
	if err := os.WriteFile(npm, []byte(fakeNPM), 0o755); err != nil {
		t.Fatal(err)
	}
	rt = t.TempDir()
	n = newNodeSDK(rt, slog.New(slog.DiscardHandler), clock.Real{})
	n.npm = npm
	return n, rt
}
