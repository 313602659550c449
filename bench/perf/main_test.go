package perf

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The suite runs with `go test -bench`; bench/run passes these after -args.
var (
	rowsFlag        = flag.Int("rows", 100_000, "contacts imported for the import, scheduling and daemon benchmarks")
	emailsFlag      = flag.Int("emails", 2000, "emails the sending benchmark queues")
	textsFlag       = flag.Int("texts", 300, "texts the SMS benchmark queues")
	textRateFlag    = flag.Float64("text-rate", 50, "[sms] rate (texts a second) for the SMS benchmark")
	binFlag         = flag.String("rapport", "", "the rapport binary to measure (default: built from ./daemon)")
	workFlag        = flag.String("work", "", "folder for generated files and databases (default: a temporary one, removed afterwards)")
	sendRoundsFlag  = flag.Int("send-rounds", 5, "turns each way of sending emails takes (the medians are compared)")
	sendProfileFlag = flag.String("send-cpuprofile", "", "the email sending benchmark's daemon writes a CPU profile to this file (the last turn's)")
	resultsFlag     = flag.String("results", "", "also write the table, in Markdown, to this file")
)

// results is the table the benchmarks fill and TestMain prints.
var results Table

func TestMain(m *testing.M) {
	flag.Parse()
	machine := ReadMachine()
	code := m.Run()
	env.cleanup()
	if results.Len() > 0 {
		if err := report(machine); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// report prints the table, and writes it to -results.
func report(m Machine) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nRapport benchmarks, %d contacts, on %s\n\n", *rowsFlag, m)
	if err := results.WriteMarkdown(&b); err != nil {
		return err
	}
	fmt.Print(b.String())
	if *resultsFlag == "" {
		return nil
	}
	return os.WriteFile(*resultsFlag, []byte(b.String()), 0o644)
}

// env holds what the benchmarks share: the binary, the work folder and
// the imported databases, each made once, when first needed.
var env = &shared{imports: map[int]*imported{}}

type shared struct {
	mu      sync.Mutex
	work    string
	temp    bool
	bin     string
	imports map[int]*imported
}

// dir returns a new folder under the work folder.
func (s *shared) dir(tb testing.TB, name string) string {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.work == "" {
		s.work, s.temp = *workFlag, *workFlag == ""
		if s.temp {
			var err error
			if s.work, err = os.MkdirTemp("", "rapport-bench-"); err != nil {
				tb.Fatal(err)
			}
		}
	}
	d := filepath.Join(s.work, name)
	if err := os.RemoveAll(d); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		tb.Fatal(err)
	}
	return d
}

// rapport returns the binary, building it the first time.
func (s *shared) rapport(tb testing.TB) string {
	tb.Helper()
	if *binFlag != "" {
		return *binFlag
	}
	s.mu.Lock()
	bin := s.bin
	s.mu.Unlock()
	if bin != "" {
		return bin
	}
	bin = filepath.Join(s.dir(tb, "bin"), "rapport")
	r, err := Command(context.Background(), nil, nil, "go", "build", "-o", bin, "github.com/rapportapp/rapport/daemon")
	if err != nil || r.ExitCode != 0 {
		tb.Fatalf("build rapport: %v\n%s", err, r.Stderr)
	}
	s.mu.Lock()
	s.bin = bin
	s.mu.Unlock()
	return bin
}

func (s *shared) cleanup() {
	if s.temp {
		os.RemoveAll(s.work)
	}
}
