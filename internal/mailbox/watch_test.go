package mailbox_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/rapportapp/rapport/internal/mailbox"
	"github.com/rapportapp/rapport/internal/testsrv/needtool"
)

// backend is an IMAP server the watch scenarios run against, with a way
// to put mail in a mailbox as a sender's server would.
type backend interface {
	config() mailbox.Config
	create(t *testing.T, name string)
	remove(t *testing.T, name string)
	deliver(t *testing.T, name, raw string, at time.Time) uint32
}

// memBackend is go-imap's in-memory server.
type memBackend struct{ ts *testServer }

func (b memBackend) config() mailbox.Config { return b.ts.config() }

func (b memBackend) create(t *testing.T, name string) {
	t.Helper()
	if err := b.ts.user.Create(name, nil); err != nil {
		t.Fatal(err)
	}
}

func (b memBackend) remove(t *testing.T, name string) {
	t.Helper()
	if err := b.ts.user.Delete(name); err != nil {
		t.Fatal(err)
	}
}

func (b memBackend) deliver(t *testing.T, name, raw string, at time.Time) uint32 {
	t.Helper()
	data, err := b.ts.user.Append(name, strings.NewReader(raw), &imap.AppendOptions{Time: at})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return uint32(data.UID)
}

// dovecotBackend is a private Dovecot, fed through a client of its own.
type dovecotBackend struct {
	cfg mailbox.Config
	c   *imapclient.Client
	mu  sync.Mutex // the client is used from the test and its helpers
}

func (b *dovecotBackend) config() mailbox.Config { return b.cfg }

func (b *dovecotBackend) create(t *testing.T, name string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.c.Create(name, nil).Wait(); err != nil {
		t.Fatal(err)
	}
}

func (b *dovecotBackend) remove(t *testing.T, name string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.c.Delete(name).Wait(); err != nil {
		t.Fatal(err)
	}
}

func (b *dovecotBackend) deliver(t *testing.T, name, raw string, at time.Time) uint32 {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	cmd := b.c.Append(name, int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return uint32(data.UID)
}

func TestWatchMemoryServer(t *testing.T) {
	runWatchScenarios(t, memBackend{startServer(t, false)})
}

// TestWatchDovecot runs the same scenarios against Dovecot; skipped only
// when Dovecot is not installed.
func TestWatchDovecot(t *testing.T) {
	bin := needtool.Path(t, "apt-get install dovecot-imapd", "dovecot")
	cfg := startDovecot(t, bin)
	runWatchScenarios(t, &dovecotBackend{cfg: cfg, c: dialDovecot(t, cfg)})
}

func runWatchScenarios(t *testing.T, b backend) {
	scenarios := []struct {
		name string
		run  func(t *testing.T, b backend, box string)
	}{
		{"idle delivery", idleDelivery},
		{"connection dropped in idle", droppedInIdle},
		{"uidvalidity change", uidValidityChange},
		{"a week of downtime", weekOfDowntime},
		{"server without idle", serverWithoutIdle},
	}
	for i, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			box := fmt.Sprintf("Replies%d", i)
			b.create(t, box)
			sc.run(t, b, box)
		})
	}
}

// watcher runs Watch in the background and reports what it hands over.
type watcher struct {
	handled  chan string         // Message-IDs, as handled
	caughtUp chan mailbox.Cursor // after every complete read
	done     chan struct{}       // closed when Watch has returned, with its result in res
	res      watchResult
	cancel   context.CancelFunc
}

type watchResult struct {
	cur mailbox.Cursor
	err error
}

func startWatch(t *testing.T, cfg mailbox.Config, cur mailbox.Cursor) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{handled: make(chan string, 500), caughtUp: make(chan mailbox.Cursor, 500), done: make(chan struct{}), cancel: cancel}
	handle := func(_ uint32, raw []byte) error {
		w.handled <- messageID(raw)
		return nil
	}
	save := func(mailbox.Cursor) error { return nil }
	caughtUp := func(c mailbox.Cursor) error {
		w.caughtUp <- c
		return nil
	}
	go func() {
		c, err := mailbox.Watch(ctx, cfg, cur, handle, save, caughtUp)
		w.res = watchResult{c, err}
		close(w.done)
	}()
	t.Cleanup(func() { cancel(); <-w.done })
	return w
}

// stop ends the watch and returns its result.
func (w *watcher) stop(t *testing.T) watchResult {
	t.Helper()
	w.cancel()
	return w.result(t)
}

func (w *watcher) result(t *testing.T) watchResult {
	t.Helper()
	select {
	case <-w.done:
		return w.res
	case <-time.After(20 * time.Second):
		t.Fatal("Watch did not return")
		return watchResult{}
	}
}

