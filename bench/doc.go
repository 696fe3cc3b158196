// Command bench measures virga's request path and prints Markdown tables
// that can be pasted into bench/RESULTS.md.
//
//	go run ./bench                       # what `make bench` runs
//	go run ./bench -duration 1s -repeat 1 -only 'c16'
//	go run ./bench -only '^virga/' -cpuprofile cpu.out
//	go run ./bench -only '^(get|put)/virga-disk/'
//	go run ./bench -only '^lambda/'
//	go run ./bench -only '^sqs/'
//	go run ./bench -only '^apigw/'
//
// Five suites run. STS GetCallerIdentity, called by the same aws-sdk-go-v2
// STS client for every row, so the rows differ only in what answers:
//
//	bare         a net/http handler that returns a fixed GetCallerIdentity
//	             response (the exact bytes virga answered with once)
//	virga        virga's whole edge in-process, --auth accept
//	virga-sigv4  the same with --auth sigv4: every signature is verified
//
// DynamoDB, with the aws-sdk-go-v2 DynamoDB client (one client and
// transport per target, retries off) on a table of 5,000 items of 1 KB,
// 25 to a partition, loaded with BatchWriteItem. The workloads are put
// (PutItem over a random existing key), get (GetItem of a random key),
// query (one random partition, a page of 25) and mixed (60% get, 30% put,
// 10% query); the targets:
//
//	ceiling        the plain HTTP ceiling of ../shared/tools/peers.md: a
//	               raw net/http GET of a server answering "ok" (c>1 only)
//	const          a net/http server answering each operation with the
//	               bytes virga answered it with once: the SDK client's own
//	               cost, the most any server can reach with this client
//	virga-disk     virga in-process on a temporary data directory, as
//	               `virga up` runs: every acknowledged write has been
//	               written to the OS (it survives kill -9)
//	virga-fsync    the same with --fsync: every acknowledged write has
//	               been fsynced (it survives a power loss)
//	virga-mem      virga in-process with an in-memory store
//	dynalite-disk  dynalite 4 (node, LevelDB) in its own process, when
//	dynalite-mem   node is installed; bench/node_modules is installed from
//	               bench/package-lock.json with npm ci when missing
//
// Lambda (cells lambda/invoke/TARGET/cN and lambda/cold/TARGET, so
// -only '^lambda/' runs it alone): a Go echo function (./echofn, built
// with aws-lambda-go once per run, CGO_ENABLED=0, zipped as bootstrap for
// provided.al2023), invoked with the aws-sdk-go-v2 Lambda client. Warm
// Invoke at the concurrencies, 1 and 8 (-concurrency does not
// apply); failed calls are counted per row instead of failing the run:
//
//	virga     virga in-process, in memory; the function is created
//	          through the API with its defaults (128 MB, account
//	          concurrency)
//	rie       AWS's Runtime Interface Emulator running the same binary,
//	          default mode (one invocation at a time), c=1
//	rie-mc8   the emulator with AWS_LAMBDA_MAX_CONCURRENCY=8, c=8; that
//	rie-mc16  mode runs only /var/task/bootstrap, so the bench starts it
//	          in a private mount namespace with its own /var (root only)
//	ceiling   the plain HTTP ceiling, c=8
//	const     a net/http server answering every Invoke with the echo:
//	          the most any server can reach with this client
//
// aws-lambda-rie is taken from PATH or Go's bin directory, or installed
// with `go install ...@latest`; its rows are left out, with a note, when
// that fails. Cold starts, in interleaved rounds: exec (fork+exec of the
// echo binary told to exit at once: the floor), virga (Invoke of each of
// 50 functions created up front, so none has an environment, until the
// response; each REPORT line must show an Init Duration) and rie (a new
// emulator process, until its first successful Invoke; 20 runs).
//
// SQS (cells sqs/WORKLOAD/TARGET/cN and sqs/esm/TARGET, so -only '^sqs/'
// runs it alone), with the aws-sdk-go-v2 SQS client (one client and
// transport per target, retries off, its MD5 checks on), 1 KB bodies,
// one queue per workload. A cell's calls are cycles:
//
//	single  SendMessage, ReceiveMessage (MaxNumberOfMessages 1),
//	        DeleteMessage of what it received, at c=1 and c=16; each
//	        caller's send precedes its receive, so an empty receive is
//	        an error
//	batch   SendMessageBatch of 10, ReceiveMessage of the 10 less what
//	        it has until it has 10 or made 5 calls, DeleteMessageBatch
//	        of what it received, at c=16
//
// and the table shows cycles/s, messages/s (received and deleted, each
// one sent by a cycle), API calls/s, "calls/s vs ceiling" (the median
// over rounds of calls/s ÷ the ceiling's req/s: 3 × cycles/s for single,
// the measure) and "vs const" (cycles/s ÷ the const server's).
// -concurrency does not apply. The targets:
//
//	ceiling     the plain HTTP ceiling, c=16 only
//	const       a net/http server answering each call with the bytes
//	            virga answered it with once (ReceiveMessage by the
//	            number of messages asked for); the body is fixed, so the
//	            recorded MD5 digests match what the client sends
//	virga-disk  virga in-process on a temporary data directory, as
//	            `virga up` runs: every acknowledged send is written to the
//	            OS (it survives kill -9)
//	virga-fsync the same with --fsync: every acknowledged send is fsynced
//	virga-mem   virga in-process with an in-memory store
//
// The esm rows measure an event source mapping: ./esmfn (aws-lambda-go,
// built and zipped like the echo function) is created with a 10 s
// timeout, a queue with a 30 s visibility timeout and a mapping with
// BatchSize 1, all through the API of virga-disk and virga-mem. The bench
// sends 200 messages to each, one at a time and interleaved, each after
// the previous one's report and a 20 ms pause (5 unmeasured first). A
// body starts with a sequence number and the time just before
// SendMessage; the function POSTs it, with the time its handler started,
// to a collector the bench serves on loopback (BENCH_COLLECTOR_URL). The
// table shows p50 and p99 (nearest rank) of handler start − send.
//
// API Gateway (cells apigw/WORKLOAD/TARGET/c16, so -only '^apigw/' runs
// it alone): plain net/http GETs of /ping at concurrency 16 (one
// keep-alive transport per target, like the ceiling's; -concurrency does
// not apply) through one of virga's front doors to a warm Go function,
// ./apigwfn (aws-lambda-go, built and zipped like the echo function,
// 128 MB), which decodes the proxy event and answers
// {"statusCode":200,"body":PATH}; every answer must be 200 with the body
// /ping, so no row is fast because API Gateway answered it. The
// workloads, each created through virga's API with aws-sdk-go-v2:
//
//	rest  a REST API: resource {proxy+}, method GET (authorization
//	      NONE), an AWS_PROXY integration with the function, a
//	      deployment to stage "bench"; requested at
//	      /_aws/execute-api/ID/bench/ping (payload format 1.0)
//	http  an HTTP API by quick create (CreateApi with Target = the
//	      function's ARN: route $default, auto-deployed stage
//	      $default); requested at /_aws/execute-api/ID/ping (2.0)
//	url   the function's URL (CreateFunctionUrlConfig, AuthType NONE);
//	      requested at /_aws/lambda-url/ID/ping (2.0)
//
// and the targets, in the same rounds:
//
//	ceiling     the plain HTTP ceiling: a net/http server answering "ok"
//	virga-mem   virga in-process with an in-memory store
//	virga-disk  virga in-process on a temporary data directory
//
// Each virga's function gets 16 environments before any run (a burst of
// 16 callers), which the three workloads share. "fn CPU/req" is the part
// of CPU/req the environments used (read from /proc, in 10 ms ticks per
// process). The target: through API Gateway, at least 0.25 of
// the ceiling's requests/s.
//
// Every cell (workload × target × concurrency) is warmed up, then run for a
// fixed duration, several times. Runs are interleaved: each round runs
// every target of a workload and concurrency once, one after the other,
// starting with a different one each round, so drift in a noisy machine
// spreads over all rows. The tables show the run with the median
// requests/s, with its own latencies; a ratio ("vs bare", "vs ceiling",
// "vs const", "vs rie") is the median over rounds of a row's req/s divided by the
// baseline's req/s in the same round, and "CPU/req" the CPU time per
// request of this process plus, for dynalite, the server's process,
// for the emulator its process and runtime, for virga's Lambda and API
// Gateway rows its function environments.
//
// Client and servers share the machine's cores: the figures include the
// SDK's own cost (signing, encoding, decoding), which is the same for every
// row of a workload. With -cpuprofile, the client's goroutines carry the
// pprof label side=client, so `go tool pprof -tagignore side=client`
// shows the in-process servers. With -blockprofile, the bench records
// where goroutines waited (channels, select, locks, Pebble's commit
// pipeline), for rows that leave the cores idle.
//
// bench/loadgen.sh runs the issue's own check: ../shared/tools/loadgen
// against `bin/virga up`, dynalite on disk and the okserver ceiling, each
// in its own process.
package main
