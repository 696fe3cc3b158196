package functions

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/dirlock"
	"github.com/virga/virga/internal/functions/runtimeapi"
	"github.com/virga/virga/internal/pkginstall"
)

// The AWS SDK for JavaScript v3 for Node functions. AWS's Node runtimes
// ship it, so functions import @aws-sdk/* without bundling it. virga
// installs the packages a function's code or its layers' code names, or
// its layers' packages name as peer dependencies, from npm into the Node
// runtime directory's node_modules (/var/runtime/node_modules in the
// sandbox, on NODE_PATH) before the function's first environment starts,
// once per package, and records them in that directory's package.json so
// that later installs keep them; a function that bundles its own copy
// uses its own.
// A package whose name only the running code makes
// (`@aws-sdk/client-${service}`, as the AWS CDK's AwsCustomResource
// handler builds it) is installed when the code first requires or
// imports it: the Node.js bootstrap asks through the Runtime API's
// /_virga/sdk/ endpoint (ProvideSDK), which installs packages of the SDK
// only, and waits. Installs hold the directory's lock (package dirlock),
// since virgas sharing the default work directory share it. A package
// whose install failed (npm does not know it, the registry is out of
// reach) is refused without npm for pkginstall.RetryAfter, so that code naming
// made-up packages does not hold every Node function's start behind
// one npm run per process.
// Without npm or the registry, the function starts anyway and its import
// fails as it would with the package missing.

// sdkImport finds @aws-sdk package names in source text: whole ones, so
// that the start of a name the code completes as it runs
// ('@aws-sdk/client-' + service), which ends in a separator, is not
// taken for a package (its install would fail, and with it the install
// of every package found beside it).
var sdkImport = regexp.MustCompile(`["'](@aws-sdk/[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)(?:/[^"']*)?["']`)

// Limits of the scan and the install.
const (
	sdkScanMaxFile  = 4 << 20  // larger files (bundles) are not read
	sdkScanMaxTotal = 64 << 20 // bytes read per function
	sdkInstallLimit = 3 * time.Minute
)

// nodeSDK installs SDK packages into a runtime directory.
type nodeSDK struct {
	dir string // the Node runtime directory; packages go to dir/node_modules
	npm string // npm's path, "" if absent
	log *slog.Logger

	// turn is held by the one install running (a buffered channel of
	// one, so that a caller that gives up stops waiting for it).
	turn chan struct{}

	mu   sync.Mutex // guards done
	done map[string]bool

	// failed remembers the packages whose install failed (one npm does
	// not know, or every package while the registry is out of reach).
	failed *pkginstall.Failures
}

func newNodeSDK(dir string, log *slog.Logger, clk clock.Clock) *nodeSDK {
	npm, _ := exec.LookPath("npm")
	return &nodeSDK{dir: dir, npm: npm, log: log, turn: make(chan struct{}, 1),
		done: map[string]bool{}, failed: pkginstall.NewFailures(clk)}
}

// ensure installs the SDK packages spec's code and layers import and
// neither they nor the cache already have. It reports what it could not
// do.
func (n *nodeSDK) ensure(ctx context.Context, spec *Spec) error {
	return n.install(ctx, sdkMissing(spec))
}

// ProvideSDK installs pkg, a package a running function requires or
// imports and does not find: one whose name only the running code
// makes (`@aws-sdk/client-${service}`, as the AWS CDK's AwsCustomResource
// handler does), so that no scan of its code saw it. It serves the
// Runtime API's /_virga/sdk/ endpoint, which the Node.js bootstrap calls
// from its require and import hooks.
func (n *nodeSDK) ProvideSDK(ctx context.Context, pkg string) error {
	if !sdkPackage.MatchString(pkg) {
		return errors.New(pkg + " is not a package of the AWS SDK for JavaScript v3")
	}
	err := n.install(ctx, []string{pkg})
	if err != nil {
		n.log.Warn("providing the AWS SDK for JavaScript", "package", pkg, "err", err)
	}
	return err
}

var _ runtimeapi.SDKProvider = (*nodeSDK)(nil)

