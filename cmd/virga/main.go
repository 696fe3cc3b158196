// Command virga is an AWS-compatible serverless and container cloud in one
// binary. `virga up` serves the AWS APIs on 127.0.0.1:4566; other
// subcommands are clients of a running virga.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "virga:", err)
		os.Exit(1)
	}
}
