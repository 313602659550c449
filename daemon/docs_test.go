package main

// The docs test: the commands README.md and docs/rep-guide.md show work as
// shown, and every `rapport …` the docs mention exists. The convention
// (docs/development.md tells writers the same):
//
//   - In the run documents, each line of a ```sh block that starts with
//     "rapport " is run in order, in-process through run(), in a fresh
//     folder where `rapport init` has been run. Text after " #" is a
//     comment. A "cd DIR" line is followed; any other line (go build,
//     $EDITOR, sudo …) is for the reader only.
//   - Each command must exit 0, or N when its block follows a line
//     <!-- docs-test: exit N -->. A block after <!-- docs-test: skip (why) -->
//     is not run (the daemon, the Twilio sandbox, a password prompt), but
//     its commands must still exist.
//   - In every document, each "rapport …" — a line of a ```sh block, or an
//     inline code span starting with "rapport " — names a command that
//     exists, with a subcommand it has and only flags it takes.

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pendingCommands are commands the docs show that other branches are
// adding (contacts add and remove, --version). A shown or mentioned command
// starting with one of these may fail or be unknown on this branch: the
// test logs it instead of failing. Empty this list once they are merged.
var pendingCommands = []string{"contacts add", "contacts remove", "reply"}

// runDocs are the documents whose commands are run; mentionDocs are only
// checked for commands that exist.
var (
	runDocs     = []string{"README.md", "docs/rep-guide.md"}
	mentionDocs = []string{"docs/admin.md", "docs/development.md", "CHANGELOG.md"}
)

func TestDocsCommandsWork(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range runDocs {
		t.Run(name, func(t *testing.T) {
			doc := readDoc(t, filepath.Join(root, name))
			t.Chdir(t.TempDir())
			if len(doc.steps) == 0 {
				t.Fatalf("%s shows no runnable `rapport` lines: has the convention changed?", name)
			}
			for _, p := range runSteps(t, doc.steps) {
				t.Error(p)
			}
		})
	}
}

func TestDocsMentionOnlyCommandsThatExist(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(slices.Clone(runDocs), mentionDocs...) {
		doc := readDoc(t, filepath.Join(root, name))
		for _, m := range doc.mentions {
			if p := checkMention(t, m); p != "" {
				t.Error(p)
			}
		}
	}
}

// The checks catch what they are for: an unknown command, subcommand or
// flag, a failing command, shell syntax they cannot run, and a block that
// expects another exit code.
func TestDocsChecksCatchMistakes(t *testing.T) {
	md := "Use `rapport nosuch` or `rapport replies bogus 1`.\n" +
		"`rapport import FILE.csv --nosuch` and `rapport order add --contact X --bogus Y`.\n" +
		"But `rapport contacts jane`, `rapport COMMAND --help` and `rapport contacts remove C --yes` are fine.\n\n" +
		"```sh\nrapport check\nrapport preview nobody@example.com  # no such contact\nrapport status | less\n```\n\n" +
		"<!-- docs-test: exit 2 -->\n```sh\nrapport check\n```\n\n" +
		"<!-- docs-test: skip (a daemon) -->\n```sh\nrapport run\nrapport frobnicate\n```\n"
	path := filepath.Join(t.TempDir(), "doc.md")
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := readDoc(t, path)
	var mentionProblems []string
	for _, m := range doc.mentions {
		if p := checkMention(t, m); p != "" {
			mentionProblems = append(mentionProblems, p)
		}
	}
	wantMentions := []string{`"nosuch"`, `"bogus"`, `--nosuch`, `--bogus`, `"frobnicate"`}
	if len(mentionProblems) != len(wantMentions) {
		t.Errorf("got %d mention problems, want %d:\n%s", len(mentionProblems), len(wantMentions), strings.Join(mentionProblems, "\n"))
	}
	for _, w := range wantMentions {
		if !slices.ContainsFunc(mentionProblems, func(p string) bool { return strings.Contains(p, w) }) {
			t.Errorf("no mention problem names %s:\n%s", w, strings.Join(mentionProblems, "\n"))
		}
	}
	t.Chdir(t.TempDir())
	runProblems := runSteps(t, doc.steps)
	for _, w := range []string{"rapport preview nobody@example.com: exit 2, want 0", "rapport status | less", "rapport check: exit 0, want 2"} {
		if !slices.ContainsFunc(runProblems, func(p string) bool { return strings.Contains(p, w) }) {
			t.Errorf("no run problem says %q:\n%s", w, strings.Join(runProblems, "\n"))
		}
	}
	if len(runProblems) != 3 {
		t.Errorf("got %d run problems, want 3 (a skipped block is not run):\n%s", len(runProblems), strings.Join(runProblems, "\n"))
	}
}

// docLine is a command line (or `cd`) a document shows, where it shows it.
type docLine struct {
	where string // file:line
	text  string // without its comment
	exit  int    // the exit code expected
	run   bool   // a line to run (not skipped, in a run document's sh block)
}

