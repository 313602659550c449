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
	fs := newFlags(e, "import", "FILE.csv [--dry-run] [--map CSVCOL=field]... [--date-order dmy|mdy] [--json]")
	dry := fs.Bool("dry-run", false, "report what would change without writing")
	dateOrder := fs.String("date-order", "", "read dates such as 04/12/2026 day first (dmy) or month first (mdy); by default the file's dates decide")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	var maps multi
	fs.Var(&maps, "map", "use CSV column COL for field (repeatable; several columns for one field: the first non-blank wins), e.g. --map \"Cell=phone\"")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport import FILE.csv [--dry-run] [--map CSVCOL=field] [--date-order dmy|mdy] [--json]")
	}
	mapping, err := contact.ParseMapping(maps)
	if err != nil {
		return invalid{err}
	}
	order := contact.DateOrderAuto
	if *dateOrder != "" {
		if order, err = contact.ParseDateOrder(*dateOrder); err != nil {
			return invalid{fmt.Errorf("--date-order: %w", err)}
		}
	}
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	opts := contact.Options{Region: f.cfg.Rep.Country, Mapping: mapping, DateOrder: order,
		Now: e.clock.Now().In(f.cfg.Rep.Location)}
	sum, err := e.importFile(st, f.content, pos[0], opts, *dry)
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
	if _, err := file.Seek(0, io.SeekCurrent); err != nil && opts.DateOrder == contact.DateOrderAuto {
		// The file's dates decide their order only when it can be read twice.
		return nil, invalidf("%s cannot be read twice (is it a pipe?): say how its dates are written with --date-order dmy or --date-order mdy", path)
	}
	r, err := contact.NewReader(file, opts)
	if err != nil {
		return nil, invalid{fmt.Errorf("%s: %w", path, err)}
	}
	bar := e.progress(file)
	var size int64
	if fi, err := file.Stat(); err == nil {
		size = fi.Size()
	}
	sum, err := enroll.Import(e.ctx, st, c, r, enroll.Options{File: filepath.Base(path), DryRun: dry, Size: size, Progress: bar.set, NextPass: tickInterval}, e.clock.Now())
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
	if s.DateOrderReason != "" {
		fmt.Fprintf(w, "dates read %s: %s\n", dateOrderWords(s.DateOrder), s.DateOrderReason)
	}
	printNextRun(w, s)
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
	printUnlisted(w, s.Unlisted.Warnings, "rows cleaned")
	printChanges(w, path, s.Changes, s.Unlisted.Changes)
	for _, n := range s.Notes {
		fmt.Fprintf(w, "%s:%d: %s\n", path, n.Line, n.Reason)
	}
	printUnlisted(w, s.Unlisted.Notes, "notes")
	for _, p := range s.Problems {
		fmt.Fprintf(w, "%s:%d: skipped: %s\n", path, p.Line, p.Reason)
	}
	printUnlisted(w, s.Unlisted.Problems, "rows skipped")
}

// printUnlisted says how many entries of a list the summary did not keep.
func printUnlisted(w io.Writer, n int, what string) {
	if n > 0 {
		fmt.Fprintf(w, "and %d more %s, not listed\n", n, what)
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

func dateOrderWords(order string) string {
	if order == string(contact.MDY) {
		return "month first (mdy)"
	}
	return "day first (dmy)"
}

// printNextRun says what the import makes the next run send.
func printNextRun(w io.Writer, s *enroll.Summary) {
	for _, n := range s.NextRun {
		who, get := plural(n.Customers, "customer is", "customers are"), plural(n.Customers, "gets", "get")
		if s.DryRun {
			who, get = plural(n.Customers, "customer would be", "customers would be"), "get"
		}
		fmt.Fprintf(w, "%d %s due step %q of %s and %s it at the next run\n", n.Customers, who, n.Step, n.CampaignName, get)
	}
}

// maxChangesShown bounds the changes listed in the text summary; --json
// lists them all (up to the summary's own bound, counted in "unlisted").
const maxChangesShown = 20

// printChanges lists the name and email fields of stored contacts that
// rows changed, so that the rep can see a row that describes someone else.
func printChanges(w io.Writer, path string, changes []enroll.Change, unlisted int) {
	if len(changes) == 0 {
		return
	}
	total := len(changes) + unlisted
	fmt.Fprintf(w, "%d %s of stored contacts changed:\n", total, plural(total, "field", "fields"))
	for i, c := range changes {
		if i == maxChangesShown {
			fmt.Fprintf(w, "  and %d more (rapport import --json lists them)\n", total-i)
			break
		}
		fmt.Fprintf(w, "%s:%d: contact %d: %s %q → %q\n", path, c.Line, c.ContactID, c.Field, c.Old, c.New)
	}
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
