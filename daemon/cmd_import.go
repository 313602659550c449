package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"golang.org/x/term"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// importSummary is what `rapport import` reports (and prints with --json).
type importSummary struct {
	Inserted  int       `json:"inserted"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Skipped   int       `json:"skipped"`
	Orders    int       `json:"orders"`
	Journeys  int       `json:"journeys"`
	PastSteps int       `json:"past_steps"` // steps of old orders already past: skipped
	Problems  []problem `json:"problems"`
	DryRun    bool      `json:"dry_run"`
}

type problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// errDryRun rolls the import transaction back after counting.
var errDryRun = errors.New("dry run")

func cmdImport(e *env, args []string) error {
	fs := newFlags(e, "import", "FILE.csv [--dry-run] [--map CSVCOL=field]... [--json]")
	dry := fs.Bool("dry-run", false, "report what would change without writing")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	var maps multi
	fs.Var(&maps, "map", "use CSV column COL for field (repeatable), e.g. --map \"Cell=phone\"")
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

// importFile reads the whole file in one transaction: a crash or an error
// mid-way leaves the database as it was. Bad rows are reported and
// skipped; they never stop the good ones.
func (e *env) importFile(st *store.Store, c *engine.Content, path string, opts contact.Options, dry bool) (*importSummary, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, invalid{fmt.Errorf("import: %w", err)}
	}
	defer file.Close()
	r, err := contact.NewReader(file, opts)
	if err != nil {
		return nil, invalid{fmt.Errorf("%s: %w", path, err)}
	}
	sum := &importSummary{Problems: []problem{}, DryRun: dry}
	bar := e.progress(file)
	if debug.SetMemoryLimit(-1) == math.MaxInt64 { // unless GOMEMLIMIT says otherwise
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importGoMemory))
	}
	// Not cancelled (see importRows): a transaction that can be makes every
	// query in it start a goroutine to watch for that.
	ctx := context.WithoutCancel(e.ctx)
	err = st.Tx(ctx, func(tx *store.Tx) error {
		finish, err := tx.Bulk(ctx, estimateRows(file))
		if err != nil {
			return err
		}
		if err := e.importRows(tx, c, r, sum, bar); err != nil {
			return err
		}
		if dry {
			return errDryRun
		}
		return finish()
	})
	bar.done()
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, fmt.Errorf("import %s: nothing was imported: %w", path, err)
	}
	return sum, nil
}

// importRows writes each good row and records each bad one, while other
// goroutines read and check the next rows on the other cores (checking
// phone numbers costs more than writing the rows). Statements run on a
// context that is never cancelled: given one that can be, the SQLite driver
// runs every statement on a goroutine of its own so that it can interrupt
// it, which cost more than the statements. An interrupt is noticed between
// batches instead, and rolls the whole import back.
func (e *env) importRows(tx *store.Tx, c *engine.Content, r *contact.Reader, sum *importSummary, bar *progress) error {
	im := &importer{ctx: context.WithoutCancel(e.ctx), tx: tx, app: tx.Appender(), c: c, sum: sum, now: e.clock.Now()}
	ctx, cancel := context.WithCancel(e.ctx)
	batches := r.Batches(ctx, runtime.NumCPU(), readBatch)
	defer func() {
		cancel()
		for range batches { // wait for the reader to stop before the file closes
		}
	}()
	for b := range batches {
		if err := e.ctx.Err(); err != nil {
			return err
		}
		if err := im.batch(b); err != nil {
			return err
		}
		if im.app.Buffered() >= appendBatch {
			if err := im.flush(); err != nil {
				return err
			}
		}
		bar.set(r.BytesRead())
	}
	if err := e.ctx.Err(); err != nil {
		return err
	}
	return im.flush()
}

// importGoMemory is a soft limit on the Go runtime's memory during an
// import. Between collections its heap swung by several MB on top of what
// it holds, enough to take a large import past 60 MB at times; with the
// limit it collects before that (about 5 MB less at the peak, for about 5%
// of the import's time).
const importGoMemory = 20 << 20

// appendBatch is about how many rows of new customers' orders, journeys
// and queued steps an import writes at a time (see store.Appender).
const appendBatch = 1024

// readBatch is how many rows go from the readers to the writer at a time.
const readBatch = 256

// importer writes the rows of one import inside its transaction.
type importer struct {
	ctx context.Context // never cancelled: see importRows
	tx  *store.Tx
	// app takes the orders and journeys of customers new in this import;
	// fromLine is the first line whose rows it holds.
	app      *store.Appender
	fromLine int
	c        *engine.Content
	sum      *importSummary
	now      time.Time
}

// writerFor picks where a row's order and journeys go. A customer new in
// this import has nothing stored that they could meet: the appender takes
// theirs. Anyone else's go through the transaction, once the appender's
// rows (which theirs may meet) are written.
func (im *importer) writerFor(res store.UpsertResult, line int) (orderWriter, error) {
	if res != store.Inserted {
		return im.tx, im.flush()
	}
	if im.fromLine == 0 {
		im.fromLine = line
	}
	return im.app, nil
}

// flush writes the rows the appender holds.
func (im *importer) flush() error {
	if im.app.Buffered() == 0 {
		return nil
	}
	if err := im.app.Flush(im.ctx); err != nil {
		return fmt.Errorf("lines %d and after: %w", im.fromLine, err)
	}
	im.fromLine = 0
	return nil
}

// batch writes a batch of rows in file order. Its new customers go in
// first, many per statement (store.InsertContacts): those whose email and
// phone no other row of the batch has, so that the order in which they go
// in cannot matter. The rest, customers already stored and rows that share
// an email or phone, are upserted one by one.
func (im *importer) batch(b []contact.Row) error {
	cts := make([]*store.Contact, len(b))
	seen := map[string]int{}
	for i := range b {
		if b[i].Err == nil {
			cts[i] = newContact(&b[i].Record)
			for _, k := range keys(cts[i]) {
				seen[k]++
			}
		}
	}
	var alone []*store.Contact
	first := 0 // line
	for i, ct := range cts {
		if ct != nil && !slices.ContainsFunc(keys(ct), func(k string) bool { return seen[k] > 1 }) {
			alone = append(alone, ct)
			first = cmp.Or(first, b[i].Record.Line)
		}
	}
	inserted, err := im.tx.InsertContacts(im.ctx, alone, im.now.Unix())
	if err != nil {
		return fmt.Errorf("line %d and after: %w", first, err)
	}
	isNew := make(map[*store.Contact]bool, len(alone))
	for i, ct := range alone {
		isNew[ct] = inserted[i]
	}
	for i := range b {
		if err := im.row(&b[i], cts[i], isNew[cts[i]]); err != nil {
			return err
		}
	}
	return nil
}

// keys are what a contact is matched by.
func keys(ct *store.Contact) []string {
	var out []string
	if ct.Email != "" {
		out = append(out, "email "+ct.Email)
	}
	if ct.Phone != "" {
		out = append(out, "phone "+ct.Phone)
	}
	return out
}

func newContact(rec *contact.Record) *store.Contact {
	ct := &store.Contact{
		FirstName: rec.Contact.FirstName, LastName: rec.Contact.LastName, Email: rec.Contact.Email,
		Phone: rec.Contact.Phone, Timezone: rec.Contact.Timezone,
		SMSConsentAt: rec.Contact.SMSConsentAt, SMSConsentSource: rec.Contact.SMSConsentSource,
	}
	if rec.Contact.SMSConsent != nil {
		ct.ConsentKnown, ct.SMSConsent = true, *rec.Contact.SMSConsent
	}
	return ct
}

// row writes a good row (its contact ct already inserted when isNew), or
// records a bad one.
func (im *importer) row(rr *contact.Row, ct *store.Contact, isNew bool) error {
	var p *contact.Problem
	switch {
	case errors.As(rr.Err, &p):
		im.sum.Skipped++
		im.sum.Problems = append(im.sum.Problems, problem{Line: p.Line, Reason: p.Reason})
		return nil
	case rr.Err != nil:
		return rr.Err
	}
	if err := im.record(&rr.Record, ct, isNew); err != nil {
		return fmt.Errorf("line %d: %w", rr.Record.Line, err)
	}
	return nil
}

func (im *importer) record(rec *contact.Record, ct *store.Contact, isNew bool) error {
	res := store.Inserted
	if !isNew {
		var err error
		if res, err = im.tx.UpsertContact(im.ctx, ct, im.now.Unix()); err != nil {
			return err
		}
	}
	w, err := im.writerFor(res, rec.Line)
	if err != nil {
		return err
	}
	switch res {
	case store.Inserted:
		im.sum.Inserted++
		n, err := im.c.Enroll(im.ctx, w, ct, nil, im.now)
		im.sum.add(n)
		if err != nil {
			return err
		}
	case store.Updated:
		im.sum.Updated++
	default:
		im.sum.Unchanged++
	}
	if rec.Order == nil {
		return nil
	}
	return enrollOrder(im.ctx, w, im.c, ct, &store.Order{ContactID: ct.ID, Date: rec.Order.Date,
		Invoice: rec.Order.Invoice, Items: rec.Order.Items, CreatedAt: im.now.Unix()}, im.sum, im.now)
}

func addOrder(e *env, tx *store.Tx, c *engine.Content, ct *store.Contact, o *store.Order, sum *importSummary, now time.Time) error {
	return enrollOrder(e.ctx, tx, c, ct, o, sum, now)
}

// orderWriter records orders and starts journeys: a transaction, or for
// customers created in it, an import's appender.
type orderWriter interface {
	engine.Writer
	AddOrder(ctx context.Context, o *store.Order) (created bool, err error)
}

// enrollOrder records an order and, when it is new, starts its journeys.
func enrollOrder(ctx context.Context, tx orderWriter, c *engine.Content, ct *store.Contact, o *store.Order, sum *importSummary, now time.Time) error {
	created, err := tx.AddOrder(ctx, o)
	if err != nil || !created {
		return err
	}
	sum.Orders++
	n, err := c.Enroll(ctx, tx, ct, o, now)
	sum.add(n)
	return err
}

func (s *importSummary) add(n engine.Enrolled) {
	s.Journeys += n.Journeys
	s.PastSteps += n.Late
}

// estimateRows guesses how many rows a file holds from its size (rows of
// exports run 80 to 200 bytes), for Tx.Bulk.
func estimateRows(f *os.File) int {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	return int(fi.Size() / 128)
}

func printImport(w io.Writer, path string, s *importSummary) {
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
	for _, p := range s.Problems {
		fmt.Fprintf(w, "%s:%d: skipped: %s\n", path, p.Line, p.Reason)
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
