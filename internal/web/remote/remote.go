// Package remote says who sent a request, believing X-Forwarded-For only
// from the reverse proxies the rep trusts, and keeps the log readable when
// one sender is refused over and over.
package remote

import (
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies whose X-Forwarded-For is believed.
type Proxies []netip.Prefix

func (p Proxies) trusted(a netip.Addr) bool {
	for _, pr := range p {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// Addr returns the address of the client that sent r: the connection's
// address, unless that is a trusted proxy; then X-Forwarded-For is read
// from its right end (what the nearest proxy appended) leftwards, past
// any further trusted proxies, to the first address that is not one.
// Entries further left were written by the client and prove nothing. The
// zero Addr means the connection's address could not be read.
func (p Proxies) Addr(r *http.Request) netip.Addr {
	a := parse(r.RemoteAddr)
	if !a.IsValid() || !p.trusted(a) {
		return a
	}
	hops := forwarded(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		h := parse(hops[i])
		if !h.IsValid() {
			return a // a proxy wrote nonsense: the last proxy is all we know
		}
		a = h
		if !p.trusted(a) {
			return a
		}
	}
	return a
}

// forwarded lists the hops of every X-Forwarded-For header, in order.
func forwarded(values []string) []string {
	var hops []string
	for _, v := range values {
		for h := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	return hops
}

// parse reads "1.2.3.4", "1.2.3.4:5678", "::1" or "[::1]:5678".
func parse(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}
	}
	return a.Unmap()
}

// Source is the unit that limits and counts are kept per: one IPv4
// address, or an IPv6 /64 (one subscriber's block: anyone holding one can
// use its 2^64 addresses). The zero Addr is one source of its own.
func Source(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	bits := a.BitLen()
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// sourceString is how a source reads in the log: the address itself,
// or the /64.
func sourceString(p netip.Prefix) string {
	switch {
	case !p.IsValid():
		return "unknown"
	case p.IsSingleIP():
		return p.Addr().String()
	}
	return p.String()
}
