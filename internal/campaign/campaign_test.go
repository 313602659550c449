package campaign

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/schedule"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.err from the current messages")

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParse(t *testing.T, path string) *Campaign {
	t.Helper()
	c, err := Parse(path, readFile(t, path))
	if err != nil {
		t.Fatalf("Parse(%s):\n%v", path, err)
	}
	return c
}

// stepLine is a step in a form that is short to write in a test table.
type stepLine struct {
	ID, After, Until, Every, At, Channel, Fallback, Template string
	Line                                                     int
}

func summarize(t *testing.T, steps []Step) []stepLine {
	t.Helper()
	var out []stepLine
	str := func(d *schedule.Delay) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
	for _, s := range steps {
		at := ""
		if s.At != nil {
			at = s.At.String()
		}
		out = append(out, stepLine{s.ID, s.After.String(), str(s.Until), str(s.Every), at, s.Channel, s.Fallback, s.Template, s.Pos.Line})
	}
	return out
}

// TestStarterCampaign pins the campaign `rapport init` writes: the steps
// and their order are part of the product.
func TestStarterCampaign(t *testing.T) {
	c := mustParse(t, filepath.Join("..", "..", "campaigns", "post-order.toml"))
	if c.ID != "post-order" || c.Name != "Post-order follow-up" || c.Trigger != TriggerOrder || !c.PauseOnReply {
		t.Errorf("campaign = %q %q %q pause %v", c.ID, c.Name, c.Trigger, c.PauseOnReply)
	}
	want := []stepLine{
		{ID: "policy-sheet", After: "0d", Until: "3d", Channel: "email", Template: "policy-sheet"},
		{ID: "arrival-check", After: "5d", Until: "7d", At: "10:00", Channel: "sms", Fallback: "email", Template: "arrival-check"},
		{ID: "first-week-call", After: "8d", Until: "14d", Channel: "task", Template: "first-week-call"},
		{ID: "four-week-checkin", After: "4w", Until: "6w", Channel: "email", Template: "four-week-checkin"},
		{ID: "monthly-tips", After: "5w", Every: "1mo", Channel: "email", Template: "tips"},
	}
	got := summarize(t, c.Steps)
	for i := range got {
		got[i].Line = 0
	}
	if !slices.Equal(got, want) {
		t.Errorf("steps:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseGood(t *testing.T) {
	tests := []struct {
		file    string
		trigger string
		pause   bool
		steps   []stepLine
	}{
		{"two-two-two.toml", "order", true, []stepLine{
			{"two-days", "2d", "4d", "", "", "sms", "email", "two-days", 5},
			{"two-weeks", "2w", "3w", "", "", "email", "", "two-weeks", 13},
			{"two-months", "2mo", "", "", "", "task", "", "two-months", 20},
		}},
		{"welcome.toml", "contact", false, []stepLine{
			{"welcome", "0d", "", "", "", "email", "sms", "welcome", 5},
			{"say-hello", "2bd", "1w", "", "", "task", "", "say-hello", 12},
			{"weekly-2", "90m", "", "1w", "18:30", "sms", "", "weekly", 19},
		}},
		{"tricky.toml", "order", true, []stepLine{
			{"first", "1d", "", "", "", "email", "", `say "hi"`, 10},
			{"second", "1w", "", "2w", "", "sms", "", "tips", 15},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "good", tt.file)
			c := mustParse(t, path)
			if c.Trigger != tt.trigger || c.PauseOnReply != tt.pause || c.File != path {
				t.Errorf("trigger %q pause %v file %q", c.Trigger, c.PauseOnReply, c.File)
			}
			if got := summarize(t, c.Steps); !slices.Equal(got, tt.steps) {
				t.Errorf("steps:\n got %+v\nwant %+v", got, tt.steps)
			}
		})
	}
}

// TestParseBad checks every message, with its line and column, for each
// broken file in testdata/bad against the .err file next to it.
func TestParseBad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c, err := Parse(path, readFile(t, path))
			if err == nil {
				t.Fatalf("Parse accepted a broken file: %+v", c)
			}
			if c != nil {
				t.Errorf("Parse returned a campaign with its error")
			}
			golden := strings.TrimSuffix(path, ".toml") + ".err"
			got := filepath.ToSlash(err.Error()) + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := string(readFile(t, golden)); got != want {
				t.Errorf("messages:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestParseUnwrapsCauses(t *testing.T) {
	_, err := Parse("x.toml", []byte("name = \"x\"\ntrigger = \"order\"\n[[step]]\nid = \"a\"\nafter = \"5\"\nchannel = \"sms\"\ntemplate = \"t\"\n"))
	var pe interface{ Unwrap() error }
	if !errors.As(err, &pe) || pe.Unwrap() == nil {
		t.Errorf("error %v does not carry the delay error", err)
	}
}

func TestLoadDir(t *testing.T) {
	cs, err := LoadDir(filepath.Join("testdata", "good"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	// Sorted by file name; .hidden.toml and README.txt are not campaigns.
	if want := []string{"tricky", "two-two-two", "welcome"}; !slices.Equal(ids, want) {
		t.Errorf("ids = %q, want %q", ids, want)
	}
	if s, ok := cs[2].Step("say-hello"); !ok || s.Channel != "task" {
		t.Errorf("Step(say-hello) = %+v, %v", s, ok)
	}
	if _, ok := cs[2].Step("nope"); ok {
		t.Error("Step(nope) found a step")
	}
}

// TestLoadDirReportsEveryFile puts two broken files next to a good one and
// expects the problems of both, and no campaigns.
func TestLoadDirReportsEveryFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bad-values.toml", "unknown-keys.toml"} {
		writeFile(t, filepath.Join(dir, name), readFile(t, filepath.Join("testdata", "bad", name)))
	}
	writeFile(t, filepath.Join(dir, "welcome.toml"), readFile(t, filepath.Join("testdata", "good", "welcome.toml")))
	if err := os.Mkdir(filepath.Join(dir, "old.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	cs, err := LoadDir(dir)
	if err == nil || cs != nil {
		t.Fatalf("LoadDir = %d campaigns, %v; want none and an error", len(cs), err)
	}
	for _, want := range []string{
		filepath.Join(dir, "bad-values.toml") + ":2:1: trigger \"orders\"",
		filepath.Join(dir, "unknown-keys.toml") + ":18:1: step \"arrival-check\": unknown key \"chanel\"",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "welcome.toml") {
		t.Errorf("error blames the good file:\n%v", err)
	}
}

func TestLoadDirMissing(t *testing.T) {
	_, err := LoadDir(filepath.Join(t.TempDir(), "campaigns"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not exist", err)
	}
}

// TestKnownKeys keeps the key lists in step with the fields they decode.
func TestKnownKeys(t *testing.T) {
	tags := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			out = append(out, rt.Field(i).Tag.Get("toml"))
		}
		return out
	}
	if got := tags(rawCampaign{}); !slices.Equal(got, campaignKeys) {
		t.Errorf("rawCampaign keys %q, campaignKeys %q", got, campaignKeys)
	}
	if got := tags(rawStep{}); !slices.Equal(got, stepKeys) {
		t.Errorf("rawStep keys %q, stepKeys %q", got, stepKeys)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ got, want string }{
		{"chanel", "channel"},
		{"Channel", "channel"},
		{"templte", "template"},
		{"tempalte", "template"},
		{"afer", "after"},
		{"ids", "id"},
		{"delay", "after"},
		{"time", "at"},
		{"colour", ""},
		{"x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := guess(tt.got, stepKeys); got != tt.want {
			t.Errorf("guess(%q) = %q, want %q", tt.got, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzParse feeds Parse mutations of the test files: it must never panic,
// what it accepts must be a usable campaign, and every problem must point
// at a line of the file.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"good", "bad"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.toml"))
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "campaigns/fuzz.toml"
		c, err := Parse(path, data)
		if err != nil {
			checkProblemLines(t, err, path, data)
			return
		}
		if len(c.Steps) == 0 || c.Name == "" || (c.Trigger != TriggerOrder && c.Trigger != TriggerContact) {
			t.Fatalf("accepted an unusable campaign: %+v", c)
		}
		seen := map[string]bool{}
		for _, s := range c.Steps {
			if seen[s.ID] || !idPattern.MatchString(s.ID) || s.Template == "" || s.Channel == "" {
				t.Fatalf("accepted a bad step: %+v", s)
			}
			seen[s.ID] = true
		}
	})
}

func checkProblemLines(t *testing.T, err error, path string, data []byte) {
	t.Helper()
	lines := strings.Count(string(data), "\n") + 1
	for _, msg := range strings.Split(err.Error(), "\n") {
		var line, col int
		rest, ok := strings.CutPrefix(msg, path+":")
		if !ok {
			t.Fatalf("problem without the file name: %q", msg)
		}
		if n, _ := fmt.Sscanf(rest, "%d:%d:", &line, &col); n == 2 && (line < 1 || line > lines || col < 1) {
			t.Fatalf("problem at %d:%d outside the file (%d lines): %q", line, col, lines, msg)
		}
	}
}

// A step's purpose: written, defaulted with a warning (old files keep
// loading), or wrong (an error with a suggestion). Tasks need none.
func TestStepPurpose(t *testing.T) {
	const head = "name = \"T\"\ntrigger = \"order\"\n"
	tests := []struct {
		name, step string
		want       string
		warning    string // part of the one warning, "" for none
		err        string
	}{
		{name: "service", step: `purpose = "service"`, want: PurposeService},
		{name: "marketing", step: `purpose = "marketing"`, want: PurposeMarketing},
		{name: "missing", step: "", want: PurposeMarketing, warning: `t.toml:3:1: step "s": no purpose: treated as purpose = "marketing"`},
		{name: "typo", step: `purpose = "servce"`, err: `t.toml:8:1: step "s": purpose "servce" must be "service" or "marketing" (did you mean "service"?)`},
		{name: "not text", step: `purpose = 1`, err: `purpose must be text in double quotes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head + "[[step]]\nid = \"s\"\nafter = \"0d\"\nchannel = \"email\"\ntemplate = \"x\"\n" + tt.step + "\n"
			c, err := Parse("t.toml", []byte(src))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Steps[0].Purpose; got != tt.want {
				t.Errorf("purpose %q, want %q", got, tt.want)
			}
			switch {
			case tt.warning == "" && len(c.Warnings) != 0:
				t.Errorf("warnings %q, want none", c.Warnings)
			case tt.warning != "" && (len(c.Warnings) != 1 || !strings.HasPrefix(c.Warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one starting %q", c.Warnings, tt.warning)
			}
		})
	}
	task := head + "[[step]]\nid = \"call\"\nafter = \"8d\"\nchannel = \"task\"\ntemplate = \"x\"\n"
	if c, err := Parse("t.toml", []byte(task)); err != nil || len(c.Warnings) != 0 {
		t.Errorf("a task without purpose: err %v, warnings %q; want neither", err, c.Warnings)
	}
}
