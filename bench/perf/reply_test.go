package perf

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

// Targets and sizes for reply latency.
const (
	maxMailLatency = 5 * time.Second
	maxTextLatency = time.Second
	mailReplies    = 20
	textReplies    = 1000
	alertTimeout   = 30 * time.Second
)

// BenchmarkReplyLatency runs `rapport run` with [imap] pointed at go-imap's
// in-memory server and the Twilio webhook on a known port, and times how
// long a customer's reply takes to become the rep's alert in the outbox:
// from a reply appended to the mailbox (IDLE announces it), and from a
// signed inbound-text webhook's arrival (through the spool and the
// dispatcher), one at a time. The alert is seen by watching the outbox
// folder for its file.
func BenchmarkReplyLatency(b *testing.B) {
	user, imapPort := startIMAP(b)
	srv := twiliotest.Start(b)
	listen := freeAddr(b)
	dir := env.dir(b, "reply-latency")
	ws, err := NewWorkspace(context.Background(), env.rapport(b), filepath.Join(dir, "rapport"), Settings{
		TwilioURL: srv.URL, SID: srv.AccountSID, Token: srv.AuthToken, Listen: listen, IMAPPort: imapPort,
	})
	if err != nil {
		b.Fatal(err)
	}
	d := &daemon{ws: ws, log: filepath.Join(dir, "daemon.log")}
	if d.sock, err = ListenNotify(dir); err != nil {
		b.Fatal(err)
	}
	defer d.sock.Close()
	stop := d.startReady(b, quiet)
	defer stop()
	out := &outboxWatch{dir: ws.Outbox(), db: ws.DB()}
	waitIMAPConnected(b, ws)

	mail := make([]time.Duration, 0, mailReplies)
	for i := range mailReplies {
		mail = append(mail, out.timeAlert(b, func() { appendReply(b, user, i) }))
	}
	texts := make([]time.Duration, 0, textReplies)
	hook := "http://" + listen + "/twilio/sms"
	for i := range textReplies {
		texts = append(texts, out.timeAlert(b, func() { postText(b, hook, srv.AuthToken, srv.AccountSID, i) }))
	}
	mp50, mmax := percentile(mail, 50), percentile(mail, 100)
	tp50, tp99 := percentile(texts, 50), percentile(texts, 99)
	results.Add(Row{Name: fmt.Sprintf("email reply to rep's alert, IDLE, max of %d (p50 %s)", mailReplies, Seconds(mp50)),
		Figure: Seconds(mmax), Baseline: Seconds(maxMailLatency) + " target", Ratio: mmax.Seconds() / maxMailLatency.Seconds(),
		Target: "< 5 s", Met: mmax < maxMailLatency})
	results.Add(Row{Name: fmt.Sprintf("signed text webhook to rep's alert, p99 of %d (p50 %s)", textReplies, Seconds(tp50)),
		Figure: Seconds(tp99), Baseline: Seconds(maxTextLatency) + " target", Ratio: tp99.Seconds() / maxTextLatency.Seconds(),
		Target: "< 1 s", Met: tp99 < maxTextLatency})
	b.ReportMetric(float64(mmax)/1e6, "ms/mail-max")
	b.ReportMetric(float64(tp99)/1e6, "ms/text-p99")
}

// startReady starts the daemon and waits for READY=1; the returned func
// stops it.
func (d *daemon) startReady(tb testing.TB, now string) func() {
	tb.Helper()
	logf, err := os.OpenFile(d.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	cmd, err := d.ws.Start(now, []string{"NOTIFY_SOCKET=" + d.sock.Path}, logf)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := d.sock.Wait("READY=1", readyTimeout); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tb.Fatalf("rapport run: %v\n%s", err, readTail(d.log))
	}
	return func() {
		if err := Stop(cmd); err != nil {
			tb.Errorf("rapport run did not stop cleanly: %v\n%s", err, readTail(d.log))
		}
		logf.Close()
	}
}

