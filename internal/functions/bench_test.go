package functions

import (
	"context"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/virga/virga/internal/functions/javatest"
	"github.com/virga/virga/internal/testenv"
)

// BenchmarkForkExec is the floor a cold start is measured against: fork
// and exec of the static Go test function, which exits at once without
// AWS_LAMBDA_RUNTIME_API.
func BenchmarkForkExec(b *testing.B) {
	path := goFunction(b)
	for b.Loop() {
		exec.Command(path).Run()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkColdStart invokes a function with no environment: sandbox,
// runtime init, first invocation, until the response.
func BenchmarkColdStart(b *testing.B) {
	m := newPools(b, nil)
	s := goSpec(b)
	base := s.Key
	var i int
	for b.Loop() {
		i++
		s.Key = base + "/" + strconv.Itoa(i)
		res, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "cold-" + strconv.Itoa(i), Payload: []byte(`{}`)})
		if err != nil || res.InitDuration == 0 {
			b.Fatal(err, res)
		}
		b.StopTimer()
		m.Retire(s.Key)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkWarmInvoke invokes a warm Go echo function (aws-lambda-go),
// one at a time.
func BenchmarkWarmInvoke(b *testing.B) { benchWarm(b, 1) }

// BenchmarkWarmInvoke8 invokes it from 8 goroutines (a pool of up to 8
// environments).
func BenchmarkWarmInvoke8(b *testing.B) { benchWarm(b, 8) }

// benchWarm reports invocations per second and the CPU each costs in
// virga and in the runtime processes (which end, and are accounted, at
// Close).
func benchWarm(b *testing.B, concurrency int) {
	goFunction(b)
	m := newPools(b, nil)
	s := goSpec(b)
	s.Concurrency = concurrency
	payload := []byte(`{"hello":"world"}`)
	m.Invoke(context.Background(), s, &Invocation{RequestID: "warm", Payload: payload})
	self0, children0 := cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
	start := time.Now()
	b.ResetTimer()
	if concurrency == 1 {
		for b.Loop() {
			if _, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "r", Payload: payload}); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism((concurrency + 1) / 2) // × GOMAXPROCS (2 here)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "r", Payload: payload}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	elapsed := time.Since(start)
	m.Close()
	self1, children1 := cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "invokes/s")
	b.ReportMetric(float64((self1-self0).Microseconds())/float64(b.N), "µs-cpu-virga/op")
	b.ReportMetric(float64((children1-children0).Microseconds())/float64(b.N), "µs-cpu-runtime/op")
}

func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkColdStartInterpreted starts a Python, a Node.js and a Ruby
// function with no environment, in turn within each iteration so that
// the three share the machine's load: sandbox, interpreter, bootstrap,
// the handler's load and first invocation, until the response. It
// reports each runtime's mean time to the response and Init Duration.
func BenchmarkColdStartInterpreted(b *testing.B) {
	m := newPools(b, nil)
	type fn struct {
		tool, name string
		spec       *Spec
		total      time.Duration
		init       time.Duration
	}
	var fns []*fn
	for _, c := range []struct{ tool, runtime, handler, file, code string }{
		{"python3", "python3.12", "app.handler", "app.py", "def handler(event, context):\n    return event\n"},
		{"node", "nodejs20.x", "index.handler", "index.js", "exports.handler = async (event) => event;\n"},
		{"ruby", "ruby3.3", "app.handler", "app.rb", "def handler(event:, context:)\n  event\nend\n"},
	} {
		if _, err := exec.LookPath(c.tool); err != nil {
			continue
		}
		fns = append(fns, &fn{tool: c.tool, name: c.runtime, spec: spec(b, c.runtime, c.handler, map[string]string{c.file: c.code})})
	}
	if len(fns) == 0 {
		b.Skip("no python3, node or ruby")
	}
	var i int
	for b.Loop() {
		i++
		for _, f := range fns {
			base := f.spec.Key
			f.spec.Key = base + "/" + strconv.Itoa(i)
			t0 := time.Now()
			res, err := m.Invoke(context.Background(), f.spec, &Invocation{RequestID: "cold-" + strconv.Itoa(i), Payload: []byte(`{}`)})
			f.total += time.Since(t0)
			if err != nil || res.InitDuration == 0 || res.FunctionError != "" {
				b.Fatal(f.name, err, res)
			}
			f.init += res.InitDuration
			b.StopTimer()
			m.Retire(f.spec.Key)
			f.spec.Key = base
			b.StartTimer()
		}
	}
	for _, f := range fns {
		b.ReportMetric(float64(f.total.Microseconds())/1000/float64(b.N), f.tool+"-ms/op")
		b.ReportMetric(float64(f.init.Microseconds())/1000/float64(b.N), f.tool+"-init-ms/op")
	}
}

// BenchmarkRuntimeColdStart and BenchmarkRuntimeWarmInvoke compare the
// bootstraps on the host's interpreters in one run: Python (the
// baseline) and Java, each an echo of {"hello":"world"}, 256 MB.
func BenchmarkRuntimeColdStart(b *testing.B) {
	for _, rt := range benchRuntimes {
		b.Run(rt.name, func(b *testing.B) {
			m := newPools(b, nil)
			s := rt.spec(b)
			// Once untimed: the Java bootstrap compiles on first use.
			if _, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "first", Payload: []byte(`{}`)}); err != nil {
				b.Fatal(err)
			}
			m.Retire(s.Key)
			base := s.Key
			var i int
			var init time.Duration
			for b.Loop() {
				i++
				s.Key = base + "/" + strconv.Itoa(i)
				res, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "cold-" + strconv.Itoa(i), Payload: []byte(`{"hello":"world"}`)})
				if err != nil || res.InitDuration == 0 || res.FunctionError != "" {
					b.Fatal(err, res)
				}
				init += res.InitDuration
				b.StopTimer()
				m.Retire(s.Key)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(init.Microseconds())/1000/float64(b.N), "ms-init/op")
		})
	}
}

func BenchmarkRuntimeWarmInvoke(b *testing.B) {
	for _, rt := range benchRuntimes {
		b.Run(rt.name, func(b *testing.B) {
			m := newPools(b, nil)
			s := rt.spec(b)
			payload := []byte(`{"hello":"world"}`)
			// Past the JVM's first compilations: 200 invocations.
			for range 200 {
				if res, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "warm", Payload: payload}); err != nil || res.FunctionError != "" {
					b.Fatal(err, res)
				}
			}
			for b.Loop() {
				if _, err := m.Invoke(context.Background(), s, &Invocation{RequestID: "r", Payload: payload}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
		})
	}
}

var benchRuntimes = []struct {
	name string
	spec func(b *testing.B) *Spec
}{
	{"python3.12", func(b *testing.B) *Spec {
		testenv.Tool(b, "python3")
		s := spec(b, "python3.12", "app.handler", map[string]string{"app.py": "def handler(event, context):\n    return event\n"})
		s.MemoryMB = 256
		return s
	}},
	{"java21", func(b *testing.B) *Spec {
		pkg := javatest.Build(b)
		s := spec(b, "java21", "example.Echo", nil)
		s.CodeDir, s.MemoryMB = pkg.CodeDir, 256
		return s
	}},
}