type doc struct {
	steps    []docLine // lines of sh blocks that are run, in order (commands and cd)
	mentions []docLine // every `rapport …`, in blocks and inline code
}

var (
	markerRE = regexp.MustCompile(`^<!--\s*docs-test:\s*(skip|exit\s+(\d+))\b.*-->$`)
	spanRE   = regexp.MustCompile("`([^`]+)`")
)

// readDoc finds the commands a Markdown file shows: lines of ```sh blocks
// and inline code spans that start with "rapport ".
func readDoc(t *testing.T, path string) doc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		d         doc
		prose     strings.Builder // the text outside fences, one line per line
		inFence   bool
		fenceSh   bool
		marker    string // the last non-blank line before the fence
		blockExit int
		skip      bool
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		where := fmt.Sprintf("%s:%d", filepath.Base(path), n)
		switch {
		case strings.HasPrefix(trimmed, "```") && !inFence:
			inFence, fenceSh = true, strings.TrimPrefix(trimmed, "```") == "sh"
			blockExit, skip = blockMarker(t, where, marker)
			prose.WriteString("\n")
			continue
		case strings.HasPrefix(trimmed, "```"):
			inFence, marker = false, ""
			prose.WriteString("\n")
			continue
		case inFence:
			prose.WriteString("\n")
			if !fenceSh {
				continue
			}
			cmd := stripComment(trimmed)
			l := docLine{where: where, text: cmd, exit: blockExit, run: !skip}
			if strings.HasPrefix(cmd, "rapport ") || cmd == "rapport" || strings.HasPrefix(cmd, "cd ") {
				d.steps = append(d.steps, l)
			}
			if rest, ok := strings.CutPrefix(cmd, "sudo "); ok {
				cmd = rest
			}
			if strings.HasPrefix(cmd, "rapport ") {
				d.mentions = append(d.mentions, docLine{where: where, text: cmd})
			}
			continue
		}
		if trimmed != "" {
			marker = trimmed
		}
		prose.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	d.mentions = append(d.mentions, spanMentions(filepath.Base(path), prose.String())...)
	return d
}

// blockMarker reads a <!-- docs-test: … --> line before a block.
func blockMarker(t *testing.T, where, marker string) (exit int, skip bool) {
	t.Helper()
	m := markerRE.FindStringSubmatch(marker)
	switch {
	case m == nil:
		if strings.Contains(marker, "docs-test") {
			t.Errorf("%s: %q is not a docs-test marker: want <!-- docs-test: skip (why) --> or <!-- docs-test: exit N -->", where, marker)
		}
		return 0, false
	case m[1] == "skip":
		return 0, true
	}
	n, _ := strconv.Atoi(m[2])
	return n, false
}

// spanMentions finds inline code spans starting with "rapport " in prose
// (a span may run over a line break; a table writes | as \|).
func spanMentions(file, prose string) []docLine {
	var out []docLine
	for _, loc := range spanRE.FindAllStringSubmatchIndex(prose, -1) {
		text := strings.Join(strings.Fields(prose[loc[2]:loc[3]]), " ")
		if !strings.HasPrefix(text, "rapport ") {
			continue
		}
		line := 1 + strings.Count(prose[:loc[0]], "\n")
		out = append(out, docLine{where: fmt.Sprintf("%s:%d", file, line), text: strings.ReplaceAll(text, `\|`, "|")})
	}
	return out
}

// stripComment drops a shell comment: " #" outside quotes, to the end.
func stripComment(line string) string {
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimSpace(line[:i])
		}
	}
	return strings.TrimSpace(line)
}

// runSteps runs a document's lines in order in the current folder, after
// `rapport init` there, and returns what went wrong.
func runSteps(t *testing.T, steps []docLine) []string {
	t.Helper()
	if _, errOut, code := runCLI(t, nil, "", "init"); code != exitOK {
		t.Fatalf("rapport init: exit %d\n%s", code, errOut)
	}
	var problems []string
	for _, s := range steps {
		if !s.run {
			continue
		}
		args, err := shellWords(s.text)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s: %v (mark its block <!-- docs-test: skip (why) -->)", s.where, s.text, err))
			continue
		}
		if args[0] == "cd" {
			if len(args) != 2 {
				problems = append(problems, fmt.Sprintf("%s: %s: want cd DIR", s.where, s.text))
				continue
			}
			t.Chdir(args[1])
			continue
		}
		out, errOut, code := runCLI(t, nil, "", args[1:]...)
		switch {
		case code == s.exit:
		case pending(args[1:]) != "":
			t.Logf("%s: %s: exit %d, tolerated: %q is in pendingCommands", s.where, s.text, code, pending(args[1:]))
		default:
			problems = append(problems, fmt.Sprintf("%s: %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", s.where, s.text, code, s.exit, out, errOut))
		}
	}
	return problems
}

