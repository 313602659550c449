package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// record commits the outcome of a send. The message left the building (or
// did not) before this runs: if the process dies here, Recover finds the
// row in 'sending' and asks the transport.
func (e *Engine) record(ctx context.Context, c *Content, j *job, msg *channel.Message, providerID string, sendErr error) error {
	if sendErr == nil {
		return e.sent(ctx, c, j, msg, providerID)
	}
	if ctx.Err() != nil && errors.Is(sendErr, ctx.Err()) {
		return nil // shutting down: Recover settles the row next start
	}
	var ce *channel.Error
	if !errors.As(sendErr, &ce) {
		ce = &channel.Error{Class: channel.Temporary, Err: sendErr}
	}
	e.log.Warn("send failed", "message", j.d.ID, "contact", j.d.ContactID, "step", j.d.Step,
		"channel", msg.Channel, "class", ce.Class.String(), "code", ce.Code, "err", sendErr.Error())
	switch ce.Class {
	case channel.Bounced:
		return e.lostAddress(ctx, c, j, msg, store.Bounced, store.NoticeBounced, ce)
	case channel.OptedOut:
		return e.lostAddress(ctx, c, j, msg, store.OptedOut, store.NoticeOptedOut, ce)
	case channel.InvalidAddress:
		return e.lostAddress(ctx, c, j, msg, store.Bounced, store.NoticeBounced, ce)
	case channel.Misconfigured:
		return e.misconfigured(ctx, j, msg, ce)
	case channel.Permanent:
		return e.fail(ctx, c, j, ce)
	}
	return e.retry(ctx, c, j, msg, ce)
}

func (e *Engine) sent(ctx context.Context, c *Content, j *job, msg *channel.Message, providerID string) error {
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		return e.markSent(ctx, tx, c, j, providerID)
	})
	if err != nil {
		return fmt.Errorf("record sent message %d: %w", j.d.ID, err)
	}
	e.announceSent(j, msg, providerID)
	return nil
}

// markSent records in tx that j's message went, and queues the next
// occurrence of a repeating step.
func (e *Engine) markSent(ctx context.Context, tx *store.Tx, c *Content, j *job, providerID string) error {
	if err := tx.MarkSent(ctx, j.d.ID, providerID, j.now.Unix()); err != nil {
		return err
	}
	return e.queueNext(ctx, tx, c, j)
}

// announceSent logs and emits a sent message, once it is recorded.
func (e *Engine) announceSent(j *job, msg *channel.Message, providerID string) {
	e.log.Info("sent", "message", j.d.ID, "contact", j.d.ContactID, "campaign", j.d.Campaign,
		"step", j.d.Step, "channel", msg.Channel, "provider_id", providerID)
	e.emit(Event{At: j.now, Kind: "sent", Contact: j.d.Contact.Label(), Channel: msg.Channel,
		Campaign: j.d.Campaign, Step: j.d.Step, Summary: summary(msg)})
}

// lostAddress records that the address cannot be used any more (bounced,
// opted out, invalid number) and puts the row back: on its next pass it
// takes the step's fallback channel, or is skipped.
func (e *Engine) lostAddress(ctx context.Context, c *Content, j *job, msg *channel.Message, status, kind string, ce *channel.Error) error {
	label := j.d.Contact.Label()
	text := fmt.Sprintf("%s — %s %s: %s", label, msg.Channel, msg.To, ce.Error())
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if msg.Channel == channel.Email {
			err = tx.SetEmailStatus(ctx, j.d.ContactID, status, ce.Error(), j.now.Unix())
		} else {
			err = tx.SetSMSStatus(ctx, j.d.ContactID, status, ce.Error(), j.now.Unix())
		}
		if err != nil {
			return err
		}
		if err := tx.AddNotice(ctx, kind, j.d.ContactID, j.d.ID, text, j.now.Unix()); err != nil {
			return err
		}
		return tx.Retry(ctx, j.d.ID, j.now.Unix(), ce.Error())
	})
	e.emit(Event{At: j.now, Kind: "failed", Contact: label, Channel: msg.Channel,
		Campaign: j.d.Campaign, Step: j.d.Step, Note: ce.Error()})
	return err
}

// misconfigured holds the channel until the rep fixes the account and
// reloads; the row waits, it is not the customer's fault.
func (e *Engine) misconfigured(ctx context.Context, j *job, msg *channel.Message, ce *channel.Error) error {
	e.hold(msg.Channel, ce.Error())
	e.log.Error("channel held: check the account settings in config.toml, then reload", "channel", msg.Channel, "err", ce.Error())
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		text := fmt.Sprintf("%s sending stopped: %s — fix config.toml and reload (systemctl reload rapport)", msg.Channel, ce.Error())
		if err := tx.AddNotice(ctx, store.NoticeSetup, 0, j.d.ID, text, j.now.Unix()); err != nil {
			return err
		}
		return tx.Retry(ctx, j.d.ID, j.now.Add(time.Minute).Unix(), ce.Error())
	})
}

// retry reschedules after a temporary failure with exponential backoff and
// jitter, until the attempts run out.
func (e *Engine) retry(ctx context.Context, c *Content, j *job, msg *channel.Message, ce *channel.Error) error {
	if v, ok := e.sender(msg.Channel).(channel.Verifier); ok {
		// A 5xx or a lost connection may hide a message that was created:
		// ask before resending, so a text never goes twice.
		id, sent, err := v.Verify(ctx, msg)
		if err != nil {
			e.log.Warn("could not check whether a failed send went; will ask again", "message", j.d.ID, "err", err)
			return nil // stays 'sending'; Recover asks again on the next pass
		}
		if sent {
			return e.sent(ctx, c, j, msg, id)
		}
	}
	attempts := j.d.Attempts // Claim counted this one
	if attempts >= c.Rules.MaxAttempts {
		return e.fail(ctx, c, j, fmt.Errorf("gave up after %d attempts: %w", attempts, ce))
	}
	wait := Backoff(c.Rules.RetryBase, c.Rules.RetryMax, attempts, rand.Float64())
	if ce.RetryAfter > wait {
		wait = ce.RetryAfter
	}
	next := j.now.Add(wait)
	e.emit(Event{At: j.now, Kind: "retry", Contact: j.d.Contact.Label(), Channel: msg.Channel,
		Campaign: j.d.Campaign, Step: j.d.Step, Note: ce.Error()})
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		return tx.Retry(ctx, j.d.ID, next.Unix(), ce.Error())
	})
}

// Backoff is base·2^(attempt-1), capped at max, scaled by a jitter in
// [0.8, 1.2) from r in [0, 1) so retries from many rows spread out.
func Backoff(base, max time.Duration, attempt int, r float64) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return time.Duration(float64(d) * (0.8 + 0.4*r))
}

// fail ends a row as failed and tells the rep.
func (e *Engine) fail(ctx context.Context, c *Content, j *job, cause error) error {
	text := fmt.Sprintf("%s — %s failed: %v", j.d.Contact.Label(), rowName(j.d), cause)
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Finish(ctx, j.d.ID, store.Failed, "", cause.Error()); err != nil {
			return err
		}
		if err := tx.AddNotice(ctx, store.NoticeFailed, j.d.ContactID, j.d.ID, text, j.now.Unix()); err != nil {
			return err
		}
		return e.queueNext(ctx, tx, c, j)
	})
	e.emit(Event{At: j.now, Kind: "failed", Contact: j.d.Contact.Label(), Channel: j.d.Channel,
		Campaign: j.d.Campaign, Step: j.d.Step, Note: cause.Error()})
	return err
}
