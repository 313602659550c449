package config

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/rapportapp/rapport/internal/mailauth"
)

// [email.dkim] reads the key file relative to the config; a missing key
// or a file without a usable key is an error at its file:line:col.
func TestDKIMSection(t *testing.T) {
	dir := t.TempDir()
	key, err := mailauth.GenerateKey(mailauth.KeyEd25519)
	if err != nil {
		t.Fatal(err)
	}
	if err := mailauth.WriteKey(filepath.Join(dir, "dkim.pem"), key); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "junk.pem"), "not a key\n")

	c := mustParse(t, dir, "[email]\nmax_per_day = 500\n[email.dkim]\ndomain = \"example.com\"\nselector = \"s1\"\nprivate_key_file = \"dkim.pem\"\n"+repSection, nil)
	if c.Email.DKIM == nil || c.Email.DKIM.Key == nil || c.Email.DKIM.Selector != "s1" || c.Email.MaxPerDay != 500 {
		t.Fatalf("email = %+v", c.Email)
	}
	if c := mustParse(t, dir, repSection, nil); c.Email.DKIM != nil || c.Email.MaxPerDay != 0 {
		t.Errorf("without the section: DKIM %+v, max_per_day %d", c.Email.DKIM, c.Email.MaxPerDay)
	}

	_, problems := parse(t, dir, "[email.dkim]\ndomain = \"example.com\"\nprivate_key_file = \"junk.pem\"\n"+repSection, nil)
	want := []string{
		"config.toml:1:8: email.dkim.selector is missing: the name of the key's DNS record, like selector = \"s1\"",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%q\nwant\n%q", problems, want)
	}
	_, problems = parse(t, dir, "[email.dkim]\ndomain = \"example.com\"\nselector = \"s1\"\nprivate_key_file = \"junk.pem\"\n"+repSection, nil)
	want = []string{"config.toml:4:1: email.dkim.private_key_file: DKIM key junk.pem: no PEM key in it (make one with `rapport dkim keygen`)"}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%q\nwant\n%q", problems, want)
	}
}
