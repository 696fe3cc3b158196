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
