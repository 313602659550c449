package dashboard

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/store"
)

// addContacts stores n more contacts through the import's bulk path.
func (f *fixture) addContacts(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		finish, err := tx.Bulk(ctx, n)
		if err != nil {
			return err
		}
		for start := 0; start < n; start += 1000 {
			var cs []*store.Contact
			for i := start; i < min(n, start+1000); i++ {
				cs = append(cs, &store.Contact{FirstName: fmt.Sprintf("Customer%06d", i), LastName: "Zimmer",
					Email: fmt.Sprintf("c%06d@example.com", i), Phone: fmt.Sprintf("+1773%07d", i)})
			}
			if _, err := tx.InsertContacts(ctx, cs, 1); err != nil {
				return err
			}
		}
		return finish()
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	contactRow = regexp.MustCompile(`<tr><td><a href="/dashboard/contacts/(\d+)">`)
	nextLink   = regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page</a>`)
)

// listedContacts returns the ids of the contacts a page lists and its next
// page's link ("" when none).
func listedContacts(page string) (ids []string, next string) {
	for _, m := range contactRow.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	if m := nextLink.FindStringSubmatch(page); m != nil {
		next = html.UnescapeString(m[1])
	}
	return ids, next
}

// TestContactsPageIsOnePage: with 100,000 contacts the page lists one
// page of them, links to the next, which goes on where it stopped, and
// a request allocates about as much as with a handful of contacts.
func TestContactsPageIsOnePage(t *testing.T) {
	f := newFixture(t)
	f.dash.cfg.Region = "US"
	f.setPassword(t, password)
	c := f.login(t)
	f.addContacts(t, 100_000)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	page := f.get(t, "/dashboard/contacts", c)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("one contacts page allocated %d MB", alloc>>20)
	}
	ids, next := listedContacts(page)
	if len(ids) != contactsPerPage || next == "" || !strings.Contains(page, "Jane Doe") {
		t.Fatalf("first page: %d contacts, next %q, Jane (first by name) shown: %v", len(ids), next, strings.Contains(page, "Jane Doe"))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	page = f.get(t, next, c)
	more, _ := listedContacts(page)
	if len(more) != contactsPerPage || !strings.Contains(page, "First page") {
		t.Fatalf("second page: %d contacts", len(more))
	}
	for _, id := range more {
		if seen[id] {
			t.Errorf("contact %s on both pages", id)
		}
	}
	if !strings.Contains(page, "Customer000099 Zimmer") || !strings.Contains(page, "Customer000198 Zimmer") {
		t.Errorf("the second page does not go on from the first (Jane, then Customer000000…)")
	}

	// A phone typed as people write part of one, and a name's start.
	ids, next = listedContacts(f.get(t, "/dashboard/contacts?q=(773)+000-1", c))
	if len(ids) != contactsPerPage || next == "" || !strings.Contains(next, "q=%28773%29+000-1") {
		t.Errorf("search by part of a phone: %d contacts, next %q", len(ids), next)
	}
	page = f.get(t, "/dashboard/contacts?q=customer09999", c)
	if ids, next = listedContacts(page); len(ids) != 10 || next != "" || !strings.Contains(page, "Customer099999 Zimmer") {
		t.Errorf("search by a name's start: %d contacts, next %q", len(ids), next)
	}
	if res := f.do(t, "GET", "/dashboard/contacts?after=x", nil, c); res.StatusCode != 400 {
		t.Errorf("a broken page link: status %d, want 400", res.StatusCode)
	}
}

// TestRepliesPageIsOnePage: many replies are shown a page at a time, the
// flagged one first, the next page going on where the first stopped.
func TestRepliesPageIsOnePage(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	ctx := context.Background()
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		for i := range 3 * repliesPerPage {
			r := &store.Reply{Channel: "sms", ExternalID: fmt.Sprintf("SMmany%d", i), From: "+17735550100",
				Body: fmt.Sprintf("thanks %d", i), ReceivedAt: t0.Unix() + int64(i)}
			if _, err := tx.AddReply(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	articles := regexp.MustCompile(`<article class="reply`)
	page := f.get(t, "/dashboard/replies", c)
	if n := len(articles.FindAllString(page, -1)); n != repliesPerPage || !strings.Contains(page, "leaking") {
		t.Fatalf("first page: %d replies (want %d), the flagged one shown: %v", n, repliesPerPage, strings.Contains(page, "leaking"))
	}
	m := nextLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no next page link")
	}
	page = f.get(t, html.UnescapeString(m[1]), c)
	if n := len(articles.FindAllString(page, -1)); n != repliesPerPage || strings.Contains(page, "leaking") ||
		!strings.Contains(page, "thanks 48") || strings.Contains(page, "thanks 47<") {
		t.Errorf("second page: %d replies, want the next %d", n, repliesPerPage)
	}
}

