package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// row is one line of a table: a cell and its runs.
type row struct {
	workload    string
	target      string
	concurrency int
	runs        []result
	median      result
	// ratios are, for each of the suite's baselines in order, the median
	// over rounds of req/s ÷ the baseline's req/s in the same round; 0
	// when the baseline did not run.
	ratios []float64
}

// describeMachine is the header that says where and when figures were
// taken, since they mean nothing without it.
func describeMachine() string {
	return fmt.Sprintf("%s · %s, %d logical CPUs (GOMAXPROCS %d) · %s %s/%s",
		time.Now().Format("2006-01-02 15:04 MST"), cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// printTable writes the STS rows as a Markdown table.
func printTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| target | concurrency | req/s | p50 | p99 | vs bare | CPU/req | req/s of each run |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %.0f µs | %s |\n",
			r.target, r.concurrency, r.median.rps(), latency(r.median.p50), latency(r.median.p99),
			ratio(r.ratios[0]), medianCPU(r.runs), eachRun(r.runs))
	}
}

// printDDBTable writes the DynamoDB rows as a Markdown table, with their
// ratios to the plain HTTP ceiling and to the const server.
func printDDBTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| workload | target | c | req/s | p50 | p99 | vs ceiling | vs const | CPU/req | req/s of each run |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %s | %s | %s | %s | %.0f µs | %s |\n",
			r.workload, r.target, r.concurrency, r.median.rps(), latency(r.median.p50), latency(r.median.p99),
			ratio(r.ratios[0]), ratio(r.ratios[1]), medianCPU(r.runs), eachRun(r.runs))
	}
}

func ratio(x float64) string {
	if x <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

func eachRun(runs []result) string {
	var each []string
	for _, x := range runs {
		each = append(each, fmt.Sprintf("%.0f", x.rps()))
	}
	return strings.Join(each, ", ")
}

// medianCPU is the median of the runs' CPU time per request, in µs.
func medianCPU(runs []result) float64 {
	var v []float64
	for _, r := range runs {
		v = append(v, r.cpuPerReq())
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

func latency(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
