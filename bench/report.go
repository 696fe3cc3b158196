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

// errorsNote is a progress line's mention of failed calls, if any.
func errorsNote(r result) string {
	if r.errors == 0 {
		return ""
	}
	return fmt.Sprintf("  %d errors, first: %.120v", r.errors, r.firstErr)
}

// lambdaBases are the Lambda rows' baselines, in the order of
// row.ratios.
var lambdaBases = []string{rieName, rieMCName, ceilingName, constName, rieMC16Name}

// lambdaRatios are a Lambda row's ratios to the baselines of its round:
// the emulator (its default mode at c=1, AWS_LAMBDA_MAX_CONCURRENCY=8 at
// c=8), the same at 16 (c=8 only), the plain HTTP ceiling, the const
// server. 0 when the baseline did not run.
type lambdaRatios struct{ rie, rie16, ceiling, constant float64 }

func lambdaRatiosOf(r row) lambdaRatios {
	x := lambdaRatios{rie: r.ratios[0], ceiling: r.ratios[2], constant: r.ratios[3], rie16: r.ratios[4]}
	if x.rie <= 0 {
		x.rie = r.ratios[1]
	}
	return x
}

// sumErrors is the failed calls of all of a row's measured runs, and the
// calls made.
func sumErrors(runs []result) (failed, calls int) {
	for _, x := range runs {
		failed += x.errors
		calls += x.errors + x.requests
	}
	return failed, calls
}

// printLambdaTable writes the warm Invoke rows as a Markdown table.
func printLambdaTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| target | c | req/s | p50 | p99 | errors | vs rie | vs ceiling | vs const | CPU/req | req/s of each run |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
	for _, r := range rows {
		x := lambdaRatiosOf(r)
		failed, calls := sumErrors(r.runs)
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %d of %d | %s | %s | %s | %.0f µs | %s |\n",
			r.target, r.concurrency, r.median.rps(), latency(r.median.p50), latency(r.median.p99),
			failed, calls, ratio(x.rie), ratio(x.ceiling), ratio(x.constant), medianCPU(r.runs), eachRun(r.runs))
	}
	for _, r := range rows {
		for _, x := range r.runs {
			if x.firstErr != nil {
				fmt.Fprintf(w, "\n%s c=%d, the first error: %.300v\n", r.target, r.concurrency, x.firstErr)
				break
			}
		}
	}
}

// coldStats are a cold-start row's order statistics.
type coldStats struct{ p50, p99, min, max time.Duration }

func statsOf(lat []time.Duration) (coldStats, bool) {
	if len(lat) == 0 {
		return coldStats{}, false
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return coldStats{percentile(s, 50), percentile(s, 99), s[0], s[len(s)-1]}, true
}

// printColdTable writes the cold-start rows, with p50 as a multiple of
// the fork+exec floor's p50 of the same run.
func printColdTable(w io.Writer, cells []*coldCell) {
	var floor time.Duration
	for _, cc := range cells {
		if st, ok := statsOf(cc.lat); ok && cc.target == execName {
			floor = st.p50
		}
	}
	fmt.Fprintln(w, "| target | what is timed | runs | p50 | p99 | min | max | p50 vs exec | failed |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|")
	for _, cc := range cells {
		st, _ := statsOf(cc.lat)
		vs := "–"
		if floor > 0 && len(cc.lat) > 0 {
			vs = fmt.Sprintf("%.1f×", float64(st.p50)/float64(floor))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %d |\n",
			cc.target, coldWhat[cc.target], len(cc.lat), latency(st.p50), latency(st.p99), latency(st.min), latency(st.max), vs, cc.failures)
	}
	for _, cc := range cells {
		if st, ok := statsOf(cc.inits); ok {
			fmt.Fprintf(w, "\n%s's REPORT lines: Init Duration p50 %s, p99 %s (the runtime's start, up to its first /next).\n",
				cc.target, latency(st.p50), latency(st.p99))
		}
	}
}

// coldWhat says what each cold-start row times.
var coldWhat = map[string]string{
	execName:  "fork+exec of the echo binary, which exits at once, until wait returns",
	virgaName: "Invoke of a function with no environment, until the response",
	rieName:   "start of a new emulator process, until its first successful Invoke",
}

// printLambdaChecks writes the targets beside what this run
// measured: each ratio is met or not, in so many words.
func printLambdaChecks(w io.Writer, rows []row, cold []*coldCell) {
	fmt.Fprintln(w, "The issue's targets, in this run:")
	for _, r := range rows {
		if r.target != virgaName {
			continue
		}
		x := lambdaRatiosOf(r)
		switch r.concurrency {
		case 1:
			checkBar(w, "warm Invoke c=1, virga ÷ rie (default mode)", x.rie, 1.5, true)
		case 8:
			checkBar(w, "warm Invoke c=8, virga ÷ rie-mc8", x.rie, 2, true)
			checkBar(w, "warm Invoke c=8, virga ÷ rie-mc16", x.rie16, 2, true)
			checkBar(w, "warm Invoke c=8, virga ÷ plain HTTP ceiling", x.ceiling, 0.25, true)
		}
		failed, calls := sumErrors(r.runs)
		fmt.Fprintf(w, "- virga c=%d: %d of %d measured calls failed (the issue: none): %s\n",
			r.concurrency, failed, calls, metOrNot(failed == 0))
	}
	var floor, virga time.Duration
	for _, cc := range cold {
		if st, ok := statsOf(cc.lat); ok {
			switch cc.target {
			case execName:
				floor = st.p50
			case virgaName:
				virga = st.p50
			}
		}
	}
	if floor > 0 && virga > 0 {
		checkBar(w, "cold start p50, virga ÷ fork+exec floor", float64(virga)/float64(floor), 3, false)
	}
}

func checkBar(w io.Writer, what string, got, bar float64, atLeast bool) {
	if got <= 0 {
		fmt.Fprintf(w, "- %s: not measured\n", what)
		return
	}
	op, ok := "≥", got >= bar
	if !atLeast {
		op, ok = "≤", got <= bar
	}
	fmt.Fprintf(w, "- %s = %.2f (the issue: %s %.2f): %s\n", what, got, op, bar, metOrNot(ok))
}

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}
