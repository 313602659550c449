package email_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/mailauth"
	"github.com/rapportapp/rapport/internal/testsrv/dnstest"
	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

// signingIdentity is testIdentity with a new key of kind, whose record the
// returned DNS server publishes at s1._domainkey.example.com.
func signingIdentity(t *testing.T, kind string) (email.Identity, *dnstest.Server) {
	t.Helper()
	key, err := mailauth.GenerateKey(kind)
	if err != nil {
		t.Fatal(err)
	}
	value, err := mailauth.RecordValue(key)
	if err != nil {
		t.Fatal(err)
	}
	dns := dnstest.Start(t, dnstest.Zone{TXT: map[string][][]string{
		mailauth.RecordName("s1", "example.com"): {mailauth.TXTStrings(value)},
	}})
	id := testIdentity
	id.DKIM = &email.DKIM{Domain: "example.com", Selector: "s1", Key: key}
	return id, dns
}

// verify checks raw's one DKIM signature with go-msgauth's verifier,
// looking the key up on the test DNS server, and returns it.
func verify(t *testing.T, raw []byte, dns *dnstest.Server) *dkim.Verification {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			return dns.Resolver().LookupTXT(context.Background(), name)
		},
	})
	if err != nil || len(vs) != 1 {
		t.Fatalf("verify: %d signatures, %v", len(vs), err)
	}
	return vs[0]
}

// A message received by Mailpit verifies under DKIM, RSA and Ed25519, with
// the one-click unsubscribe headers among those signed; changed on the
// way, it fails.
func TestMailpitDKIMVerifies(t *testing.T) {
	srv := mailpit.Start(t)
	for _, kind := range []string{mailauth.KeyRSA, mailauth.KeyEd25519} {
		t.Run(kind, func(t *testing.T) {
			srv.DeleteAll(t)
			id, dns := signingIdentity(t, kind)
			s, err := email.NewSMTP(email.SMTPConfig{Host: srv.SMTPHost, Port: srv.SMTPPort, TLS: email.TLSNone}, id)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Send(context.Background(), testMessage(t, 42)); err != nil {
				t.Fatal(err)
			}
			raw := srv.Raw(t, srv.WaitCount(t, 1, arrival)[0].ID)
			v := verify(t, raw, dns)
			if v.Err != nil || v.Domain != "example.com" {
				t.Fatalf("signature of %s: %v", v.Domain, v.Err)
			}
			for _, h := range []string{"from", "subject", "list-unsubscribe", "list-unsubscribe-post"} {
				if !slices.ContainsFunc(v.HeaderKeys, func(k string) bool { return strings.EqualFold(k, h) }) {
					t.Errorf("%s is not signed: h=%v", h, v.HeaderKeys)
				}
			}
			forged := bytes.Replace(raw, []byte("List-Unsubscribe: <"), []byte("List-Unsubscribe: <https://evil.example/x><"), 1)
			if v := verify(t, forged, dns); v.Err == nil {
				t.Error("a changed List-Unsubscribe still verifies")
			}
		})
	}
}

// The outbox file carries the signature too, and verifies.
func TestOutboxDKIMSigned(t *testing.T) {
	id, dns := signingIdentity(t, mailauth.KeyEd25519)
	o, err := email.NewOutbox(t.TempDir(), id)
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage(t, 7)
	read := func() []byte {
		name, err := o.Send(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(o.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first := read()
	if !bytes.Contains(first, []byte("\r\nDKIM-Signature: ")) {
		t.Fatalf("the outbox file has no signature:\n%.400s", first)
	}
	if v := verify(t, first, dns); v.Err != nil {
		t.Fatalf("outbox signature: %v", v.Err)
	}
}
