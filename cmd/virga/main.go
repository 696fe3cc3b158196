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
	root := newRootCommand()
	// As sam deploy, --parameter-overrides and --tags take every argument
	// up to the next flag.
	root.SetArgs(gatherNargs(os.Args[1:]))
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "virga:", err)
		os.Exit(1)
	}
}
