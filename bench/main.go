package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	if dir := os.Getenv(privateVarEnv); dir != "" {
		// Re-executed by withPrivateVar: a helper, not the bench.
		err := privateVarHelper(dir)
		fmt.Fprintln(os.Stderr, "bench helper:", err)
		os.Exit(1)
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type flags struct {
	duration     time.Duration
	warmup       time.Duration
	repeat       int
	concurrency  []int
	only         *regexp.Regexp
	cpuprofile   string
	blockprofile string
}

func parseFlags() (flags, error) {
	var f flags
	var conc, only string
	flag.DurationVar(&f.duration, "duration", time.Second, "measured time per cell and run")
	flag.DurationVar(&f.warmup, "warmup", 200*time.Millisecond, "unmeasured time before each run of a cell")
	flag.IntVar(&f.repeat, "repeat", 3, "runs per cell; the median run is reported")
	flag.StringVar(&conc, "concurrency", "1,16", "comma-separated numbers of concurrent callers (STS and DynamoDB; Lambda's are the issue's, 1 and 8, SQS's 1 and 16, API Gateway's 16)")
	flag.StringVar(&only, "only", "", "run only the cells whose name matches this `regexp`: target/cN for STS (e.g. virga-sigv4/c16), workload/target/cN for DynamoDB (e.g. get/virga-disk/c16), lambda/invoke/target/cN and lambda/cold/target for Lambda (e.g. '^lambda/' for all of it), sqs/workload/target/cN and sqs/esm/target for SQS (e.g. '^sqs/'), apigw/workload/target/cN for API Gateway (e.g. '^apigw/')")
	flag.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured runs to this file")
	flag.StringVar(&f.blockprofile, "blockprofile", "", "write a profile of where goroutines waited (channels, select, locks; sampled, about one event per 10 µs of waiting) during the measured runs to this file: for rows that leave the cores idle")
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

// The suites: each prints its own table.
const (
	suiteSTS      = "sts"
	suiteDynamoDB = "dynamodb"
	// suiteLambda is in lambda.go, suiteSQS in sqs.go, suiteAPIGW in
	// apigw.go.
)

// cell is one target at one concurrency, for one workload, and its runs.
type cell struct {
	suite    string
	workload string // "" in the STS suite, which has one
	target   string
	c        int
	call     callFunc
	// serverCPU is the CPU time of the target's own processes when it
	// runs outside this one (dynalite, the emulator, virga's function
	// environments); nil when the server is wholly in-process.
	serverCPU func() time.Duration
	// countErrors counts failed calls instead of failing the run: the
	// Lambda rows report errors per target, as the issue asks.
	countErrors bool
	// tally counts the API calls and messages of a cell whose call is
	// several requests (the SQS suite's cycles); nil for the others.
	tally *tally
	runs  []result
}

// name is what -only matches and the progress lines show.
func (cl *cell) name() string {
	if cl.suite == suiteLambda || cl.suite == suiteSQS || cl.suite == suiteAPIGW {
		return fmt.Sprintf("%s/%s/%s/c%d", cl.suite, cl.workload, cl.target, cl.c)
	}
	if cl.workload == "" {
		return fmt.Sprintf("%s/c%d", cl.target, cl.c)
	}
	return fmt.Sprintf("%s/%s/c%d", cl.workload, cl.target, cl.c)
}

// group is what cells run interleaved with, and compare to.
func (cl *cell) group() string { return fmt.Sprintf("%s/%s/%d", cl.suite, cl.workload, cl.c) }

// cpuNow is the CPU time used so far by this process and the target's own
// processes (total), and by the latter alone (server).
func (cl *cell) cpuNow() (total, server time.Duration) {
	if cl.serverCPU != nil {
		server = cl.serverCPU()
	}
	return processCPU() + server, server
}

// plan lists every cell the flags select, before any server starts, so
// that only the servers some cell needs are started.
func plan(f flags) ([]*cell, []*coldCell, []*esmCell) {
	var cells []*cell
	add := func(cl *cell) {
		if f.only.MatchString(cl.name()) {
			cells = append(cells, cl)
		}
	}
	for _, c := range f.concurrency {
		for _, t := range []string{bareName, virgaName, virgaSigV4Name} {
			add(&cell{suite: suiteSTS, target: t, c: c})
		}
	}
	for _, c := range f.concurrency {
		for _, w := range ddbWorkloads {
			for _, t := range ddbTargetNames {
				if t == ceilingName && c == 1 {
					// One caller measures latency, not a ceiling.
					continue
				}
				add(&cell{suite: suiteDynamoDB, workload: w, target: t, c: c})
			}
		}
	}
	for _, lc := range lambdaInvokeCells {
		add(&cell{suite: suiteLambda, workload: workInvoke, target: lc.target, c: lc.c, countErrors: true})
	}
	var cold []*coldCell
	for _, t := range lambdaColdTargets {
		cc := &coldCell{target: t, runs: coldFunctions}
		if t == rieName {
			cc.runs = rieColdRuns
		}
		if f.only.MatchString(cc.name()) {
			cold = append(cold, cc)
		}
	}
	for _, sc := range sqsCells {
		add(&cell{suite: suiteSQS, workload: sc.workload, target: sc.target, c: sc.c, tally: &tally{}})
	}
	for _, w := range apigwWorkloads {
		for _, t := range apigwTargetNames {
			add(&cell{suite: suiteAPIGW, workload: w, target: t, c: apigwConcurrency})
		}
	}
	var esm []*esmCell
	for _, t := range esmTargets {
		if ec := (&esmCell{target: t}); f.only.MatchString(ec.name()) {
			esm = append(esm, ec)
		}
	}
	return cells, cold, esm
}

func run() error {
	f, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	cells, cold, esm := plan(f)
	if len(cells)+len(cold)+len(esm) == 0 {
		return fmt.Errorf("-only %q matches no cell", f.only)
	}

	fmt.Printf("%s\n\n", describeMachine())
	stop, notes, bound, err := bindTargets(ctx, f, cells, cold, esm)
	defer stop()
	if err != nil {
		return err
	}
	lt := bound.lambda
	cells = runnable(cells)
	cold = runnableCold(cold)

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
	if f.blockprofile != "" {
		out, err := os.Create(f.blockprofile)
		if err != nil {
			return err
		}
		defer out.Close()
		runtime.SetBlockProfileRate(int((10 * time.Microsecond).Nanoseconds()))
		defer func() {
			runtime.SetBlockProfileRate(0)
			pprof.Lookup("block").WriteTo(out, 0)
		}()
	}

	for _, g := range groups(cells) {
		for rep := range f.repeat {
			// Targets take turns within a round, starting one further
			// each round, so that no target always runs first or last.
			for i := range g {
				cl := g[(i+rep)%len(g)]
				if _, err := load(ctx, cl, f.warmup); err != nil {
					return fmt.Errorf("%s warm-up: %w", cl.name(), err)
				}
				r, err := load(ctx, cl, f.duration)
				if err != nil {
					return fmt.Errorf("%s: %w", cl.name(), err)
				}
				cl.runs = append(cl.runs, r)
				fmt.Fprintf(os.Stderr, "  round %d/%d  %-30s %8.0f req/s  %6.1f µs CPU/req%s%s\n",
					rep+1, f.repeat, cl.name(), r.rps(), r.cpuPerReq(), messagesNote(r), errorsNote(r))
			}
		}
	}
	if len(cold) > 0 {
		runCold(ctx, cold)
	}
	if len(esm) > 0 {
		runESM(ctx, esm, bound.sqs.collector)
	}

	if sts := rowsOf(cells, suiteSTS, bareName); len(sts) > 0 {
		fmt.Printf("STS GetCallerIdentity, aws-sdk-go-v2 client; %d runs of %v per cell, each after %v warm-up; median run shown.\n\n",
			f.repeat, f.duration, f.warmup)
		printTable(os.Stdout, sts)
		fmt.Println()
	}
	if ddb := rowsOf(cells, suiteDynamoDB, ceilingName, constName); len(ddb) > 0 {
		fmt.Printf("DynamoDB, aws-sdk-go-v2 client, %d items of %d bytes, %d per partition; %d runs of %v per cell, each after %v warm-up; median run shown.\n\n",
			ddbItems, ddbItemSize, ddbPerPK, f.repeat, f.duration, f.warmup)
		printDDBTable(os.Stdout, ddb)
		fmt.Println()
	}
	lambdaRows := rowsOf(cells, suiteLambda, lambdaBases...)
	if len(lambdaRows) > 0 {
		fmt.Printf("Lambda warm Invoke of a Go echo function (aws-lambda-go, provided.al2023), aws-sdk-go-v2 client, event %s; %d runs of %v per cell, each after %v warm-up; median run shown. Emulator: aws-lambda-rie %s.\n\n",
			echoPayload, f.repeat, f.duration, f.warmup, lt.rieOrNone())
		printLambdaTable(os.Stdout, lambdaRows)
		fmt.Println()
	}
	if len(cold) > 0 {
		fmt.Printf("Lambda cold start, the same echo binary: time to the first good answer, p50 and p99 (nearest rank) of each row's runs, interleaved.\n\n")
		printColdTable(os.Stdout, cold)
		fmt.Println()
	}
	if len(lambdaRows) > 0 || len(cold) > 0 {
		printLambdaChecks(os.Stdout, lambdaRows, cold)
		fmt.Println()
	}
	sqsRows := sqsRowsOf(cells)
	if len(sqsRows) > 0 {
		fmt.Printf("SQS, aws-sdk-go-v2 client, bodies of %d bytes; %d runs of %v per cell, each after %v warm-up; median run shown.\n\n",
			sqsBodySize, f.repeat, f.duration, f.warmup)
		printSQSTable(os.Stdout, sqsRows)
		fmt.Println()
	}
	if len(esm) > 0 {
		fmt.Printf("SQS event source mapping: from just before SendMessage to the start of the function's handler, %d messages a row sent one at a time (BatchSize 1), interleaved; p50 and p99 by nearest rank.\n\n", esmMessages)
		printESMTable(os.Stdout, esm)
		fmt.Println()
	}
	if len(sqsRows) > 0 || len(esm) > 0 {
		printSQSChecks(os.Stdout, sqsRows, esm)
		fmt.Println()
	}
	if apigwRows := rowsOf(cells, suiteAPIGW, ceilingName); len(apigwRows) > 0 {
		fmt.Printf("API Gateway: plain net/http GET %s through each front door to a warm Go function (./apigwfn, aws-lambda-go, provided.al2023, 128 MB) answering a proxy response; %d runs of %v per cell, each after %v warm-up; median run shown.\n\n",
			apigwPath, f.repeat, f.duration, f.warmup)
		printAPIGWTable(os.Stdout, apigwRows)
		fmt.Println()
		printAPIGWChecks(os.Stdout, apigwRows)
		fmt.Println()
	}
	for _, n := range notes {
		fmt.Println("Note:", n)
	}
	return nil
}

// bound are the started targets the suites need after bindTargets.
type bound struct {
	lambda *lambdaTargets
	sqs    *sqsTargets
}

// bindTargets starts the servers the cells need and gives each cell its
// call. Cells whose target could not run (dynalite without node) keep a
// nil call; notes say why.
func bindTargets(ctx context.Context, f flags, cells []*cell, cold []*coldCell, esm []*esmCell) (stop func(), notes []string, b bound, err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	need := map[string]map[string]bool{}
	for _, cl := range cells {
		if need[cl.suite] == nil {
			need[cl.suite] = map[string]bool{}
		}
		need[cl.suite][cl.target] = true
	}
	if len(need[suiteSTS]) > 0 {
		targets, s, err := startTargets(ctx, newTransport(f.concurrency))
		stops = append(stops, s)
		if err != nil {
			return stop, nil, b, err
		}
		for _, cl := range cells {
			if cl.suite == suiteSTS {
				cl.call = targets[cl.target]
			}
		}
	}
	if len(need[suiteDynamoDB]) > 0 {
		targets, s, n, err := startDDBTargets(ctx, f.concurrency, need[suiteDynamoDB])
		stops = append(stops, s)
		notes = n
		if err != nil {
			return stop, notes, b, err
		}
		for _, cl := range cells {
			if t := targets[cl.target]; cl.suite == suiteDynamoDB && t != nil {
				cl.call = t.callFor(cl.workload)
				cl.serverCPU = t.serverCPU
			}
		}
	}
	needCold := map[string]bool{}
	for _, cc := range cold {
		needCold[cc.target] = true
	}
	if len(need[suiteLambda])+len(needCold) > 0 {
		t, s, n, err := startLambdaTargets(ctx, need[suiteLambda], needCold)
		stops = append(stops, s)
		notes = append(notes, n...)
		if err != nil {
			return stop, notes, b, err
		}
		for _, cl := range cells {
			if cl.suite == suiteLambda {
				cl.call = t.invoke[cl.target]
				cl.serverCPU = t.serverCPU[cl.target]
			}
		}
		for _, cc := range cold {
			cc.start = t.cold[cc.target]
		}
		b.lambda = t
	}
	needESM := map[string]bool{}
	for _, ec := range esm {
		needESM[ec.target] = true
	}
	if len(need[suiteSQS])+len(needESM) > 0 {
		t, s, n, err := startSQSTargets(ctx, need[suiteSQS], needESM)
		stops = append(stops, s)
		notes = append(notes, n...)
		if err != nil {
			return stop, notes, b, err
		}
		for _, cl := range cells {
			if tg := t.load[cl.target]; cl.suite == suiteSQS && tg != nil {
				cl.call = tg.callFor(cl.workload, cl.tally)
			}
		}
		for _, ec := range esm {
			ec.send = t.esm[ec.target]
		}
		b.sqs = t
	}
	if len(need[suiteAPIGW]) > 0 {
		t, s, n, err := startAPIGWTargets(ctx, need[suiteAPIGW])
		stops = append(stops, s)
		notes = append(notes, n...)
		if err != nil {
			return stop, notes, b, err
		}
		for _, cl := range cells {
			if cl.suite == suiteAPIGW {
				cl.call = t.calls[cl.workload+"/"+cl.target]
				cl.serverCPU = t.serverCPU[cl.target]
			}
		}
	}
	return stop, notes, b, nil
}

func runnable(cells []*cell) []*cell {
	var out []*cell
	for _, cl := range cells {
		if cl.call != nil {
			out = append(out, cl)
		}
	}
	return out
}

func runnableCold(cells []*coldCell) []*coldCell {
	var out []*coldCell
	for _, cc := range cells {
		if cc.start != nil {
			out = append(out, cc)
		}
	}
	return out
}

// groups splits cells, in order, into the sets that run interleaved:
// one suite, workload and concurrency each.
func groups(cells []*cell) [][]*cell {
	var out [][]*cell
	at := map[string]int{}
	for _, cl := range cells {
		i, ok := at[cl.group()]
		if !ok {
			i = len(out)
			at[cl.group()] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], cl)
	}
	return out
}

// rowsOf makes the table rows of one suite, with each row's ratios to the
// named baselines of its group.
func rowsOf(cells []*cell, suite string, bases ...string) []row {
	base := map[string]*cell{}
	for _, cl := range cells {
		if cl.suite == suite {
			base[cl.group()+"/"+cl.target] = cl
		}
	}
	var rows []row
	for _, cl := range cells {
		if cl.suite != suite {
			continue
		}
		r := row{workload: cl.workload, target: cl.target, concurrency: cl.c, runs: cl.runs, median: median(cl.runs)}
		for _, b := range bases {
			var ratio float64
			if bc := base[cl.group()+"/"+b]; bc != nil {
				ratio = medianRatio(cl.runs, bc.runs)
			}
			r.ratios = append(r.ratios, ratio)
		}
		rows = append(rows, r)
	}
	return rows
}
