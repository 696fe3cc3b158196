// Command bench measures virga's request path and prints a Markdown table
// that can be pasted into bench/RESULTS.md.
//
//	go run ./bench                       # what `make bench` runs
//	go run ./bench -duration 1s -repeat 1 -only 'c16'
//	go run ./bench -only 'virga/' -cpuprofile cpu.out
//
// Each target is called by the same aws-sdk-go-v2 STS client, so the rows
// differ only in what answers:
//
//	bare         a net/http handler that returns a fixed GetCallerIdentity
//	             response (the exact bytes virga answered with once)
//	virga        virga's whole edge in-process, --auth accept
//	virga-sigv4  the same with --auth sigv4: every signature is verified
//
// Every cell (target × concurrency) is warmed up, then run for a fixed
// duration, several times. Runs are interleaved: each round runs every
// target once, one after the other, starting with a different one each
// round, so drift in a noisy machine spreads over all rows. The table
// shows the run with the median requests/s, with its own latencies;
// "vs bare" is the median over rounds of a row's req/s divided by the bare
// handler's req/s in the same round, and "CPU/req" the process's CPU time
// per request, which other processes' load disturbs far less than req/s.
//
// Client and servers share the process and its cores: the figures include
// the SDK's own cost (signing, decoding), which is the same for every row.
// With -cpuprofile, the client's goroutines carry the pprof label
// side=client, so `go tool pprof -tagignore side=client` shows the server.
package main