// waitIMAPConnected waits until the daemon has read the mailbox once (it
// records the poll), so that the first timed reply finds it in IDLE.
func waitIMAPConnected(tb testing.TB, ws *Workspace) {
	tb.Helper()
	deadline := time.Now().Add(alertTimeout)
	for time.Now().Before(deadline) {
		r, err := Command(context.Background(), nil, nil, "sqlite3", ws.DB(), "SELECT count(*) FROM mail_cursors WHERE read_at > 0")
		if err == nil && strings.TrimSpace(r.Stdout) == "1" {
			time.Sleep(200 * time.Millisecond) // from the read to IDLE
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatal("the daemon never read the mailbox")
}

// outboxWatch counts the files in the outbox.
type outboxWatch struct {
	dir  string
	db   string // the workspace's database
	seen int
}

// timeAlert runs send in a quiet moment and returns how long until a new
// file appears. A reply that comes within a few minutes of the rep's last
// alert waits and goes with the others in one summary (the engine's
// alertGap): each timed reply here is made the first in a while by
// forgetting when the rep was last told, before the clock starts.
func (o *outboxWatch) timeAlert(tb testing.TB, send func()) time.Duration {
	tb.Helper()
	r, err := Command(context.Background(), strings.NewReader(".timeout 10000\nDELETE FROM settings WHERE key LIKE 'alerts:last:%';\n"), nil, "sqlite3", o.db)
	if err != nil || r.ExitCode != 0 || r.Stderr != "" {
		tb.Fatalf("forget the last alert: %v %s", err, r.Stderr)
	}
	o.seen = o.count(tb)
	start := time.Now()
	send()
	for time.Since(start) < alertTimeout {
		if n := o.count(tb); n > o.seen {
			return time.Since(start)
		}
		time.Sleep(time.Millisecond)
	}
	tb.Fatalf("no alert within %v", alertTimeout)
	return 0
}

func (o *outboxWatch) count(tb testing.TB) int {
	entries, err := os.ReadDir(o.dir)
	if err != nil && !os.IsNotExist(err) {
		tb.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && !e.IsDir() {
			n++
		}
	}
	return n
}

// appendReply puts a reply to an email of Rapport's in the mailbox.
func appendReply(tb testing.TB, user *imapmemserver.User, i int) {
	tb.Helper()
	raw := fmt.Sprintf("From: Pat <pat%d@example.org>\r\nTo: %s\r\nSubject: Re: your order\r\nMessage-ID: <bench-reply-%d@example.org>\r\nIn-Reply-To: <sent-%d@example.com>\r\n\r\nThanks, it arrived.\r\n", i, IMAPUser, i, i)
	if _, err := user.Append("INBOX", bytes.NewReader([]byte(raw)), &imap.AppendOptions{}); err != nil {
		tb.Fatal(err)
	}
}

// postText posts a signed inbound text, as Twilio would.
func postText(tb testing.TB, hook, token, sid string, i int) {
	tb.Helper()
	form := url.Values{
		"MessageSid": {fmt.Sprintf("SM%032x", i)}, "AccountSid": {sid},
		"From": {fmt.Sprintf("+1312555%04d", 2000+i%8000)}, "To": {"+13125550100"}, "Body": {"Thanks, it arrived."},
	}
	public := "https://rapport.example.com/twilio/sms"
	req, err := http.NewRequest(http.MethodPost, hook, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliotest.Signature(token, public, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		tb.Fatalf("webhook answered %s", resp.Status)
	}
}

// startIMAP starts go-imap's in-memory server with the rep's account.
func startIMAP(tb testing.TB) (*imapmemserver.User, int) {
	tb.Helper()
	user := imapmemserver.NewUser(IMAPUser, IMAPPassword)
	if err := user.Create("INBOX", nil); err != nil {
		tb.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(user)
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
		tb.Fatal(err)
	}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return user, ln.Addr().(*net.TCPAddr).Port
}

// flushingSession sends what changed before IDLE as IDLE starts, as
// Dovecot does; go-imap's memory server would hold it back until the next
// change, so mail that came just before IDLE would wait for the next one.
type flushingSession struct{ imapserver.Session }

func (s flushingSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.Session.Poll(w, true); err != nil {
		return err
	}
	return s.Session.Idle(w, stop)
}

// percentile returns the p-th percentile (nearest rank) of times.
func percentile(times []time.Duration, p int) time.Duration {
	s := slices.Clone(times)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}
