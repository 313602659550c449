package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

var seedFlag = flag.Uint64("crash.seed", 0, "seed for the kill moments (0: from the clock)")

// TestKill9 is the everyday form of the harness: 50 emails and 25 texts,
// 5 kill -9s of the real binary, a few seconds, so `go test ./...` stays
// quick. It proves the harness and the daemon still work together; the
// proof itself is the long form (300 kills) that .ci/run runs with two
// fixed seeds. It fails on any lost message, any text sent twice, any
// email sent twice without a kill catching it mid-send or with a different
// Message-ID, a failed integrity_check, or a daemon that does not stop
// cleanly on SIGTERM.
func TestKill9(t *testing.T) {
	dir := t.TempDir()
	o := Options{
		Emails: 50, Texts: 25, Kills: 5, Seed: seed(t),
		MinLife: 50 * time.Millisecond, MaxLife: 800 * time.Millisecond,
		Rapport: filepath.Join(dir, "rapport"), Dir: dir, Progress: testWriter{t},
	}
	o.Rate = SpreadRate(o.Emails, o.Texts, o.Kills, o.MinLife, o.MaxLife)
	if err := BuildRapport(t.Context(), o.Rapport); err != nil {
		t.Fatal(err)
	}
	mp := mailpit.Start(t)
	o.Mail = &MailServer{SMTPPort: mp.SMTPPort, APIURL: mp.APIURL}

	rep, err := Run(t.Context(), o)
	if err != nil {
		logTail(t, filepath.Join(dir, "rapport.log"))
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Log("\n" + out.String())
	if rep.Kills != o.Kills {
		t.Errorf("%d kills, want %d", rep.Kills, o.Kills)
	}
	for _, p := range rep.Problems {
		t.Error(p)
	}
	if t.Failed() {
		logTail(t, filepath.Join(dir, "rapport.log"))
		t.Logf("reproduce with: go run ./bench/crash -emails %d -texts %d -kills %d -seed %d", o.Emails, o.Texts, o.Kills, o.Seed)
	}
}

func seed(t *testing.T) uint64 {
	t.Helper()
	s := *seedFlag
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -crash.seed %d)", s, s)
	return s
}

// testWriter sends the harness's progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// logTail shows the end of the daemons' output, where a failure shows.
func logTail(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Logf("no daemon log: %v", err)
		return
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	t.Logf("last lines of %s:\n%s", path, strings.Join(lines[max(0, len(lines)-40):], "\n"))
}
