package functions

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/virga/virga/internal/functions/bootstraps"
	"github.com/virga/virga/internal/functions/sandbox"
)

// runtimeKind is how an environment starts its runtime.
type runtimeKind int

const (
	kindProvided runtimeKind = iota + 1 // exec the zip's (or a layer's) bootstrap
	kindGo                              // go1.x: exec the binary the handler names
	kindPython                          // our bootstrap on the host's python3
	kindNode                            // our bootstrap on the host's node
	kindRuby                            // our bootstrap on the host's ruby
	kindJava                            // our bootstrap on the host's JVM
)

// runtimeInfo is a resolved Lambda runtime identifier.
type runtimeInfo struct {
	id      string
	kind    runtimeKind
	version string // "3.12" for python3.12, "20" for nodejs20.x, "3.3" for ruby3.3, "17" for java17
	// host is the version of the host interpreter that runs it ("3.11",
	// "20", "3.1", "17"), for Python, Node, Ruby and Java.
	host string
}

// runtimeFamily is a family of Lambda runtime identifiers and how virga
// runs them.
type runtimeFamily struct {
	kind runtimeKind
	// version is the runtime's version of an identifier of the family;
	// ok is false for an identifier of another family.
	version func(id string) (v string, ok bool)
	// debian is the Debian package that gives the host the family's
	// interpreter; "" for a family that runs without one.
	debian string
}

// runtimeFamilies is the one table of the runtime identifiers virga
// runs. Package lambda asks it through Manager.CheckRuntime.
var runtimeFamilies = []runtimeFamily{
	{kind: kindProvided, version: oneOf("provided", "provided.al2", "provided.al2023")},
	{kind: kindGo, version: oneOf("go1.x")},
	{kind: kindPython, debian: "python3", version: prefixed("python", "3.")},
	{kind: kindNode, debian: "nodejs", version: func(id string) (string, bool) {
		v, ok := strings.CutPrefix(id, "nodejs")
		if !ok || !strings.HasSuffix(v, ".x") {
			return "", false
		}
		return strings.TrimSuffix(v, ".x"), true
	}},
	{kind: kindRuby, debian: "ruby", version: func(id string) (string, bool) {
		if v, ok := prefixed("ruby", "3.")(id); ok {
			return v, true
		}
		return prefixed("ruby", "4.")(id)
	}},
	// Java needs a JDK, not only a JRE: the bootstrap is compiled on the
	// host (bootstraps.CompileJava).
	{kind: kindJava, debian: "default-jdk-headless", version: func(id string) (string, bool) {
		v, ok := javaRuntimes[id]
		return v, ok
	}},
}

// oneOf is the version func of a family of fixed identifiers, which
// have no version.
func oneOf(ids ...string) func(string) (string, bool) {
	return func(id string) (string, bool) { return "", slices.Contains(ids, id) }
}

// retiredRuntimes are the runtime identifiers Lambda no longer accepts
// for creating or updating functions, each with the runtime AWS
// recommends instead. A function made before keeps running on those of
// the families above (python3.8 on python3).
var retiredRuntimes = map[string]string{
	"nodejs":         "nodejs22.x",
	"nodejs4.3":      "nodejs22.x",
	"nodejs4.3-edge": "nodejs22.x",
	"nodejs6.10":     "nodejs22.x",
	"nodejs8.10":     "nodejs22.x",
	"nodejs10.x":     "nodejs22.x",
	"nodejs12.x":     "nodejs22.x",
	"nodejs14.x":     "nodejs22.x",
	"nodejs16.x":     "nodejs22.x",
	"python2.7":      "python3.13",
	"python3.6":      "python3.13",
	"python3.7":      "python3.13",
	"python3.8":      "python3.13",
	"dotnetcore1.0":  "dotnet8",
	"dotnetcore2.0":  "dotnet8",
	"dotnetcore2.1":  "dotnet8",
	"dotnetcore3.1":  "dotnet8",
	"dotnet6":        "dotnet8",
	"ruby2.5":        "ruby3.3",
	"ruby2.7":        "ruby3.3",
	"java8":          "java21",
}

