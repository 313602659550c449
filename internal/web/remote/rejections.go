package remote

import (
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"
)

// Window is how often at most a source's refusals of one kind are logged.
const Window = time.Minute

// MaxSources bounds the sources counted at once; refusals from sources
// past it are counted together as "other addresses".
const MaxSources = 1024

// Rejections logs refused requests without letting a flood fill the log:
// the first refusal of a kind from a source is logged at once, the rest
// are counted and logged as one line a minute ("N more rejected from ADDR
// in the last minute") for as long as they keep coming. Flush must be
// called every few seconds to log the counts of minutes that have ended.
type Rejections struct {
	log   *slog.Logger
	mu    sync.Mutex
	srcs  map[key]*tally
	swept time.Time
}

type key struct {
	reason string
	src    netip.Prefix
}

// others is the key for sources past MaxSources.
func others(reason string) key {
	return key{reason: reason, src: netip.PrefixFrom(netip.IPv6Unspecified(), 0)}
}

type tally struct {
	start time.Time // when this minute began
	more  int       // refusals since, not yet logged
}

// NewRejections returns a log of refusals writing to log.
func NewRejections(log *slog.Logger) *Rejections {
	return &Rejections{log: log, srcs: map[key]*tally{}}
}

// Reject records that a request from addr was refused for reason (the
// log message); attrs are logged with the first one of each minute.
func (l *Rejections) Reject(now time.Time, reason string, addr netip.Addr, attrs ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := key{reason, Source(addr)}
	t := l.srcs[k]
	if t == nil && len(l.srcs) >= MaxSources {
		l.flush(now, time.Second) // at most once a second: a flood of new sources must not sweep per request
		if len(l.srcs) >= MaxSources {
			k = others(reason)
			t = l.srcs[k]
		}
	}
	switch {
	case t != nil && now.Sub(t.start) < Window:
		t.more++
	case t != nil && t.more > 0:
		l.summarize(k, t, now)
		t.more = 1
	case k == others(reason):
		l.srcs[k] = &tally{start: now, more: 1} // logged with the count
	default: // the first of its minute
		l.srcs[k] = &tally{start: now}
		l.log.Warn(reason, append(attrs, "remote", sourceString(k.src))...)
	}
}

// Flush logs the counts of the minutes that have ended, and forgets the
// sources that have gone quiet.
func (l *Rejections) Flush(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flush(now, 0)
}

func (l *Rejections) flush(now time.Time, every time.Duration) {
	if now.Sub(l.swept) < every {
		return
	}
	l.swept = now
	for k, t := range l.srcs {
		if now.Sub(t.start) < Window {
			continue
		}
		if t.more == 0 {
			delete(l.srcs, k)
			continue
		}
		l.summarize(k, t, now)
	}
}

// summarize logs t's count and starts its next minute.
func (l *Rejections) summarize(k key, t *tally, now time.Time) {
	if t.more > 0 {
		src := sourceString(k.src)
		if k == others(k.reason) {
			src = "other addresses"
		}
		l.log.Warn(fmt.Sprintf("%s: %d more rejected from %s in the last minute", k.reason, t.more, src),
			"remote", src, "rejected", t.more)
	}
	t.start, t.more = now, 0
}
