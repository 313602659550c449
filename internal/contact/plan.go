package contact

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// source is a column that supplies a field.
type source struct {
	col    int
	rank   int
	mobile bool
	kind   int // the Google column saying what kind of phone this is, or -1
}

// plan says which columns supply each field, best first.
type plan struct {
	header  []string
	sources [numFields][]source
	ignored []string
}

func newPlan(header []string, m Mapping) (*plan, error) {
	cols := make([]column, len(header))
	known := make([]bool, len(header))
	names := newAliases()
	for i, h := range header {
		cols[i], known[i] = names.recognise(h)
	}
	if err := applyMapping(header, cols, known, m); err != nil {
		return nil, err
	}
	p := &plan{header: header}
	p.assign(cols, known)
	if len(p.sources[fEmail]) == 0 && len(p.sources[fPhone]) == 0 {
		return nil, p.noIdentifierError()
	}
	return p, nil
}

// assign records which columns supply each field, best first, and which
// are ignored.
func (p *plan) assign(cols []column, known []bool) {
	kinds := map[int]int{} // Google phone number N → its "Phone N - Type" column
	orders := false
	for i, c := range cols {
		if known[i] && c.kindOf > 0 {
			kinds[c.kindOf] = i
		}
		orders = orders || (known[i] && c.field == fOrderDate)
	}
	for i, c := range cols {
		switch {
		// A company only names an order's; without orders it is the
		// customer's employer, as in Outlook's export.
		case !known[i] || (c.field == fCompany && !orders):
			if p.header[i] != "" {
				p.ignored = append(p.ignored, p.header[i])
			}
		case c.kindOf > 0:
			// Read along with its value column.
		default:
			s := source{col: i, rank: c.rank, mobile: c.mobile, kind: -1}
			if k, ok := kinds[c.number]; ok && c.field == fPhone && c.number > 0 {
				s.kind = k
			}
			p.sources[c.field] = append(p.sources[c.field], s)
		}
	}
	for f := range p.sources {
		slices.SortStableFunc(p.sources[f], func(a, b source) int { return a.rank - b.rank })
	}
}

// applyMapping applies --map: mapped columns get their field, ranked in
// the order of the entries, and a field given columns that way loses the
// ones recognised automatically.
func applyMapping(header []string, cols []column, known []bool, m Mapping) error {
	var errs []error
	var overridden [numFields]bool
	mapped := make([]bool, len(header))
	for n, e := range m {
		canon, err := canonicalField(e.Field)
		if err != nil {
			errs = append(errs, fmt.Errorf("--map %q: %w", e.Column+"="+e.Field, err))
			continue
		}
		i := findColumn(header, e.Column)
		if i < 0 {
			errs = append(errs, fmt.Errorf("--map %q: the file has no column %q; its columns are %s",
				e.Column+"="+e.Field, e.Column, listHeaders(header)))
			continue
		}
		mapped[i] = true
		if canon == Ignore {
			known[i] = false
			continue
		}
		f, _ := lookupField(canon)
		// Below every automatic rank, in --map order.
		cols[i], known[i] = column{field: f, rank: n - len(m), mobile: f == fPhone}, true
		overridden[f] = true
	}
	for i := range cols {
		if known[i] && !mapped[i] && overridden[cols[i].field] {
			known[i] = false
		}
	}
	return errors.Join(errs...)
}

func findColumn(header []string, name string) int {
	key := normalize(name)
	for i, h := range header {
		if normalize(h) == key && key != "" {
			return i
		}
	}
	return -1
}

func (p *plan) noIdentifierError() error {
	hint := ""
	for _, h := range p.header {
		if strings.Contains(h, "@") || looksLikePhone(h) {
			hint = " The first line looks like a customer, not column names: add a header line such as First Name,Last Name,Email,Mobile Phone."
			break
		}
	}
	return fmt.Errorf("no e-mail or phone column found among %s.%s Recognised column names: %s. "+
		"To use a column with another name, add --map \"COLUMN=email\" or --map \"COLUMN=phone\"",
		listHeaders(p.header), hint, knownHeaders())
}

func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 7
}

// listHeaders quotes up to a dozen column names.
func listHeaders(header []string) string {
	var q []string
	for _, h := range header {
		if len(q) == 12 {
			q = append(q, fmt.Sprintf("and %d more", len(header)-12))
			break
		}
		q = append(q, fmt.Sprintf("%q", h))
	}
	if len(q) == 0 {
		return "(none)"
	}
	return strings.Join(q, ", ")
}

// used reports, for each field in use, the columns that supply it.
func (p *plan) used() map[string]string {
	used := map[string]string{}
	for f, srcs := range p.sources {
		var names []string
		for _, s := range srcs {
			names = append(names, p.header[s.col])
		}
		if len(names) > 0 {
			used[field(f).String()] = strings.Join(names, ", ")
		}
	}
	return used
}

// value is the first non-blank value a row has for f.
func (p *plan) value(f field, rec []string) string {
	for _, s := range p.sources[f] {
		if v := cell(rec, s.col); v != "" {
			return v
		}
	}
	return ""
}

// phone is the row's phone value, preferring a mobile: only a mobile can
// receive texts.
func (p *plan) phone(rec []string) string {
	for _, s := range p.sources[fPhone] {
		if v := cell(rec, s.col); v != "" && (s.mobile || isMobileKind(cell(rec, s.kind))) {
			return v
		}
	}
	return p.value(fPhone, rec)
}

// isMobileKind reads a Google phone kind such as "Mobile" or "* Mobile".
func isMobileKind(kind string) bool {
	k := strings.ToLower(kind)
	return strings.Contains(k, "mobile") || strings.Contains(k, "cell")
}

// cell is a row's value in column i, trimmed; a short row is blank at the end.
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	v := strings.TrimSpace(rec[i])
	// ="0123" is how some exports keep Excel from eating leading zeros.
	if len(v) >= 3 && strings.HasPrefix(v, `="`) && strings.HasSuffix(v, `"`) {
		v = strings.TrimSpace(v[2 : len(v)-1])
	}
	return v
}
