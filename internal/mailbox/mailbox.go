// Package mailbox reads new mail from the rep's IMAP mailbox, each message
// once, without changing anything there: the mailbox is opened read-only
// (EXAMINE) and bodies are fetched with BODY.PEEK[], so the rep's own mail
// keeps its unread state and stays where it is. What has been read is
// remembered as a Cursor (UIDVALIDITY and the last UID handled) that the
// caller stores.
package mailbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Config says how to reach the mailbox.
type Config struct {
	Host     string
	Port     int    // 0: 993 for "tls", 143 otherwise
	TLS      string // "tls" (the default), "starttls" or "none"
	Username string
	Password string
	Mailbox  string        // "" means INBOX
	Timeout  time.Duration // for each exchange with the server; 0 means one minute

	// TLSConfig, if set, is used for "tls" and "starttls", for a private CA
	// or a test server; ServerName defaults to Host.
	TLSConfig *tls.Config
}

// Cursor is how far a mailbox has been read. UIDs only mean something
// together with the mailbox's UIDVALIDITY; when the server changes it (a
// mailbox rebuilt or migrated), every message must be read again.
type Cursor struct {
	UIDValidity uint32
	LastUID     uint32
}

// ErrLogin is returned (wrapped) when the server refuses the username or
// password.
var ErrLogin = errors.New("the mail server refused the username or password: " +
	"check the IMAP username and password (Gmail, iCloud and Yahoo need an app password, not the account password)")

// Batches bound how much is fetched before it is handled: at most this
// many messages, and this many bytes unless a single message is larger.
const (
	batchMessages = 50
	batchBytes    = 32 << 20
)

// Poll connects, opens the mailbox read-only and calls handle for every
// message with a UID above cur.LastUID, in UID order; if the mailbox's
// UIDVALIDITY is not cur's, the cursor starts over and every message is
// handled. After each message handle returns nil for, save gets the cursor
// that includes it, so a crash mid-poll re-reads at most the message in
// hand. Poll returns the final cursor, also when it stops early.
//
// handle should return an error only for failures worth retrying (the
// database is down): Poll stops there and the next poll offers the same
// message again. A message that cannot be understood should be logged and
// accepted, or polling stalls on it.
func Poll(ctx context.Context, cfg Config, cur Cursor, handle func(uid uint32, raw []byte) error, save func(Cursor) error) (Cursor, error) {
	cfg = cfg.withDefaults()
	s, err := open(ctx, cfg)
	if err != nil {
		return cur, err
	}
	defer s.logout(ctx)

	box, err := s.examine(ctx)
	if err != nil {
		return cur, err
	}
	if box.UIDValidity != cur.UIDValidity {
		cur = Cursor{UIDValidity: box.UIDValidity}
	}
	if box.NumMessages == 0 || (box.UIDNext != 0 && uint32(box.UIDNext) <= cur.LastUID+1) {
		return cur, nil // nothing new; spares the listing
	}
	list, err := s.listAfter(ctx, cur.LastUID)
	if err != nil {
		return cur, err
	}
	for _, batch := range batches(list) {
		if cur, err = s.handleBatch(ctx, batch, cur, handle, save); err != nil {
			return cur, err
		}
	}
	return cur, nil
}

// handleBatch fetches one batch and hands its messages over in UID order.
func (s *session) handleBatch(ctx context.Context, batch []entry, cur Cursor, handle func(uint32, []byte) error, save func(Cursor) error) (Cursor, error) {
	bodies, err := s.fetchBodies(ctx, batch)
	if err != nil {
		return cur, err
	}
	for _, e := range batch {
		if err := context.Cause(ctx); err != nil {
			return cur, fmt.Errorf("%s: %w", s.where, err)
		}
		raw, ok := bodies[e.uid]
		if !ok {
			continue // expunged since it was listed: nothing to read
		}
		if err := handle(e.uid, raw); err != nil {
			return cur, fmt.Errorf("%s: message UID %d: %w", s.where, e.uid, err)
		}
		cur.LastUID = e.uid
		if err := save(cur); err != nil {
			return cur, fmt.Errorf("%s: save position after UID %d: %w", s.where, e.uid, err)
		}
	}
	return cur, nil
}

// Latest returns a cursor at the end of the mailbox as it is now, so that a
// first poll handles only mail that arrives from then on rather than the
// rep's whole history.
func Latest(ctx context.Context, cfg Config) (Cursor, error) {
	cfg = cfg.withDefaults()
	s, err := open(ctx, cfg)
	if err != nil {
		return Cursor{}, err
	}
	defer s.logout(ctx)
	box, err := s.examine(ctx)
	if err != nil {
		return Cursor{}, err
	}
	cur := Cursor{UIDValidity: box.UIDValidity}
	if box.NumMessages == 0 {
		return cur, nil
	}
	if box.UIDNext != 0 {
		cur.LastUID = uint32(box.UIDNext) - 1
		return cur, nil
	}
	// An old server that does not announce UIDNEXT: ask for the last UID.
	list, err := s.listAfter(ctx, 0)
	if err != nil {
		return Cursor{}, err
	}
	if len(list) > 0 {
		cur.LastUID = list[len(list)-1].uid
	}
	return cur, nil
}

func (cfg Config) withDefaults() Config {
	if cfg.TLS == "" {
		cfg.TLS = "tls"
	}
	if cfg.Port == 0 {
		cfg.Port = 143
		if cfg.TLS == "tls" {
			cfg.Port = 993
		}
	}
	if cfg.Mailbox == "" {
		cfg.Mailbox = "INBOX"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	return cfg
}

func (cfg Config) addr() string {
	return cfg.Host + ":" + strconv.Itoa(cfg.Port)
}
