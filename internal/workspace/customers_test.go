package workspace_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/workspace"
)

// A customer added by hand is read as an import row would be, starts the
// journeys of new contacts, and their history says who added them.
func TestAddNormalisesAndEnrols(t *testing.T) {
	f := newFixture(t)
	res, err := f.ws.Add(context.Background(), workspace.Fields{
		FirstName: workspace.Str(" Jane\u202e\t"), LastName: workspace.Str("Doe"),
		Email: workspace.Str("Jane <Jane@Example.COM>"), Phone: workspace.Str("(312) 555-0142"),
		Timezone: workspace.Str("eastern"), SMSConsent: workspace.Str("order form"), Note: "likes lavender",
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Contact
	got := []string{c.FirstName, c.Email, c.Phone, c.Timezone, c.SMSConsentAt, c.SMSConsentSource}
	want := []string{"Jane", "jane@example.com", "+13125550142", "America/New_York", "2026-03-02", "order form"}
	if !slices.Equal(got, want) || !c.SMSConsent || !res.New {
		t.Errorf("stored %q (consent %v, new %v), want %q, consent, new", got, c.SMSConsent, res.New, want)
	}
	if res.Journeys != 1 || f.count(t, "SELECT count(*) FROM messages WHERE contact_id = ? AND campaign = 'welcome'", c.ID) != 1 {
		t.Errorf("journeys %d: want the welcome journey started with its step", res.Journeys)
	}
	h := f.history(t, c)
	if !slices.Equal(h, []string{"change by rep (cli): added Jane Doe", "note by rep (cli): likes lavender"}) {
		t.Errorf("history %q", h)
	}
}

// Every problem with the input comes back at once, as ErrInvalid.
func TestAddReportsEveryProblem(t *testing.T) {
	f := newFixture(t)
	_, err := f.ws.Add(context.Background(), workspace.Fields{FirstName: workspace.Str("Bo"),
		Email: workspace.Str("bo@"), Phone: workspace.Str("12"), Timezone: workspace.Str("Mars/Base")}, now)
	var ie *workspace.InputError
	if !errors.As(err, &ie) || !errors.Is(err, workspace.ErrInvalid) || len(ie.Problems) != 3 {
		t.Fatalf("err %v, want 3 problems (email, phone, zone) as ErrInvalid", err)
	}
	if n := f.count(t, "SELECT count(*) FROM contacts"); n != 0 {
		t.Errorf("%d contacts stored", n)
	}
}

// An email or phone another customer has is refused, naming them: never a
// merge.
func TestAddAndEditRefuseAnotherCustomersAddress(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	_, err := f.ws.Add(ctx, workspace.Fields{FirstName: workspace.Str("Janet"), Phone: workspace.Str("+1 312 555 0142")}, now)
	var te *workspace.TakenError
	if !errors.As(err, &te) || te.Owner.ID != jane.ID || !strings.Contains(err.Error(), "Jane Doe") {
		t.Fatalf("add with Jane's phone: %v, want a TakenError naming Jane", err)
	}
	bob, err := f.ws.Add(ctx, workspace.Fields{FirstName: workspace.Str("Bob"), Email: workspace.Str("bob@example.com")}, now)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.ws.Edit(ctx, bob.Contact, workspace.Fields{Email: workspace.Str("JANE@example.com")}, now)
	if !errors.As(err, &te) || te.Field != "email" {
		t.Fatalf("edit to Jane's email: %v, want refused", err)
	}
	if got := f.str(t, "SELECT email FROM contacts WHERE id = ?", bob.Contact.ID); got != "bob@example.com" {
		t.Errorf("Bob's email is now %q", got)
	}
}

// Edit corrects what it is given, records consent with today's date or
// withdraws it, and says what changed in the history.
func TestEditFieldsAndConsent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	later := now.Add(48 * time.Hour)
	c, changes, err := f.ws.Edit(ctx, jane, workspace.Fields{LastName: workspace.Str("Smith"), Phone: workspace.Str("312.555.0199"),
		SMSConsent: workspace.Str("asked in person")}, later)
	if err != nil {
		t.Fatal(err)
	}
	if c.LastName != "Smith" || c.Phone != "+13125550199" || c.Email != jane.Email || !c.SMSConsent ||
		c.SMSConsentAt != "2026-03-04" || c.SMSConsentSource != "asked in person" {
		t.Errorf("edited: %+v", c)
	}
	if len(changes) != 3 {
		t.Errorf("changes %q, want last name, phone and consent", changes)
	}
	stored, err := f.st.Contact(ctx, jane.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Phone != "+13125550199" || stored.LastName != "Smith" || !stored.SMSConsent {
		t.Errorf("stored: %+v", stored)
	}
	c, _, err = f.ws.Edit(ctx, stored, workspace.Fields{SMSConsent: workspace.Str("no")}, later)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMSConsent || c.SMSConsentSource != "" {
		t.Errorf("after --sms-consent no: %+v", c)
	}
	h := f.history(t, jane)
	if len(h) != 3 || !strings.Contains(h[1], "phone +13125550142 → +13125550199") || !strings.Contains(h[2], "withdrawn") {
		t.Errorf("history %q", h)
	}
	if _, _, err := f.ws.Edit(ctx, c, workspace.Fields{Email: workspace.Str(""), Phone: workspace.Str("")}, later); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("clearing both email and phone: %v, want refused", err)
	}
}

// Forgetting a customer deletes everything Rapport held about them.
func TestRemoveForgetsEverything(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	if _, err := f.ws.AddOrder(ctx, jane, "2026-03-01", "INV-1", "Lavender", now); err != nil {
		t.Fatal(err)
	}
	if err := f.ws.Note(ctx, jane, "call back", now); err != nil {
		t.Fatal(err)
	}
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.AddReply(ctx, &store.Reply{ContactID: jane.ID, Channel: "sms", ExternalID: "SM1", From: jane.Phone, Body: "hi", ReceivedAt: now.Unix()}); err != nil {
			return err
		}
		return tx.AddNotice(ctx, "task", jane.ID, 0, "call Jane", now.Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := f.ws.Add(ctx, workspace.Fields{FirstName: workspace.Str("Bob"), Email: workspace.Str("bob@example.com")}, now)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := f.ws.RemovalSummary(ctx, jane)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum, "Jane Doe") || !strings.Contains(sum, "1 order") || !strings.Contains(sum, "1 reply") {
		t.Errorf("summary %q", sum)
	}
	if err := f.ws.Remove(ctx, jane); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"orders", "journeys", "messages", "replies", "notices", "contact_history"} {
		if n := f.count(t, "SELECT count(*) FROM "+table+" WHERE contact_id = ?", jane.ID); n != 0 {
			t.Errorf("%d rows of Jane left in %s", n, table)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM contacts WHERE id = ?", jane.ID); n != 0 {
		t.Error("Jane is still there")
	}
	if n := f.count(t, "SELECT count(*) FROM messages WHERE contact_id = ?", bob.Contact.ID); n != 1 {
		t.Errorf("Bob has %d messages, want his welcome left alone", n)
	}
}

// A paused customer's messages are passed over until they are resumed,
// and the timeline shows them paused.
func TestPauseAndResume(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	far := now.Add(400 * 24 * time.Hour).Unix()
	due := func() int {
		ds, err := f.st.DueMessages(ctx, far, 100, store.DueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(ds)
	}
	if due() != 1 {
		t.Fatalf("%d due before the pause, want the welcome", due())
	}
	if ok, err := f.ws.Pause(ctx, jane, now); err != nil || !ok {
		t.Fatalf("pause: %v %v", ok, err)
	}
	if ok, _ := f.ws.Pause(ctx, jane, now); ok {
		t.Error("pausing twice reported a change")
	}
	if due() != 0 {
		t.Error("a paused customer's message is due")
	}
	rows, err := f.st.ContactTimeline(ctx, jane.ID, store.Holds{})
	if err != nil || len(rows) != 1 || !rows[0].Paused || rows[0].Contact.PausedAt == 0 {
		t.Fatalf("timeline %+v %v, want the row paused by the rep", rows, err)
	}
	if ok, err := f.ws.Resume(ctx, jane, now); err != nil || !ok {
		t.Fatalf("resume: %v %v", ok, err)
	}
	if due() != 1 {
		t.Error("resumed, the message is still held")
	}
	if h := f.history(t, jane); len(h) != 3 || !strings.HasSuffix(h[1], "paused their messages") || !strings.HasSuffix(h[2], "resumed their messages") {
		t.Errorf("history %q", h)
	}
}

// Unsubscribing from the dashboard sets the channel's status and says so
// in the history.
func TestSetSubscription(t *testing.T) {
	f := newFixture(t)
	f.ws.Who = workspace.ByDashboard
	ctx := context.Background()
	jane := f.jane(t)
	if err := f.ws.SetSubscription(ctx, jane, workspace.Texts, false, now); err != nil {
		t.Fatal(err)
	}
	if got := f.str(t, "SELECT sms_status FROM contacts WHERE id = ?", jane.ID); got != store.OptedOut {
		t.Errorf("sms_status %q", got)
	}
	if h := f.history(t, jane); h[len(h)-1] != "change by rep (dashboard): unsubscribed from texts" {
		t.Errorf("history %q", h)
	}
}
