package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rapportapp/rapport/internal/config"
	"github.com/rapportapp/rapport/internal/mailauth"
)

const dkimUsage = "keygen --domain D --selector S [--type rsa|ed25519] [--out FILE]"

// cmdDKIM makes the rep's DKIM key and prints the record to publish.
func cmdDKIM(e *env, args []string) error {
	if len(args) == 0 || args[0] != "keygen" {
		return invalidf("usage: rapport dkim %s", dkimUsage)
	}
	fs := newFlags(e, "dkim keygen", dkimUsage)
	domain := fs.String("domain", "", "your From address's domain, like example.com")
	selector := fs.String("selector", "", "the key's name in DNS, like s1")
	kind := fs.String("type", mailauth.KeyRSA, "rsa (RSA-2048, verified everywhere) or ed25519")
	out := fs.String("out", "", "key file (default dkim-SELECTOR.pem next to the config)")
	if _, err := flags(fs, args[1:]); err != nil {
		return err
	}
	if *domain == "" || *selector == "" || strings.ContainsAny(*selector+*domain, " ;\"") {
		return invalidf("rapport dkim keygen needs --domain and --selector, like --domain example.com --selector s1")
	}
	path := *out
	if path == "" {
		path = filepath.Join(filepath.Dir(e.configPath()), "dkim-"+*selector+".pem")
	}
	key, err := mailauth.GenerateKey(*kind)
	if err != nil {
		return invalid{err}
	}
	if err := mailauth.WriteKey(path, key); err != nil {
		return err
	}
	value, err := mailauth.RecordValue(key)
	if err != nil {
		return err
	}
	printKeygen(e, path, *domain, *selector, value)
	return nil
}

func printKeygen(e *env, path, domain, selector, value string) {
	w := e.io.out
	fmt.Fprintf(w, "wrote %s (readable by you only)\n\n", path)
	fmt.Fprintf(w, "publish this TXT record at %s:\n\n", mailauth.RecordName(selector, domain))
	for _, s := range mailauth.TXTStrings(value) {
		fmt.Fprintf(w, "  \"%s\"\n", s)
	}
	fmt.Fprintf(w, "\nas a zone-file line:\n\n  %s\n\n", mailauth.ZoneLine(selector, domain, value))
	fmt.Fprintf(w, "then add to config.toml:\n\n  [email.dkim]\n  domain = %q\n  selector = %q\n  private_key_file = %q\n\n", domain, selector, path)
	fmt.Fprintln(w, "and run `rapport check --dns` once the record is published.")
}

// configPath is the config file a command would read (for files made next to it).
func (e *env) configPath() string {
	if e.configFlag != "" {
		return e.configFlag
	}
	return "config.toml"
}

// checkDNS prints the DNS report for the config's From domain; missing or
// wrong records are problems (exit 2).
func checkDNS(e *env, cfg *config.Config) error {
	_, domain, _ := strings.Cut(cfg.Email.From.Address, "@")
	s := mailauth.Setup{FromDomain: domain}
	if d := cfg.Email.DKIM; d != nil {
		s.DKIMDomain, s.Selector, s.Key = d.Domain, d.Selector, d.Key
	}
	if cfg.Email.Transport == config.TransportSMTP {
		s.SMTPHost = cfg.Email.SMTP.Host
	}
	findings, err := mailauth.Check(e.ctx, mailauth.Resolver(e.getenv("RAPPORT_DNS_SERVER")), s)
	if err != nil {
		return fmt.Errorf("check --dns: %w", err)
	}
	bad := 0
	for _, f := range findings {
		if f.OK {
			fmt.Fprintln(e.io.out, "ok:", f.Text)
		} else {
			fmt.Fprintln(e.io.out, "fix:", f.Text)
			bad++
		}
	}
	if bad > 0 {
		return invalid{errors.New(fmt.Sprintf("check --dns: %d %s to fix for %s", bad, plural(bad, "record", "records"), domain))}
	}
	fmt.Fprintf(e.io.out, "ok: mail from %s should pass SPF, DKIM and DMARC\n", domain)
	return nil
}