// TestConversationsPageIsOnePage: the home page lists a page of
// conversations, the waiting flagged one first, and links to the next,
// which goes on where the first stopped.
func TestConversationsPageIsOnePage(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	f.addContacts(t, 2*conversationsPerPage)
	ctx := context.Background()
	first, err := f.st.ContactByEmail(ctx, "c000000@example.com")
	if err != nil {
		t.Fatal(err)
	}
	err = f.st.Tx(ctx, func(tx *store.Tx) error {
		for i := range 2 * conversationsPerPage {
			r := &store.Reply{ContactID: first.ID + int64(i), Channel: "sms", ExternalID: fmt.Sprintf("SMtalk%d", i),
				From: "+17735550100", Body: fmt.Sprintf("thanks %d", i), ReceivedAt: t0.Unix() + int64(i), HandledAt: t0.Unix() + 1000}
			if _, err := tx.AddReply(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	threads := regexp.MustCompile(`<a class="thread-link[^"]*" href="/dashboard/conversations/(\d+)">`)
	page := f.get(t, "/dashboard/", c)
	ids := threads.FindAllStringSubmatch(page, -1)
	m := nextLink.FindStringSubmatch(page)
	if len(ids) != conversationsPerPage || m == nil || !strings.Contains(ids[0][0], "flagged") {
		t.Fatalf("first page: %d threads, next link %v, first %q (want the flagged one)", len(ids), m, ids[0][0])
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id[1]] = true
	}
	page = f.get(t, html.UnescapeString(m[1]), c)
	more := threads.FindAllStringSubmatch(page, -1)
	if len(more) < conversationsPerPage || !strings.Contains(page, "First page") {
		t.Fatalf("second page: %d threads", len(more))
	}
	for _, id := range more {
		if seen[id[1]] {
			t.Errorf("contact %s on both pages", id[1])
		}
	}
	if res := f.do(t, "GET", "/dashboard/?after=1.2", nil, c); res.StatusCode != 400 {
		t.Errorf("a broken page link: status %d, want 400", res.StatusCode)
	}
}

// TestContactRowsEscapeEveryField: the contacts table's rows, written
// without html/template, escape what a contact's fields hold, and a
// browser reads back the fields as stored.
func TestContactRowsEscapeEveryField(t *testing.T) {
	c := store.Contact{ID: 42, FirstName: `<script>alert("x")</script>`, LastName: "O'Hara & Sons",
		Email: `a"b@example.com`, Phone: "+13125550142", Timezone: "America/<Chicago>",
		EmailStatus: `sub"scribed`, SMSStatus: "stopped"}
	rows := string(contactRows([]store.Contact{c}))
	for _, bad := range []string{"<script>", `a"b`, "O'Hara", "& Sons", "<Chicago>", `sub"scribed`} {
		if strings.Contains(rows, bad) {
			t.Errorf("rows hold %q unescaped:\n%s", bad, rows)
		}
	}
	cells := regexp.MustCompile(`<td>(?:<a href="/dashboard/contacts/42">|<span class="state ([^"]*)">)?([^<]*)`).FindAllStringSubmatch(rows, -1)
	want := []string{c.Label(), c.Email, c.Phone, c.Timezone, c.EmailStatus, c.SMSStatus}
	if len(cells) != len(want) {
		t.Fatalf("%d cells, want %d:\n%s", len(cells), len(want), rows)
	}
	for i, m := range cells {
		if got := html.UnescapeString(m[2]); got != want[i] {
			t.Errorf("cell %d reads %q, want %q", i, got, want[i])
		}
		if m[1] != "" && html.UnescapeString(m[1]) != want[i] {
			t.Errorf("cell %d has class %q, want %q", i, m[1], want[i])
		}
	}
}

// TestContactsPageAllocatesLittle: a page of a hundred contacts is read
// and written with few allocations for each contact (html/template's
// escaping of each field made 87 for each, the rows written in Go 23).
func TestContactsPageAllocatesLittle(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	f.addContacts(t, 2*contactsPerPage)
	f.get(t, "/dashboard/contacts", c) // statements prepared, buffers grown
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	page := f.get(t, "/dashboard/contacts", c)
	runtime.ReadMemStats(&after)
	if ids, _ := listedContacts(page); len(ids) != contactsPerPage {
		t.Fatalf("%d contacts listed, want %d", len(ids), contactsPerPage)
	}
	perContact := (after.Mallocs - before.Mallocs) / contactsPerPage
	t.Logf("%d allocations for each contact listed", perContact)
	if perContact > 40 {
		t.Errorf("%d allocations for each contact listed, want at most 40", perContact)
	}
}
