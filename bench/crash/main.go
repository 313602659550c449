// Command crash proves Rapport's delivery guarantee under kill -9: the
// real `rapport run` sends queued emails to Mailpit and texts to the
// Twilio sandbox while the harness kills it at random moments and starts
// it again. It passes when every message arrived, no text arrived twice,
// every email that arrived twice was caught mid-send by a kill and both
// copies carry the same Message-ID, and SQLite's integrity_check is ok
// after every kill.
//
//	go run ./bench/crash                      # the long form: 2000 emails, 1000 texts, 300 kills
//	go run ./bench/crash -emails 300 -texts 150 -kills 30 -seed 7
//
// crash_test.go runs a short form (5 kills) under `go test ./...`; .ci/run
// runs the long form with two fixed seeds.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program: 0 pass, 1 fail (or the harness broke), 2 bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, keep, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	dir, err := os.MkdirTemp("", "rapport-crash-")
	if err != nil {
		fmt.Fprintln(stderr, "crash:", err)
		return 1
	}
	o.Dir, o.Progress = dir, stderr
	rep, err := runWithServers(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "crash: %v\n(files kept in %s)\n", err, dir)
		return 1
	}
	rep.Print(stdout)
	if len(rep.Problems) > 0 || keep {
		fmt.Fprintf(stdout, "files (workspace, contacts.csv, rapport.log) kept in %s\n", dir)
	} else {
		os.RemoveAll(dir)
	}
	if len(rep.Problems) > 0 {
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (Options, bool, error) {
	fs := flag.NewFlagSet("crash", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := Options{}
	fs.IntVar(&o.Emails, "emails", 2000, "contacts who get one email")
	fs.IntVar(&o.Texts, "texts", 1000, "contacts who get one text")
	fs.IntVar(&o.Kills, "kills", 300, "how many times to kill -9 the daemon")
	fs.Uint64Var(&o.Seed, "seed", 0, "seed for the kill moments (0: pick one and print it)")
	fs.DurationVar(&o.MinLife, "min", 50*time.Millisecond, "shortest life before a kill")
	fs.DurationVar(&o.MaxLife, "max", 800*time.Millisecond, "longest life before a kill")
	rate := fs.String("rate", "auto", "messages a second, shared by the channels; 0: no limit; auto: spread over the kills")
	keep := fs.Bool("keep", false, "keep the workspace and logs even when the run passes")
	if err := fs.Parse(args); err != nil {
		return o, false, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "crash: unexpected argument %q\n", fs.Arg(0))
		return o, false, errors.New("usage")
	}
	if *rate == "auto" {
		o.Rate = SpreadRate(o.Emails, o.Texts, o.Kills, o.MinLife, o.MaxLife)
	} else if _, err := fmt.Sscan(*rate, &o.Rate); err != nil || o.Rate < 0 {
		fmt.Fprintf(stderr, "crash: -rate %q: want auto, 0 or a number of messages a second\n", *rate)
		return o, false, errors.New("usage")
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	return o, *keep, nil
}

// runWithServers builds rapport and starts Mailpit, then runs.
func runWithServers(ctx context.Context, o Options) (*Report, error) {
	fmt.Fprintf(o.Progress, "crash: seed %d, rate %.1f/s, building rapport and starting Mailpit\n", o.Seed, o.Rate)
	o.Rapport = filepath.Join(o.Dir, "rapport")
	if err := BuildRapport(ctx, o.Rapport); err != nil {
		return nil, err
	}
	mailDir := filepath.Join(o.Dir, "mailpit")
	if err := os.Mkdir(mailDir, 0o755); err != nil {
		return nil, err
	}
	ms, stop, err := startMailpit(mailDir)
	if err != nil {
		return nil, err
	}
	defer stop()
	o.Mail = ms
	return Run(ctx, o)
}