// RuntimeVersionARN is the ARN of the runtime version a function on the
// managed runtime runs in region, as RuntimeVersionConfig and the
// INIT_START line report it: arn:aws:lambda:REGION::runtime:<64 hex
// digits> naming the runtime's build. virga has one build of each
// runtime, named by a hash of the runtime's identifier, so that a
// function moved to another runtime reports another version and one left
// alone keeps its own.
func RuntimeVersionARN(region, runtime string) string {
	sum := sha256.Sum256([]byte("virga runtime " + runtime))
	return "arn:aws:lambda:" + region + "::runtime:" + hex.EncodeToString(sum[:])
}

// runtimeVersionName is the runtime version an INIT_START line names, in
// Lambda's form FAMILY:VERSION.vBUILD ("python:3.12.v1", "nodejs:20.v1",
// "provided:al2023.v1", "java:8.al2.v1"); virga's one build of each
// runtime is v1.
func runtimeVersionName(id string) string {
	i := strings.IndexFunc(id, func(r rune) bool { return r == '.' || r >= '0' && r <= '9' })
	if i < 0 {
		return id + ".v1" // provided
	}
	family, version := id[:i], strings.TrimSuffix(strings.TrimPrefix(id[i:], "."), ".x")
	return family + ":" + version + ".v1"
}

// Successor is the runtime Lambda recommends instead of a retired one,
// and whether runtime is retired.
func Successor(runtime string) (string, bool) {
	next, ok := retiredRuntimes[runtime]
	return next, ok
}

// prefixed is the version func of a family named name and then its
// version, which starts with major ("python" "3." takes python3.12, of
// version 3.12).
func prefixed(name, major string) func(string) (string, bool) {
	return func(id string) (string, bool) {
		v, ok := strings.CutPrefix(id, name)
		if !ok || !strings.HasPrefix(v, major) {
			return "", false
		}
		return v, true
	}
}

// Runtime identifiers AWS accepts that virga cannot run yet: their
// invocations fail with InvalidRuntimeException naming the runtime.
var notYetRuntimes = []string{"dotnet"}

// javaRuntimes are Lambda's Java runtimes and their Java versions
// ("Supported runtimes": java25, java21, java17, java11, java8.al2, and
// the Amazon Linux 2023 editions of Java 8, 11 and 17 added in July
// 2026, which run here as their Amazon Linux 2 twins do).
var javaRuntimes = map[string]string{"java8.al2": "8", "java11": "11", "java17": "17", "java21": "21", "java25": "25",
	"java8.al2023": "8", "java11.al2023": "11", "java17.al2023": "17"}

// resolveRuntime maps a runtime identifier to how it runs.
func resolveRuntime(id string) (runtimeInfo, error) {
	if f := familyOf(id); f != nil {
		v, _ := f.version(id)
		return runtimeInfo{id: id, kind: f.kind, version: v}, nil
	}
	for _, p := range notYetRuntimes {
		if strings.HasPrefix(id, p) {
			return runtimeInfo{}, &RuntimeError{Type: TypeInvalidRuntime, Reason: RuntimeNotYet,
				Message: "The runtime " + id + " is not supported by virga yet: Go (provided.al2023, provided.al2, provided, go1.x), Python 3, Node.js, Ruby 3 and Java functions run."}
		}
	}
	return runtimeInfo{}, &RuntimeError{Type: TypeInvalidRuntime, Reason: RuntimeUnknown, Message: "The runtime parameter of " + id + " is not supported."}
}

// familyOf is the family of a runtime identifier; nil for one virga
// does not run.
func familyOf(id string) *runtimeFamily {
	for i := range runtimeFamilies {
		if _, ok := runtimeFamilies[i].version(id); ok {
			return &runtimeFamilies[i]
		}
	}
	return nil
}

// interpreter is a host python3, node, ruby or java, found once.
type interpreter struct {
	name     string // "python3", "node", "ruby", "java"
	flag     string // the virga up flag that names it: "--python", ...
	override string // configured path
	once     sync.Once
	path     string // resolved executable
	version  string // "3.11", "20", "3.1", "17"
	home     string // java: the JDK's java.home
	err      error
}

