package contact

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// DateOrder is how a file writes the day and month of dates made of three
// numbers: 04.12.2026 is 4 December in dmy, April 12 in mdy. Dates with
// the year first, or with the month's name, read the same either way.
type DateOrder string

// The date orders. DateOrderAuto lets NewReader decide from the file.
const (
	DateOrderAuto DateOrder = ""
	DMY           DateOrder = "dmy"
	MDY           DateOrder = "mdy"
)

// ParseDateOrder reads "dmy" or "mdy" (as --date-order takes them).
func ParseDateOrder(s string) (DateOrder, error) {
	switch o := DateOrder(strings.ToLower(strings.TrimSpace(s))); o {
	case DMY, MDY:
		return o, nil
	}
	return "", fmt.Errorf("invalid date order %q: write dmy (day first, 04.12.2026 is 4 December) or mdy (month first, 4/12/2026 is April 12)", s)
}

func (o DateOrder) monthFirst() bool { return o == MDY }

// words says the order as the summary prints it.
func (o DateOrder) words() string {
	if o == MDY {
		return "month first"
	}
	return "day first"
}

// dateSample is a date value and its line.
type dateSample struct {
	line  int
	value string
}

// dateEvidence is what the date values of a file say about their order.
type dateEvidence struct {
	dayFirst, monthFirst dateSample // the first value only that order can read; line 0 if none
	ambiguous            int        // values either order reads (4/12/2026)
	dotted               int        // ... of which written with dots
}

// see records one value of a date column.
func (e *dateEvidence) see(v string, line int) {
	p, yearFirst, ok := dateNumbers(v)
	if !ok || yearFirst {
		return
	}
	switch first, second := p[0], p[1]; {
	case first > 12 && second >= 1 && second <= 12:
		if e.dayFirst.line == 0 {
			e.dayFirst = dateSample{line, v}
		}
	case second > 12 && first >= 1 && first <= 12:
		if e.monthFirst.line == 0 {
			e.monthFirst = dateSample{line, v}
		}
	case first >= 1 && first <= 12 && second >= 1 && second <= 12:
		e.ambiguous++
		if strings.Contains(v, ".") {
			e.dotted++
		}
	}
}

// decide picks one order for the whole file, and says why; why is "" when
// no date of the file depends on it. A file whose dates settle both
// orders cannot be read without guessing: that is an error.
func (e *dateEvidence) decide(region string) (order DateOrder, why string, err error) {
	country := DMY
	if monthFirst(region) {
		country = MDY
	}
	switch d, m := e.dayFirst, e.monthFirst; {
	case d.line > 0 && m.line > 0:
		return "", "", fmt.Errorf("the file writes some dates day first (line %d: %s) and others month first (line %d: %s): "+
			"make them all the same, or say how to read them with --date-order dmy or --date-order mdy "+
			"(the dates that cannot be read that way are then skipped)", d.line, d.value, m.line, m.value)
	case d.line > 0:
		return DMY, fmt.Sprintf("%s on line %d can only be day first", d.value, d.line), nil
	case m.line > 0:
		return MDY, fmt.Sprintf("%s on line %d can only be month first", m.value, m.line), nil
	case e.ambiguous == 0:
		return country, "", nil
	case e.dotted == e.ambiguous:
		return DMY, "dates written with dots are day first; no day in the file is over 12 (--date-order mdy reads them month first)", nil
	}
	other := map[DateOrder]DateOrder{DMY: MDY, MDY: DMY}[country]
	return country, fmt.Sprintf("no day in the file is over 12, and %s writes dates %s (--date-order %s reads them %s)",
		regionCode(region), country.words(), other, other.words()), nil
}

// settleDateOrder reads the date columns of the file r holds, from where
// it stands, decides their order (see dateEvidence.decide) and moves back
// to where it started. It keeps counts, never rows: memory stays constant.
// seekable is false when r cannot move back (a pipe): nothing is read then.
func settleDateOrder(r io.Reader, opts Options, region string) (order DateOrder, why string, seekable bool, err error) {
	s, ok := r.(io.Seeker)
	if !ok {
		return "", "", false, nil
	}
	start, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return "", "", false, nil
	}
	ev, err := readDates(r, opts)
	if err != nil {
		return "", "", true, err
	}
	if _, err := s.Seek(start, io.SeekStart); err != nil {
		return "", "", true, fmt.Errorf("read the file again: %w", err)
	}
	order, why, err = ev.decide(region)
	return order, why, true, err
}

// readDates reads the values of the date columns of every row.
func readDates(r io.Reader, opts Options) (*dateEvidence, error) {
	split, p, err := openTable(r, opts.Mapping)
	if err != nil {
		return nil, err
	}
	ev := &dateEvidence{}
	dated := []field{fOrderDate, fConsentAt, fAnyConsentAt, fEmailMarketingAt}
	if !slices.ContainsFunc(dated, func(f field) bool { return len(p.sources[f]) > 0 }) {
		return ev, nil
	}
	for {
		fields, line, err := split.next()
		var qe *quoteError
		switch {
		case err == io.EOF:
			return ev, nil
		case errors.As(err, &qe), errors.Is(err, errLineTooLong):
			continue // the second reading reports the row
		case err != nil:
			return nil, err
		}
		for _, f := range dated {
			ev.see(p.value(f, fields), line)
		}
	}
}
