// Command rapport keeps an independent sales rep in touch with every
// customer after every order, by email and text. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // customers' time zones work on machines without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	io := stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}
	os.Exit(withProfiles(os.Getenv(profileEnv), os.Getenv(memProfileEnv), io.err, func() int {
		return run(ctx, os.Args[1:], io, os.Getenv)
	}))
}
