package sandbox

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkStart starts /bin/true in a sandbox, against the same without
// one: the time until Start returns (the process has exec'd); the
// process's end and the sandbox's teardown are not timed.
func BenchmarkStart(b *testing.B) {
	for _, plain := range []bool{false, true} {
		name := "sandbox"
		if plain {
			name = "plain"
		}
		b.Run(name, func(b *testing.B) {
			h := New(Options{WorkDir: b.TempDir(), Plain: plain})
			b.Logf("isolation: %s", h.Isolation())
			code := b.TempDir()
			os.Symlink("/bin/true", filepath.Join(code, "bootstrap"))
			i := 0
			for b.Loop() {
				i++
				r, w, _ := os.Pipe()
				cfg := &Config{ID: "bench-" + strconv.Itoa(i), CodeDir: code, Output: w}
				cfg.Path = "/bin/true"
				p, err := h.Start(cfg)
				b.StopTimer()
				w.Close()
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, r)
				r.Close()
				<-p.Done()
				b.StartTimer()
			}
		})
	}
}
