package mailbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrNoIdle is returned by Watch when the server cannot announce new mail
// as it arrives (it offers no IDLE): the caller polls instead.
var ErrNoIdle = errors.New("the mail server does not offer IDLE, so new mail is found by polling")

// Watch reads the mailbox as Poll does, then stays connected and waits for
// new mail with IDLE, reading each arrival as soon as the server announces
// it. Every cfg.IdleRefresh it ends IDLE and reads anyway, which both keeps
// the server from dropping an idle client and catches mail it failed to
// announce. After every read that reached the end of the mailbox, caughtUp
// gets the cursor (the caller records when that was, for Cursor.ReadAt).
//
// Watch returns the final cursor and why it stopped: ctx ended, the
// connection failed (the caller reconnects), or ErrNoIdle after the first
// read when the server has no IDLE.
func Watch(ctx context.Context, cfg Config, cur Cursor, handle func(uid uint32, raw []byte) error, save, caughtUp func(Cursor) error) (Cursor, error) {
	cfg = cfg.withDefaults()
	s, err := open(ctx, cfg)
	if err != nil {
		return cur, err
	}
	defer s.logout(ctx)
	if cur, err = s.readFirst(ctx, cur, handle, save); err != nil {
		return cur, err
	}
	for {
		if err := caughtUp(cur); err != nil {
			return cur, err
		}
		canIdle, err := s.canIdle(ctx)
		if err != nil {
			return cur, err
		}
		if !canIdle {
			return cur, ErrNoIdle
		}
		if err := s.idle(ctx); err != nil {
			return cur, err
		}
		if cur, err = s.readAfter(ctx, cur, handle, save); err != nil {
			return cur, err
		}
	}
}

// canIdle says whether the server offers IDLE (IMAP4rev2 includes it).
func (s *session) canIdle(ctx context.Context) (bool, error) {
	var caps imap.CapSet
	err := s.do(ctx, "ask for capabilities", func() error {
		caps = s.client.Caps()
		if caps == nil {
			return errors.New("no capabilities received")
		}
		return nil
	})
	return caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2), err
}

// idle waits in IDLE until the server announces new mail or the refresh
// time comes, then ends IDLE so that commands can be sent again. A
// connection lost meanwhile is an error.
func (s *session) idle(ctx context.Context) error {
	// Mail that came during the last read may be announced only on the
	// next command (go-imap's own server holds it back from IDLE): ask
	// once more before waiting.
	if err := s.do(ctx, "check for new mail", func() error { return s.client.Noop().Wait() }); err != nil {
		return err
	}
	select {
	case <-s.news:
		return nil
	default:
	}
	var cmd *imapclient.IdleCommand
	err := s.do(ctx, "start IDLE", func() (err error) {
		cmd, err = s.client.Idle()
		return err
	})
	if err != nil {
		return err
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	refresh := time.NewTimer(s.cfg.IdleRefresh)
	defer refresh.Stop()
	select {
	case <-s.news:
	case <-refresh.C:
	case err := <-ended:
		return fmt.Errorf("%s: connection lost while waiting for new mail: %w", s.where, orElse(err, errors.New("closed")))
	case <-ctx.Done():
		// End IDLE politely so that the logout that follows is heard.
		_ = s.doWithin(context.WithoutCancel(ctx), "end IDLE", logoutTimeout, func() error { return endIdle(cmd, ended) })
		return fmt.Errorf("%s: %w", s.where, context.Cause(ctx))
	}
	return s.do(ctx, "end IDLE", func() error { return endIdle(cmd, ended) })
}

// endIdle sends DONE and waits for the server to finish the command.
func endIdle(cmd *imapclient.IdleCommand, ended <-chan error) error {
	if err := cmd.Close(); err != nil {
		return err
	}
	return <-ended
}

// orElse returns err, or alt when err is nil.
func orElse(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}
