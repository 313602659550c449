package mailbox_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/rapportapp/rapport/internal/mailbox"
)

const (
	testUser     = "amy@amyoils.example"
	testPassword = "correct horse battery staple"
)

// testServer is go-imap's in-memory IMAP server on loopback. It always
// listens in plain text (for the test's own second client), and optionally
// with implicit TLS too.
type testServer struct {
	user    *imapmemserver.User
	plain   string // host:port
	tls     string // host:port, "" unless started with a certificate
	tlsConf *tls.Config
	roots   *x509.CertPool
}

// startServer starts a server with one user and an empty INBOX. With
// withTLS, it offers STARTTLS on the plain port and implicit TLS on another.
func startServer(t *testing.T, withTLS bool) *testServer {
	t.Helper()
	ts := &testServer{user: imapmemserver.NewUser(testUser, testPassword)}
	if err := ts.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(ts.user)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return flushingSession{mem.NewSession()}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: !withTLS,
		Logger:       log.New(io.Discard, "", 0), // dropped connections are expected noise
	}
	if withTLS {
		ts.tlsConf, ts.roots = newCertificate(t)
		opts.TLSConfig = ts.tlsConf
	}
	srv := imapserver.New(opts)
	t.Cleanup(func() { srv.Close() })
	ts.plain = serve(t, srv, nil)
	if withTLS {
		ts.tls = serve(t, srv, ts.tlsConf)
	}
	return ts
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

func serve(t *testing.T, srv *imapserver.Server, conf *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("IMAP test server cannot listen: %v", err)
	}
	if conf != nil {
		ln = tls.NewListener(ln, conf)
	}
	go srv.Serve(ln)
	return ln.Addr().String()
}

// config returns a Config for the plain listener.
func (ts *testServer) config() mailbox.Config {
	host, port := splitAddr(ts.plain)
	return mailbox.Config{Host: host, Port: port, TLS: "none", Username: testUser, Password: testPassword, Timeout: 10 * time.Second}
}

func splitAddr(addr string) (string, int) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		panic(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		panic(err)
	}
	return host, n
}

// add appends a message to INBOX and returns its UID.
func (ts *testServer) add(t *testing.T, raw string, flags ...imap.Flag) uint32 {
	t.Helper()
	return ts.addTo(t, "INBOX", raw, flags...)
}

func (ts *testServer) addTo(t *testing.T, mailboxName, raw string, flags ...imap.Flag) uint32 {
	t.Helper()
	data, err := ts.user.Append(mailboxName, bytes.NewReader([]byte(raw)), &imap.AppendOptions{Flags: flags})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return uint32(data.UID)
}

// client logs a second, independent client in, as the rep's mail app would.
func (ts *testServer) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(ts.plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// flags returns every message's flags by UID, as a second client sees them.
func (ts *testServer) flags(t *testing.T) map[uint32][]imap.Flag {
	t.Helper()
	c := ts.client(t)
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32][]imap.Flag{}
	for _, m := range msgs {
		out[uint32(m.UID)] = sortedFlags(m.Flags)
	}
	return out
}

// sortedFlags drops \Recent, which the server alone manages and clears when
// a session first sees a message, and sorts the rest.
func sortedFlags(flags []imap.Flag) []imap.Flag {
	out := slices.DeleteFunc(slices.Clone(flags), func(f imap.Flag) bool { return f == `\Recent` })
	slices.Sort(out)
	return out
}

// expunge deletes a message for good, as the rep's mail app would.
func (ts *testServer) expunge(t *testing.T, uid uint32) {
	t.Helper()
	c := ts.client(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	set := imap.UIDSetNum(imap.UID(uid))
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(set, store, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
}

// testMessage is a small reply with a recognisable Message-ID.
func testMessage(n int) string {
	return fmt.Sprintf("From: Jane <jane@example.com>\r\nTo: %s\r\nSubject: Re: order %d\r\nMessage-ID: <m%d@example.com>\r\n\r\nReply %d\r\n", testUser, n, n, n)
}

// newCertificate makes a self-signed certificate for 127.0.0.1 and a pool
// that trusts it.
func newCertificate(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "imap test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, roots
}
