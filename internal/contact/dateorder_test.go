package contact

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// An Excel export from a German shop: dotted dates, day first. 04.12.2025
// alone could be April 12; 13.11.2025 further down settles it, even for a
// rep in the US, whose own dates are month first.
func TestDateOrderSettledByTheFile(t *testing.T) {
	r, got := readFixture(t, "excel-dotted.csv", Options{Region: "US"})
	checkRows(t, got, []string{
		`3: "Anna" "Schmidt" <anna@example.de> +4915123456789 tz= sms=- order=2025-12-04 "R-1001" "Lavendel 15ml"`,
		`4: "Jonas" "Weber" <jonas@example.de>  tz= sms=- order=2025-11-13 "R-1002" "Pfefferminze"`,
		`5: "Lea" "Fischer" <lea@example.de>  tz= sms=- order=2026-02-01 "R-1003" "Zitrone"`,
	})
	order, why := r.DateOrder()
	if order != DMY || !strings.Contains(why, "13.11.2025 on line 4") {
		t.Errorf("DateOrder() = %q, %q; want dmy, settled by line 4", order, why)
	}
	if r.BytesRead() == 0 {
		t.Error("nothing counted as read after the file was read twice")
	}
}

// One order per file: what settles it, in turn, is a day over 12 anywhere,
// then dots, then the rep's country. A file that settles both ways is
// refused rather than read half one way, half the other.
func TestDateOrderDecision(t *testing.T) {
	tests := []struct {
		name, region string
		dates        []string
		want         DateOrder
		why, err     string
	}{
		{"day over 12 late in the file", "US", []string{"4/12/2025", "5/6/2025", "25/12/2025"}, DMY, "25/12/2025 on line 4 can only be day first", ""},
		{"month first settled against the country", "GB", []string{"4/12/2025", "12/25/2025"}, MDY, "12/25/2025 on line 3 can only be month first", ""},
		{"dots are day first", "US", []string{"04.12.2025", "05.06.2025"}, DMY, "dates written with dots are day first", ""},
		{"US writes month first", "US", []string{"4/12/2025"}, MDY, "US writes dates month first", ""},
		{"GB writes day first", "GB", []string{"4/12/2025", "2025-01-30"}, DMY, "GB writes dates day first", ""},
		{"nothing depends on the order", "GB", []string{"2025-01-30", "Jan 30, 2025", ""}, DMY, "", ""},
		{"both ways", "US", []string{"25/12/2025", "4/12/2025", "12/25/2025"}, "", "", "some dates day first (line 2: 25/12/2025) and others month first (line 4: 12/25/2025)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			csv := "Email,Order Date\n"
			for i, d := range tt.dates {
				csv += "c" + string(rune('a'+i)) + "@example.com," + d + "\n"
			}
			r, err := NewReader(strings.NewReader(csv), Options{Region: tt.region})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "--date-order") {
					t.Fatalf("NewReader = %v; want an error saying %q and naming --date-order", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			order, why := r.DateOrder()
			if order != tt.want || !strings.Contains(why, tt.why) || (tt.why == "") != (why == "") {
				t.Errorf("DateOrder() = %q, %q; want %q, %q", order, why, tt.want, tt.why)
			}
		})
	}
}

// --date-order overrides the file: a date it cannot read that way is a
// skipped row, and the file is not read twice.
func TestDateOrderGiven(t *testing.T) {
	in := &seekCounter{ReadSeeker: strings.NewReader("Email,Order Date\na@example.com,04.12.2025\nb@example.com,13.11.2025\n")}
	r, got := readAll(t, in, Options{Region: "GB", DateOrder: MDY})
	checkRows(t, got, []string{
		`2: "" "" <a@example.com>  tz= sms=- order=2025-04-12 "" ""`,
		`line 3: invalid order date "13.11.2025": there is no month 13 (read as month/day/year)`,
	})
	if order, why := r.DateOrder(); order != MDY || why != "as --date-order says" {
		t.Errorf("DateOrder() = %q, %q", order, why)
	}
	if in.seeks != 0 {
		t.Errorf("the file was rewound %d times; given the order, one reading is enough", in.seeks)
	}
}

// A stream that cannot be read twice (a pipe) is read in the country's
// order; the caller decides whether to allow it.
func TestDateOrderOfAStream(t *testing.T) {
	in := io.MultiReader(strings.NewReader("Email,Order Date\na@example.com,4/12/2025\nb@example.com,25/12/2025\n"))
	r, got := readAll(t, in, Options{Region: "US"})
	if order, _ := r.DateOrder(); order != MDY || len(got) != 2 || !strings.HasPrefix(got[1], "line 3: invalid order date") {
		t.Errorf("DateOrder() = %q, rows %q; want mdy, and line 3 unreadable", order, got)
	}
}

// An order dated after tomorrow (in the rep's zone) is a misread or a typo:
// the row is skipped with its line, not stored as an order.
func TestFutureOrderDate(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 23, 30, 0, 0, berlin) // 22:30 UTC: already the 2nd in Berlin
	csv := "Email,Order Date\na@example.com,2026-03-02\nb@example.com,2026-03-03\nc@example.com,2026-03-04\n"
	_, got := readAll(t, bytes.NewReader([]byte(csv)), Options{Region: "DE", Now: now})
	checkRows(t, got, []string{
		`2: "" "" <a@example.com>  tz= sms=- order=2026-03-02 "" ""`,
		`3: "" "" <b@example.com>  tz= sms=- order=2026-03-03 "" ""`,
		`line 4: the order date "2026-03-04" (read as 2026-03-04) is in the future: correct it, or leave the order out until it is placed`,
	})
}

func TestParseDateOrder(t *testing.T) {
	for in, want := range map[string]DateOrder{"dmy": DMY, " MDY ": MDY} {
		if got, err := ParseDateOrder(in); got != want || err != nil {
			t.Errorf("ParseDateOrder(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseDateOrder("ymd"); err == nil {
		t.Error("ParseDateOrder(ymd) took it")
	}
}

// seekCounter counts the seeks on a file.
type seekCounter struct {
	io.ReadSeeker
	seeks int
}

func (c *seekCounter) Seek(offset int64, whence int) (int64, error) {
	c.seeks++
	return c.ReadSeeker.Seek(offset, whence)
}
