package enroll

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// Summary is what an import did (`rapport import --json` prints it).
type Summary struct {
	Inserted  int       `json:"inserted"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Skipped   int       `json:"skipped"`
	Orders    int       `json:"orders"`
	Journeys  int       `json:"journeys"`
	PastSteps int       `json:"past_steps"` // steps of old orders already past: skipped
	Problems  []Problem `json:"problems"`
	DryRun    bool      `json:"dry_run"`
	// IgnoredColumns are the file's columns that nothing was read from.
	IgnoredColumns []string `json:"ignored_columns"`
	// Consents counts the consents and opt-outs read from the rows imported.
	Consents Consents `json:"consents"`
	// Warnings say what was cleaned or cut to import a row.
	Warnings []Warning `json:"warnings"`
	// Changes are the name and email fields of stored contacts that rows
	// changed: the rep checks that no row described someone else.
	Changes []Change `json:"changes"`
	// Notes are rows imported with something left out, and why.
	Notes []Problem `json:"notes"`
	// DateOrder is how dates such as 4/12/2026 were read: "dmy" or "mdy";
	// DateOrderReason says why ("" when no date of the file depended on it).
	DateOrder       string `json:"date_order"`
	DateOrderReason string `json:"date_order_reason,omitempty"`
	// NextRun is what the daemon's next pass sends because of the import:
	// customers now due, by campaign and step.
	NextRun []NextRun `json:"next_run"`
	// Unlisted counts what the lists above left out: each keeps its first
	// maxListed entries, so that a file of a million bad rows cannot take
	// the import's memory with it.
	Unlisted Unlisted `json:"unlisted"`
}

// Unlisted counts the problems, warnings, changes and notes past the
// first maxListed of each.
type Unlisted struct {
	Problems int `json:"problems"`
	Warnings int `json:"warnings"`
	Changes  int `json:"changes"`
	Notes    int `json:"notes"`
}

// maxListed is how many entries a summary's list keeps.
const maxListed = 10_000

// listed appends v to list, or counts it in more once the list is full.
func listed[T any](list []T, v T, more *int) []T {
	if len(list) >= maxListed {
		*more++
		return list
	}
	return append(list, v)
}

// Change is a field of a stored contact that a row changed.
type Change struct {
	Line      int    `json:"line"`
	ContactID int64  `json:"contact_id"`
	Field     string `json:"field"` // first_name, last_name or email
	Old       string `json:"old"`
	New       string `json:"new"`
}

// NextRun is how many customers a campaign's step goes to at the next
// run.
type NextRun struct {
	Campaign     string `json:"campaign"`
	CampaignName string `json:"campaign_name"`
	Step         string `json:"step"`
	Customers    int    `json:"customers"`
}

// Problem is a row that was skipped, and why.
type Problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Warning is something cleaned in a row that was imported, such as "first
// name: cut to 100 characters (it had 3000)".
type Warning struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Consents counts what an import's rows said about consent: yes and no to
// texts and to tips and news by email, and addresses the file says
// unsubscribed or bounced. Blank cells (unknown) are not counted.
type Consents struct {
	SMSYes            int `json:"sms_yes"`
	SMSNo             int `json:"sms_no"`
	EmailMarketingYes int `json:"email_marketing_yes"`
	EmailMarketingNo  int `json:"email_marketing_no"`
	EmailUnsubscribed int `json:"email_unsubscribed"`
	EmailBounced      int `json:"email_bounced"`
}

// Total is how many consents and opt-outs were counted.
func (c Consents) Total() int {
	return c.SMSYes + c.SMSNo + c.EmailMarketingYes + c.EmailMarketingNo + c.EmailUnsubscribed + c.EmailBounced
}

func (c *Consents) add(ct *contact.Contact) {
	count := func(v *bool, yes, no *int) {
		switch {
		case v == nil:
		case *v:
			*yes++
		default:
			*no++
		}
	}
	count(ct.SMSConsent, &c.SMSYes, &c.SMSNo)
	count(ct.EmailMarketing, &c.EmailMarketingYes, &c.EmailMarketingNo)
	switch ct.EmailStatus {
	case contact.EmailUnsubscribed:
		c.EmailUnsubscribed++
	case contact.EmailBounced:
		c.EmailBounced++
	}
}

func (s *Summary) add(n engine.Enrolled) {
	s.Journeys += n.Journeys
	s.PastSteps += n.Late
}

// Options tunes an import.
type Options struct {
	// File is the name of the file imported: a consent the file states
	// without a source is recorded as given by "import of FILE, DAY".
	File   string
	DryRun bool  // count what would change, write nothing
	Size   int64 // the file's size in bytes, to size the bulk load; 0 when unknown
	// Progress, when set, is told how many bytes of the file have been
	// read, after each batch.
	Progress func(read int64)
	// NextPass is how soon the daemon's dispatcher looks at the queue
	// again: steps due by then count in Summary.NextRun.
	NextPass time.Duration
}

// errDryRun rolls the import transaction back after counting.
var errDryRun = errors.New("dry run")

// Import stores what r reads, the whole file in one transaction: a crash or
// an error mid-way leaves the database as it was. Bad rows are reported in
// the summary and skipped; they never stop the good ones. Cancelling ctx
// stops the import and rolls it back. While it runs, the Go runtime's soft
// memory limit is lowered (see importMemoryLimit) unless GOMEMLIMIT sets one,
// and Go runs on at most one thread more than the rows' checkers, and no
// more than the CPUs (see importProcs): the writer and the reader share
// the extra one. Threads beyond
// those found nothing to do but run the collector's idle workers and spin
// looking for work at every hand-off between the goroutines, which burnt
// more CPU the more cores the machine had, and slowed the writer.
func Import(ctx context.Context, st *store.Store, c *engine.Content, r *contact.Reader, opts Options, now time.Time) (*Summary, error) {
	_, ignored := r.Columns()
	order, why := r.DateOrder()
	sum := &Summary{Problems: []Problem{}, DryRun: opts.DryRun, IgnoredColumns: ignored, Warnings: []Warning{},
		Changes: []Change{}, Notes: []Problem{}, DateOrder: string(order), DateOrderReason: why, NextRun: []NextRun{}}
	if sum.IgnoredColumns == nil {
		sum.IgnoredColumns = []string{}
	}
	if debug.SetMemoryLimit(-1) == math.MaxInt64 { // unless GOMEMLIMIT says otherwise
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit()))
	}
	checkers := importCheckers(runtime.GOMAXPROCS(0))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(importProcs(runtime.GOMAXPROCS(0), checkers, runtime.NumCPU())))
	// The writer keeps one thread: SQLite's C allocations (the page cache,
	// statements, the index sorts) then come from one glibc malloc arena
	// instead of one per thread the goroutine happened to run on, where
	// memory freed in one arena could not serve a request in another.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Not cancelled (see importRows): a transaction that can be makes every
	// query in it start a goroutine to watch for that.
	txCtx := context.WithoutCancel(ctx)
	err := st.Tx(txCtx, func(tx *store.Tx) error {
		finish, err := tx.Bulk(txCtx, estimateRows(opts.Size))
		if err != nil {
			return err
		}
		before, err := tx.MaxMessageID(txCtx)
		if err != nil {
			return err
		}
		im := &importer{ctx: txCtx, tx: tx, app: tx.Appender(), c: c, sum: sum, now: now, checkers: checkers}
		im.consentSource, im.consentDay = consentOrigin(opts.File, now.In(c.Rules.RepZone))
		if err := im.rows(ctx, r, opts.Progress); err != nil {
			return err
		}
		// The rows are written: what the Go heap grew to goes back to the
		// system before SQLite builds the indexes and commits, its own
		// busiest moments. Without this the two peaks added up: a
		// million-row import's highest memory was in its last seconds.
		debug.FreeOSMemory()
		// The closing count sorts the rows just queued: after the index
		// builds, on the small cache (see store.Tx.Sorting).
		if err := tx.Sorting(txCtx); err != nil {
			return err
		}
		if !opts.DryRun {
			if err := finish(); err != nil {
				return err
			}
		}
		if sum.NextRun, err = nextRun(txCtx, tx, c, before, now, opts.NextPass); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return sum, nil
}

// consentOrigin is the source and date recorded for a consent a file
// states without them: the file and the day of the import in the rep's
// time zone.
func consentOrigin(file string, now time.Time) (source, day string) {
	day = now.Format(time.DateOnly)
	if file == "" {
		return "import, " + day, day
	}
	return fmt.Sprintf("import of %s, %s", file, day), day
}

// nextRun is what a dispatcher pass within next of now sends of the rows
// queued after the row before.
func nextRun(ctx context.Context, tx *store.Tx, c *engine.Content, before int64, now time.Time, next time.Duration) ([]NextRun, error) {
	counts, err := tx.DueSince(ctx, before, now.Unix(), now.Add(next).Unix(), c.Holds())
	if err != nil {
		return nil, fmt.Errorf("count the steps due at the next run: %w", err)
	}
	out := make([]NextRun, len(counts))
	for i, n := range counts {
		out[i] = NextRun{Campaign: n.Campaign, CampaignName: n.Campaign, Step: n.Step, Customers: n.Customers}
		if cp := c.Campaign(n.Campaign); cp != nil && cp.Name != "" {
			out[i].CampaignName = cp.Name
		}
	}
	return out, nil
}

// estimateRows guesses how many rows a file holds from its size (rows of
// exports run 80 to 200 bytes), for Tx.Bulk.
func estimateRows(size int64) int {
	return int(size / 128)
}

// importHeap is the Go heap an import works in: the rows on their way
// and what it allocates between two collections. Between collections the
// heap swung by several MB on top of what it holds, enough to take a large
// import past 60 MB at times; held to this, it collects before that. A
// million-row import peaked at 58.4–60.2 MB with 13 MiB while the heap
// was kept until the commit; given back before the index builds (see
// Import), 57.7 MB with 14 MiB and 56.7 MB with 13, and each MiB less
// costs about a tenth more collections.
const importHeap = 14 << 20

// importMemoryLimit is the soft limit on the Go runtime's memory during an
// import: importHeap on top of what the runtime holds for itself (its
// metadata, stacks, the collector's buffers). That part grows with the
// number of threads Go has run on: with GOMAXPROCS=16 it was 1.5 MB more
// than with 2, and a fixed limit left the heap that much less room, so
// the import collected twice as often and took a quarter more CPU.
func importMemoryLimit() int64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	metrics.Read(s)
	own := s[0].Value.Uint64()
	for _, heap := range s[1:] {
		own -= heap.Value.Uint64()
	}
	return int64(own) + importHeap
}

// maxCheckers is how many goroutines check rows for the writer. The
// writer (SQLite, on one goroutine) sets the pace; two checkers keep ahead
// of it, and more only compete with it for the cores.
const maxCheckers = 2

// importCheckers is how many goroutines check rows, given procs threads
// for Go code.
func importCheckers(procs int) int { return max(1, min(maxCheckers, procs)) }

// importProcs is how many threads run Go code during an import, given
// procs (GOMAXPROCS), the checkers and the CPUs the process may use: one
// for each checker and one the writer and the reader share, and never
// more than the CPUs. A thread beyond the CPUs (GOMAXPROCS set above
// them) finds no core of its own: it spins for work on the cores the
// writer and the checkers need.
func importProcs(procs, checkers, cpus int) int { return max(1, min(procs, checkers+1, cpus)) }

// appendBatch is about how many rows of new customers' orders, journeys
// and queued steps an import writes at a time (see store.Appender).
const appendBatch = 1024

// readBatch is how many rows go from the readers to the writer at a time.
// The batches in flight are most of the import's live heap: at 128 rows
// (256 before) the collector ran a fifth less often within the same
// memory limit.
const readBatch = 128

// importer writes the rows of one import inside its transaction.
type importer struct {
	ctx context.Context // never cancelled: see rows
	tx  *store.Tx
	// app takes the orders and journeys of customers new in this import;
	// fromLine is the first line whose rows it holds.
	app      *store.Appender
	fromLine int
	c        *engine.Content
	sum      *Summary
	now      time.Time
	checkers int // goroutines checking rows (see importCheckers)
	// consentSource and consentDay are recorded for a consent a row
	// states without a source or a date (see consentOrigin).
	consentSource, consentDay string
}

// rows writes each good row and records each bad one, while other
// goroutines read and check the next rows on the other cores (checking
// phone numbers costs more than writing the rows). Statements run on a
// context that is never cancelled: given one that can be, the SQLite driver
// runs every statement on a goroutine of its own so that it can interrupt
// it, which cost more than the statements. An interrupt (ctx) is noticed
// between batches instead, and rolls the whole import back.
func (im *importer) rows(ctx context.Context, r *contact.Reader, progress func(int64)) error {
	for b := range r.Batches(ctx, im.checkers, readBatch) {
		if err := ctx.Err(); err != nil {
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
		if progress != nil {
			progress(r.BytesRead())
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return im.flush()
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
// an email or phone (a returning customer, a household sharing a phone),
// are upserted one by one in file order, as importing row by row would.
func (im *importer) batch(b []contact.Row) error {
	cts := make([]*store.Contact, len(b))
	seen := make(map[matchKey]int, 2*len(b))
	for i := range b {
		if b[i].Err == nil {
			b[i].Record.Contact.DefaultConsent(im.consentSource, im.consentDay)
			cts[i] = newContact(&b[i].Record.Contact)
			for _, k := range keys(cts[i]) {
				seen[k]++
			}
		}
	}
	var alone []*store.Contact
	first := 0 // line
	for i, ct := range cts {
		if ct != nil && !slices.ContainsFunc(keys(ct), func(k matchKey) bool { return seen[k] > 1 }) {
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

// told records what the rep must hear of a row's upsert: the stored
// contact's changed fields, and a phone left out because it is someone
// else's.
func (s *Summary) told(line int, ct *store.Contact, u *store.Upsert) {
	for _, ch := range u.Changes {
		s.Changes = listed(s.Changes, Change{Line: line, ContactID: ct.ID, Field: ch.Field, Old: ch.Old, New: ch.New}, &s.Unlisted.Changes)
	}
	if o := u.PhoneOwner; o != nil {
		who := o.Label()
		if o.Email != "" && o.Name() != "" {
			who = fmt.Sprintf("%s <%s>", o.Name(), o.Email)
		}
		s.Notes = listed(s.Notes, Problem{Line: line,
			Reason: fmt.Sprintf("phone %s already belongs to %s; imported without it", o.Phone, who)}, &s.Unlisted.Notes)
	}
}

// matchKey is one thing a contact is matched by: its email or its phone.
type matchKey struct {
	phone bool
	value string
}

// keys are what a contact is matched by.
func keys(ct *store.Contact) []matchKey {
	out := make([]matchKey, 0, 2)
	if ct.Email != "" {
		out = append(out, matchKey{value: ct.Email})
	}
	if ct.Phone != "" {
		out = append(out, matchKey{phone: true, value: ct.Phone})
	}
	return out
}

// row writes a good row (its contact ct already inserted when isNew), or
// records a bad one.
func (im *importer) row(rr *contact.Row, ct *store.Contact, isNew bool) error {
	var p *contact.Problem
	switch {
	case errors.As(rr.Err, &p):
		im.sum.Skipped++
		im.sum.Problems = listed(im.sum.Problems, Problem{Line: p.Line, Reason: p.Reason}, &im.sum.Unlisted.Problems)
		return nil
	case rr.Err != nil:
		return rr.Err
	}
	if err := im.record(&rr.Record, ct, isNew); err != nil {
		return fmt.Errorf("line %d: %w", rr.Record.Line, err)
	}
	im.sum.Consents.add(&rr.Record.Contact)
	for _, w := range rr.Record.Warnings {
		im.sum.Warnings = listed(im.sum.Warnings, Warning{Line: rr.Record.Line, Text: w}, &im.sum.Unlisted.Warnings)
	}
	return nil
}

func (im *importer) record(rec *contact.Record, ct *store.Contact, isNew bool) error {
	res := store.Inserted
	if !isNew {
		u, err := im.tx.MergeContact(im.ctx, ct, im.now.Unix())
		if err != nil {
			return err
		}
		res = u.Result
		im.sum.told(rec.Line, ct, u)
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
	company, warn := policyCompany(im.c, rec.Order.Company)
	if warn != "" {
		im.sum.Warnings = append(im.sum.Warnings, Warning{Line: rec.Line, Text: warn})
	}
	return addOrder(im.ctx, w, im.c, ct, &store.Order{ContactID: ct.ID, Date: rec.Order.Date,
		Invoice: rec.Order.Invoice, Items: rec.Order.Items, Company: company, CreatedAt: im.now.Unix()}, im.sum, im.now)
}
