package mailbox_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/rapportapp/rapport/internal/mailbox"
)

// recorder collects what Poll hands over and saves.
type recorder struct {
	uids  []uint32
	raws  []string
	saved []mailbox.Cursor
}

func (r *recorder) handle(uid uint32, raw []byte) error {
	r.uids = append(r.uids, uid)
	r.raws = append(r.raws, string(raw))
	return nil
}

func (r *recorder) save(c mailbox.Cursor) error {
	r.saved = append(r.saved, c)
	return nil
}

// poll runs Poll and fails the test on error.
func poll(t *testing.T, cfg mailbox.Config, cur mailbox.Cursor) (mailbox.Cursor, *recorder) {
	t.Helper()
	r := &recorder{}
	got, err := mailbox.Poll(context.Background(), cfg, cur, r.handle, r.save)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return got, r
}

func TestPollReadsEachMessageOnce(t *testing.T) {
	ts := startServer(t, false)
	for n := 1; n <= 3; n++ {
		ts.add(t, testMessage(n))
	}

	cur, r := poll(t, ts.config(), mailbox.Cursor{})
	if want := []uint32{1, 2, 3}; !reflect.DeepEqual(r.uids, want) {
		t.Fatalf("first poll handled UIDs %v, want %v", r.uids, want)
	}
	if !strings.Contains(r.raws[1], "Message-ID: <m2@example.com>") {
		t.Errorf("UID 2 body = %q", r.raws[1])
	}
	v := cur.UIDValidity
	if v == 0 {
		t.Fatal("cursor has no UIDVALIDITY")
	}
	if want := []mailbox.Cursor{{UIDValidity: v, LastUID: 1}, {UIDValidity: v, LastUID: 2}, {UIDValidity: v, LastUID: 3}}; !reflect.DeepEqual(r.saved, want) {
		t.Errorf("saved %v, want %v", r.saved, want)
	}

	again, r := poll(t, ts.config(), cur)
	if len(r.uids) != 0 || again != cur {
		t.Errorf("second poll handled %v and returned %v, want nothing and %v", r.uids, again, cur)
	}

	ts.add(t, testMessage(4))
	ts.add(t, testMessage(5))
	cur, r = poll(t, ts.config(), cur)
	if want := []uint32{4, 5}; !reflect.DeepEqual(r.uids, want) {
		t.Errorf("third poll handled %v, want %v", r.uids, want)
	}
	if want := (mailbox.Cursor{UIDValidity: v, LastUID: 5}); cur != want {
		t.Errorf("cursor %v, want %v", cur, want)
	}
}

// TestPollLeavesFlagsAlone checks that the rep's mail keeps its read and
// unread state: polling must not mark anything \Seen.
func TestPollLeavesFlagsAlone(t *testing.T) {
	ts := startServer(t, false)
	ts.add(t, testMessage(1), imap.FlagSeen)
	ts.add(t, testMessage(2))
	ts.add(t, testMessage(3), imap.FlagFlagged)
	ts.add(t, testMessage(4), imap.FlagSeen, imap.FlagAnswered)
	before := ts.flags(t)

	if _, r := poll(t, ts.config(), mailbox.Cursor{}); len(r.uids) != 4 {
		t.Fatalf("handled %v, want 4 messages", r.uids)
	}
	if after := ts.flags(t); !reflect.DeepEqual(after, before) {
		t.Errorf("flags changed by polling:\nbefore %v\nafter  %v", before, after)
	}
}

func TestPollUIDValidityChange(t *testing.T) {
	ts := startServer(t, false)
	ts.add(t, testMessage(1))
	ts.add(t, testMessage(2))
	old, _ := poll(t, ts.config(), mailbox.Cursor{})

	// The mailbox is rebuilt: same name, new UIDVALIDITY, UIDs from 1.
	if err := ts.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := ts.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ts.add(t, testMessage(1))
	ts.add(t, testMessage(2))
	ts.add(t, testMessage(3))

	cur, r := poll(t, ts.config(), old)
	if want := []uint32{1, 2, 3}; !reflect.DeepEqual(r.uids, want) {
		t.Errorf("after UIDVALIDITY change handled %v, want %v", r.uids, want)
	}
	if cur.UIDValidity == old.UIDValidity || cur.LastUID != 3 {
		t.Errorf("cursor %v, want a new UIDVALIDITY (old %d) and LastUID 3", cur, old.UIDValidity)
	}
}

