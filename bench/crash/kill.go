package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"
)

// life picks how long the next daemon runs before kill -9.
func (h *harness) life() time.Duration {
	span := int64(h.o.MaxLife - h.o.MinLife)
	return h.o.MinLife + time.Duration(h.rng.Int64N(span+1))
}

// start starts a daemon, marking its output in the shared log.
func (h *harness) start(label string) (*process, error) {
	fmt.Fprintf(h.log, "=== crash harness: %s ===\n", label)
	return startDaemon(h.o.Rapport, h.config, h.log)
}

// killOnce starts the daemon, kill -9s it at a random moment and checks
// the database it left behind.
func (h *harness) killOnce(ctx context.Context, n int) error {
	life := h.life()
	p, err := h.start(fmt.Sprintf("start %d, kill -9 after %s", n, life))
	if err != nil {
		return err
	}
	timer := time.NewTimer(life)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-p.done:
		return fmt.Errorf("rapport run %d ended by itself (%v) before its kill: see %s", n, p.err, h.log.Name())
	case <-ctx.Done():
		p.kill()
		return ctx.Err()
	}
	p.kill()
	h.r.Kills++
	s, err := inspect(ctx, h.db)
	if err != nil {
		return fmt.Errorf("after kill %d: %w", n, err)
	}
	h.noteIntegrity(s.Integrity, fmt.Sprintf("after kill %d", n))
	for _, x := range s.InFlight {
		h.inFlight[x.MessageID] = true
	}
	if s.Left() > 0 {
		h.r.KillsMidQueue++
	}
	h.progress("kill %3d after %3dms: %4d sent, %d in flight, %4d pending, integrity %s",
		n, life.Milliseconds(), s.States["sent"], len(s.InFlight), s.States["pending"], s.Integrity)
	return nil
}

func (h *harness) noteIntegrity(answer, when string) {
	h.r.Checks++
	if answer == "ok" {
		h.r.IntegrityOK++
		return
	}
	h.r.problem("integrity_check %s: %s", when, answer)
}

func (h *harness) progress(format string, args ...any) {
	if h.o.Progress != nil {
		fmt.Fprintf(h.o.Progress, format+"\n", args...)
	}
}

// finish starts the daemon once more, waits until the queue is empty,
// stops it with SIGTERM and checks the database a last time.
func (h *harness) finish(ctx context.Context) error {
	p, err := h.start("final start, runs until the queue is empty")
	if err != nil {
		return err
	}
	defer p.kill() // in case of an early return; a no-op once it has exited
	limit := h.drainLimit()
	var last *status
	err = waitFor(ctx, limit, time.Second/4, func() (bool, error) {
		if p.exited() {
			return false, fmt.Errorf("rapport run ended by itself (%v): see %s", p.err, h.log.Name())
		}
		last, err = h.status(ctx)
		return err == nil && last.Queue["pending"]+last.Queue["sending"] == 0, err
	})
	if err != nil {
		return fmt.Errorf("wait for the queue to empty (last status %+v): %w", last, err)
	}
	// SIGTERM before the daemon has installed its handler would kill it the
	// default way; systemd too only stops a service that said it was ready.
	err = waitFor(ctx, limit, 10*time.Millisecond, func() (bool, error) { return h.running() })
	if err != nil {
		return fmt.Errorf("wait for the final start to be running: %w", err)
	}
	h.r.StopCode, h.r.StopTook, err = p.terminate(stopLimit)
	if err != nil {
		return fmt.Errorf("stop rapport run: %w", err)
	}
	s, err := inspect(ctx, h.db)
	if err != nil {
		return fmt.Errorf("after SIGTERM: %w", err)
	}
	h.noteIntegrity(s.Integrity, "after SIGTERM")
	h.progress("final run: queue empty, SIGTERM: exit %d in %s", h.r.StopCode, h.r.StopTook.Round(time.Millisecond))
	return nil
}

// drainLimit bounds the final run: a minute, plus the time the rate
// limit needs for everything, plus a retry pass (the dispatcher looks at
// the queue every 15 s).
func (h *harness) drainLimit() time.Duration {
	limit := time.Minute
	if h.o.Rate > 0 {
		limit += time.Duration(float64(len(h.recipients)) / h.o.Rate * float64(time.Second))
	}
	return limit
}

// collect reads what arrived and what the queue says, and checks them.
func (h *harness) collect(ctx context.Context) error {
	o := outcome{recipients: h.recipients, inFlight: h.inFlight}
	var err error
	if o.rows, err = finalRows(ctx, h.db); err != nil {
		return err
	}
	if o.emails, err = h.o.Mail.emails(ctx); err != nil {
		return err
	}
	if o.texts, err = h.sb.texts(ctx); err != nil {
		return err
	}
	h.r.check(o)
	h.r.finish()
	return nil
}

// running reports whether the last start has logged that it is running.
func (h *harness) running() (bool, error) {
	b, err := os.ReadFile(h.log.Name())
	if err != nil {
		return false, err
	}
	last := bytes.LastIndex(b, []byte("=== crash harness:"))
	return last >= 0 && bytes.Contains(b[last:], []byte("rapport is running")), nil
}
