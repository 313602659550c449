// The contact files the benchmarks import.

package perf

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

// Today is the day the benchmarks pretend it is: orders in generated files
// fall in the Window days before it.
var Today = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// Window is how many days of orders a generated file spans.
const Window = 60

// Every repeatEvery-th row is a returning customer (an earlier row's
// e-mail and phone with a new order); every badEvery-th row cannot be
// imported (a phone too short, no e-mail), so the problem report is
// exercised.
const (
	repeatEvery = 40
	repeatBack  = 17
	badEvery    = 2000
)

var (
	areaCodes = []string{"312", "646", "213", "415", "617", "206", "303", "512", "404", "702",
		"615", "503", "612", "704", "816", "919", "602", "801", "414", "305"}
	firstNames = []string{"Emily", "Marcus", "Sofia", "Hannah", "James", "Olivia", "Noah", "Ava",
		"Liam", "Mia", "Ethan", "Chloe", "Lucas", "Grace", "Mason", "Zoe"}
	lastNames = []string{"Carter", "Reed", "Alvarez", "Brooks", "Nguyen", "Patel", "Kim", "Lopez",
		"Turner", "Hughes", "Price", "Foster", "Ward", "Bailey", "Cooper", "Rivera"}
	zones = []string{"America/Chicago", "America/New_York", "America/Los_Angeles", "America/Denver", ""}
	items = []string{"Lavender 15ml", `"Peppermint 15ml, Lemon 15ml"`, "Diffuser starter kit",
		`"Frankincense 15ml, Tea Tree 15ml"`, "Wild Orange 15ml"}
)

// Header is the first line of a generated file.
const Header = "First Name,Last Name,Email,Mobile Phone,Time Zone,SMS Consent,Consent Date,Order Date,Invoice,Items"

// Generate writes a contacts file of n rows (plus the header) to path.
func Generate(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = WriteRows(w, n)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	return nil
}

// WriteRows writes the header and n rows. The same n always gives the
// same file.
func WriteRows(w io.Writer, n int) error {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	if _, err := fmt.Fprintln(w, Header); err != nil {
		return err
	}
	for i := range n {
		if _, err := io.WriteString(w, row(rng, i)); err != nil {
			return err
		}
	}
	return nil
}

// row is line i+2 of the file.
func row(rng *rand.Rand, i int) string {
	who := i
	if i%repeatEvery == repeatEvery-1 {
		who = i - repeatBack
	}
	first, last := firstNames[who%len(firstNames)], lastNames[(who/len(firstNames))%len(lastNames)]
	email := fmt.Sprintf("%s.%s.%d@example.com", first, last, who)
	phone := Phone(who)
	if i%badEvery == badEvery-1 {
		email, phone = "", "555-12"
	}
	zone := zones[who%len(zones)]
	consent, consentDate := "", ""
	if who%5 < 3 {
		consent, consentDate = "yes", Today.AddDate(0, 0, -Window-30).Format(time.DateOnly)
	}
	date := Today.AddDate(0, 0, -rng.IntN(Window)).Format("1/2/2006")
	return fmt.Sprintf("%s,%s,%s,%s,%s,%s,%s,%s,INV-%d,%s\n", first, last, email, phone, zone,
		consent, consentDate, date, 100000+i, items[rng.IntN(len(items))])
}

// phoneSpace is how many distinct numbers Phone can write: 20 area codes,
// 792 exchanges (200-999 without the N11 service codes), 10,000 lines.
const phoneSpace = 20 * 792 * 10000

// Phone returns the mobile number of contact i, different for every i
// below phoneSpace, in one of the ways people write them.
func Phone(i int) string {
	k := (i * 7919) % phoneSpace // 7919 is prime to phoneSpace: a permutation
	area := areaCodes[k%20]
	exch := 200 + (k/20)%792
	for c := 211; c <= 911; c += 100 {
		if exch >= c {
			exch++ // skip the N11 service codes
		}
	}
	line := k / (20 * 792)
	switch i % 4 {
	case 0:
		return fmt.Sprintf("(%s) %03d-%04d", area, exch, line)
	case 1:
		return fmt.Sprintf("+1 %s %03d %04d", area, exch, line)
	case 2:
		return fmt.Sprintf("%s.%03d.%04d", area, exch, line)
	}
	return fmt.Sprintf("%s%03d%04d", area, exch, line)
}

// GenerateSends writes a file of n customers who each ordered on the day
// ordered: with an e-mail address only, or with texts set, a mobile number
// and consent to texts only, so each has one way to be reached.
func GenerateSends(path string, n int, texts bool, ordered time.Time) error {
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Mobile Phone,SMS Consent,Consent Date,Order Date,Invoice\n")
	date := ordered.Format(time.DateOnly)
	for i := range n {
		first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
		email, phone, consent, consentDate := fmt.Sprintf("%s.%s.%d@example.com", first, last, i), "", "", ""
		if texts {
			email, phone, consent, consentDate = "", Phone(i), "yes", date
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,INV-%d\n", first, last, email, phone, consent, consentDate, date, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	return nil
}
