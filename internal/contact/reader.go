package contact

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Options tune a Reader.
type Options struct {
	// Region is the rep's two-letter country (US, CA, GB, AU...). It is the
	// country of phone numbers written without a country code, and decides
	// whether 3/4/2026 is March 4 (US, CA, PH) or 3 April. Default US.
	Region string
	// Mapping overrides column recognition (--map).
	Mapping Mapping
	// DateOrder says how to read 4/12/2026 (--date-order). Left to
	// DateOrderAuto, NewReader decides it from all the file's dates when
	// it can read the file twice (a file, not a pipe), else from Region.
	DateOrder DateOrder
	// Now, in the rep's time zone, refuses orders dated after the next
	// day there: such a date is a misread or a typo, and its steps would
	// wait for a day that has not come. Zero checks nothing.
	Now time.Time
}

// Reader reads contacts from a CSV file with a header row, one row at a
// time, in constant memory.
type Reader struct {
	count      *countingReader
	split      *splitter
	plan       *plan
	region     string
	monthFirst bool // how dates of three numbers are read (see DateOrder)
	dateOrder  DateOrder
	orderWhy   string   // why order, "" when no date of the file depends on it
	latest     string   // the last order date accepted (YYYY-MM-DD), or ""
	check      *checker // for Next; Batches gives each worker its own
}

// checker holds the memos of one goroutine checking rows. Checking a phone
// number takes libphonenumber tens of microseconds and a time zone is read
// from disk, while files repeat both: one row per order repeats the
// customer, and a few zones cover everyone.
type checker struct {
	phones memo
	zones  memo
}

func newChecker(region string) *checker {
	return &checker{
		phones: newMemo(4096, func(s string) (string, error) { return NormalizePhone(s, region) }),
		zones:  newMemo(256, normalizeZone),
	}
}

// NewReader reads the header row of r and works out which column holds
// what. It fails when the file is empty, is not a CSV file, has no column
// for an e-mail or a phone, when opts.Mapping names a column or field
// that does not exist, or when its dates are written both day first and
// month first. The message says what to change.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	region, err := checkRegion(opts.Region)
	if err != nil {
		return nil, err
	}
	order, why, err := dateOrder(r, opts, region)
	if err != nil {
		return nil, err
	}
	count := &countingReader{r: r}
	split, p, err := openTable(count, opts.Mapping)
	if err != nil {
		return nil, err
	}
	rd := &Reader{
		count:      count,
		split:      split,
		plan:       p,
		region:     region,
		monthFirst: order.monthFirst(),
		dateOrder:  order,
		orderWhy:   why,
		check:      newChecker(region),
	}
	if !opts.Now.IsZero() {
		rd.latest = opts.Now.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	return rd, nil
}

// dateOrder is the order in which the file's dates are read, and why.
func dateOrder(r io.Reader, opts Options, region string) (DateOrder, string, error) {
	if opts.DateOrder != DateOrderAuto {
		return opts.DateOrder, "as --date-order says", nil
	}
	order, why, seekable, err := settleDateOrder(r, opts, region)
	switch {
	case err != nil:
		return "", "", err
	case seekable:
		return order, why, nil
	case monthFirst(region):
		return MDY, "", nil
	}
	return DMY, "", nil
}

// DateOrder is the order in which the file's dates of three numbers are
// read, and why (for the import summary); why is "" when no date in the
// file depends on the order.
func (r *Reader) DateOrder() (DateOrder, string) { return r.dateOrder, r.orderWhy }

func checkRegion(region string) (string, error) {
	region = regionCode(region)
	if region == "" {
		return "US", nil
	}
	if phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return "", fmt.Errorf("unknown country %q: use a two-letter country code such as US, CA, GB or AU", region)
	}
	return region, nil
}

// openTable reads r's header row and works out which column holds what,
// leaving split at the first row after the header.
func openTable(r io.Reader, m Mapping) (*splitter, *plan, error) {
	lines, err := newLineReader(r)
	if err != nil {
		return nil, nil, err
	}
	split, header, line, err := readHeader(lines)
	if err != nil {
		return nil, nil, err
	}
	p, err := newPlan(header, m)
	if err != nil {
		return nil, nil, fmt.Errorf("line %d: %w", line, err)
	}
	return split, p, nil
}

// errEmpty says what an empty file should have held.
var errEmpty = errors.New("the file is empty: its first line must name the columns, such as First Name,Last Name,Email,Mobile Phone")

// readHeader finds the header row, its line and the delimiter. Excel's
// "sep=;" first line, when present, names the delimiter.
func readHeader(lines *lineReader) (*splitter, []string, int, error) {
	text, num, err := firstLine(lines)
	if err != nil {
		return nil, nil, 0, err
	}
	s := &splitter{lines: lines}
	if d, ok := excelSepLine(text); ok {
		s.delim = d
	} else {
		s.delim = sniffDelimiter(text)
		lines.unread([]heldLine{{num: num, text: slices.Clone(text)}})
	}
	fields, num, err := s.next()
	var qe *quoteError
	switch {
	case err == io.EOF:
		return nil, nil, 0, errEmpty
	case errors.As(err, &qe):
		return nil, nil, 0, fmt.Errorf("line %d: the header row has broken quotes in column %d", qe.line, qe.field)
	case err != nil:
		return nil, nil, 0, err
	}
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = strings.TrimSpace(f)
	}
	return s, header, num, nil
}

