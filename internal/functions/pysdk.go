package functions

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/pkginstall"
)

// The AWS SDK for Python for Python functions. AWS's Python runtimes
// include boto3 and its dependencies ("The Lambda Python runtimes include
// the AWS SDK for Python (Boto3) and its dependencies") and nothing else
// beyond the standard library: a function that imports another library
// it does not bundle fails with Runtime.ImportModuleError. Host
// interpreters run functions without their site directories (python -S),
// and see the SDK through one directory of links, the runtime
// directory's site-packages (/var/runtime/site-packages in a sandbox), to
// the host interpreter's own copies of the SDK's modules and of what
// they import only.

// pythonSDKDir is the SDK's directory inside the Python runtime
// directory; the bootstrap puts it on sys.path after the layers' paths,
// where AWS's runtimes have /var/lang/lib/python3.x/site-packages.
const pythonSDKDir = "site-packages"

// pythonSDKImports are what the probe imports to find the SDK's modules:
// boto3 and what AWS's runtimes include with it (botocore, s3transfer,
// jmespath, python-dateutil, urllib3, six), and a client, whose making
// loads the modules botocore imports lazily.
var pythonSDKImports = []string{"boto3", "botocore.session", "s3transfer.manager", "jmespath", "dateutil.parser", "urllib3", "six"}

// pythonSDKOptional are modules the SDK or its dependencies use when
// they are there and AWS's runtimes do not include: the AWS Common
// Runtime (boto3[crt]) and pyOpenSSL with cryptography, which some
// hosts' requests injects into urllib3.
var pythonSDKOptional = []string{"awscrt", "_awscrt", "OpenSSL", "cryptography", "_cffi_backend"}

// pythonProbe, run by the host interpreter with its site directories
// on sys.path (a virtual environment's, and its base's if it includes
// them; but none of their .pth files, whose imports would count),
// imports what is named on its command line before "--": a module, or a
// distribution (PyYAML, aws-lambda-powertools), whose top-level modules
// it imports with those of the distributions it requires (but for
// extras). Having imported boto3, it makes an S3 client (no request is
// sent). It prints the top-level modules this loaded from outside the
// standard library (a package's directory, a module's file), less the
// optional ones named after "--", their distributions' metadata
// directories, and the names it could not import: the modules as the
// host packages them. Some hosts' packages need more than their
// metadata says (Debian's botocore imports requests, which AWS's
// vendors; Debian's requests lists none of its dependencies): those
// modules come along.
const pythonProbe = `import json, os, re, site, sys, sysconfig
before = set(sys.modules)
dirs = site.getsitepackages() + [site.getusersitepackages()]
venv = os.path.dirname(os.path.dirname(os.path.abspath(sys.executable)))
try:
    with open(os.path.join(venv, "pyvenv.cfg")) as f:
        cfg = dict((k.strip(), v.strip()) for k, _, v in (l.partition("=") for l in f))
    own = os.path.join(venv, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
    dirs = [own] + (dirs if cfg.get("include-system-site-packages") == "true" else [])
except OSError:
    pass
for d in dirs:
    if d not in sys.path:
        sys.path.append(d)
out = {"modules": {}, "metadata": [], "missing": []}
try:
    import importlib.metadata as md
    tops = {}
    for mod, dists in md.packages_distributions().items():
        for dist in dists:
            tops.setdefault(re.sub(r"[-_.]+", "-", dist).lower(), []).append(mod)
except Exception:
    md, tops = None, {}
seen = set()
def load(name):
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return True
    seen.add(key)
    if key in tops:
        for mod in tops[key]:
            try:
                __import__(mod)
            except Exception:
                pass
        try:
            for req in md.distribution(name).requires or []:
                if "extra" not in req.partition(";")[2]:
                    load(re.match(r"[A-Za-z0-9._-]+", req).group(0))
        except Exception:
            pass
        return True
    try:
        __import__(name)
        return True
    except Exception:
        return False
for name in sys.argv[1:sys.argv.index("--")]:
    if not load(name):
        out["missing"].append(name.split(".")[0])
if "boto3" in sys.modules:
    try:
        import boto3
        boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    except Exception:
        pass
optional = set(sys.argv[sys.argv.index("--") + 1:])
std = [os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")]
def stdlib(path):
    real = os.path.realpath(path)
    return any(real.startswith(d + os.sep) for d in std) and "-packages" not in real
for name, mod in list(sys.modules.items()):
    if name in before or "." in name or name.startswith("__") or name in optional or mod is None:
        continue
    path = getattr(mod, "__path__", None)
    path = list(path)[0] if path else getattr(mod, "__file__", None)
    if not path or not os.path.isabs(path) or stdlib(path):
        continue
    out["modules"][name] = path
try:
    dists = md.packages_distributions()
    for name in out["modules"]:
        for dist in dists.get(name, []):
            p = getattr(md.distribution(dist), "_path", None)
            if p and str(p) not in out["metadata"]:
                out["metadata"].append(str(p))
except Exception:
    pass
print(json.dumps(out))
`