// TestPollIgnoresLastMessageBelowCursor covers "UID n:*", which returns the
// highest message even when its UID is below n: here the newest message
// was deleted, so UIDNEXT is ahead of what is left.
func TestPollIgnoresLastMessageBelowCursor(t *testing.T) {
	ts := startServer(t, false)
	ts.add(t, testMessage(1))
	ts.add(t, testMessage(2))
	cur, _ := poll(t, ts.config(), mailbox.Cursor{})
	ts.expunge(t, ts.add(t, testMessage(3)))

	got, r := poll(t, ts.config(), cur)
	if len(r.uids) != 0 || got != cur {
		t.Errorf("handled %v, cursor %v; want nothing and %v", r.uids, got, cur)
	}
}

func TestPollHandlerErrorStops(t *testing.T) {
	ts := startServer(t, false)
	for n := 1; n <= 3; n++ {
		ts.add(t, testMessage(n))
	}
	dbDown := errors.New("database is locked")
	r := &recorder{}
	handle := func(uid uint32, raw []byte) error {
		if uid == 2 {
			return dbDown
		}
		return r.handle(uid, raw)
	}
	cur, err := mailbox.Poll(context.Background(), ts.config(), mailbox.Cursor{}, handle, r.save)
	if !errors.Is(err, dbDown) {
		t.Fatalf("Poll error = %v, want %v", err, dbDown)
	}
	if !strings.Contains(err.Error(), "UID 2") {
		t.Errorf("error %q does not name the message", err)
	}
	if cur.LastUID != 1 || len(r.saved) != 1 || r.saved[0].LastUID != 1 {
		t.Errorf("cursor %v, saved %v; want both at UID 1", cur, r.saved)
	}

	cur, r = poll(t, ts.config(), cur)
	if want := []uint32{2, 3}; !reflect.DeepEqual(r.uids, want) || cur.LastUID != 3 {
		t.Errorf("retry handled %v to %v, want %v to UID 3", r.uids, cur, want)
	}
}

func TestPollSaveErrorStops(t *testing.T) {
	ts := startServer(t, false)
	ts.add(t, testMessage(1))
	ts.add(t, testMessage(2))
	diskFull := errors.New("disk full")
	r := &recorder{}
	_, err := mailbox.Poll(context.Background(), ts.config(), mailbox.Cursor{}, r.handle,
		func(mailbox.Cursor) error { return diskFull })
	if !errors.Is(err, diskFull) || len(r.uids) != 1 {
		t.Errorf("Poll = %v after handling %v; want %v after one message", err, r.uids, diskFull)
	}
}

func TestPollLargeMailboxInBatches(t *testing.T) {
	ts := startServer(t, false)
	const n = 130 // three batches
	for i := 1; i <= n; i++ {
		ts.add(t, testMessage(i))
	}
	cur, r := poll(t, ts.config(), mailbox.Cursor{})
	if len(r.uids) != n || cur.LastUID != n {
		t.Fatalf("handled %d messages up to %v, want %d", len(r.uids), cur, n)
	}
	for i, uid := range r.uids {
		if uid != uint32(i+1) || !strings.Contains(r.raws[i], "Reply "+strconv.Itoa(i+1)+"\r\n") {
			t.Fatalf("message %d: UID %d body %q", i, uid, r.raws[i])
		}
	}
}

func TestPollEmptyMailbox(t *testing.T) {
	ts := startServer(t, false)
	cur, r := poll(t, ts.config(), mailbox.Cursor{})
	if len(r.uids) != 0 || cur.LastUID != 0 || cur.UIDValidity == 0 {
		t.Errorf("handled %v, cursor %v", r.uids, cur)
	}
}

func TestPollOtherMailbox(t *testing.T) {
	ts := startServer(t, false)
	if err := ts.user.Create("Customers", nil); err != nil {
		t.Fatal(err)
	}
	ts.add(t, testMessage(1))
	ts.addTo(t, "Customers", testMessage(2))
	cfg := ts.config()
	cfg.Mailbox = "Customers"
	_, r := poll(t, cfg, mailbox.Cursor{})
	if len(r.raws) != 1 || !strings.Contains(r.raws[0], "<m2@example.com>") {
		t.Errorf("handled %q, want only m2 from Customers", r.raws)
	}
}