func (in *interpreter) resolve() (string, string, error) {
	in.once.Do(func() {
		path := in.override
		if path == "" {
			var err error
			if path, err = exec.LookPath(in.name); err != nil {
				in.err = err
				return
			}
		}
		// Ask the interpreter for its real executable (a pyenv or nvm
		// shim costs a shell per start) and its version.
		if in.name == "java" {
			in.path, in.home, in.version, in.err = probeJava(path)
			return
		}
		var probe *exec.Cmd
		switch in.name {
		case "node":
			probe = exec.Command(path, "-p", "process.execPath + '\\n' + process.versions.node.split('.')[0]")
		case "ruby":
			probe = exec.Command(path, "-e", `puts RbConfig.ruby, RUBY_VERSION.split(".")[0, 2].join(".")`)
		default:
			probe = exec.Command(path, "-c", "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])")
		}
		out, err := probe.Output()
		if err != nil {
			in.err = err
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 2 || !filepath.IsAbs(strings.TrimSpace(lines[0])) {
			in.err = errors.New("unexpected answer from " + path + ": " + string(out))
			return
		}
		in.path, in.version = strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
	})
	return in.path, in.version, in.err
}

// pythonArgs are the arguments of a Python function's interpreter. It
// starts without the site module (-S): the host's site-packages and
// dist-packages, its .pth files and user site directory stay out of
// sys.path, which the bootstrap sets as AWS's runtimes have it (the
// task root, the layers' python directories, the SDK, the runtime
// directory, then the standard library). PYTHONPATH and the other
// PYTHON* variables a function sets still apply, as on AWS.
func pythonArgs(bootstrap, optDir string) []string {
	return []string{"-S", bootstrap, optDir}
}

// nodeArgs are the arguments of a Node function's interpreter: the
// bootstrap, then the directories the function's modules may come from
// (its code, the runtime directory, its layers), which the bootstrap
// keeps module resolution within. A plain process's merged layers are
// links into each layer's directory, where node finds the files.
func nodeArgs(bootstrap string, l sandbox.Layout, layerDirs []string) []string {
	args := []string{bootstrap, l.TaskRoot, l.RuntimeDir}
	if l.OptDir != "" {
		args = append(args, l.OptDir)
	}
	if l.TaskRoot != "/var/task" {
		args = append(args, layerDirs...)
	}
	return args
}

// rubyArgs are the arguments of a Ruby function's interpreter. Before
// Ruby 3.2, error_highlight and did_you_mean write their hints into an
// exception's message; from 3.2, which every Lambda Ruby runtime is, they
// add them to detailed_message only, and the errorMessage AWS reports is
// the bare message. On an older host ruby they are turned off.
func rubyArgs(rt runtimeInfo, bootstrap string) []string {
	if olderVersion(rt.host, "3.2") {
		return []string{"--disable-error_highlight", "--disable-did_you_mean", bootstrap}
	}
	return []string{bootstrap}
}

// olderVersion says whether the version host ("3.1") is below want
// ("3.2"), comparing major then minor: false when either is not a
// number.
func olderVersion(host, want string) bool {
	h, w := strings.SplitN(host, ".", 3), strings.SplitN(want, ".", 3)
	for i := 0; i < 2 && i < len(h) && i < len(w); i++ {
		a, err1 := strconv.Atoi(h[i])
		b, err2 := strconv.Atoi(w[i])
		if err1 != nil || err2 != nil {
			return false
		}
		if a != b {
			return a < b
		}
	}
	return false
}

// probeJava asks a java launcher for its JDK's home and Java version
// ("17"; "1.8" is 8). The launcher found may be a symbolic link
// (/usr/bin/java through alternatives): environments run
// java.home/bin/java, which is on PATH for them as /var/lang/bin is on
// AWS.
func probeJava(path string) (exe, home, version string, err error) {
	out, err := exec.Command(path, "-XshowSettings:properties", "-version").CombinedOutput()
	if err != nil {
		if out = bytes.TrimSpace(out); len(out) > 0 {
			return "", "", "", fmt.Errorf("%v: %s", err, out)
		}
		return "", "", "", err
	}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " = ")
		switch {
		case !ok:
		case k == "java.home":
			home = v
		case k == "java.specification.version":
			version = strings.TrimPrefix(v, "1.")
		}
	}
	if home == "" || version == "" {
		return "", "", "", errors.New("unexpected answer from " + path + ": " + string(out))
	}
	exe = filepath.Join(home, "bin", "java")
	if _, err := os.Stat(exe); err != nil {
		return "", "", "", err
	}
	return exe, home, version, nil
}

