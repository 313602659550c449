package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

func cmdImport(e *env, args []string) error {
	fs := newFlags(e, "import", "FILE.csv [--dry-run] [--map CSVCOL=field]... [--json]")
	dry := fs.Bool("dry-run", false, "report what would change without writing")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	var maps multi
	fs.Var(&maps, "map", "use CSV column COL for field (repeatable; several columns for one field: the first non-blank wins), e.g. --map \"Cell=phone\"")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport import FILE.csv [--dry-run] [--map CSVCOL=field] [--json]")
	}
	mapping, err := contact.ParseMapping(maps)
	if err != nil {
		return invalid{err}
	}
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := e.importFile(st, f.content, pos[0], contact.Options{Region: f.cfg.Rep.Country, Mapping: mapping}, *dry)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(e.io.out, sum); err != nil {
			return err
		}
	} else {
		printImport(e.io.out, pos[0], sum)
	}
	// Skipped rows are invalid input whatever the output format: a script
	// reading --json gets the same exit code as a person reading text.
	if sum.Skipped > 0 {
		return invalidf("%d %s skipped: fix them in %s and import again (rows already imported are not duplicated)",
			sum.Skipped, plural(sum.Skipped, "row", "rows"), pos[0])
	}
	return nil
}

// importFile imports the file at path (see enroll.Import), drawing a
// progress bar on a terminal.
func (e *env) importFile(st *store.Store, c *engine.Content, path string, opts contact.Options, dry bool) (*enroll.Summary, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, invalid{fmt.Errorf("import: %w", err)}
	}
	defer file.Close()
	r, err := contact.NewReader(file, opts)
	if err != nil {
		return nil, invalid{fmt.Errorf("%s: %w", path, err)}
	}
	bar := e.progress(file)
	var size int64
	if fi, err := file.Stat(); err == nil {
		size = fi.Size()
	}
	sum, err := enroll.Import(e.ctx, st, c, r, enroll.Options{File: filepath.Base(path), DryRun: dry, Size: size, Progress: bar.set}, e.clock.Now())
	bar.done()
	if err != nil {
		return nil, fmt.Errorf("import %s: nothing was imported: %w", path, err)
	}
	return sum, nil
}

func printImport(w io.Writer, path string, s *enroll.Summary) {
	verb := "imported"
	if s.DryRun {
		verb = "dry run (nothing written)"
	}
	fmt.Fprintf(w, "%s %s: %d inserted, %d updated, %d unchanged, %d skipped, %d orders, %d journeys started\n",
		path, verb, s.Inserted, s.Updated, s.Unchanged, s.Skipped, s.Orders, s.Journeys)
	if s.PastSteps > 0 {
		fmt.Fprintf(w, "%d %s of older orders had already passed and will not be sent (rapport preview shows them)\n",
			s.PastSteps, plural(s.PastSteps, "step", "steps"))
	}
	if n := s.Consents; n.Total() > 0 {
		fmt.Fprintf(w, "consents read: %s\n", consentCounts(n))
	}
	if len(s.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "%d %s ignored: %s (--map COLUMN=field to use one)\n", len(s.IgnoredColumns),
			plural(len(s.IgnoredColumns), "column", "columns"), strings.Join(s.IgnoredColumns, ", "))
	}
	for _, c := range s.Warnings {
		fmt.Fprintf(w, "%s:%d: cleaned: %s\n", path, c.Line, c.Text)
	}
	for _, p := range s.Problems {
		fmt.Fprintf(w, "%s:%d: skipped: %s\n", path, p.Line, p.Reason)
	}
}

// consentCounts says what the rows said about consent, leaving out what
// none said: "2 SMS yes, 1 SMS no, 1 email marketing no".
func consentCounts(n enroll.Consents) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{n.SMSYes, "SMS yes"}, {n.SMSNo, "SMS no"},
		{n.EmailMarketingYes, "email marketing yes"}, {n.EmailMarketingNo, "email marketing no"},
		{n.EmailUnsubscribed, "email unsubscribed"}, {n.EmailBounced, "email bounced"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return strings.Join(parts, ", ")
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// progress draws a bar on a terminal (stderr), and nothing otherwise.
type progress struct {
	w     io.Writer
	total int64
	last  int
}

func (e *env) progress(f *os.File) *progress {
	p := &progress{}
	ef, ok := e.io.err.(*os.File)
	if !ok || !term.IsTerminal(int(ef.Fd())) {
		return p
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		p.w, p.total = ef, fi.Size()
	}
	return p
}

func (p *progress) set(n int64) {
	if p.w == nil {
		return
	}
	pct := int(n * 100 / p.total)
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 40
	fill := pct * width / 100
	fmt.Fprintf(p.w, "\r[%-*s] %3d%%", width, string(repeat('#', fill)), pct)
}

func (p *progress) done() {
	if p.w != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
