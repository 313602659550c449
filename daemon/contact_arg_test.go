package main

import (
	"strconv"
	"strings"
	"testing"
)

// Every command that takes one contact finds them the same way: Daniel Kim
// (no email; "(773) 555-0139" in the starter file) by his number written
// as a rep writes it, or by his id; and each says "no contact" alike for
// someone who is not there.
func TestCommandsFindAContactTheSameWay(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.mustRun(t, "--now", "2026-03-01T09:00:00-06:00", "import", w.path("contacts.example.csv"))
	var found []contactJSON
	w.runJSON(t, &found, "contacts", "Kim", "--json")
	if len(found) != 1 || found[0].Phone != "+17735550139" {
		t.Fatalf("contacts Kim: %+v, want Daniel Kim", found)
	}
	daniel := found[0].ID
	id := strconv.FormatInt(daniel, 10)

	for i, key := range []string{"(773) 555-0139", "773 555 0139", "+17735550139", "+1 773 555 0139", "773.555.0139", id} {
		if key != id { // an id is no search term
			w.runJSON(t, &found, "contacts", key, "--json")
			if len(found) != 1 || found[0].ID != daniel {
				t.Errorf("contacts %q: %+v, want Daniel Kim", key, found)
			}
		}
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"preview", key}, "Daniel Kim — (none), +17735550139"},
			{[]string{"send-test", "post-order/arrival-check", "--contact", key}, "sent a test of post-order/arrival-check"},
			{[]string{"unsubscribe", key, "--sms"}, "Daniel Kim: texts now opted_out"},
			{[]string{"resubscribe", key, "--sms"}, "Daniel Kim: texts now subscribed"},
			{[]string{"order", "add", "--contact", key, "--date", "2026-02-2" + strconv.Itoa(i), "--invoice", "INV-" + key},
				"for Daniel Kim; 1 journey started"},
		} {
			if out := w.mustRun(t, c.args...); !strings.Contains(out, c.want) {
				t.Errorf("rapport %s: %q, want %q", strings.Join(c.args, " "), out, c.want)
			}
		}
	}
	if texts := w.texts(t); len(texts) == 0 || !strings.Contains(texts[len(texts)-1].Body, "Daniel") {
		t.Errorf("send-test texts %+v, want them rendered for Daniel", texts)
	}

	const nobody = "(312) 555-0199"
	for _, c := range []struct {
		key  string
		args []string
	}{
		{nobody, []string{"preview", nobody}},
		{nobody, []string{"send-test", "post-order/arrival-check", "--contact", nobody}},
		{nobody, []string{"unsubscribe", nobody}},
		{nobody, []string{"order", "add", "--contact", nobody, "--date", "2026-02-20"}},
		{"Daniel", []string{"preview", "Daniel"}},
	} {
		_, errOut, code := w.run(t, c.args...)
		if code != exitInvalid || !strings.HasPrefix(errOut, `no contact "`+c.key+`"`) {
			t.Errorf("rapport %s: exit %d, %q; want exit 2 saying there is no such contact", strings.Join(c.args, " "), code, errOut)
		}
	}
}
