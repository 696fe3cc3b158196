package functions

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/virga/virga/internal/testenv"
)

// A Node function finds modules in its code, its layers, the runtime and
// NODE_PATH only: not in node_modules directories above its code (a
// project's, where virga's data directory lies inside it), nor in node's
// global folders.
func TestNodeSeesOnlyAWSModules(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
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
			// A project whose node_modules has a package the function does
			// not bundle, and the function's code inside the project.
			project := t.TempDir()
			writeModule(t, filepath.Join(project, "node_modules", "leaky"), "module.exports = 'leaked';\n")
			s := spec(t, "nodejs20.x", "index.handler", nil)
			// A failed init runs again in the invoke phase, within the
			// timeout: two Node.js starts, which on a loaded machine
			// can take longer than the default 3 s.
			s.Timeout = 30 * time.Second
			code := filepath.Join(project, "fn")
			if err := os.Rename(s.CodeDir, code); err != nil {
				t.Fatal(err)
			}
			s.CodeDir = code
			writeModule(t, filepath.Join(code, "node_modules", "own"), "module.exports = 'own';\n")
			layer := t.TempDir()
			writeModule(t, filepath.Join(layer, "nodejs", "node_modules", "shared"), "module.exports = require('dep');\n")
			writeModule(t, filepath.Join(layer, "nodejs", "node_modules", "dep"), "module.exports = 'from a layer';\n")
			s.LayerDirs = []string{layer}
			files := map[string]string{
				"index.js": `exports.handler = async () => ({ own: require('own'), layer: require('shared'), leaky: (() => {
  try { return require('leaky'); } catch (e) { return e.code + ': ' + e.message.split('\n')[0]; }
})() });
`,
				"cjs.js":  "require('leaky');\nexports.handler = async () => 1;\n",
				"esm.mjs": "import leaky from 'leaky';\nexport const handler = async () => leaky;\n",
				"ok.mjs":  "import own from 'own';\nimport shared from 'shared';\nexport const handler = async () => own + ' ' + shared;\n",
			}
			for name, body := range files {
				if err := os.WriteFile(filepath.Join(code, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res := invoke(t, m, s, `{}`)
			if want := `{"own":"own","layer":"from a layer","leaky":"MODULE_NOT_FOUND: Cannot find module 'leaky'"}`; res.FunctionError != "" || string(res.Payload) != want {
				t.Errorf("index.handler: %s %s, want %s\n%s", res.FunctionError, res.Payload, want, res.LogTail)
			}
			s2 := *s
			s2.Key, s2.Handler = s.Key+"ok", "ok.handler"
			if res := invoke(t, m, &s2, `{}`); res.FunctionError != "" || string(res.Payload) != `"own from a layer"` {
				t.Errorf("ok.handler: %s %s", res.FunctionError, res.Payload)
			}
			task, rt := code, m.nodeDir
			if !plain {
				task, rt = "/var/task", "/var/runtime"
			}
			// AWS: {"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'aws-sdk'\nRequire stack:\n- /var/task/index.js\n- /var/runtime/index.mjs", ...}
			for _, c := range []struct{ handler, msg string }{
				{"cjs.handler", "Error: Cannot find module 'leaky'\nRequire stack:\n- " + task + "/cjs.js\n- " + rt + "/index.mjs"},
				{"esm.handler", "Error: Cannot find package 'leaky' imported from " + task + "/esm.mjs"},
				{"gone.handler", "Error: Cannot find module 'gone'\nRequire stack:\n- " + rt + "/index.mjs"},
			} {
				s2 := *s
				s2.Key, s2.Handler = s.Key+c.handler, c.handler
				typ, msg := errorOf(t, invoke(t, m, &s2, `{}`))
				if typ != "Runtime.ImportModuleError" || msg != c.msg {
					t.Errorf("%s: %s %q, want Runtime.ImportModuleError %q", c.handler, typ, msg, c.msg)
				}
			}
		})
	}
}

// writeModule makes a CommonJS package in dir with index.js body.
func writeModule(t *testing.T, dir, body string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(dir)
	pkg := `{"name":"` + name + `","version":"1.0.0","main":"index.js"}`
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(pkg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.js"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