// install installs the packages of missing that the runtime directory
// does not have yet, at most one install at a time. Packages whose
// install failed less than pkginstall.RetryAfter ago are refused at once, even
// while another install runs; a caller whose ctx ends while it waits
// for its turn, or for another process's install in the directory,
// stops waiting (the install itself, once begun, does not stop).
func (n *nodeSDK) install(ctx context.Context, missing []string) error {
	todo, refused := n.pending(missing)
	if len(todo) > 0 {
		if n.npm == "" {
			return &RuntimeError{Type: TypeService, Message: "npm is not installed, so " + strings.Join(todo, ", ") + " cannot be provided"}
		}
		select {
		case n.turn <- struct{}{}:
		default:
			select {
			case n.turn <- struct{}{}:
			case <-ctx.Done():
				return &RuntimeError{Type: TypeService, Message: "gave up waiting for another install of the AWS SDK before installing " + strings.Join(todo, ", ") + ": " + ctx.Err().Error()}
			}
		}
		defer func() { <-n.turn }()
		var again []string
		todo, again = n.pending(todo) // another install may have settled some
		refused = append(refused, again...)
		if err := n.run(ctx, todo); err != nil {
			refused = append(refused, err.Error())
		}
	}
	if len(refused) > 0 {
		return &RuntimeError{Type: TypeService, Message: strings.Join(refused, "; ")}
	}
	return nil
}

// pending sorts missing into the packages to install and why each of
// the others that failed recently is refused; those in place are left
// out.
func (n *nodeSDK) pending(missing []string) (todo, refused []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, pkg := range missing {
		if n.done[pkg] {
			continue
		}
		if hasPackage(n.dir, pkg) {
			n.done[pkg] = true
			continue
		}
		if err := n.failed.Refused(pkg); err != nil {
			refused = append(refused, err.Error())
			continue
		}
		todo = append(todo, pkg)
	}
	return todo, refused
}

// run installs todo with npm, its caller holding the turn. When npm
// names packages of todo it does not know, they are remembered as failed
// and the others installed without them; when it names none (the
// registry out of reach), all of todo is.
func (n *nodeSDK) run(ctx context.Context, todo []string) error {
	if len(todo) == 0 {
		return nil
	}
	// Other virgas may share the directory (the default work directory
	// is one per bootstraps' version): one npm at a time in it, or each
	// would take away files the other is putting in place.
	// Waiting for another's install ends with the caller's ctx.
	unlock, err := dirlock.Lock(ctx, n.dir)
	if err != nil && ctx.Err() != nil {
		return errors.New("gave up waiting for another process's install in " + n.dir + " before installing " + strings.Join(todo, ", ") + ": " + err.Error())
	}
	if err != nil {
		return errors.New("locking " + n.dir + ": " + err.Error())
	}
	defer unlock()
	if todo = slices.DeleteFunc(todo, func(pkg string) bool { return hasPackage(n.dir, pkg) }); len(todo) == 0 {
		return nil
	}
	// The install outlives whoever asked (an invocation whose caller went
	// away, a function that timed out while it waited): npm killed
	// halfway would leave packages half-written in the directory every
	// function shares.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sdkInstallLimit)
	defer cancel()
	var failures []string
	for len(todo) > 0 {
		// npm install removes from node_modules every package its
		// package.json does not name, so each install is saved there
		// (--save) and names again what earlier ones put in place:
		// otherwise installing one function's packages would take away
		// another's.
		args := append([]string{"--save", "--no-package-lock", "--loglevel", "error"}, todo...)
		args = append(args, n.kept(todo)...)
		err := pkginstall.NPM(ctx, n.npm, n.dir, nil, args...)
		if err == nil {
			break
		}
		unknown := npmUnknown(err.Error(), todo)
		if len(unknown) == 0 {
			unknown = todo
		}
		failures = append(failures, "installing "+strings.Join(unknown, ", ")+": "+err.Error())
		for _, pkg := range unknown {
			n.failed.Record(pkg, err)
		}
		todo = slices.DeleteFunc(todo, func(pkg string) bool { return slices.Contains(unknown, pkg) })
	}
	n.mu.Lock()
	for _, pkg := range todo {
		n.done[pkg] = true
	}
	for pkg := range n.done {
		if !hasPackage(n.dir, pkg) {
			delete(n.done, pkg)
		}
	}
	n.mu.Unlock()
	if len(failures) > 0 {
		return errors.New(strings.Join(failures, "; "))
	}
	return nil
}

// npmUnknown lists the packages of todo that npm's error says the
// registry does not have: its 404 names the package's registry address
// (".../@aws-sdk%2fclient-x - Not found") or the package with its
// version range ("'@aws-sdk/client-x@*' is not in this registry").
func npmUnknown(msg string, todo []string) []string {
	low := strings.ToLower(msg)
	named := func(s string) bool {
		for i := 0; ; {
			j := strings.Index(low[i:], s)
			if j < 0 {
				return false
			}
			end := i + j + len(s)
			if end == len(low) || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789._-", rune(low[end])) {
				return true
			}
			i = end
		}
	}
	var out []string
	for _, pkg := range todo {
		if named(strings.Replace(pkg, "/", "%2f", 1)) || named("'"+pkg+"@") {
			out = append(out, pkg)
		}
	}
	return out
}

