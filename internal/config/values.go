package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/rapportapp/rapport/internal/suggest"
)

// The parsers below turn one written value into its typed form. Their
// errors quote the value and show a correct example, because the reader
// puts them after "path:line:col: key:" and a rep has to fix it from that.

func parseCountry(s string) (string, error) {
	cc := strings.ToUpper(s)
	if len(cc) != 2 || phonenumbers.GetCountryCodeForRegion(cc) == 0 {
		return "", fmt.Errorf("%q is not a two-letter country code, like \"US\", \"CA\" or \"GB\"", s)
	}
	return cc, nil
}

// parsePhone returns the number in E.164, reading national numbers as
// numbers of region (ISO 3166 alpha-2).
func parsePhone(raw, region string) (string, error) {
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", fmt.Errorf("%q is not a valid phone number: write it with the country code, like \"+13125550100\"", raw)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// parseEmail accepts a bare address, like "amy@example.com".
func parseEmail(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !plausibleDomain(s) {
		return "", fmt.Errorf("%q is not an email address like \"amy@example.com\"", s)
	}
	return s, nil
}

// plausibleDomain catches the common slip of a domain without its ending
// ("amy@gmail"); mail.ParseAddress accepts those.
func plausibleDomain(addr string) bool {
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	return strings.EqualFold(domain, "localhost") || strings.Contains(strings.Trim(domain, "."), ".")
}

// parseMailbox accepts an address with or without a display name, like
// "Amy Kline <amy@example.com>".
func parseMailbox(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || !plausibleDomain(a.Address) {
		return nil, fmt.Errorf("%q is not an email address like \"Amy Kline <amy@example.com>\" or \"amy@example.com\"", s)
	}
	return a, nil
}

// commonZones are offered when a time zone name is misspelt.
var commonZones = []string{
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
	"America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
	"America/Halifax", "America/Mexico_City", "Europe/London", "Europe/Dublin",
	"Europe/Paris", "Europe/Berlin", "Australia/Sydney", "Australia/Perth",
	"Pacific/Auckland", "Asia/Manila", "Asia/Singapore", "UTC",
}

func parseZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%q is not a time zone name: use one like \"America/Chicago\"", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		hint := `use a name from the tz database, like "America/Chicago" or "America/New_York"`
		if best := suggest.Closest(name, commonZones); best != "" {
			hint = fmt.Sprintf("did you mean %q?", best)
		}
		return nil, fmt.Errorf("unknown time zone %q: %s", name, hint)
	}
	return loc, nil
}

// parseListen accepts "host:port" as net.Listen does.
func parseListen(s string) (string, error) {
	_, port, err := net.SplitHostPort(s)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 0 || n > 65535 {
			err = fmt.Errorf("bad port")
		}
	}
	if err != nil {
		return "", fmt.Errorf("%q is not an address to listen on: want host:port, like \"127.0.0.1:8080\"", s)
	}
	return s, nil
}

// publicURLFor is the URL of a listen address as a browser on the same
// machine would reach it.
func publicURLFor(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// parseBaseURL accepts an http(s) URL with no query, trimmed of its
// trailing slash. Plain http is only allowed to this machine, because
// credentials travel with every request.
func parseBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not a web address like \"https://rapport.example.com\"", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// isLoopback reports whether host names this machine, where a connection
// without encryption never crosses a network.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultPort is the usual port of a mail protocol for a TLS mode.
func defaultPort(mode TLSMode, implicit, starttls, plain int) int {
	switch mode {
	case TLSImplicit:
		return implicit
	case TLSNone:
		return plain
	}
	return starttls
}

// parseProxy accepts an IP address ("127.0.0.1", "::1") or a network in
// CIDR notation ("10.0.0.0/8"), as the prefix it covers.
func parseProxy(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or network, like \"127.0.0.1\" or \"10.0.0.0/8\"", s)
	}
	if p.Addr().Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or network, like \"127.0.0.1\" or \"10.0.0.0/8\"", s)
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// maxIdle bounds session_idle: a session that never ends is a cookie that
// works forever once it leaks.
const maxIdle = 365 * 24 * time.Hour

// parseIdle reads a span of days or weeks ("14d", "2w") or a Go duration
// ("12h", "90m").
func parseIdle(s string) (time.Duration, error) {
	d, err := parseSpan(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("invalid duration %q: want a number and a unit, like \"14d\", \"2w\" or \"12h\"", s)
	case d < time.Minute:
		return 0, fmt.Errorf("%q is too short: at least \"1m\"", s)
	case d > maxIdle:
		return 0, fmt.Errorf("%q is too long: at most \"365d\"", s)
	}
	return d, nil
}

func parseSpan(s string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 || v > 10000 {
				return 0, fmt.Errorf("bad number %q", n)
			}
			return time.Duration(v) * unit, nil
		}
	}
	return time.ParseDuration(s)
}
