package dashboard

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Wrong passwords allowed from one client: a burst of loginBurst, then
// one per loginEvery. Per client (through the trusted proxies), so that a
// guesser elsewhere cannot lock the rep out.
const (
	loginBurst = 5
	loginEvery = 15 * time.Second
)

// Wrong passwords allowed from everyone together: the ceiling on guesses
// from many addresses. Past it, only a client with no recent wrong
// password is still heard: that is the rep, or a guesser's first try.
const (
	globalBurst = 20
	globalEvery = 3 * time.Second
)

// maxClients bounds the clients remembered; the one seen longest ago
// makes room.
const maxClients = 4096

// throttle counts wrong passwords per client and for everyone.
type throttle struct {
	mu      sync.Mutex
	global  *rate.Limiter
	clients map[netip.Prefix]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newThrottle() *throttle {
	return &throttle{global: rate.NewLimiter(rate.Every(globalEvery), globalBurst), clients: map[netip.Prefix]*client{}}
}

// ticket holds the tries a sign-in took; a right password gives them back.
type ticket []*rate.Reservation

func (t ticket) refund(now time.Time) {
	for _, r := range t {
		r.CancelAt(now) // timeToAct is now: CancelAt a later time would restore nothing
	}
}

// take takes a try for src before bcrypt runs (so parallel guesses can't
// all slip through), or says how long src must wait.
func (t *throttle) take(src netip.Prefix, now time.Time) (ticket, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.client(src, now)
	fresh := c.lim.TokensAt(now) >= loginBurst // no wrong password lately
	own := c.lim.ReserveN(now, 1)
	if wait := own.DelayFrom(now); wait > 0 {
		own.CancelAt(now)
		return nil, wait
	}
	all := t.global.ReserveN(now, 1)
	if wait := all.DelayFrom(now); wait > 0 {
		all.CancelAt(now)
		if !fresh {
			own.CancelAt(now)
			return nil, wait
		}
		return ticket{own}, 0
	}
	return ticket{own, all}, 0
}

// client returns src's entry, making one (and room for it) if needed.
func (t *throttle) client(src netip.Prefix, now time.Time) *client {
	if c := t.clients[src]; c != nil {
		c.seen = now
		return c
	}
	if len(t.clients) >= maxClients || now.Sub(t.swept) >= loginEvery {
		t.sweep(now)
	}
	if len(t.clients) >= maxClients {
		t.evictOldest()
	}
	c := &client{lim: rate.NewLimiter(rate.Every(loginEvery), loginBurst), seen: now}
	t.clients[src] = c
	return c
}

// sweep forgets the clients whose tries are all back: they are as good
// as new.
func (t *throttle) sweep(now time.Time) {
	t.swept = now
	for k, c := range t.clients {
		if c.lim.TokensAt(now) >= loginBurst {
			delete(t.clients, k)
		}
	}
}

func (t *throttle) evictOldest() {
	var oldest netip.Prefix
	var at time.Time
	for k, c := range t.clients {
		if at.IsZero() || c.seen.Before(at) {
			oldest, at = k, c.seen
		}
	}
	delete(t.clients, oldest)
}
