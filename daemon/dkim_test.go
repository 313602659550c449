package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/mailauth"
	"github.com/rapportapp/rapport/internal/testsrv/dnstest"
)

// keygen writes a private key and prints its record; check --dns, against
// a local DNS server, lists what is missing for a domain without DMARC and
// passes once SPF, DKIM and DMARC are all there.
func TestDKIMKeygenAndCheckDNS(t *testing.T) {
	w := newWorkspace(t)
	out := w.mustRun(t, "dkim", "keygen", "--domain", "example.com", "--selector", "s1", "--type", "ed25519")
	keyPath := filepath.Join(w.dir, "dkim-s1.pem")
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	key, err := mailauth.LoadKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	value, err := mailauth.RecordValue(key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "publish this TXT record at s1._domainkey.example.com") || !strings.Contains(out, value) {
		t.Fatalf("keygen output lacks the record %q:\n%s", value, out)
	}
	if _, errOut, code := w.run(t, "dkim", "keygen", "--domain", "example.com", "--selector", "s1"); code == exitOK || !strings.Contains(errOut, "already exists") {
		t.Errorf("a second keygen over the key: exit %d, %s", code, errOut)
	}

	w.appendConfig(t, "\n[email.dkim]\ndomain = \"example.com\"\nselector = \"s1\"\nprivate_key_file = \"dkim-s1.pem\"\n")
	zone := dnstest.Zone{
		MX: map[string][]string{"example.com": {"mx.example.com"}},
		TXT: map[string][][]string{
			"example.com":               {{"v=spf1 include:_spf.google.com ~all"}},
			"s1._domainkey.example.com": {mailauth.TXTStrings(value)},
		},
	}
	dns := dnstest.Start(t, zone)
	w.env["RAPPORT_DNS_SERVER"] = dns.Addr
	out, errOut, code := w.run(t, "check", "--dns")
	if code != exitInvalid || !strings.Contains(out, "fix: DMARC: publish this TXT record at _dmarc.example.com") {
		t.Fatalf("without DMARC: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, ok := range []string{"ok: SPF:", "ok: DKIM: s1._domainkey.example.com publishes your key", "ok: MX:"} {
		if !strings.Contains(out, ok) {
			t.Errorf("missing %q in:\n%s", ok, out)
		}
	}

	zone.TXT["_dmarc.example.com"] = [][]string{{"v=DMARC1; p=none"}}
	dns.Set(zone)
	if out := w.mustRun(t, "check", "--dns"); !strings.Contains(out, "should pass SPF, DKIM and DMARC") {
		t.Errorf("with all records:\n%s", out)
	}
}

// Sending as @gmail.com through a server that is not Google's fails DMARC,
// and check --dns says so.
func TestCheckDNSGmailThroughOtherServer(t *testing.T) {
	w := newWorkspace(t)
	w.setKey(t, "email", "from", `"Amy Kline <amy.kline@gmail.com>"`)
	w.env["RAPPORT_DNS_SERVER"] = dnstest.Start(t, dnstest.Zone{}).Addr
	out, _, code := w.run(t, "check", "--dns")
	if code != exitInvalid || !strings.Contains(out, "which is not Google's") || !strings.Contains(out, "smtp.gmail.com") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
