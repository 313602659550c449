package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

func TestVersionFlag(t *testing.T) {
	out, errOut, code := runCLI(t, nil, "", "--version")
	if code != exitOK || out != "rapport "+fullVersion()+"\n" || errOut != "" {
		t.Errorf("--version: exit %d, stdout %q, stderr %q; want rapport %s", code, out, errOut, fullVersion())
	}
	if !strings.HasPrefix(out, "rapport 0.4.0") {
		t.Errorf("--version = %q, want it to start with rapport 0.4.0", out)
	}
	defer func(v string) { version = v }(version)
	version = "9.9.9" // as -ldflags "-X main.version=9.9.9" would
	if out, _, _ := runCLI(t, nil, "", "--version"); !strings.HasPrefix(out, "rapport 9.9.9") {
		t.Errorf("--version with the version set at build = %q, want rapport 9.9.9", out)
	}
}

func TestDescribeVersion(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	settings := func(kv ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{}
		for i := 0; i < len(kv); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return info
	}
	tests := []struct {
		name, v string
		info    *debug.BuildInfo
		want    string
	}{
		{"no build info", "0.4.0", nil, "0.4.0"},
		{"built outside a checkout", "0.4.0", settings(), "0.4.0"},
		{"committed", "0.4.0", settings("vcs.revision", rev, "vcs.modified", "false"), "0.4.0+0123456789ab"},
		{"uncommitted changes", "0.4.0", settings("vcs.revision", rev, "vcs.modified", "true"), "0.4.0+0123456789ab.dirty"},
		{"packager's metadata kept", "0.4.0+deb1", settings("vcs.revision", rev), "0.4.0+deb1"},
	}
	for _, tt := range tests {
		if got := describeVersion(tt.v, tt.info); got != tt.want {
			t.Errorf("%s: describeVersion = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStatusShowsVersion(t *testing.T) {
	w := newWorkspace(t)
	if out := w.mustRun(t, "status"); !strings.Contains(out, "rapport "+fullVersion()+"\n") {
		t.Errorf("status does not show the version:\n%s", out)
	}
	var s struct {
		Version string `json:"version"`
	}
	w.runJSON(t, &s, "status", "--json")
	if s.Version != fullVersion() {
		t.Errorf("status --json version = %q, want %q", s.Version, fullVersion())
	}
}

func TestNoCommandIsAUsageError(t *testing.T) {
	out, errOut, code := runCLI(t, nil, "")
	if code != exitInvalid || out != "" || !strings.HasPrefix(errOut, "usage: rapport") {
		t.Errorf("rapport alone: exit %d, stdout %q, stderr %q; want usage on stderr, exit 2", code, out, errOut)
	}
	out, _, code = runCLI(t, nil, "", "--help")
	if code != exitOK || !strings.HasPrefix(out, "usage: rapport") {
		t.Errorf("rapport --help: exit %d, stdout %q; want usage on stdout, exit 0", code, out)
	}
}

// --help is a request for help wherever it comes, never an argument; no
// config is read for it.
func TestSubcommandHelp(t *testing.T) {
	for _, args := range [][]string{
		{"replies", "done", "--help"},
		{"replies", "show", "--help"},
		{"replies", "show", "12", "-h"},
		{"replies", "export", "--help"},
		{"replies", "--help"},
		{"dev", "text", "--help"},
		{"dev", "twilio-sandbox", "--help"},
		{"dev", "--help"},
		{"order", "add", "--help"},
		{"import", "--help"},
		{"status", "-h"},
	} {
		out, errOut, code := runCLI(t, nil, "", append([]string{"-c", "/nonexistent/config.toml"}, args...)...)
		want := "usage: rapport " + strings.Join(args[:min(2, len(args)-1)], " ")
		if code != exitOK || !strings.HasPrefix(out, want) || errOut != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %q on stdout, exit 0", strings.Join(args, " "), code, out, errOut, want)
		}
	}
	// A mistake still shows the help, on stderr, and exits 2.
	out, errOut, code := runCLI(t, nil, "", "replies", "done", "--bogus")
	if code != exitInvalid || out != "" || !strings.Contains(errOut, "usage: rapport replies done") {
		t.Errorf("replies done --bogus: exit %d, stdout %q, stderr %q; want the help on stderr, exit 2", code, out, errOut)
	}
}

func TestCountsAgreeWithTheirNouns(t *testing.T) {
	w := newWorkspace(t)
	w.mustRun(t, "dev", "text", "+13125550142", "Is my order on its way?")
	if out := w.mustRun(t, "replies", "export", w.path("one.csv")); !strings.HasPrefix(out, "wrote 1 reply to ") {
		t.Errorf("export of one reply: %q, want wrote 1 reply", out)
	}
	w.mustRun(t, "dev", "text", "+13125550143", "Thanks!")
	if out := w.mustRun(t, "replies", "export", w.path("two.csv")); !strings.HasPrefix(out, "wrote 2 replies to ") {
		t.Errorf("export of two replies: %q, want wrote 2 replies", out)
	}
	out := w.mustRun(t, "check")
	if !strings.Contains(out, " 1 campaign,") || !strings.Contains(out, ": 5 steps") {
		t.Errorf("check, one campaign of five steps:\n%s", out)
	}
	w.write(t, "campaigns/welcome.toml", `name = "Welcome"
trigger = "contact"
[[step]]
id = "welcome"
after = "0d"
channel = "email"
template = "welcome"
`)
	if out := w.mustRun(t, "check"); !strings.Contains(out, " 2 campaigns,") || !strings.Contains(out, "trigger contact): 1 step\n") {
		t.Errorf("check, two campaigns, one of one step:\n%s", out)
	}
}

func TestStatusCountsAttempts(t *testing.T) {
	var b bytes.Buffer
	printStatus(&b, &statusJSON{Version: "0.4.0", Queue: map[string]int{}, Failures: []store.Failure{
		{ID: 7, ContactName: "Jane", Campaign: "post-order", Step: "arrival-check", Channel: "sms", Attempts: 1, Error: "21211"},
		{ID: 8, ContactName: "Bob", Campaign: "post-order", Step: "arrival-check", Channel: "sms", Attempts: 3, Error: "timeout"},
	}}, time.UTC)
	for _, want := range []string{"(sms, 1 attempt):", "(sms, 3 attempts):"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
}

// Every text file Rapport writes ends with a newline: the demo writes the
// starter set, a CSV, every kind of outbox file; export writes a CSV.
func TestWrittenFilesEndWithNewline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if out, errOut, code := runCLI(t, nil, "", "--now", "2026-03-02T08:00:00-06:00", "demo", "--dir", dir); code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	cfg := filepath.Join(dir, "config.toml")
	if out, errOut, code := runCLI(t, nil, "", "-c", cfg, "replies", "export", filepath.Join(dir, "replies.csv")); code != exitOK {
		t.Fatalf("export: exit %d\n%s\n%s", code, out, errOut)
	}
	kinds := map[string]int{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), "rapport.db") {
			return err // the database and its lock are not text
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.HasSuffix(b, []byte("\n")) {
			t.Errorf("%s does not end with a newline", p)
		}
		kinds[filepath.Ext(p)]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".toml", ".csv", ".eml", ".json", ".md", ".txt"} {
		if kinds[ext] == 0 {
			t.Errorf("no %s file written; the test checks less than it should (%v)", ext, kinds)
		}
	}
}