// shellWords splits a command line as a shell would, for the plain lines
// the docs show: words, "double" and 'single' quotes. Anything else a
// shell would interpret is refused rather than run differently.
func shellWords(line string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inW   bool
		quote rune
	)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			if quote == '"' && strings.ContainsRune("$`\\", r) {
				return nil, fmt.Errorf("shell syntax %q the docs test does not run", r)
			}
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inW = r, true
		case r == ' ' || r == '\t':
			if inW {
				words, inW = append(words, cur.String()), false
				cur.Reset()
			}
		case strings.ContainsRune("$`\\|&;<>()*?~", r):
			return nil, fmt.Errorf("shell syntax %q the docs test does not run", r)
		default:
			cur.WriteRune(r)
			inW = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote")
	}
	if inW {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty line")
	}
	return words, nil
}

// pending returns the entry of pendingCommands that args (after
// "rapport", global options left out) start with, or "".
func pending(args []string) string {
	joined := strings.Join(withoutGlobals(args), " ")
	for _, p := range pendingCommands {
		if joined == p || strings.HasPrefix(joined, p+" ") {
			return p
		}
	}
	return ""
}

// withoutGlobals drops the options every command takes (-c, --now,
// --log-format, with their values).
func withoutGlobals(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		name, _, hasVal := strings.Cut(args[i], "=")
		switch name {
		case "-c", "--config", "-config", "--now", "-now", "--log-format":
			if !hasVal {
				i++
			}
			continue
		}
		out = append(out, args[i])
	}
	return out
}

var (
	wordRE        = regexp.MustCompile(`^[a-z][a-z-]*$`)
	placeholderRE = regexp.MustCompile(`^(\[?[A-Z]|…)`)
)

// checkMention says what is wrong with a `rapport …` a document mentions:
// an unknown command or subcommand, or a flag the command does not take.
// Mentions may hold placeholders (CONTACT, [--sms], email|sms, …).
func checkMention(t *testing.T, m docLine) string {
	t.Helper()
	words := withoutGlobals(strings.Fields(strings.TrimPrefix(m.text, "rapport")))
	if len(words) == 0 || placeholderRE.MatchString(words[0]) || words[0] == "--version" {
		return ""
	}
	if p := pending(words); p != "" {
		t.Logf("%s: `%s` not checked: %q is in pendingCommands", m.where, m.text, p)
		return ""
	}
	i := slices.IndexFunc(commands(), func(c command) bool { return c.name == words[0] })
	if i < 0 {
		return fmt.Sprintf("%s: `%s`: rapport has no command %q", m.where, m.text, words[0])
	}
	cmd := commands()[i]
	helpArgs := []string{cmd.name}
	subs, free := grammar(cmd.args)
	if len(words) > 1 && wordRE.MatchString(words[1]) {
		switch {
		case slices.Contains(subs, words[1]):
			helpArgs = append(helpArgs, words[1])
		case len(subs) > 0 && !free:
			return fmt.Sprintf("%s: `%s`: rapport %s has no subcommand %q (it has %s)", m.where, m.text, cmd.name, words[1], strings.Join(subs, ", "))
		}
	}
	return checkFlags(t, m, words, helpArgs)
}

// grammar reads a command's usage ("[--all] [--json] | show ID | done ID"):
// its subcommands, and whether it takes a free word where they would go
// (contacts [QUERY] takes any).
func grammar(args string) (subs []string, free bool) {
	for _, alt := range strings.Split(args, " | ") {
		first, _, _ := strings.Cut(strings.TrimSpace(alt), " ")
		switch {
		case wordRE.MatchString(first):
			subs = append(subs, first)
		case placeholderRE.MatchString(first):
			free = true
		}
	}
	return subs, free
}

// checkFlags runs `rapport CMD [SUB] --help` and looks for each flag a
// mention uses among the ones it lists.
func checkFlags(t *testing.T, m docLine, words, helpArgs []string) string {
	t.Helper()
	var used []string
	for _, w := range words[1:] {
		w = strings.TrimLeft(w, "[")
		if !strings.HasPrefix(w, "-") || w == "-" {
			continue
		}
		name := strings.TrimLeft(w, "-")
		name, _, _ = strings.Cut(name, "=")
		used = append(used, strings.TrimRight(name, "]|…"))
	}
	if len(used) == 0 {
		return ""
	}
	out, errOut, code := runCLI(t, nil, "", append(helpArgs, "--help")...)
	help := out + errOut
	if code != exitOK {
		return fmt.Sprintf("%s: `%s`: rapport %s --help: exit %d\n%s", m.where, m.text, strings.Join(helpArgs, " "), code, help)
	}
	for _, f := range used {
		if !regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(f) + `(\s|$)`).MatchString(help) {
			return fmt.Sprintf("%s: `%s`: rapport %s takes no flag --%s", m.where, m.text, strings.Join(helpArgs, " "), f)
		}
	}
	return ""
}
