package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/testenv"
)

const pythonPurityHandler = `
import importlib, sys
import layermod

def handler(event, context):
    out = {"path": sys.path, "layer": layermod.VALUE, "exit": callable(exit)}
    for name in event["absent"]:
        try:
            importlib.import_module(name)
            out[name] = "imported"
        except ImportError as e:
            out[name] = str(e)
    import boto3, botocore
    out["boto3"] = boto3.__file__
    out["client"] = type(boto3.client("s3", region_name="us-east-1")).__name__
    return out
`

// A Python function sees what AWS's runtime gives it: its code, its
// layers, boto3 and the standard library, not the host's other packages.
func TestPythonSeesOnlyAWSModules(t *testing.T) {
	t.Parallel()
	python := testenv.Tool(t, "python3")
	// Modules the host interpreter has and AWS's runtime does not.
	var absent []string
	for _, name := range []string{"yaml", "requests", "numpy", "IPython"} {
		if exec.Command(python, "-c", "import "+name).Run() == nil {
			absent = append(absent, name)
		}
	}
	if len(absent) == 0 {
		t.Log("the host's python has none of yaml, requests, numpy, IPython: only the path is checked")
	}
	if exec.Command(python, "-c", "import boto3").Run() != nil {
		t.Skip("the host's python has no boto3 (Debian: python3-boto3)")
	}
	for _, plain := range []bool{false, true} {
		name := "sandbox"
		if plain {
			name = "plain"
		} else if os.Geteuid() != 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newPools(t, func(o *Options) { o.Plain = plain })
			layer := t.TempDir()
			os.MkdirAll(filepath.Join(layer, "python"), 0o755)
			os.WriteFile(filepath.Join(layer, "python", "layermod.py"), []byte("VALUE = 'from a layer'\n"), 0o644)
			s := spec(t, "python3.12", "app.handler", map[string]string{"app.py": pythonPurityHandler})
			s.LayerDirs = []string{layer}
			s.Timeout = 30 * time.Second // boto3.client loads botocore's models: about a second
			payload, _ := json.Marshal(map[string]any{"absent": absent})
			res, err := m.Invoke(context.Background(), s, &Invocation{RequestID: testIDs.UUID(), Payload: payload, Tail: true})
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Path   []string `json:"path"`
				Layer  string   `json:"layer"`
				Exit   bool     `json:"exit"`
				Boto3  string   `json:"boto3"`
				Client string   `json:"client"`
			}
			if err := json.Unmarshal(res.Payload, &out); err != nil || res.FunctionError != "" {
				t.Fatalf("%v %q: %s\n%s", err, res.FunctionError, res.Payload, res.LogTail)
			}
			var all map[string]any
			json.Unmarshal(res.Payload, &all)
			for _, name := range absent {
				if want := "No module named '" + name + "'"; all[name] != want {
					t.Errorf("import %s: %v, want %q", name, all[name], want)
				}
			}
			if out.Layer != "from a layer" || !out.Exit || out.Client != "S3" {
				t.Errorf("layer %q, exit builtin %v, boto3 client %q", out.Layer, out.Exit, out.Client)
			}
			// AWS: /var/task, the layers' python directories, the
			// runtime's SDK and directory, then the standard library.
			ver := pythonVersion(t, python)
			task, rt := s.CodeDir, m.pythonDir
			opt := ""
			if !plain {
				task, rt, opt = "/var/task", "/var/runtime", "/opt"
			} else {
				opt = layer
			}
			want := []string{task, opt + "/python/lib/python" + ver + "/site-packages", opt + "/python", rt + "/site-packages", rt}
			if len(out.Path) < len(want)+1 {
				t.Fatalf("sys.path %q", out.Path)
			}
			for i, p := range want {
				if out.Path[i] != p {
					t.Errorf("sys.path[%d] = %q, want %q (sys.path %q)", i, out.Path[i], p, out.Path)
				}
			}
			for _, p := range out.Path[len(want):] {
				if filepath.Base(p) == "site-packages" || filepath.Base(p) == "dist-packages" {
					t.Errorf("sys.path has the host's %q: %q", p, out.Path)
				}
			}
			if filepath.Dir(out.Boto3) != rt+"/site-packages/boto3" {
				t.Errorf("boto3 from %q", out.Boto3)
			}
		})
	}
}