// firstLine returns the first line that is not blank.
func firstLine(lines *lineReader) ([]byte, int, error) {
	for {
		text, num, err := lines.next()
		switch {
		case err == io.EOF:
			return nil, 0, errEmpty
		case errors.Is(err, errLineTooLong):
			return nil, 0, fmt.Errorf("line %d: the line is longer than 1 MB; is this really a CSV file?", num)
		case err != nil:
			return nil, 0, err
		case len(bytes.TrimSpace(text)) > 0:
			return text, num, nil
		}
	}
}

// excelSepLine recognises the "sep=;" line Excel writes and reads.
func excelSepLine(text []byte) (byte, bool) {
	t := strings.Trim(strings.TrimSpace(string(text)), `"`)
	if len(t) == 5 && strings.EqualFold(t[:4], "sep=") && strings.IndexByte(",;\t|", t[4]) >= 0 {
		return t[4], true
	}
	return 0, false
}

// Next returns the next row. At the end of the file it returns io.EOF. A
// row that cannot be imported is a *Problem: record it and call Next again.
// Any other error is a read error.
func (r *Reader) Next() (Record, error) {
	fields, line, err := r.nextFields()
	if err != nil {
		return Record{}, err
	}
	return r.build(r.check, fields, line)
}

// nextFields returns the fields of the next row that is not blank (the
// slice is reused by the next call), a *Problem for a row that cannot be
// split, io.EOF at the end, or a read error.
func (r *Reader) nextFields() ([]string, int, error) {
	for {
		fields, line, err := r.split.next()
		var qe *quoteError
		switch {
		case errors.Is(err, errLineTooLong):
			return nil, line, &Problem{Line: line, Reason: "the line is longer than 1 MB; is this really a CSV file?"}
		case errors.As(err, &qe):
			return nil, line, r.quoteProblem(qe)
		case err != nil:
			return nil, line, err
		}
		if !isBlank(fields) {
			return fields, line, nil
		}
	}
}

// Columns reports the columns in use, field → header (several, best
// first, joined with ", "), and the headers that are ignored.
func (r *Reader) Columns() (used map[string]string, ignored []string) {
	return r.plan.used(), slices.Clone(r.plan.ignored)
}

// BytesRead is how much of the input has been read, for a progress bar.
// It may be called from another goroutine.
func (r *Reader) BytesRead() int64 { return r.count.n.Load() }

// build turns a row into a Record, or a Problem listing everything wrong
// with it, so the rep can fix the row in one go.
func (r *Reader) build(ck *checker, rec []string, line int) (Record, error) {
	var bad reasons
	p := r.plan
	c := Contact{
		FirstName: p.value(fFirstName, rec),
		LastName:  p.value(fLastName, rec),
	}
	if c.FirstName == "" && c.LastName == "" {
		c.FirstName, c.LastName = splitName(p.value(fName, rec))
	}
	c.Email = bad.check(firstValid(p.value(fEmail, rec), ",;", NormalizeEmail))
	c.Phone = bad.check(firstValid(p.phone(rec), "", ck.phones.get))
	c.Timezone = bad.check(optional(p.value(fTimezone, rec), ck.zones.get))
	c.State = NormalizeState(p.value(fState, rec))
	r.consents(&c, rec, &bad)
	order := r.order(rec, &bad)
	if c.Email == "" && c.Phone == "" && len(bad) == 0 {
		bad = append(bad, "no email or phone")
	}
	if len(bad) > 0 {
		return Record{}, &Problem{Line: line, Reason: strings.Join(bad, "; ")}
	}
	warnings := c.Clean()
	if order != nil {
		warnings = append(warnings, order.Clean()...)
	}
	return Record{Line: line, Contact: c, Order: order, Warnings: warnings}, nil
}

// consents reads what the row says about consent and opt-outs. A date or
// source column for both consents ("Consent Date") serves the one that
// has none of its own.
func (r *Reader) consents(c *Contact, rec []string, bad *reasons) {
	p := r.plan
	c.SMSConsent = bad.consent("SMS consent", p.value(fConsent, rec))
	c.EmailMarketing = bad.consent("email marketing", p.value(fEmailMarketing, rec))
	at := bad.date("consent date", p.value(fAnyConsentAt, rec), r.monthFirst, parseTimestamp)
	source := p.value(fAnyConsentSource, rec)
	c.SMSConsentAt = cmp.Or(bad.date("SMS consent date", p.value(fConsentAt, rec), r.monthFirst, parseTimestamp), at)
	c.SMSConsentSource = cmp.Or(p.value(fConsentSource, rec), source)
	c.EmailMarketingAt = cmp.Or(bad.date("email marketing date", p.value(fEmailMarketingAt, rec), r.monthFirst, parseTimestamp), at)
	c.EmailMarketingSource = source
	c.EmailStatus = bad.check(parseEmailStatus(p.value(fEmailStatus, rec)))
	switch {
	case p.value(fCleanedAt, rec) != "":
		c.EmailStatus = EmailBounced
	case p.value(fUnsubscribedAt, rec) != "" && c.EmailStatus == "":
		c.EmailStatus = EmailUnsubscribed
	}
}

