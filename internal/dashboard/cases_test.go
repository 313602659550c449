package dashboard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The rep opens a case from Jane's flagged reply, sees it on the Cases
// page with its checklist and next step, marks it reported, and sends the
// update the page offers through the conversation.
func TestCaseFromReplyToUpdateSent(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	f.withEngine(t, t.TempDir())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "reported.sms.txt"), []byte("Hi {{.Contact.FirstName}}, I have reported your bottle to the company today."), 0o600); err != nil {
		t.Fatal(err)
	}
	f.dash.cfg.CaseUpdates = dir
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	b.do("POST", "/dashboard/login", url.Values{"password": {password}})

	_, _, page := b.do("GET", "/dashboard/replies", nil)
	if !strings.Contains(page, `action="/dashboard/replies/1/case"`) || !strings.Contains(page, `<option value="leaking" selected>leak</option>`) {
		t.Fatalf("the flagged reply has no Open a case form with the leak chosen:\n%s", page)
	}
	token := csrfOf(t, page)
	code, loc, _ := b.do("POST", "/dashboard/replies/1/case", url.Values{"csrf": {token}, "kind": {"leaking"}})
	if code != http.StatusSeeOther || loc != "/dashboard/cases/1" {
		t.Fatalf("open a case: %d to %q", code, loc)
	}
	_, _, list := b.do("GET", "/dashboard/cases", nil)
	for _, want := range []string{"Jane Doe: leak", "report it to the company: today", "product code", "Next:"} {
		if !strings.Contains(list, want) {
			t.Errorf("Cases page lacks %q:\n%s", want, list)
		}
	}
	// No order to count a delivery from: the receipt day is the reply's,
	// said as the CLI says it, with the page's own way to correct it.
	if _, _, page := b.do("GET", "/dashboard/cases/1", nil); !strings.Contains(page,
		"<dt>Received</dt><dd>Thu 5 Mar (the day they wrote; correct it under Update the case)</dd>") {
		t.Errorf("the case page does not say where its receipt day came from:\n%s", page)
	}
	code, loc, _ = b.do("POST", "/dashboard/cases/1/update", url.Values{"csrf": {token}, "state": {"reported"}, "code": {"LV-15"}})
	if code != http.StatusSeeOther || loc != "/dashboard/cases/1?offer=1#update" {
		t.Fatalf("update: %d to %q", code, loc)
	}
	_, _, one := b.do("GET", "/dashboard/cases/1?offer=1", nil)
	if !strings.Contains(one, "Hi Jane, I have reported your bottle to the company today.") || !strings.Contains(one, `action="/dashboard/conversations/1/reply"`) {
		t.Fatalf("no update offered after the state change:\n%s", one)
	}
	code, loc, _ = b.do("POST", "/dashboard/conversations/1/reply", url.Values{"csrf": {token}, "seq": {"1"}, "channel": {"sms"},
		"text": {"Hi Jane, reported today; a new bottle follows."}, "handled": {"1"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/dashboard/conversations/1?sent=") {
		t.Fatalf("send the update: %d to %q", code, loc)
	}
	k, err := f.st.Case(context.Background(), 1)
	if err != nil || k.State != "reported" || k.Code != "LV-15" {
		t.Fatalf("case after update: %+v, %v", k, err)
	}
	_, _, thread := b.do("GET", "/dashboard/conversations/1", nil)
	if !strings.Contains(thread, "a new bottle follows") {
		t.Errorf("the update is not in the conversation:\n%s", thread)
	}
}

// A bad date is said on the case page, nothing saved.
func TestCaseUpdateRefusesBadDate(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	b.do("POST", "/dashboard/login", url.Values{"password": {password}})
	_, _, page := b.do("GET", "/dashboard/replies", nil)
	token := csrfOf(t, page)
	b.do("POST", "/dashboard/replies/1/case", url.Values{"csrf": {token}, "kind": {"damaged"}})
	code, _, body := b.do("POST", "/dashboard/cases/1/update", url.Values{"csrf": {token}, "received": {"yesterday"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "give a date as YYYY-MM-DD") {
		t.Errorf("bad date: %d\n%s", code, body)
	}
}
