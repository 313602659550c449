package mailauth

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net"
	"strings"
)

// Setup is what the DNS report checks: the From domain, the DKIM key when
// one is configured, and the SMTP host when mail goes through one.
type Setup struct {
	FromDomain string
	DKIMDomain string // "" with no key
	Selector   string
	Key        crypto.Signer
	SMTPHost   string // "" when not known (outbox)
}

// Finding is one line of the report: OK, or what to add or fix.
type Finding struct {
	OK   bool
	Text string
}

// Resolver returns the system resolver, or one asking only server
// (host:port) when set, for tests and for checking a zone before it is
// public.
func Resolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}
}

var gmailDomains = map[string]bool{"gmail.com": true, "googlemail.com": true}

// Check looks up the records receivers use to judge mail from s and says,
// record by record, what is fine and what to publish or fix. Lookup
// failures other than "no such record" are returned as errors.
func Check(ctx context.Context, r *net.Resolver, s Setup) ([]Finding, error) {
	d := strings.ToLower(s.FromDomain)
	if gmailDomains[d] {
		return []Finding{gmailFinding(s)}, nil
	}
	var out []Finding
	for _, step := range []func(context.Context, *net.Resolver, Setup) (Finding, error){checkMX, checkSPF, checkDKIM, checkDMARC, checkPTR} {
		f, err := step(ctx, r, s)
		if err != nil {
			return nil, err
		}
		if f.Text != "" {
			out = append(out, f)
		}
	}
	return out, nil
}

func gmailFinding(s Setup) Finding {
	host := strings.ToLower(s.SMTPHost)
	if host == "smtp.gmail.com" {
		return Finding{OK: true, Text: "you send as @" + s.FromDomain + " through Gmail's SMTP server: Google signs and aligns your mail"}
	}
	return Finding{Text: fmt.Sprintf("you send as @%s through %s, which is not Google's: Gmail's DMARC policy makes receivers reject or junk that mail; "+
		"send through smtp.gmail.com ([email.smtp] host) or use an address at your own domain", s.FromDomain, orUnknown(host))}
}

func orUnknown(host string) string {
	if host == "" {
		return "a server that is not set yet"
	}
	return host
}

// txt returns the TXT records at name that start with prefix; none when
// the name does not exist.
func txt(ctx context.Context, r *net.Resolver, name, prefix string) ([]string, error) {
	recs, err := r.LookupTXT(ctx, name)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up TXT %s: %w", name, err)
	}
	var out []string
	for _, rec := range recs {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(rec)), strings.ToLower(prefix)) {
			out = append(out, rec)
		}
	}
	return out, nil
}

func notFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

func checkMX(ctx context.Context, r *net.Resolver, s Setup) (Finding, error) {
	mx, err := r.LookupMX(ctx, s.FromDomain)
	if err != nil && !notFound(err) {
		return Finding{}, fmt.Errorf("look up MX %s: %w", s.FromDomain, err)
	}
	if len(mx) == 0 {
		return Finding{Text: fmt.Sprintf("MX: %s has no MX record, so replies to your address cannot arrive: publish your mail provider's MX records at %s", s.FromDomain, s.FromDomain)}, nil
	}
	return Finding{OK: true, Text: fmt.Sprintf("MX: %s receives mail at %s", s.FromDomain, strings.TrimSuffix(mx[0].Host, "."))}, nil
}

func checkSPF(ctx context.Context, r *net.Resolver, s Setup) (Finding, error) {
	recs, err := txt(ctx, r, s.FromDomain, "v=spf1")
	switch {
	case err != nil:
		return Finding{}, err
	case len(recs) == 0:
		return Finding{Text: fmt.Sprintf("SPF: publish this TXT record at %s: %q (%s)", s.FromDomain, "v=spf1 "+spfInclude(s.SMTPHost)+" ~all",
			"the include is your mail provider's; ask them if unsure")}, nil
	case len(recs) > 1:
		return Finding{Text: fmt.Sprintf("SPF: %s has %d SPF records; receivers ignore them all: merge them into one", s.FromDomain, len(recs))}, nil
	case strings.Contains(recs[0], "+all"):
		return Finding{Text: fmt.Sprintf("SPF: %q lets anyone send as you (+all): end it with ~all or -all", recs[0])}, nil
	}
	return Finding{OK: true, Text: fmt.Sprintf("SPF: %s", recs[0])}, nil
}