// javac is the compiler of the JDK at home, or javac from PATH.
func javac(home string) (string, error) {
	if p := filepath.Join(home, "bin", "javac"); home != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("javac")
	if err != nil {
		return "", errors.New("javac not found: the Java runtimes need a JDK (Debian: default-jdk-headless), not only a JRE")
	}
	return p, nil
}

// javaArgs is the JVM's command line: the options Lambda's Java runtimes
// start with, then the bootstrap. The heap may take most of the
// function's memory (without a maximum the JVM would take a quarter of
// its memory limit); the serial collector is the Java runtimes' default
// ("The Java 11 runtime uses the Serial garbage collector ... Java 17
// also uses the Serial GC by default"); java17 and java21 stop tiered
// compilation at level 1, as java25 does except with provisioned
// concurrency (or SnapStart), where it keeps the JVM's default. The
// function's JAVA_TOOL_OPTIONS reach the JVM through its environment
// and come after these.
func javaArgs(rt runtimeInfo, memoryMB int, initType, runtimeDir, optDir string) []string {
	args := []string{
		"-XX:MaxHeapSize=" + strconv.Itoa(memoryMB*1024*85/100) + "k",
		"-XX:+UseSerialGC",
		"-Xshare:auto",
	}
	switch rt.id {
	case "java17", "java17.al2023", "java21":
		args = append(args, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1")
	case "java25":
		if initType != initProvisioned {
			args = append(args, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1")
		}
	}
	args = append(args, "-Djava.net.preferIPv4Stack=true",
		"-cp", runtimeDir+"/"+bootstraps.JavaClasses, bootstraps.JavaMain)
	if optDir != "" {
		args = append(args, optDir)
	}
	return args
}

// entrypointError checks, before any process starts, what AWS reports as
// Runtime.InvalidEntrypoint: a missing bootstrap, or a binary for
// another architecture than the function's. It returns the message after
// "Error: ", or "".
func entrypointError(spec *Spec, rt runtimeInfo, taskRoot, optRoot string) (path, msg string) {
	switch rt.kind {
	case kindProvided:
		host := filepath.Join(spec.CodeDir, "bootstrap")
		path = taskRoot + "/bootstrap"
		if _, err := os.Stat(host); err != nil {
			found := false
			for i := len(spec.LayerDirs) - 1; i >= 0 && !found; i-- {
				if _, err := os.Stat(filepath.Join(spec.LayerDirs[i], "bootstrap")); err == nil {
					found, path = true, optRoot+"/bootstrap"
					host = filepath.Join(spec.LayerDirs[i], "bootstrap")
				}
			}
			if !found {
				return "", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
			}
		}
		if foreignBinary(host, spec.Architecture) {
			return path, "fork/exec " + displayPath(path, taskRoot, optRoot) + ": exec format error"
		}
		return path, ""
	case kindGo:
		host := filepath.Join(spec.CodeDir, spec.Handler)
		path = taskRoot + "/" + spec.Handler
		if spec.Handler == "" || strings.Contains(spec.Handler, "..") {
			return path, "fork/exec /var/task/" + spec.Handler + ": no such file or directory"
		}
		if foreignBinary(host, spec.Architecture) {
			return path, "fork/exec /var/task/" + spec.Handler + ": exec format error"
		}
		return path, ""
	}
	return "", ""
}

// displayPath names a path as the function sees it on AWS.
func displayPath(p, taskRoot, optRoot string) string {
	if rest, ok := strings.CutPrefix(p, taskRoot); ok && taskRoot != "" {
		return "/var/task" + rest
	}
	if rest, ok := strings.CutPrefix(p, optRoot); ok && optRoot != "" {
		return "/opt" + rest
	}
	return p
}

// foreignBinary reports an ELF executable built for another
// architecture than arch ("x86_64", "arm64"; empty means x86_64). Other
// files (scripts) are left to exec.
func foreignBinary(path, arch string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0); err != nil || !bytes.Equal(magic[:], []byte(elf.ELFMAG)) {
		return false
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return false
	}
	want := elf.EM_X86_64
	if arch == "arm64" {
		want = elf.EM_AARCH64
	}
	return ef.Machine != want
}
