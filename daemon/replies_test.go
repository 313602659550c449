package main

// Replies, end to end: email replies read from a real IMAP server (go-imap's
// in-memory one on loopback) by `run --once`, texts posted to the running
// daemon's Twilio webhook, and the `replies` commands the rep uses on them.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

const (
	imapUser     = "amy@example.com"
	imapPassword = "imap test password"
	repAddr      = "amy@example.com" // [rep] email and [notify] email in the starter config
	caraAddr     = "cara@example.net"
	strangerE164 = "+14155550199"
)

// repMailbox is the rep's IMAP mailbox: go-imap's in-memory server on
// 127.0.0.1, plain text (the config allows that only on this machine).
type repMailbox struct {
	user *imapmemserver.User
	addr string
}

func startRepMailbox(t *testing.T) *repMailbox {
	t.Helper()
	b := &repMailbox{user: imapmemserver.NewUser(imapUser, imapPassword)}
	if err := b.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(b.user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return flushingSession{mem.NewSession()}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("IMAP server cannot listen: %v", err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	b.addr = ln.Addr().String()
	return b
}

// flushingSession sends what changed before IDLE as IDLE starts, as
// Dovecot does; go-imap's memory server would hold it back until the next
// change.
type flushingSession struct{ imapserver.Session }

func (s flushingSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.Session.Poll(w, true); err != nil {
		return err
	}
	return s.Session.Idle(w, stop)
}

// configure points [imap] at the mailbox.
func (b *repMailbox) configure(t *testing.T, w *workspace) {
	t.Helper()
	host, port, err := net.SplitHostPort(b.addr)
	if err != nil {
		t.Fatal(err)
	}
	w.appendConfig(t, fmt.Sprintf("[imap]\nhost = %q\nport = %s\ntls = \"none\"\nusername = %q\npassword = %q\nmailbox = \"INBOX\"",
		host, port, imapUser, imapPassword))
}

// deliver puts a message in INBOX, unread, and returns its UID.
func (b *repMailbox) deliver(t *testing.T, raw string) uint32 {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	data, err := b.user.Append("INBOX", bytes.NewReader([]byte(raw)), &imap.AppendOptions{})
	if err != nil {
		t.Fatalf("append to INBOX: %v", err)
	}
	return uint32(data.UID)
}

// seen reports, per UID, whether a second client (the rep's mail app)
// sees the message as read.
func (b *repMailbox) seen(t *testing.T) map[uint32]bool {
	t.Helper()
	c, err := imapclient.DialInsecure(b.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(imapUser, imapPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32]bool{}
	for _, m := range msgs {
		out[uint32(m.UID)] = slices.Contains(m.Flags, imap.FlagSeen)
	}
	return out
}

// The mail that arrives in the rep's mailbox. %s are filled in with the
// Message-ID the reply answers.
const (
	oldMail = `From: Pat Friend <pat@example.org>
To: Amy Kline <amy@example.com>
Subject: Photos from the weekend
Date: Sun, 1 Mar 2026 20:00:00 -0600
Message-ID: <old-1@example.org>

Here they are!
`
	janeReply = `From: Jane Doe <jane@example.net>
To: Amy Kline <amy@example.com>
Subject: Re: Thank you for your order, Jane
Date: Mon, 2 Mar 2026 17:00:00 -0600
Message-ID: <jane-reply-1@example.net>
In-Reply-To: <%s>
References: <%s>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Thanks Amy! Can I use the lavender in my diffuser too?

Jane

On Mon, Mar 2, 2026 at 11:00 AM Amy Kline <amy@example.com> wrote:
> Hi Jane,
> Thank you for your order!
`
	bobAutoReply = `From: Bob Roe <bob@example.net>
To: Amy Kline <amy@example.com>
Subject: Automatic reply: Thank you for your order, Bob
Date: Mon, 2 Mar 2026 11:01:00 -0600
Message-ID: <bob-ooo-1@example.net>
In-Reply-To: <%s>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

I'm out of the office until Monday and will reply when I'm back.
`
	caraBounce = `Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: amy@example.com
Subject: Undelivered Mail Returned to Sender
Date: Mon, 2 Mar 2026 11:00:05 -0600
Message-ID: <bounce-1@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

<cara@example.net>: host mx.example.net said: 550 5.1.1 User unknown

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; cara@example.net
Original-Recipient: rfc822;cara@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <cara@example.net>: User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

From: Amy Kline <amy@example.com>
To: Cara Cole <cara@example.net>
Message-ID: <%s>
Subject: Thank you for your order, Cara

--BOUNDARY--
`
	friendMail = `From: Pat Friend <pat@example.org>
To: Amy Kline <amy@example.com>
Subject: Lunch on Friday?
Date: Mon, 2 Mar 2026 12:30:00 -0600
Message-ID: <lunch-1@example.org>

Are you free?
`
	newsletter = `From: Oil Company News <news@company.example>
To: amy@example.com
Subject: New products this spring
Date: Mon, 2 Mar 2026 13:00:00 -0600
Message-ID: <news-1@company.example>
List-Id: <news.company.example>
List-Unsubscribe: <https://company.example/unsub>

Spring catalogue inside.
`
	ownMail = `From: Amy Kline <amy@example.com>
To: Amy Kline <amy@example.com>
Subject: note to self
Date: Mon, 2 Mar 2026 14:00:00 -0600
Message-ID: <self-1@example.com>

buy stamps
`
)

// imapCustomers adds Cara, whose address will bounce, to Jane and Bob.
const imapCustomers = transportCustomers + "Cara,Cole,cara@example.net,,America/Chicago,,,\n"

// openReplies runs `replies --json` (or `--all`) and decodes it.
func openReplies(t *testing.T, w *workspace, args ...string) []replyJSON {
	t.Helper()
	var rs []replyJSON
	w.runJSON(t, &rs, append([]string{"replies", "--json"}, args...)...)
	return rs
}

// repEmails returns the outbox emails to the rep: reply forwards, digests.
func repEmails(t *testing.T, w *workspace) []sentEmail {
	t.Helper()
	return emailsTo(t, w, repAddr)
}

// TestEmailRepliesFromIMAP reads a mailbox holding one customer's reply,
// another's out-of-office, a third's bounce and mail that is none of
// Rapport's business, and checks that each is treated as what it is.
func TestEmailRepliesFromIMAP(t *testing.T) {
	w, box := imapWorkspace(t)
	jane := onlyRow(t, w, janeAddr, "policy-sheet")
	box.deliver(t, fmt.Sprintf(janeReply, jane.MessageID, jane.MessageID))
	box.deliver(t, fmt.Sprintf(bobAutoReply, onlyRow(t, w, bobAddr, "policy-sheet").MessageID))
	box.deliver(t, fmt.Sprintf(caraBounce, onlyRow(t, w, caraAddr, "policy-sheet").MessageID))
	for _, raw := range []string{friendMail, newsletter, ownMail} {
		box.deliver(t, raw)
	}
	runOnce(t, w, orderDay+" 18:00")

	checkJaneReplyLogged(t, w, jane.ID)
	for addr, want := range map[string]string{caraAddr: store.Bounced, bobAddr: store.Subscribed, janeAddr: store.Subscribed} {
		if got := contactNamed(t, w, addr).EmailStatus; got != want {
			t.Errorf("%s: email_status %q, want %q", addr, got, want)
		}
	}
	checkMailboxUntouched(t, box, 7)
	forwards := repEmails(t, w)
	if len(forwards) != 1 || !strings.Contains(forwards[0].Subject, "Jane Doe") || !strings.Contains(forwards[0].Text, "diffuser") {
		t.Fatalf("emails to the rep %+v, want the forward of Jane's reply", forwards)
	}

	// Polling again reads nothing twice.
	runOnce(t, w, orderDay+" 18:05")
	if rs := openReplies(t, w, "--all"); len(rs) != 1 {
		t.Errorf("after a second poll: %d replies, want still 1", len(rs))
	}
	if n := len(repEmails(t, w)); n != 1 {
		t.Errorf("after a second poll: %d emails to the rep, want still 1", n)
	}

	checkDigest(t, w)
	checkAutoReplyPausesNothing(t, w)
}

// imapWorkspace has Jane, Bob and Cara imported, [imap] pointing at the
// rep's mailbox, which holds some old mail, and the three policy sheets
// sent on the order day. That first `run --once` also polled: it starts
// from the newest message, as the rep's old mail is not Rapport's.
func imapWorkspace(t *testing.T) (*workspace, *repMailbox) {
	t.Helper()
	box := startRepMailbox(t)
	w := newWorkspace(t)
	w.write(t, "customers.csv", imapCustomers)
	w.at(t, cst(t, orderDay+" 08:00"), "import", w.path("customers.csv"))
	box.configure(t, w)
	box.deliver(t, oldMail)
	for _, who := range []string{janeAddr, bobAddr, caraAddr} {
		placeOrder(t, w, who)
	}
	runOnce(t, w, orderDay+" 11:00")
	if n := len(emailsTo(t, w, janeAddr)) + len(emailsTo(t, w, bobAddr)) + len(emailsTo(t, w, caraAddr)); n != 3 {
		t.Fatalf("%d policy sheets sent, want 3", n)
	}
	return w, box
}

// checkJaneReplyLogged: exactly one reply, Jane's, without the quoted
// text, tied to the policy sheet it answers.
func checkJaneReplyLogged(t *testing.T, w *workspace, sheetID int64) {
	t.Helper()
	rs := openReplies(t, w)
	if len(rs) != 1 {
		t.Fatalf("replies --json: %d replies, want only Jane's: %+v", len(rs), rs)
	}
	r := rs[0]
	if r.ContactID != contactNamed(t, w, janeAddr).ID || r.Channel != "email" || r.Handled || !strings.Contains(r.Body, "diffuser") {
		t.Errorf("reply %+v, want Jane's open email about the diffuser", r)
	}
	if strings.Contains(r.Body, "> Thank you for your order") {
		t.Errorf("reply body keeps the quoted policy sheet: %q", r.Body)
	}
	var answers int64
	if err := openDB(t, w).QueryRow(`SELECT coalesce(message_id, 0) FROM replies WHERE id = ?`, r.ID).Scan(&answers); err != nil {
		t.Fatal(err)
	}
	if answers != sheetID {
		t.Errorf("reply is tied to message %d, want the policy sheet %d it answers", answers, sheetID)
	}
}

// checkMailboxUntouched: every message is still there and still unread.
func checkMailboxUntouched(t *testing.T, box *repMailbox, want int) {
	t.Helper()
	seen := box.seen(t)
	if len(seen) != want {
		t.Errorf("mailbox holds %d messages, want all %d still there", len(seen), want)
	}
	for uid, read := range seen {
		if read {
			t.Errorf("message %d was marked read; Rapport must leave the rep's mailbox as it was", uid)
		}
	}
}

// checkDigest: the next morning's digest, once, at [notify] digest_at.
func checkDigest(t *testing.T, w *workspace) {
	t.Helper()
	runOnce(t, w, "2026-03-03 07:29")
	if n := len(repEmails(t, w)); n != 1 {
		t.Fatalf("before 07:30: %d emails to the rep, want only the forward", n)
	}
	runOnce(t, w, "2026-03-03 07:30")
	runOnce(t, w, "2026-03-03 07:45")
	mails := repEmails(t, w)
	if len(mails) != 2 {
		t.Fatalf("%d emails to the rep, want the forward and one digest", len(mails))
	}
	digest := mails[1]
	if !strings.HasPrefix(digest.Subject, "Rapport — your day, Tue 3 Mar") {
		t.Errorf("digest subject %q", digest.Subject)
	}
	for _, want := range []string{"diffuser", caraAddr, "/dashboard/today"} {
		if !strings.Contains(digest.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, digest.Text)
		}
	}
}

// checkAutoReplyPausesNothing: on 7 March Bob (whose out-of-office came
// back) gets his arrival check; Jane, whose reply is open, does not.
func checkAutoReplyPausesNothing(t *testing.T, w *workspace) {
	t.Helper()
	runOnce(t, w, "2026-03-07 10:30")
	if r := onlyRow(t, w, bobAddr, "arrival-check"); r.State != store.Sent {
		t.Errorf("Bob's arrival check is %s, want sent: an auto-reply must pause nothing", r.State)
	}
	if r := onlyRow(t, w, janeAddr, "arrival-check"); r.State != store.Pending {
		t.Errorf("Jane's arrival check is %s, want pending while her reply is open", r.State)
	}
	if r := onlyRow(t, w, caraAddr, "arrival-check"); r.State != store.Skipped {
		t.Errorf("Cara's arrival check is %s, want skipped: her address bounced", r.State)
	}
}

// sendText plays a customer texting the rep's Twilio number, through the
// daemon's webhook, signed as Twilio signs it.
func sendText(t *testing.T, tw *twiliotest.Server, d *runningDaemon, from, body string) {
	t.Helper()
	code, err := tw.SendInbound(context.Background(), d.base+"/twilio/sms", twiliotest.InboundSMS{From: from, To: repNumber, Body: body})
	if err != nil || code != http.StatusOK {
		t.Fatalf("text %q from %s: webhook answered %d, %v\n%s", body, from, code, err, d.out)
	}
}

// waitForRepEmails polls the outbox until the running daemon has sent n
// emails to the rep.
func waitForRepEmails(t *testing.T, w *workspace, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for len(repEmails(t, w)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d emails to the rep after 15s, want %d", len(repEmails(t, w)), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTextRepliesAndRepliesCommands: texts to the running daemon become
// replies; `replies --json` shows them as documented, `replies export`
// writes a CSV a spreadsheet cannot be tricked by, and `replies done`
// lets the customer's follow-up go on.
func TestTextRepliesAndRepliesCommands(t *testing.T) {
	w, tw := twilioWorkspace(t)
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	w.setKey(t, "http", "public_url", strconv.Quote("http://"+addr))
	received := cst(t, "2026-03-03 12:00")
	d := startDaemon(t, w, addr, received)
	const formula = `=HYPERLINK("http://evil.example","your tracking")`
	sendText(t, tw, d, janeE164, formula)
	sendText(t, tw, d, strangerE164, "@Amy is this still your number?")
	checkUnsignedRefused(t, d)
	// The first is forwarded at once; the second, seconds later, waits the
	// alert gap (or both go as one summary, if they came before a pass).
	waitForRepEmails(t, w, 1)
	d.shutdown(t)

	checkRepliesJSON(t, w, received)
	checkExport(t, w, formula)

	// Jane's arrival check waits for her reply to be handled.
	runOnce(t, w, "2026-03-07 10:30")
	if n := len(tw.Sent()); n != 0 {
		t.Fatalf("%d texts while Jane's reply is open, want none", n)
	}
	janeReply := openReplies(t, w)[0]
	out := w.at(t, cst(t, "2026-03-07 10:40"), "replies", "done", strconv.FormatInt(janeReply.ID, 10))
	if !strings.Contains(out, "resumes") {
		t.Errorf("replies done: %q, want it to say Jane's follow-up resumes", out)
	}
	if rs := openReplies(t, w); len(rs) != 1 || rs[0].ContactID != 0 {
		t.Errorf("open replies after done: %+v, want only the stranger's", rs)
	}
	all := openReplies(t, w, "--all")
	if i := slices.IndexFunc(all, func(r replyJSON) bool { return r.ID == janeReply.ID }); i < 0 || !all[i].Handled {
		t.Errorf("replies --all: %+v, want Jane's reply handled", all)
	}
	runOnce(t, w, "2026-03-07 10:45")
	checkTextedOnce(t, w, tw)
}

// checkUnsignedRefused: a forged inbound text gets 403 and is not stored.
func checkUnsignedRefused(t *testing.T, d *runningDaemon) {
	t.Helper()
	form := url.Values{"MessageSid": {"SM" + strings.Repeat("0", 32)}, "From": {janeE164}, "To": {repNumber}, "Body": {"forged"}}
	resp, err := http.PostForm(d.base+"/twilio/sms", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned webhook: %d, want 403", resp.StatusCode)
	}
}

// checkRepliesJSON checks the documented fields of `replies --json`, by
// name.
func checkRepliesJSON(t *testing.T, w *workspace, received time.Time) {
	t.Helper()
	var raw []map[string]any
	if err := json.Unmarshal([]byte(w.mustRun(t, "replies", "--json")), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 2 {
		t.Fatalf("replies --json: %d replies, want 2", len(raw))
	}
	for _, r := range raw {
		for _, key := range []string{"id", "contact_id", "channel", "received_at", "body", "flags", "handled"} {
			if _, ok := r[key]; !ok {
				t.Errorf("reply %v has no %q", r["id"], key)
			}
		}
		if _, ok := r["flags"].([]any); !ok {
			t.Errorf("flags %#v, want a list", r["flags"])
		}
		if r["channel"] != "sms" || r["handled"] != false {
			t.Errorf("reply %v: channel %v handled %v, want an open sms", r["id"], r["channel"], r["handled"])
		}
		at, err := time.Parse(time.RFC3339, fmt.Sprint(r["received_at"]))
		if err != nil || at.Before(received) || at.After(received.Add(time.Minute)) {
			t.Errorf("received_at %v, want RFC 3339 near %s", r["received_at"], received.Format(time.RFC3339))
		}
	}
	byBody := map[string]float64{}
	for _, r := range raw {
		byBody[fmt.Sprint(r["body"])] = r["contact_id"].(float64)
	}
	if id := byBody["@Amy is this still your number?"]; id != 0 {
		t.Errorf("stranger's reply has contact_id %v, want 0", id)
	}
	janeID := contactNamed(t, w, janeAddr).ID
	for body, id := range byBody {
		if strings.HasPrefix(body, "=") && int64(id) != janeID {
			t.Errorf("Jane's reply has contact_id %v, want %d", id, janeID)
		}
	}
}

// checkExport: every cell a spreadsheet would run as a formula (= + - @
// first) is written with a leading quote; the file is never overwritten.
func checkExport(t *testing.T, w *workspace, formula string) {
	t.Helper()
	path := w.path("replies.csv")
	w.mustRun(t, "replies", "export", path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	if len(rows) != 3 {
		t.Fatalf("export has %d rows, want a header and 2 replies", len(rows))
	}
	var cells []string
	for _, row := range rows[1:] {
		cells = append(cells, row...)
	}
	for _, want := range []string{"'" + formula, "'@Amy is this still your number?", "'" + janeE164, "'" + strangerE164} {
		if !slices.Contains(cells, want) {
			t.Errorf("export lacks the escaped cell %q; cells: %q", want, cells)
		}
	}
	for _, c := range cells {
		if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
			t.Errorf("cell %q would run as a formula", c)
		}
	}
	if _, _, code := w.run(t, "replies", "export", path); code != exitInvalid {
		t.Errorf("export over an existing file: exit %d, want %d", code, exitInvalid)
	}
}

// TestReplyAddressPerMessage: with reply_to = "amy+{token}@example.com",
// `check` explains sub-addressing, each email carries its own reply
// address, and a reply to it is tied to that email even when it comes from
// an address Rapport does not know and names no Message-ID.
func TestReplyAddressPerMessage(t *testing.T) {
	box := startRepMailbox(t)
	w := newWorkspace(t)
	w.setKey(t, "email", "reply_to", `"amy+{token}@example.com"`)
	if out := w.mustRun(t, "check"); !strings.Contains(out, "sub-addressing") || !strings.Contains(out, "amy+test@example.com") {
		t.Errorf("check does not explain the reply address:\n%s", out)
	}
	w.write(t, "customers.csv", imapCustomers)
	w.at(t, cst(t, orderDay+" 08:00"), "import", w.path("customers.csv"))
	box.configure(t, w)
	placeOrder(t, w, janeAddr)
	runOnce(t, w, orderDay+" 11:00")
	sheet := emailsTo(t, w, janeAddr)
	if len(sheet) != 1 {
		t.Fatalf("%d emails to Jane, want the policy sheet", len(sheet))
	}
	replyTo := strings.Trim(sheet[0].Header.Get("Reply-To"), "<>")
	if !strings.HasPrefix(replyTo, "amy+") || strings.Contains(replyTo, "{token}") {
		t.Fatalf("Reply-To %q, want amy+<token>@example.com", replyTo)
	}
	box.deliver(t, fmt.Sprintf(`From: J Doe <jdoe.work@example.org>
To: %s
Subject: a question
Date: Mon, 2 Mar 2026 17:00:00 -0600
Message-ID: <work-1@example.org>

Is the lavender safe for a diffuser?
`, replyTo))
	box.deliver(t, friendMail)
	runOnce(t, w, orderDay+" 18:00")
	rs := openReplies(t, w)
	if len(rs) != 1 || rs[0].ContactID != contactNamed(t, w, janeAddr).ID {
		t.Fatalf("replies %+v, want one, tied to Jane", rs)
	}

	// A reply to a reply address whose token was altered matches nobody:
	// kept, and shown as from someone not in the customers.
	box.deliver(t, fmt.Sprintf("From: Sam <sam@elsewhere.example>\nTo: %s\nSubject: hello\nMessage-ID: <sam-1@elsewhere.example>\n\nWho are you?\n",
		strings.Replace(replyTo, "amy+", "amy+9", 1)))
	runOnce(t, w, orderDay+" 18:30")
	if out := w.mustRun(t, "replies"); !strings.Contains(out, "sam@elsewhere.example (from someone not in your customers)") {
		t.Errorf("replies does not show the stranger's reply as such:\n%s", out)
	}
}

// TestRunningDaemonHearsRepliesAtOnce: `rapport run` waits in IDLE, so a
// reply that lands in the mailbox reaches the rep within seconds, not at
// the next poll a minute later.
func TestRunningDaemonHearsRepliesAtOnce(t *testing.T) {
	w, box := imapWorkspace(t)
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	w.setKey(t, "imap", "interval", `"10m"`)
	startDaemon(t, w, addr, cst(t, orderDay+" 17:00"))
	jane := onlyRow(t, w, janeAddr, "policy-sheet")
	box.deliver(t, fmt.Sprintf(janeReply, jane.MessageID, jane.MessageID))
	deadline := time.Now().Add(10 * time.Second)
	for len(repEmails(t, w)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the reply did not reach the rep within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkJaneReplyLogged(t, w, jane.ID)
}