func TestLatest(t *testing.T) {
	ts := startServer(t, false)
	ts.add(t, testMessage(1))
	ts.add(t, testMessage(2))
	cur, err := mailbox.Latest(context.Background(), ts.config())
	if err != nil {
		t.Fatal(err)
	}
	if cur.LastUID != 2 {
		t.Fatalf("Latest = %v, want LastUID 2", cur)
	}
	ts.add(t, testMessage(3))
	if _, r := poll(t, ts.config(), cur); !reflect.DeepEqual(r.uids, []uint32{3}) {
		t.Errorf("poll from Latest handled %v, want [3]", r.uids)
	}
}

func TestPollTLS(t *testing.T) {
	ts := startServer(t, true)
	ts.add(t, testMessage(1))
	tests := []struct {
		name, mode, addr string
	}{
		{"implicit TLS", "tls", ts.tls},
		{"STARTTLS", "starttls", ts.plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ts.config()
			cfg.Host, cfg.Port = splitAddr(tt.addr)
			cfg.TLS = tt.mode
			cfg.TLSConfig = &tls.Config{RootCAs: ts.roots}
			if _, r := poll(t, cfg, mailbox.Cursor{}); len(r.uids) != 1 {
				t.Errorf("handled %v, want one message", r.uids)
			}

			cfg.TLSConfig = nil // the system roots do not know this certificate
			_, err := mailbox.Poll(context.Background(), cfg, mailbox.Cursor{}, (&recorder{}).handle, (&recorder{}).save)
			var unknownCA x509.UnknownAuthorityError
			if err == nil || !errors.As(err, &unknownCA) {
				t.Errorf("Poll with an untrusted certificate = %v, want a certificate error", err)
			}
		})
	}
}

func TestPollErrors(t *testing.T) {
	ts := startServer(t, false)
	tlsOnly := startServer(t, true)

	wrongPassword := ts.config()
	wrongPassword.Password = "hunter2"
	noMailbox := ts.config()
	noMailbox.Mailbox = "Replies"
	plainLogin := tlsOnly.config()
	badMode := ts.config()
	badMode.TLS = "ssl"
	tlsOnPlainPort := ts.config()
	tlsOnPlainPort.TLS = "tls"

	tests := []struct {
		name  string
		cfg   mailbox.Config
		is    error
		wants []string
	}{
		{"wrong password", wrongPassword, mailbox.ErrLogin, []string{testUser, ts.plain, "username or password"}},
		{"no such mailbox", noMailbox, nil, []string{`"Replies"`}},
		{"login needs TLS", plainLogin, nil, []string{"starttls"}},
		{"unknown tls mode", badMode, nil, []string{`"ssl"`, "starttls"}},
		{"TLS on a plain port", tlsOnPlainPort, nil, []string{"did not answer in TLS", "993"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mailbox.Poll(context.Background(), tt.cfg, mailbox.Cursor{}, (&recorder{}).handle, (&recorder{}).save)
			if err == nil {
				t.Fatal("Poll succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tt.cfg.Password) {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

// TestPollTimeout uses a server that accepts connections and never speaks.
func TestPollTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	host, port := splitAddr(ln.Addr().String())
	cfg := mailbox.Config{Host: host, Port: port, TLS: "none", Username: testUser, Password: testPassword, Timeout: 200 * time.Millisecond}
	_, err = mailbox.Poll(context.Background(), cfg, mailbox.Cursor{}, (&recorder{}).handle, (&recorder{}).save)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer") {
		t.Errorf("Poll = %v, want a timeout", err)
	}
}

// TestPollCanceled checks that a canceled context stops Poll between
// messages, with the cursor after the last one handled.
func TestPollCanceled(t *testing.T) {
	ts := startServer(t, false)
	for n := 1; n <= 3; n++ {
		ts.add(t, testMessage(n))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &recorder{}
	handle := func(uid uint32, raw []byte) error {
		cancel() // the daemon is shutting down
		return r.handle(uid, raw)
	}
	cur, err := mailbox.Poll(ctx, ts.config(), mailbox.Cursor{}, handle, r.save)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Poll = %v, want context.Canceled", err)
	}
	if cur.LastUID != 1 || len(r.uids) != 1 {
		t.Errorf("handled %v, cursor %v; want only UID 1", r.uids, cur)
	}
}

func TestPollConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host, port := splitAddr(ln.Addr().String())
	ln.Close()
	cfg := mailbox.Config{Host: host, Port: port, TLS: "none", Timeout: time.Second}
	_, err = mailbox.Poll(context.Background(), cfg, mailbox.Cursor{}, (&recorder{}).handle, (&recorder{}).save)
	if err == nil || !strings.Contains(err.Error(), "connect") || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Poll = %v, want a connect error naming the server", err)
	}
}
