package main

import (
	"fmt"
	"io"
	"time"
)

// sqsRow is one line of the SQS table: a cell, its runs and its ratios.
type sqsRow struct {
	workload, target string
	c                int
	runs             []result
	median           result
	// vsCeiling is the median over rounds of the row's API calls/s ÷ the
	// plain HTTP ceiling's requests/s; vsConst of its cycles/s ÷ the
	// const server's cycles/s. 0 when the baseline did not run.
	vsCeiling, vsConst float64
}

// sqsRowsOf makes the SQS table's rows, with each row's ratios to the
// ceiling and the const server of its group (workload and concurrency).
func sqsRowsOf(cells []*cell) []sqsRow {
	base := map[string]*cell{}
	for _, cl := range cells {
		if cl.suite == suiteSQS {
			base[cl.group()+"/"+cl.target] = cl
		}
	}
	var rows []sqsRow
	for _, cl := range cells {
		if cl.suite != suiteSQS {
			continue
		}
		r := sqsRow{workload: cl.workload, target: cl.target, c: cl.c, runs: cl.runs, median: median(cl.runs)}
		if b := base[cl.group()+"/"+ceilingName]; b != nil {
			r.vsCeiling = medianRatioBy(cl.runs, b.runs, result.callsPerSec)
		}
		if b := base[cl.group()+"/"+constName]; b != nil && cl.target != ceilingName {
			r.vsConst = medianRatio(cl.runs, b.runs)
		}
		rows = append(rows, r)
	}
	return rows
}

// printSQSTable writes the SQS rows as a Markdown table. A cycle is one
// callFunc call: three API calls for single, two and the receives for
// batch; the ceiling's cycle is its one GET.
func printSQSTable(w io.Writer, rows []sqsRow) {
	fmt.Fprintln(w, "| workload | target | c | cycles/s | msgs/s | calls/s | p50 | p99 | calls/s vs ceiling | vs const | CPU/cycle | cycles/s of each run |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
	for _, r := range rows {
		cycles, msgs := fmt.Sprintf("%.0f", r.median.rps()), fmt.Sprintf("%.0f", r.median.messagesPerSec())
		if r.target == ceilingName {
			cycles, msgs = "–", "–"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %.0f | %s | %s | %s | %s | %.0f µs | %s |\n",
			r.workload, r.target, r.c, cycles, msgs, r.median.callsPerSec(), latency(r.median.p50), latency(r.median.p99),
			ratio(r.vsCeiling), ratio(r.vsConst), medianCPU(r.runs), eachRun(r.runs))
	}
}

// messagesNote is a progress line's mention of a run's messages, if it
// counted any: its req/s are cycles/s then.
func messagesNote(r result) string {
	if r.messages == 0 {
		return ""
	}
	return fmt.Sprintf("  %8.0f msgs/s", r.messagesPerSec())
}

// printESMTable writes the event source mapping rows.
func printESMTable(w io.Writer, cells []*esmCell) {
	fmt.Fprintln(w, "| target | messages | p50 | p99 | min | max | failed |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|")
	for _, ec := range cells {
		st, _ := statsOf(ec.lat)
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %d |\n",
			ec.target, len(ec.lat), latency(st.p50), latency(st.p99), latency(st.min), latency(st.max), ec.failures)
	}
	for _, ec := range cells {
		if ec.firstErr != nil {
			fmt.Fprintf(w, "\n%s, the first failure: %.300v\n", ec.target, ec.firstErr)
		}
	}
}

// The SQS targets.
const (
	// sqsSingleBar: at c=16, single cycles/s ≥ 30% of the ceiling's
	// requests/s ÷ 3, that is 3 × cycles/s ≥ 0.30 × the ceiling.
	sqsSingleBar = 0.30
	// sqsBatchBar: at c=16, batch messages/s ≥ 10,000.
	sqsBatchBar = 10000
	// esmP50Bar: the event source mapping's p50 ≤ 50 ms.
	esmP50Bar = 50 * time.Millisecond
)

// printSQSChecks writes the targets beside what this run
// measured, for each virga row.
func printSQSChecks(w io.Writer, rows []sqsRow, esm []*esmCell) {
	fmt.Fprintln(w, "The issue's targets, in this run:")
	for _, r := range rows {
		if r.target == ceilingName || r.target == constName || r.c != 16 {
			continue
		}
		switch r.workload {
		case workSingle:
			checkBar(w, fmt.Sprintf("single c=16, %s: 3 × cycles/s ÷ plain HTTP ceiling", r.target), r.vsCeiling, sqsSingleBar, true)
		case workBatch:
			got := r.median.messagesPerSec()
			fmt.Fprintf(w, "- batch c=16, %s: %.0f messages/s sent, received and deleted (the issue: ≥ %d): %s\n",
				r.target, got, sqsBatchBar, metOrNot(got >= sqsBatchBar))
		}
	}
	for _, ec := range esm {
		st, ok := statsOf(ec.lat)
		if !ok {
			fmt.Fprintf(w, "- event source mapping, %s: not measured\n", ec.target)
			continue
		}
		fmt.Fprintf(w, "- event source mapping p50, %s: %s (the issue: ≤ %s): %s\n",
			ec.target, latency(st.p50), latency(esmP50Bar), metOrNot(st.p50 <= esmP50Bar))
	}
}
