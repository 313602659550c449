// Package dnstest serves a small DNS zone on 127.0.0.1 (UDP, with
// github.com/miekg/dns) for tests that look records up: SPF, DKIM, DMARC,
// MX, A and PTR. Tests never ask the internet.
package dnstest

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Zone is the records served, by lower-case name without the final dot.
type Zone struct {
	TXT map[string][][]string // each record is its strings, as published
	MX  map[string][]string   // mail host names
	A   map[string][]string   // IPv4 addresses
	PTR map[string][]string   // by IP address ("192.0.2.1"): host names
}

// Server answers for a Zone; Addr is its host:port.
type Server struct {
	Addr string
	mu   sync.Mutex
	zone Zone
}

// Start serves z until the test ends.
func Start(tb testing.TB, z Zone) *Server {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: pc.LocalAddr().String(), zone: z}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.answer)}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	tb.Cleanup(func() { _ = srv.Shutdown() })
	return s
}

// Set replaces the zone served.
func (s *Server) Set(z Zone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zone = z
}

// Resolver is a Go resolver that asks only this server.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.Addr)
	}}
}

func (s *Server) answer(w dns.ResponseWriter, req *dns.Msg) {
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.Authoritative = true
	found := false
	for _, q := range req.Question {
		rrs, known := s.records(q)
		found = found || known
		resp.Answer = append(resp.Answer, rrs...)
	}
	if !found {
		resp.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(resp)
}

// records answers one question; known reports whether the name exists.
func (s *Server) records(q dns.Question) (rrs []dns.RR, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.ToLower(strings.TrimSuffix(q.Name, "."))
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 60}
	}
	_, known = s.zone.TXT[name]
	_, mx := s.zone.MX[name]
	_, a := s.zone.A[name]
	known = known || mx || a
	switch q.Qtype {
	case dns.TypeTXT:
		for _, txt := range s.zone.TXT[name] {
			rrs = append(rrs, &dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: txt})
		}
	case dns.TypeMX:
		for i, host := range s.zone.MX[name] {
			rrs = append(rrs, &dns.MX{Hdr: hdr(dns.TypeMX), Preference: uint16(10 * (i + 1)), Mx: dns.Fqdn(host)})
		}
	case dns.TypeA:
		for _, ip := range s.zone.A[name] {
			rrs = append(rrs, &dns.A{Hdr: hdr(dns.TypeA), A: net.ParseIP(ip)})
		}
	case dns.TypePTR:
		return s.ptr(name, hdr(dns.TypePTR))
	}
	return rrs, known
}

func (s *Server) ptr(name string, h dns.RR_Header) ([]dns.RR, bool) {
	for ip, hosts := range s.zone.PTR {
		rev, err := dns.ReverseAddr(ip)
		if err != nil || strings.TrimSuffix(rev, ".") != name {
			continue
		}
		var rrs []dns.RR
		for _, host := range hosts {
			rrs = append(rrs, &dns.PTR{Hdr: h, Ptr: dns.Fqdn(host)})
		}
		return rrs, true
	}
	return nil, false
}