// kept lists the packages an install besides todo must keep: those
// installed or found before, and, in a runtime directory whose
// node_modules predates its package.json, every @aws-sdk package there.
func (n *nodeSDK) kept(todo []string) []string {
	seen := map[string]bool{}
	for _, pkg := range todo {
		seen[pkg] = true
	}
	var out []string
	add := func(pkg string) {
		if !seen[pkg] {
			seen[pkg] = true
			out = append(out, pkg)
		}
	}
	for pkg := range n.done {
		add(pkg)
	}
	if _, err := os.Stat(filepath.Join(n.dir, "package.json")); os.IsNotExist(err) {
		entries, _ := os.ReadDir(filepath.Join(n.dir, "node_modules", "@aws-sdk"))
		for _, e := range entries {
			if e.IsDir() && hasPackage(n.dir, "@aws-sdk/"+e.Name()) {
				add("@aws-sdk/" + e.Name())
			}
		}
	}
	sort.Strings(out)
	return out
}

// sdkMissing lists the @aws-sdk packages that the function's code or
// its layers' code (a layer's nodejs/ module that calls Parameter Store,
// say, for functions that do not name the SDK themselves) import, and
// that neither the function nor a layer bundles, sorted.
func sdkMissing(spec *Spec) []string {
	want := map[string]bool{}
	for _, dir := range append([]string{spec.CodeDir}, spec.LayerDirs...) {
		for _, pkg := range scanSDKImports(dir) {
			want[pkg] = true
		}
	}
	for _, dir := range spec.LayerDirs {
		for _, pkg := range layerSDKPeers(filepath.Join(dir, "nodejs")) {
			want[pkg] = true
		}
	}
	var missing []string
	for pkg := range want {
		if hasPackage(spec.CodeDir, pkg) {
			continue
		}
		inLayer := false
		for _, l := range spec.LayerDirs {
			if hasPackage(filepath.Join(l, "nodejs"), pkg) {
				inLayer = true
			}
		}
		if !inLayer {
			missing = append(missing, pkg)
		}
	}
	sort.Strings(missing)
	return missing
}

// layerSDKPeers lists the @aws-sdk packages that the packages a layer
// ships in root/node_modules (not their dependencies) name as peer
// dependencies: they count on the runtime's SDK, as Powertools for AWS
// Lambda's parameters and idempotency do for their clients, and import
// it from code that scanSDKImports does not read (node_modules).
func layerSDKPeers(root string) []string {
	var out []string
	manifests, _ := filepath.Glob(filepath.Join(root, "node_modules", "*", "package.json"))
	scoped, _ := filepath.Glob(filepath.Join(root, "node_modules", "@*", "*", "package.json"))
	for _, m := range append(manifests, scoped...) {
		b, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		var pkg struct {
			PeerDependencies map[string]any `json:"peerDependencies"`
		}
		if json.Unmarshal(b, &pkg) != nil {
			continue
		}
		for name := range pkg.PeerDependencies {
			if sdkPackage.MatchString(name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// sdkPackage matches the name of a package of the AWS SDK for
// JavaScript v3.
var sdkPackage = regexp.MustCompile(`^@aws-sdk/[a-z0-9][a-z0-9._-]*$`)

// hasPackage reports whether root/node_modules holds pkg.
func hasPackage(root, pkg string) bool {
	_, err := os.Stat(filepath.Join(root, "node_modules", filepath.FromSlash(pkg), "package.json"))
	return err == nil
}

// scanSDKImports lists the @aws-sdk packages the function's own sources
// (not its node_modules) name, sorted.
func scanSDKImports(codeDir string) []string {
	found := map[string]bool{}
	total := 0
	filepath.WalkDir(codeDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".js", ".mjs", ".cjs", ".ts":
		default:
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > sdkScanMaxFile || total+int(info.Size()) > sdkScanMaxTotal {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		total += len(b)
		for _, m := range sdkImport.FindAllSubmatch(b, -1) {
			found[string(m[1])] = true
		}
		return nil
	})
	out := make([]string, 0, len(found))
	for pkg := range found {
		out = append(out, pkg)
	}
	sort.Strings(out)
	return out
}