// spfInclude is the SPF mechanism for a known provider's SMTP host.
func spfInclude(host string) string {
	host = strings.ToLower(host)
	switch {
	case strings.HasSuffix(host, ".gmail.com"), strings.HasSuffix(host, ".google.com"):
		return "include:_spf.google.com"
	case strings.HasSuffix(host, ".office365.com"), strings.HasSuffix(host, ".outlook.com"):
		return "include:spf.protection.outlook.com"
	case host == "":
		return "include:YOUR-PROVIDER"
	}
	return "a:" + host
}

func checkDKIM(ctx context.Context, r *net.Resolver, s Setup) (Finding, error) {
	if s.Key == nil {
		return Finding{Text: "DKIM: Rapport does not sign your mail: run `rapport dkim keygen --domain " + s.FromDomain +
			" --selector s1`, publish the record it prints and set [email.dkim] in config.toml"}, nil
	}
	name := RecordName(s.Selector, s.DKIMDomain)
	want, err := RecordValue(s.Key)
	if err != nil {
		return Finding{}, err
	}
	if !aligned(s.DKIMDomain, s.FromDomain) {
		return Finding{Text: fmt.Sprintf("DKIM: [email.dkim] domain %q is not your From address's domain %q, so DMARC fails: sign as %s", s.DKIMDomain, s.FromDomain, s.FromDomain)}, nil
	}
	recs, err := txt(ctx, r, name, "v=DKIM1")
	if err != nil {
		return Finding{}, err
	}
	if len(recs) == 0 {
		return Finding{Text: fmt.Sprintf("DKIM: publish this TXT record at %s: %q", name, want)}, nil
	}
	_, p, _ := strings.Cut(want, "p=")
	if !strings.Contains(strings.ReplaceAll(recs[0], " ", ""), "p="+p) {
		return Finding{Text: fmt.Sprintf("DKIM: the record at %s is not your key's (%s): replace it with %q", name, "[email.dkim] private_key_file", want)}, nil
	}
	return Finding{OK: true, Text: "DKIM: " + name + " publishes your key"}, nil
}

// aligned reports relaxed DMARC alignment: the same domain, or one under
// the other.
func aligned(signing, from string) bool {
	signing, from = strings.ToLower(signing), strings.ToLower(from)
	return signing == from || strings.HasSuffix(from, "."+signing) || strings.HasSuffix(signing, "."+from)
}

func checkDMARC(ctx context.Context, r *net.Resolver, s Setup) (Finding, error) {
	name := "_dmarc." + s.FromDomain
	recs, err := txt(ctx, r, name, "v=DMARC1")
	if err != nil {
		return Finding{}, err
	}
	if len(recs) == 0 {
		return Finding{Text: fmt.Sprintf("DMARC: publish this TXT record at %s: %q (Gmail and Yahoo require one from bulk senders; move to p=quarantine once reports look clean)",
			name, "v=DMARC1; p=none; rua=mailto:postmaster@"+s.FromDomain)}, nil
	}
	return Finding{OK: true, Text: "DMARC: " + recs[0]}, nil
}

// checkPTR: receivers distrust a sending host without reverse DNS.
func checkPTR(ctx context.Context, r *net.Resolver, s Setup) (Finding, error) {
	if s.SMTPHost == "" {
		return Finding{}, nil
	}
	ips, err := r.LookupHost(ctx, s.SMTPHost)
	if notFound(err) || len(ips) == 0 {
		return Finding{Text: fmt.Sprintf("reverse DNS: %s does not resolve: check [email.smtp] host", s.SMTPHost)}, nil
	}
	if err != nil {
		return Finding{}, fmt.Errorf("look up %s: %w", s.SMTPHost, err)
	}
	names, err := r.LookupAddr(ctx, ips[0])
	if err != nil && !notFound(err) {
		return Finding{}, fmt.Errorf("reverse DNS of %s: %w", ips[0], err)
	}
	if len(names) == 0 {
		return Finding{Text: fmt.Sprintf("reverse DNS: %s (%s) has no PTR record: ask whoever runs it to set one", s.SMTPHost, ips[0])}, nil
	}
	return Finding{OK: true, Text: fmt.Sprintf("reverse DNS: %s is %s", ips[0], strings.TrimSuffix(names[0], "."))}, nil
}
