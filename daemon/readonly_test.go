package main

import (
	"os"
	"strings"
	"testing"
)

// A typo in a campaign must not stop the commands that only read the
// database: a nightly `rapport backup` would silently stop otherwise.
func TestReadOnlyCommandsSurviveABrokenCampaign(t *testing.T) {
	w := newWorkspace(t)
	w.mustRun(t, "dev", "text", "+13125550142", "Is my order on its way?")
	w.write(t, "campaigns/post-order.toml", strings.Replace(w.read(t, "campaigns/post-order.toml"), `channel = "email"`, `chanel = "email"`, 1))
	if _, _, code := w.run(t, "check"); code != exitInvalid {
		t.Fatalf("check with a broken campaign: exit %d, want %d", code, exitInvalid)
	}
	backup := w.path("nightly.db")
	for _, args := range [][]string{
		{"backup", backup}, {"status"}, {"status", "--json"}, {"contacts"}, {"contacts", "--json"},
		{"replies"}, {"replies", "--json"}, {"replies", "show", "1"},
	} {
		out, errOut, code := w.run(t, args...)
		if code != exitOK {
			t.Errorf("%s with a broken campaign: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
			continue
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "warning: campaigns or templates do not load") {
			t.Errorf("%s: stderr %q, want one warning line", strings.Join(args, " "), errOut)
		}
	}
	if info, err := os.Stat(backup); err != nil || info.Size() == 0 {
		t.Errorf("backup file: %v %v", info, err)
	}
}

// The config itself still has to parse: it names the database.
func TestReadOnlyCommandsNeedAConfigThatParses(t *testing.T) {
	w := newWorkspace(t)
	w.appendConfig(t, "\n[database\n")
	_, errOut, code := w.run(t, "backup", w.path("nightly.db"))
	if code != exitInvalid || !strings.Contains(errOut, "config.toml:") {
		t.Errorf("backup with a broken config: exit %d, stderr %q; want exit 2 naming config.toml", code, errOut)
	}
}