// waitCaughtUp waits for the next complete read.
func (w *watcher) waitCaughtUp(t *testing.T) mailbox.Cursor {
	t.Helper()
	select {
	case c := <-w.caughtUp:
		return c
	case <-w.done:
		t.Fatalf("Watch returned before reading: %v", w.res.err)
	case <-time.After(20 * time.Second):
		t.Fatal("Watch never caught up")
	}
	return mailbox.Cursor{}
}

// take waits for n handled messages.
func (w *watcher) take(t *testing.T, n int, within time.Duration) []string {
	t.Helper()
	var got []string
	deadline := time.After(within)
	for len(got) < n {
		select {
		case id := <-w.handled:
			got = append(got, id)
		case <-deadline:
			t.Fatalf("handled %d of %d messages within %v", len(got), n, within)
		}
	}
	return got
}

// none checks that nothing more was handled.
func (w *watcher) none(t *testing.T) {
	t.Helper()
	select {
	case id := <-w.handled:
		t.Errorf("handled %s a second time or unexpectedly", id)
	default:
	}
}

func messageID(raw []byte) string {
	for _, line := range strings.Split(string(raw), "\r\n") {
		if v, ok := strings.CutPrefix(line, "Message-ID: "); ok {
			return strings.Trim(v, "<>")
		}
	}
	return ""
}

func boxConfig(b backend, box string) mailbox.Config {
	cfg := b.config()
	cfg.Mailbox = box
	return cfg
}

var arrival = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)