// pythonSDK builds the SDK directory once, for the host interpreter: in
// the background from when a Python runtime is first resolved (a
// function created), so that the first environment rarely waits.
type pythonSDK struct {
	dir string // the Python runtime directory's site-packages
	log *slog.Logger

	once    sync.Once
	started atomic.Bool
	done    chan struct{} // closed when the directory is made
}

func newPythonSDK(runtimeDir string, log *slog.Logger) *pythonSDK {
	return &pythonSDK{dir: filepath.Join(runtimeDir, pythonSDKDir), log: log, done: make(chan struct{})}
}

// start begins making the SDK directory for the interpreter python, the
// first time it is called. What the host lacks is logged: functions then
// fail to import it, as they would on a runtime without it.
func (s *pythonSDK) start(python string) {
	s.once.Do(func() {
		s.started.Store(true)
		go func() {
			defer close(s.done)
			missing, err := buildPythonSDK(python, s.dir)
			switch {
			case err != nil:
				s.log.Warn("providing the AWS SDK for Python to functions", "python", python, "err", err)
			case len(missing) > 0 && missing[0] == "boto3":
				s.log.Warn("boto3 is not installed for the host's python: Python functions cannot import boto3 as they can on AWS; install it (Debian: apt-get install python3-boto3)",
					"python", python, "missing", strings.Join(missing, ", "))
			case len(missing) > 0:
				s.log.Warn("some of boto3's dependencies are not installed for the host's python: Python functions importing boto3 may fail",
					"python", python, "missing", strings.Join(missing, ", "))
			}
		}()
	})
}

// ensure starts making the directory if need be and waits until it is
// made.
func (s *pythonSDK) ensure(python string) {
	s.start(python)
	<-s.done
}

// wait waits for a directory being made, if one is.
func (s *pythonSDK) wait() {
	if s.started.Load() {
		<-s.done
	}
}

// buildPythonSDK replaces dir with links to the SDK's modules and
// metadata as python finds them, and lists what it could not import.
func buildPythonSDK(python, dir string) (missing []string, err error) {
	paths, missing, err := probePython(python, pythonSDKImports, pythonSDKOptional)
	if err != nil {
		return nil, err
	}
	links := map[string]string{}
	for _, p := range paths {
		links[filepath.Base(p)] = p
	}
	return missing, replaceLinkDir(dir, links)
}

// HostPythonPackages finds, for the host interpreter python, the files
// that make up the distributions or modules named (a requirements
// file's names: requests, PyYAML) and what they import: the top-level
// modules' directories or files and their distributions' metadata
// directories, as absolute paths. It lists the names python cannot
// import. virga deploy copies these into a function's package when pip
// cannot install its requirements, so that the function, which does not
// see the host's site directories, imports them as it would have
// imported what pip installs.
//
// The SDK's optional modules (pythonSDKOptional) are left out, as pip
// would not install them for a requirement that only imports them when
// they are there, unless a requirement names their distribution: then
// they come with the modules they load at run time (pythonOptionalNeeds),
// as pip would install them.
func HostPythonPackages(python string, names []string) (paths, missing []string, err error) {
	want := slices.Clone(names)
	for _, n := range names {
		want = append(want, pythonOptionalNeeds[distKey(n)]...)
	}
	var skip []string
	for _, m := range pythonSDKOptional {
		if !slices.Contains(want, m) {
			skip = append(skip, m)
		}
	}
	paths, missing, err = probePython(python, want, skip)
	// What a named distribution needs is missing only if it is.
	missing = slices.DeleteFunc(missing, func(m string) bool {
		return !slices.ContainsFunc(names, func(n string) bool { return distKey(n) == distKey(m) })
	})
	return paths, missing, err
}

// debianPython is the interpreter Debian's python3 package installs,
// with the libraries its python3-* packages add.
const debianPython = "/usr/bin/python3"

// HostPythons lists the host's python3 interpreters that virga deploy
// may take a function's requirements from: the first python3 on PATH
// (a pyenv or virtual environment's, often with few libraries), then
// Debian's /usr/bin/python3 when it is another path.
func HostPythons() []string {
	var pythons []string
	if p, err := exec.LookPath("python3"); err == nil {
		pythons = append(pythons, p)
	}
	if _, err := os.Stat(debianPython); err == nil && !slices.Contains(pythons, debianPython) {
		pythons = append(pythons, debianPython)
	}
	return pythons
}

// HostPythonPackagesFrom asks each of pythons for HostPythonPackages
// and returns the answer of the first that has every one of names, or
// else of the one that lacks the fewest (the first of those): a host
// whose python3 on PATH lacks a library its system python has still
// packages that one. It fails only when no interpreter answers.
func HostPythonPackagesFrom(pythons, names []string) (python string, paths, missing []string, err error) {
	var errs []error
	found := false
	for _, p := range pythons {
		ps, ms, e := HostPythonPackages(p, names)
		if e != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, e))
			continue
		}
		if !found || len(ms) < len(missing) {
			python, paths, missing, found = p, ps, ms, true
		}
		if len(ms) == 0 {
			break
		}
	}
	if !found {
		if len(errs) == 0 {
			return "", nil, nil, errors.New("no python3 on this host")
		}
		return "", nil, nil, errors.Join(errs...)
	}
	return python, paths, missing, nil
}

