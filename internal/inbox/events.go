package inbox

import (
	"context"
	"fmt"

	"github.com/rapportapp/rapport/internal/store"
)

// Unsubscribe stops all email to the contact with this link id, including
// messages already queued (the dispatcher checks the status at send time).
// It reports whether the contact exists.
func (in *Inbox) Unsubscribe(ctx context.Context, uid string) (bool, error) {
	ct, err := in.store.ContactByUID(ctx, uid)
	if store.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if ct.EmailStatus == store.Unsubscribed {
		return true, nil
	}
	now := in.clock.Now().Unix()
	err = in.store.Batch(ctx, func(tx *store.Tx) error {
		if err := tx.SetEmailStatus(ctx, ct.ID, store.Unsubscribed, "unsubscribe link, "+timeText(now), now); err != nil {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeUnsubscribed, ct.ID, 0, ct.Label()+" unsubscribed from your emails", now)
	})
	if err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	in.log.Info("unsubscribed", "contact", ct.ID)
	return true, nil
}

// StopMarketing records that the contact with this link id wants no more
// tips and news by email; emails about their orders keep going. It
// reports whether the contact exists.
func (in *Inbox) StopMarketing(ctx context.Context, uid string) (bool, error) {
	ct, err := in.store.ContactByUID(ctx, uid)
	if store.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if ct.MarketingEmailDeclined() {
		return true, nil
	}
	now := in.clock.Now().Unix()
	err = in.store.Batch(ctx, func(tx *store.Tx) error {
		if err := tx.SetEmailMarketing(ctx, ct.ID, false, "stopped tips and news on the unsubscribe page, "+timeText(now), now); err != nil {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeUnsubscribed, ct.ID, 0, ct.Label()+" stopped your tips and news by email (emails about orders still go)", now)
	})
	if err != nil {
		return false, fmt.Errorf("stop marketing email: %w", err)
	}
	in.log.Info("stopped marketing email", "contact", ct.ID)
	return true, nil
}

// Delivery records a Twilio status callback for a text we sent. Failed
// and undelivered texts are reported to the rep.
func (in *Inbox) Delivery(ctx context.Context, sid, status, errorCode string) error {
	if ok, err := in.store.HasProviderID(ctx, sid); err != nil || !ok {
		return err // not one of ours (or a test ping): nothing to write
	}
	now := in.clock.Now().Unix()
	return in.store.Batch(ctx, func(tx *store.Tx) error {
		found, err := tx.SetDelivery(ctx, sid, status)
		if err != nil || !found {
			return err
		}
		if status != "failed" && status != "undelivered" {
			return nil
		}
		return tx.AddNotice(ctx, store.NoticeFailed, 0, 0,
			fmt.Sprintf("text %s was %s by the carrier (Twilio error %s)", sid, status, errorCode), now)
	})
}