// latest is the cursor of a first connection to the mailbox.
func latest(t *testing.T, cfg mailbox.Config) mailbox.Cursor {
	t.Helper()
	cur, err := mailbox.Latest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// idleDelivery: mail appended while Watch waits in IDLE is read at once.
func idleDelivery(t *testing.T, b backend, box string) {
	cfg := boxConfig(b, box)
	w := startWatch(t, cfg, latest(t, cfg))
	w.waitCaughtUp(t)
	b.deliver(t, box, testMessage(1), arrival)
	if got := w.take(t, 1, 5*time.Second); got[0] != "m1@example.com" {
		t.Errorf("handled %v", got)
	}
	w.waitCaughtUp(t)
	b.deliver(t, box, testMessage(2), arrival)
	w.take(t, 1, 5*time.Second)
	if r := w.stop(t); !errors.Is(r.err, context.Canceled) || r.cur.LastUID == 0 {
		t.Errorf("stopped with %v, cursor %v", r.err, r.cur)
	}
	w.none(t)
}

// droppedInIdle: the connection breaks during IDLE; Watch says so, and the
// next Watch reads what arrived meanwhile, once.
func droppedInIdle(t *testing.T, b backend, box string) {
	cfg := boxConfig(b, box)
	p := startProxy(t, cfg, false)
	w := startWatch(t, p.cfg, latest(t, cfg))
	cur := w.waitCaughtUp(t)
	p.dropAll()
	r := w.result(t)
	if r.err == nil || errors.Is(r.err, context.Canceled) {
		t.Fatalf("Watch returned %v after the connection dropped", r.err)
	}
	if r.cur != cur {
		t.Errorf("cursor %v, want %v", r.cur, cur)
	}
	b.deliver(t, box, testMessage(1), arrival)
	w2 := startWatch(t, p.cfg, r.cur)
	if got := w2.take(t, 1, 5*time.Second); got[0] != "m1@example.com" {
		t.Errorf("handled %v", got)
	}
	w2.waitCaughtUp(t)
	w2.stop(t)
	w2.none(t)
}

// uidValidityChange: the mailbox is rebuilt under the same name; what
// arrived from the day before the last complete read is read again, older
// mail is not.
func uidValidityChange(t *testing.T, b backend, box string) {
	cfg := boxConfig(b, box)
	old := arrival.AddDate(0, 0, -20)
	b.deliver(t, box, testMessage(1), old)
	b.deliver(t, box, testMessage(2), arrival)
	cur, r := poll(t, cfg, mailbox.Cursor{})
	if len(r.uids) != 2 {
		t.Fatalf("first poll handled %v", r.uids)
	}
	cur.ReadAt = arrival.Add(time.Hour).Unix()

	b.remove(t, box)
	b.create(t, box)
	b.deliver(t, box, testMessage(1), old)
	b.deliver(t, box, testMessage(2), arrival)
	b.deliver(t, box, testMessage(3), arrival.Add(2*time.Hour))
	b.deliver(t, box, testMessage(4), old) // a late copy of old mail: stays old
	next, r := poll(t, cfg, cur)
	got := []string{}
	for _, raw := range r.raws {
		got = append(got, messageID([]byte(raw)))
	}
	if want := []string{"m2@example.com", "m3@example.com"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after the UIDVALIDITY change handled %v, want %v", got, want)
	}
	if next.UIDValidity == cur.UIDValidity || next.LastUID != 4 || next.ReadAt != cur.ReadAt {
		t.Errorf("cursor %v, want a new UIDVALIDITY, LastUID 4, ReadAt %d", next, cur.ReadAt)
	}
	if again, r := poll(t, cfg, next); len(r.uids) != 0 || again != next {
		t.Errorf("the poll after handled %v, cursor %v", r.uids, again)
	}
}

// weekOfDowntime: 200 messages arrived while Rapport was stopped; each is
// read once, in order, and IDLE takes over after.
func weekOfDowntime(t *testing.T, b backend, box string) {
	cfg := boxConfig(b, box)
	cur := latest(t, cfg)
	for n := 1; n <= 200; n++ {
		b.deliver(t, box, testMessage(n), arrival.Add(time.Duration(n)*50*time.Minute))
	}
	w := startWatch(t, cfg, cur)
	got := w.take(t, 200, 30*time.Second)
	for i, id := range got {
		if want := fmt.Sprintf("m%d@example.com", i+1); id != want {
			t.Fatalf("message %d is %s, want %s", i+1, id, want)
		}
	}
	if c := w.waitCaughtUp(t); c.LastUID != cur.LastUID+200 {
		t.Errorf("caught up at %v, want LastUID %d", c, cur.LastUID+200)
	}
	b.deliver(t, box, testMessage(201), arrival.AddDate(0, 0, 7))
	if got := w.take(t, 1, 5*time.Second); got[0] != "m201@example.com" {
		t.Errorf("handled %v", got)
	}
	r := w.stop(t)
	w.none(t)
	if _, again := poll(t, cfg, r.cur); len(again.uids) != 0 {
		t.Errorf("a poll after read %v again", again.uids)
	}
}

// serverWithoutIdle: Watch reads what is waiting, then says the server has
// no IDLE so that the caller polls.
func serverWithoutIdle(t *testing.T, b backend, box string) {
	cfg := boxConfig(b, box)
	p := startProxy(t, cfg, true)
	cur := latest(t, cfg)
	b.deliver(t, box, testMessage(1), arrival)
	w := startWatch(t, p.cfg, cur)
	w.take(t, 1, 5*time.Second)
	w.waitCaughtUp(t)
	r := w.result(t)
	if !errors.Is(r.err, mailbox.ErrNoIdle) || r.cur.LastUID != cur.LastUID+1 {
		t.Errorf("Watch returned %v, cursor %v; want ErrNoIdle after reading one", r.err, r.cur)
	}
	if p.sawIdle() {
		t.Error("the client sent IDLE to a server that does not offer it")
	}
}

// proxy stands between Rapport and a test server, to cut connections and
// to hide IDLE from the server's capabilities.
type proxy struct {
	cfg    mailbox.Config
	noIdle bool
	mu     sync.Mutex
	conns  []net.Conn
	idle   bool // a client sent IDLE
}

func startProxy(t *testing.T, target mailbox.Config, noIdle bool) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &proxy{cfg: target, noIdle: noIdle}
	p.cfg.Host, p.cfg.Port = splitAddr(ln.Addr().String())
	to := net.JoinHostPort(target.Host, fmt.Sprint(target.Port))
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, to)
		}
	}()
	t.Cleanup(p.dropAll)
	return p
}

func (p *proxy) serve(c net.Conn, to string) {
	s, err := net.Dial("tcp", to)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, s)
	p.mu.Unlock()
	go p.copyLines(s, c, p.noteIdle)
	p.copyLines(c, s, p.filterCaps)
}

// copyLines copies line by line, passing each through f.
func (p *proxy) copyLines(dst io.WriteCloser, src io.ReadCloser, f func(string) string) {
	defer dst.Close()
	defer src.Close()
	r := bufio.NewReader(src)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			if _, werr := io.WriteString(dst, f(line)); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxy) filterCaps(line string) string {
	if p.noIdle && strings.Contains(line, "CAPABILITY") {
		line = strings.ReplaceAll(line, " IDLE", "")
	}
	return line
}

func (p *proxy) noteIdle(line string) string {
	if fields := strings.Fields(line); len(fields) == 2 && strings.EqualFold(fields[1], "IDLE") {
		p.mu.Lock()
		p.idle = true
		p.mu.Unlock()
	}
	return line
}

func (p *proxy) sawIdle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle
}

// dropAll cuts every connection, as a lost network or a server restart
// would.
func (p *proxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