func (r *Reader) order(rec []string, bad *reasons) *Order {
	p := r.plan
	o := Order{Invoice: p.value(fInvoice, rec), Items: p.value(fItems, rec), Company: p.value(fCompany, rec)}
	date := p.value(fOrderDate, rec)
	switch {
	case date == "" && o.Invoice == "" && o.Items == "":
		return nil
	case date == "":
		*bad = append(*bad, "the order has no date: fill in the order date, or clear the invoice and items")
		return nil
	}
	o.Date = bad.date("order date", date, r.monthFirst, parseDate)
	if o.Date != "" && r.latest != "" && o.Date > r.latest {
		*bad = append(*bad, fmt.Sprintf("the order date %q (read as %s) is in the future: correct it, or leave the order out until it is placed", date, o.Date))
	}
	return &o
}

func (r *Reader) quoteProblem(qe *quoteError) *Problem {
	col := fmt.Sprintf("column %d", qe.field)
	if qe.field <= len(r.plan.header) && strings.TrimSpace(r.plan.header[qe.field-1]) != "" {
		col += fmt.Sprintf(" (%q)", r.plan.header[qe.field-1])
	}
	var why string
	switch {
	case qe.unclosed && qe.limit:
		why = fmt.Sprintf(`the quote (") that opens this value is not closed within %d lines; add the closing quote`, maxRecordLines)
	case qe.unclosed:
		why = `the quote (") that opens this value is never closed; add the closing quote`
	default:
		why = fmt.Sprintf(`text after the closing quote; a quoted value must end with a quote followed by a %s (write a quote inside a value as "")`,
			delimiterName(r.split.delim))
	}
	return &Problem{Line: qe.line, Reason: col + ": " + why}
}

func delimiterName(d byte) string {
	switch d {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return fmt.Sprintf("%q", d)
}

func isBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// reasons collects what is wrong with a row.
type reasons []string

func (rs *reasons) check(v string, err error) string {
	if err != nil {
		*rs = append(*rs, err.Error())
	}
	return v
}

func (rs *reasons) consent(what, s string) *bool {
	v, known, err := parseConsent(what, s)
	rs.check("", err)
	if !known {
		return nil
	}
	return &v
}

func (rs *reasons) date(what, s string, monthFirst bool, parse func(s string, monthFirst bool) (string, error)) string {
	if s == "" {
		return ""
	}
	v, err := parse(s, monthFirst)
	if err != nil {
		*rs = append(*rs, fmt.Sprintf("invalid %s %q: %v", what, s, err))
	}
	return v
}

// firstValid normalises the first valid value of a cell that may hold
// several: Google Contacts joins them with " ::: ", and people separate
// e-mail addresses with commas or semicolons (seps). When none is valid,
// the error is the first one's; a blank cell gives "" and no error.
func firstValid(cell, seps string, normalize func(string) (string, error)) (string, error) {
	var first error
	for group := range strings.SplitSeq(cell, ":::") {
		parts := []string{group}
		if seps != "" && strings.ContainsAny(group, seps) {
			parts = strings.FieldsFunc(group, func(r rune) bool { return strings.ContainsRune(seps, r) })
		}
		for _, part := range parts {
			if strings.TrimSpace(part) == "" {
				continue
			}
			v, err := normalize(strings.TrimSpace(part))
			if err == nil {
				return v, nil
			}
			if first == nil {
				first = err
			}
		}
	}
	return "", first
}

// optional applies check to a value that may be blank.
func optional(v string, check func(string) (string, error)) (string, error) {
	if v == "" {
		return "", nil
	}
	return check(v)
}

// memo remembers the results of a slow check, up to a bound.
type memo struct {
	check func(string) (string, error)
	max   int
	seen  map[string]memoResult
}

type memoResult struct {
	v   string
	err error
}

func newMemo(limit int, check func(string) (string, error)) memo {
	return memo{check: check, max: limit, seen: make(map[string]memoResult)}
}

func (m memo) get(s string) (string, error) {
	if r, ok := m.seen[s]; ok {
		return r.v, r.err
	}
	v, err := m.check(s)
	if len(m.seen) >= m.max {
		clear(m.seen) // simpler than LRU, and memory stays bounded
	}
	m.seen[s] = memoResult{v, err}
	return v, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
