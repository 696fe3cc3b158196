package functions

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/testenv"
)

// TestLocalhostNames: a name virga gave AddHostNames resolves to
// 127.0.0.1 in a sandbox (its /etc/hosts), and in the Python and Node
// runtimes any *.localhost name the system does not know resolves to
// loopback, sandboxed or not, as RFC 6761 asks of resolvers; other
// names keep the system's answer.
func TestLocalhostNames(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	for _, plain := range []bool{false, true} {
		m := newPools(t, func(o *Options) { o.Plain = o.Plain || plain })
		m.AddHostNames("given1.execute-api.localhost")
		py := spec(t, "python3.12", "app.handler", map[string]string{"app.py": `import socket

def handler(event, context):
    out = {}
    for n in event["names"]:
        try:
            out[n] = socket.getaddrinfo(n, 443, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
        except OSError as e:
            out[n] = "error"
    return out
`})
		// The callback API, which net and so every HTTP client uses.
		node := spec(t, "nodejs20.x", "index.handler", map[string]string{"index.mjs": `import dns from "node:dns";
export const handler = async (event) => {
  const out = {};
  for (const n of event.names) {
    out[n] = await new Promise((resolve) => dns.lookup(n, { family: 4 }, (err, a) => resolve(err ? "error" : a)));
  }
  return out;
};
`})
		payload := `{"names":["given1.execute-api.localhost","other2.execute-api.localhost","no-such-name.invalid"]}`
		for name, s := range map[string]*Spec{"python": py, "node": node} {
			res := invoke(t, m, s, payload)
			got := string(res.Payload)
			for _, want := range []string{`"given1.execute-api.localhost":"127.0.0.1"`, `"other2.execute-api.localhost":"127.0.0.1"`,
				`"no-such-name.invalid":"error"`} {
				if !strings.Contains(strings.ReplaceAll(got, " ", ""), want) {
					t.Errorf("%s (plain %v): %s, want %s\n%s", name, plain, got, want, res.LogTail)
				}
			}
		}
	}
}