func pythonVersion(t *testing.T, python string) string {
	out, err := exec.Command(python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out[:len(out)-1])
}

// TestReplaceLinkDirWhileRead: virgas sharing a runtime directory build
// its SDK directory while others' functions import from it; a module
// both builds provide is found at every moment.
func TestReplaceLinkDirWhileRead(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	target := filepath.Join(root, "module.py")
	if err := os.WriteFile(target, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "runtime", "site-packages")
	os.MkdirAll(filepath.Dir(dir), 0o755)
	builds := []map[string]string{{"shared.py": target, "one.py": target}, {"shared.py": target, "two.py": target}}
	if err := replaceLinkDir(dir, builds[0]); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	missing := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				close(missing)
				return
			default:
			}
			if _, err := os.Stat(filepath.Join(dir, "shared.py")); err != nil {
				missing <- err
				close(missing)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if err := replaceLinkDir(dir, builds[(w+i)%2]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-missing; err != nil {
		t.Fatalf("a reader found the shared module missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "shared.py")); err != nil {
		t.Fatal(err)
	}
}

// HostPythonPackages leaves out the SDK's optional modules for a
// requirement that merely imports them when they are there, but gives a
// requirement that names cryptography its copy, with the compiled
// module its bindings load (_cffi_backend), as pip would install them.
func TestHostPythonPackagesNamedOptional(t *testing.T) {
	t.Parallel()
	python := testenv.PythonWith(t, "cryptography", "_cffi_backend", "requests")
	has := func(paths []string, prefix string) bool {
		for _, p := range paths {
			if strings.HasPrefix(filepath.Base(p), prefix) {
				return true
			}
		}
		return false
	}
	paths, missing, err := HostPythonPackages(python, []string{"requests"})
	if err != nil || len(missing) > 0 || !has(paths, "requests") || has(paths, "cryptography") || has(paths, "_cffi_backend") {
		t.Errorf("requests: %v, missing %v, %v", paths, missing, err)
	}
	paths, missing, err = HostPythonPackages(python, []string{"requests", "Cryptography"})
	if err != nil || len(missing) > 0 || !has(paths, "requests") || !has(paths, "cryptography") || !has(paths, "_cffi_backend") {
		t.Errorf("requests and cryptography: %v, missing %v, %v", paths, missing, err)
	}
}

// HostPythonPackagesFrom takes a requirement from the interpreter that
// has it when the one asked first (a virtual environment without the
// system's packages, as a pyenv python3 first on PATH often is) lacks
// it, and names what none of them has.
func TestHostPythonPackagesFromPrefersOneThatHasThem(t *testing.T) {
	t.Parallel()
	python := testenv.PythonWith(t, "requests")
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(python, "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		testenv.Require(t, fmt.Sprintf("%s cannot make a virtual environment: %v %s", python, err, out))
	}
	bare := filepath.Join(venv, "bin", "python3")
	_, missing, err := HostPythonPackages(bare, []string{"requests"})
	if err != nil || !slices.Equal(missing, []string{"requests"}) {
		t.Fatalf("the virtual environment: missing %v, %v", missing, err)
	}
	got, paths, missing, err := HostPythonPackagesFrom([]string{bare, python}, []string{"requests", "virga-no-such-package"})
	if err != nil || got != python || !slices.Equal(missing, []string{"virga-no-such-package"}) || !slices.ContainsFunc(paths, func(p string) bool { return filepath.Base(p) == "requests" }) {
		t.Errorf("got %s %v, missing %v, %v", got, paths, missing, err)
	}
	if _, _, _, err := HostPythonPackagesFrom([]string{filepath.Join(venv, "no-such-python")}, []string{"requests"}); err == nil {
		t.Error("no interpreter answered, and no error")
	}
}
