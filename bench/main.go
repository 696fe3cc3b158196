package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type flags struct {
	duration    time.Duration
	warmup      time.Duration
	repeat      int
	concurrency []int
	only        *regexp.Regexp
	cpuprofile  string
}

func parseFlags() (flags, error) {
	var f flags
	var conc, only string
	flag.DurationVar(&f.duration, "duration", 2*time.Second, "measured time per cell and run")
	flag.DurationVar(&f.warmup, "warmup", 300*time.Millisecond, "unmeasured time before each run of a cell")
	flag.IntVar(&f.repeat, "repeat", 5, "runs per cell; the median run is reported")
	flag.StringVar(&conc, "concurrency", "1,16", "comma-separated numbers of concurrent callers")
	flag.StringVar(&only, "only", "", "run only the cells whose name, target/cN (e.g. virga-sigv4/c16), matches this `regexp`")
	flag.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured runs to this file")
	flag.Parse()
	if f.duration <= 0 || f.repeat < 1 || f.warmup < 0 {
		return f, fmt.Errorf("-duration and -repeat must be positive, -warmup not negative")
	}
	for _, s := range strings.Split(conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return f, fmt.Errorf("-concurrency %q: want positive integers separated by commas", conc)
		}
		f.concurrency = append(f.concurrency, n)
	}
	re, err := regexp.Compile(only)
	if err != nil {
		return f, fmt.Errorf("-only: %v", err)
	}
	f.only = re
	return f, nil
}

func run() error {
	f, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	tr := newTransport(f.concurrency)
	defer tr.CloseIdleConnections()

	targets, stop, err := startTargets(ctx, tr)
	defer stop()
	if err != nil {
		return err
	}

	var cells []cell
	for _, c := range f.concurrency {
		for _, t := range targets {
			if f.only.MatchString(cellName(t.name, c)) {
				cells = append(cells, cell{t, c})
			}
		}
	}
	if len(cells) == 0 {
		return fmt.Errorf("-only %q matches no cell", f.only)
	}

	fmt.Printf("%s\n\n", describeMachine())
	fmt.Printf("STS GetCallerIdentity, aws-sdk-go-v2 client; %d runs of %v per cell, each after %v warm-up; median run shown.\n\n",
		f.repeat, f.duration, f.warmup)

	if f.cpuprofile != "" {
		out, err := os.Create(f.cpuprofile)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	runs := map[cell][]result{}
	for _, c := range f.concurrency {
		group := cellsAt(cells, c)
		for rep := range f.repeat {
			// Targets take turns within a round, starting one further
			// each round, so that no target always runs first or last.
			for i := range group {
				cl := group[(i+rep)%len(group)]
				name := cellName(cl.t.name, cl.c)
				if _, err := load(ctx, cl.t, cl.c, f.warmup); err != nil {
					return fmt.Errorf("%s warm-up: %w", name, err)
				}
				r, err := load(ctx, cl.t, cl.c, f.duration)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				runs[cl] = append(runs[cl], r)
				fmt.Fprintf(os.Stderr, "  round %d/%d  %-18s %8.0f req/s  %5.1f µs CPU/req\n",
					rep+1, f.repeat, name, r.rps(), r.cpuPerReq())
			}
		}
	}

	var rows []row
	for _, cl := range cells {
		r := row{target: cl.t.name, concurrency: cl.c, runs: runs[cl]}
		r.median = median(r.runs)
		if b, ok := runs[cell{bareTarget(targets), cl.c}]; ok {
			r.ratio = medianRatio(r.runs, b)
		}
		rows = append(rows, r)
	}
	printTable(os.Stdout, rows)
	return nil
}

// cell is one target at one concurrency.
type cell struct {
	t *target
	c int
}

func cellsAt(cells []cell, c int) []cell {
	var out []cell
	for _, cl := range cells {
		if cl.c == c {
			out = append(out, cl)
		}
	}
	return out
}

func bareTarget(targets []*target) *target {
	for _, t := range targets {
		if t.name == bareName {
			return t
		}
	}
	return nil
}

func cellName(target string, c int) string { return fmt.Sprintf("%s/c%d", target, c) }
