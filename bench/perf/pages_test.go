package perf

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Targets for one rep on the dashboard: every page, and the contact search.
const (
	maxPageTime   = 50 * time.Millisecond
	maxSearchTime = 20 * time.Millisecond
	pageRequests  = 30 // each page is asked this many times, one after another
	searchContact = 4242
)

// rapportPages are the dashboard's pages a rep opens, "{id}" standing for
// a customer found by searching for them.
var rapportPages = []string{"/dashboard/", "/dashboard/today", "/dashboard/upcoming", "/dashboard/import",
	"/dashboard/campaigns", "/dashboard/contacts", "/dashboard/contacts/{id}", "/dashboard/conversations/{id}",
	"/dashboard/replies", "/dashboard/cases", "/dashboard/status", "/dashboard/contacts/new"}

var contactLinkRE = regexp.MustCompile(`<a href="/dashboard/contacts/(\d+)">`)

// phoneTyped is contact i's number as a rep types it: "(773) 555-0139",
// "773 555 0139" and "+17735550139".
func phoneTyped(i int) []string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, Phone(i))
	d = d[len(d)-10:]
	return []string{fmt.Sprintf("(%s) %s-%s", d[:3], d[3:6], d[6:]), fmt.Sprintf("%s %s %s", d[:3], d[3:6], d[6:]), "+1" + d}
}

// median and worst of times.
func medianWorst(times []time.Duration) (time.Duration, time.Duration) {
	s := slices.Clone(times)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)-1]
}

// timeGet asks for u pageRequests times, one after another, and returns
// the times and the last answer.
func timeGet(tb testing.TB, sd *servedDashboard, u string) ([]time.Duration, string) {
	var times []time.Duration
	var body string
	for range pageRequests {
		took, b := fetch(tb, sd.base+u, sd.cookie)
		times, body = append(times, took), b
	}
	return times, body
}

// BenchmarkDashboardPages times every dashboard page, one request at a
// time (the server's time, as one rep sees it), and the contact search by
// a customer's phone in the three ways reps type one, on a copy of the
// import benchmark's database.
func BenchmarkDashboardPages(b *testing.B) {
	n := *rowsFlag
	sd := serveDashboard(b, env.imported(b, n), "pages")
	defer sd.stop()
	var id string
	for _, q := range phoneTyped(searchContact) {
		times, page := timeGet(b, sd, "/dashboard/contacts?q="+url.QueryEscape(q))
		m := contactLinkRE.FindStringSubmatch(page)
		if m == nil {
			b.Fatalf("searching %q finds nobody", q)
		}
		id = m[1]
		med, worst := medianWorst(times)
		results.Add(Row{Name: fmt.Sprintf("dashboard contact search %q, median of %d, %d contacts", q, pageRequests, n),
			Figure: Seconds(med), Baseline: Seconds(maxSearchTime) + " target", Ratio: med.Seconds() / maxSearchTime.Seconds(),
			Target: fmt.Sprintf("< 20 ms (worst %s)", Seconds(worst)), Met: med < maxSearchTime})
	}
	for _, q := range []string{"emily car", "sofia.alvarez.12"} {
		times, _ := timeGet(b, sd, "/dashboard/contacts?q="+url.QueryEscape(q))
		med, worst := medianWorst(times)
		results.Add(Row{Name: fmt.Sprintf("dashboard contact search %q, median of %d, %d contacts", q, pageRequests, n),
			Figure: Seconds(med), Baseline: Seconds(maxSearchTime) + " target", Ratio: med.Seconds() / maxSearchTime.Seconds(),
			Target: fmt.Sprintf("< 20 ms (worst %s)", Seconds(worst)), Met: med < maxSearchTime})
	}
	for _, p := range rapportPages {
		times, _ := timeGet(b, sd, strings.ReplaceAll(p, "{id}", id))
		med, worst := medianWorst(times)
		results.Add(Row{Name: fmt.Sprintf("dashboard page %s, median of %d, %d contacts", p, pageRequests, n),
			Figure: Seconds(med), Baseline: Seconds(maxPageTime) + " target", Ratio: med.Seconds() / maxPageTime.Seconds(),
			Target: fmt.Sprintf("< 50 ms (worst %s)", Seconds(worst)), Met: med < maxPageTime})
	}
}
