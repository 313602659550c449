package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

// postText posts a signed inbound text as Twilio does and returns the
// answer and how long it took.
func postText(t *testing.T, tw *twiliotest.Server, d *runningDaemon, sid, from, body string) (int, string, time.Duration) {
	t.Helper()
	link := d.base + "/twilio/sms"
	form := url.Values{"MessageSid": {sid}, "AccountSid": {tw.AccountSID}, "From": {from}, "To": {repNumber}, "Body": {body}}
	req, err := http.NewRequest(http.MethodPost, link, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliotest.Signature(tw.AuthToken, link, form))
	start := time.Now()
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("text %q: %v", body, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), time.Since(start)
}

// Twilio gives up on a webhook that does not answer: texts that arrive
// while an import holds the database's write lock are answered within 2 s
// (HELP with the rep's details), and recorded once each when it ends.
func TestWebhooksAnswerDuringAnImport(t *testing.T) {
	w, tw := twilioWorkspace(t)
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	w.setKey(t, "http", "public_url", strconv.Quote("http://"+addr))
	d := startDaemon(t, w, addr, cst(t, "2026-03-03 12:00"))

	ctx := context.Background()
	conn, err := openDB(t, w).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	texts := []struct{ sid, from, body, answer string }{
		{"SM00000000000000000000000000000001", janeE164, "It came broken, what now?", "<Response/>"},
		{"SM00000000000000000000000000000002", strangerE164, "HELP", "Reply STOP to stop texts"},
		{"SM00000000000000000000000000000001", janeE164, "It came broken, what now?", "<Response/>"}, // Twilio's retry
	}
	for _, x := range texts {
		code, body, took := postText(t, tw, d, x.sid, x.from, x.body)
		if code != http.StatusOK || took > 2*time.Second || !strings.Contains(body, x.answer) {
			t.Errorf("text %q during the import: %d %q after %v, want 200 with %q within 2s", x.body, code, body, took, x.answer)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the texts to be recorded", func() bool { return countReplies(t, w) >= 2 })
	d.shutdown(t)
	if n := countReplies(t, w); n != 2 {
		t.Errorf("%d replies recorded, want 2 (each text once)", n)
	}
}

func countReplies(t *testing.T, w *workspace) int {
	t.Helper()
	var n int
	if err := openDB(t, w).QueryRow("SELECT count(*) FROM replies").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