// pythonOptionalNeeds are, by the distribution a requirement names, the
// optional modules (pythonSDKOptional) it needs at run time: its own,
// and the compiled ones it loads only when used (cryptography's
// bindings load _cffi_backend).
var pythonOptionalNeeds = map[string][]string{
	"awscrt":       {"awscrt", "_awscrt"},
	"cryptography": {"cryptography", "_cffi_backend"},
	"pyopenssl":    {"OpenSSL", "cryptography", "_cffi_backend"},
	"cffi":         {"_cffi_backend"},
}

// distKey is a distribution's name as Python compares them (PEP 503):
// lower case, runs of -, _ and . as one -.
func distKey(name string) string {
	return strings.ToLower(distSeparators.ReplaceAllString(name, "-"))
}

var distSeparators = regexp.MustCompile(`[-_.]+`)

// probePython runs pythonProbe for names, leaving out the optional
// modules, and returns what it found.
func probePython(python string, names, optional []string) (paths, missing []string, err error) {
	args := append(append([]string{"-S", "-c", pythonProbe}, names...), "--")
	cmd := exec.Command(python, append(args, optional...)...)
	cmd.Env = probeEnv()
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return nil, nil, errors.New(pkginstall.LastLine(string(ee.Stderr)))
		}
		return nil, nil, err
	}
	var found struct {
		Modules  map[string]string `json:"modules"`
		Metadata []string          `json:"metadata"`
		Missing  []string          `json:"missing"`
	}
	if err := json.Unmarshal(out, &found); err != nil {
		return nil, nil, errors.New("unexpected answer from " + python + ": " + string(out))
	}
	for _, p := range slices.Sorted(maps.Values(found.Modules)) {
		if filepath.IsAbs(p) {
			paths = append(paths, p)
		}
	}
	for _, p := range found.Metadata {
		if filepath.IsAbs(p) {
			paths = append(paths, p)
		}
	}
	return paths, found.Missing, nil
}

// probeEnv is the environment of the SDK probe: the host's, less the
// variables that would change where the interpreter looks for modules.
func probeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PYTHONPATH=") || strings.HasPrefix(kv, "PYTHONHOME=") || strings.HasPrefix(kv, "PYTHONSTARTUP=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// replaceLinkDir makes dir a symbolic link to a directory holding
// exactly the symbolic links name → target, without a moment when dir is
// missing or partly made: the runtime directory is shared by every virga
// on the machine that uses the default work directory (in-memory ones,
// and the many an end-to-end test run starts in one process), whose
// functions may be importing from it while another builds it. The
// directory is named by a digest of its links and made once, by renaming
// a complete copy into place; dir is then replaced by renaming a new
// link over it, which readers see as the old link or the new one. A
// directory of links a link no longer points to is left: one per host
// interpreter, a few kilobytes each.
func replaceLinkDir(dir string, links map[string]string) error {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(links)) {
		fmt.Fprintf(h, "%s\x00%s\x00", name, links[name])
	}
	name := "." + filepath.Base(dir) + "-" + hex.EncodeToString(h.Sum(nil))[:16]
	parent := filepath.Dir(dir)
	if err := makeLinkDir(filepath.Join(parent, name), links); err != nil {
		return err
	}
	if cur, err := os.Readlink(dir); err == nil && cur == name {
		return nil
	}
	tmp := filepath.Join(parent, fmt.Sprintf(".%s-link-%d-%d", filepath.Base(dir), os.Getpid(), linkSeq.Add(1)))
	if err := os.Symlink(name, tmp); err != nil {
		return err
	}
	err := os.Rename(tmp, dir)
	if err != nil {
		// dir is a directory (made before links were used): the rename
		// cannot replace it.
		if fi, lerr := os.Lstat(dir); lerr == nil && fi.IsDir() {
			if err = os.RemoveAll(dir); err == nil {
				err = os.Rename(tmp, dir)
			}
		}
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

var linkSeq atomic.Int64

// makeLinkDir makes dir, holding exactly links, unless it exists: it is
// filled under another name and renamed into place, so that it is
// complete whenever it exists.
func makeLinkDir(dir string, links map[string]string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".site-packages-tmp-*")
	if err != nil {
		return err
	}
	err = os.Chmod(tmp, 0o755)
	for name, target := range links {
		if err == nil {
			err = os.Symlink(target, filepath.Join(tmp, name))
		}
	}
	if err == nil {
		if err = os.Rename(tmp, dir); err == nil {
			return nil
		}
		if _, serr := os.Stat(dir); serr == nil {
			err = nil // another virga made it first
		}
	}
	os.RemoveAll(tmp)
	return err
}
