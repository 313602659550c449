// Package clock is the one place Rapport reads the time. Everything else is
// handed a Clock, so tests, previews and the demo can run on any date.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// Offset is a clock that starts at a chosen moment and then advances at the
// real rate: `rapport run --now ...` uses it.
type Offset struct {
	start time.Time
	base  time.Time // real time when start was taken
}

// StartingAt returns a clock that reads t now and advances normally.
func StartingAt(t time.Time) *Offset {
	return &Offset{start: t, base: time.Now()}
}

// Now returns the start moment plus the real time elapsed since.
func (o *Offset) Now() time.Time { return o.start.Add(time.Since(o.base)) }

// Manual is a clock that moves only when told to: tests and the demo's
// simulated months use it.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a manual clock reading t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the clock's current reading.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.t = t
	m.mu.Unlock()
}

// Advance moves the clock forward by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}
