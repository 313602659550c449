package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/clock"
)

// Exit codes, which scripts and systemd rely on: 0 ok, 1 runtime failure,
// 2 usage or invalid input.
const (
	exitOK      = 0
	exitFailure = 1
	exitInvalid = 2
)

// invalid marks an error as the user's input (exit 2), not a failure.
type invalid struct{ err error }

func (e invalid) Error() string { return e.err.Error() }
func (e invalid) Unwrap() error { return e.err }

func invalidf(format string, args ...any) error { return invalid{fmt.Errorf(format, args...)} }

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// env is everything a command gets: the global options and the outside world.
type env struct {
	ctx        context.Context
	io         stdio
	getenv     func(string) string
	configFlag string
	clock      clock.Clock // the real clock, or one started at --now
	simulated  bool        // --now was given: the clock is not the real one
	logFormat  string
}

type command struct {
	name    string
	args    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"init", "[DIR]", "write a working starter set into DIR (default .)", cmdInit},
		{"check", "[--db] [--dns]", "check config, campaigns and templates (--db: the database too; --dns: SPF, DKIM, DMARC, MX); exit 2 on problems", cmdCheck},
		{"dkim", dkimUsage, "make the key that signs your email and print its DNS record", cmdDKIM},
		{"import", "FILE.csv [--dry-run] [--map COL=field]... [--json]", "import contacts (and orders) from a CSV file", cmdImport},
		{"order", orderUsage, "record, list, re-date or cancel an order", cmdOrder},
		{"run", "[--once]", "the daemon: send what is due, serve webhooks, poll replies", cmdRun},
		{"preview", "CONTACT [--json]", "every past and future step for one contact", cmdPreview},
		{"replies", "[--all] [--json] | show ID | done ID | export FILE.csv", "replies waiting for you", cmdReplies},
		{"reply", `CONTACT "TEXT" [--channel sms|email] [--keep-open]`, "answer a customer (or write first) by text or email, through the queue", cmdReply},
		{"thread", "CONTACT [--json]", "everything between you and one customer, both channels, in time order", cmdThread},
		{"cases", casesUsage, "customers' problems followed through until fixed, with their deadlines", cmdCases},
		{"status", "[--json]", "queue counts, next send, recent failures, last reply poll", cmdStatus},
		{"contacts", "[QUERY] [--json] | add --first-name F ... | edit CONTACT ... | remove CONTACT --yes | pause CONTACT | resume CONTACT | skip CONTACT CAMPAIGN/STEP", "list, add, correct, forget or pause customers", cmdContacts},
		{"unsubscribe", "CONTACT [--sms]", "stop emails (or texts) to a contact", cmdUnsubscribe},
		{"resubscribe", "CONTACT [--sms]", "start emails (or texts) to a contact again", cmdResubscribe},
		{"demo", "", "six simulated months of Rapport in a throwaway folder", cmdDemo},
		{"send-test", "CAMPAIGN/STEP [--contact EMAIL_OR_PHONE] [--channel email|sms]", "send one step to yourself, to see it as customers will", cmdSendTest},
		{"passwd", "", "set the dashboard password (asks for it; or one line on stdin)", cmdPasswd},
		{"backup", "FILE", "a consistent copy of the database, safe while running", cmdBackup},
		{"dev", "twilio-sandbox [--listen ADDR] | text FROM \"MESSAGE\"", "try SMS without an account: a Twilio stand-in, or a text as if a customer sent it", cmdDev},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: rapport [-c CONFIG] [--now RFC3339] COMMAND [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n`rapport COMMAND --help` shows a command's options.")
}

// run is the whole program, testable in-process.
func run(ctx context.Context, args []string, io stdio, getenv func(string) string) int {
	e := &env{ctx: ctx, io: io, getenv: getenv, clock: clock.Real{}}
	rest, err := e.parseGlobal(args)
	if err != nil {
		fmt.Fprintln(io.err, "rapport:", err)
		return exitInvalid
	}
	switch {
	case len(rest) == 0: // a mistake, not a request for help
		usage(io.err)
		return exitInvalid
	case rest[0] == "help" || isHelp(rest[0]):
		usage(io.out)
		return exitOK
	case rest[0] == "--version" || rest[0] == "-version":
		fmt.Fprintln(io.out, "rapport", fullVersion())
		return exitOK
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return exitCode(io.err, c.run(e, rest[1:]))
		}
	}
	fmt.Fprintf(io.err, "rapport: unknown command %q\n", rest[0])
	usage(io.err)
	return exitInvalid
}

func exitCode(w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(w, strings.TrimRight(err.Error(), "\n"))
	var inv invalid
	if errors.As(err, &inv) {
		return exitInvalid
	}
	return exitFailure
}

// parseGlobal takes -c/--config, --now and --log-format from anywhere in
// args and returns the rest.
func (e *env) parseGlobal(args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		switch name {
		case "-c", "--config", "-config", "--now", "-now", "--log-format":
		default:
			rest = append(rest, args[i])
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if err := e.setGlobal(strings.TrimLeft(name, "-"), val); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

func (e *env) setGlobal(name, val string) error {
	switch name {
	case "c", "config":
		e.configFlag = val
	case "log-format":
		e.logFormat = val
	case "now":
		t, err := time.Parse(time.RFC3339, val)
		if err != nil {
			return fmt.Errorf("--now %q: want a time like 2026-12-01T09:00:00-06:00", val)
		}
		e.clock, e.simulated = clock.StartingAt(t), true
	}
	return nil
}

// isHelp reports whether arg asks for help, as the flag package reads it.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// flags parses a command's flags, allowing them before and after its
// positional arguments, and returns the positionals. Help asked for
// returns flag.ErrHelp (exit 0) with the help on stdout, where a pager or
// grep finds it; a flag error shows the help on stderr.
func flags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if o, ok := fs.Output().(*flagOutput); ok {
			o.flush(errors.Is(err, flag.ErrHelp))
		}
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, invalid{err}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlags(e *env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(&flagOutput{io: e.io})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: rapport %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// flagOutput holds what the flag package prints until flags knows whether
// it answers a request for help (stdout) or a mistake (stderr).
type flagOutput struct {
	bytes.Buffer
	io stdio
}

func (o *flagOutput) flush(help bool) {
	w := o.io.err
	if help {
		w = o.io.out
	}
	_, _ = o.WriteTo(w)
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }
