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

	"github.com/emersion/go-imap/v2"
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

	// IdleRefresh is how long Watch waits in one IDLE before ending it and
	// reading again; 0 means 25 minutes, inside the 29 minutes after which
	// RFC 2177 lets a server drop an idle client.
	IdleRefresh time.Duration

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

	// ReadAt is when the mailbox was last read to its end (Unix seconds),
	// 0 if never. Poll and Watch pass it through; the caller records it.
	// When the UIDVALIDITY changes, the mail that arrived from the day
	// before ReadAt is read again, not the whole mailbox, so the caller's
	// handler must know messages it has seen before (by Message-ID).
	ReadAt int64
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
// UIDVALIDITY is not cur's, the UIDs start over: the mail since the day
// before cur.ReadAt is handled again (all of it when ReadAt is 0). After
// each message handle returns nil for, save gets the cursor that includes
// it, so a crash mid-poll re-reads at most the message in hand. Poll
// returns the final cursor, also when it stops early.
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
	return s.readFirst(ctx, cur, handle, save)
}

// readFirst opens the mailbox and reads what is new since cur, the first
// read of a session: the only one where UIDVALIDITY may have changed.
func (s *session) readFirst(ctx context.Context, cur Cursor, handle func(uint32, []byte) error, save func(Cursor) error) (Cursor, error) {
	box, err := s.examine(ctx)
	if err != nil {
		return cur, err
	}
	if box.UIDValidity != cur.UIDValidity {
		return s.reread(ctx, box, cur, handle, save)
	}
	if box.NumMessages == 0 || (box.UIDNext != 0 && uint32(box.UIDNext) <= cur.LastUID+1) {
		return cur, nil // nothing new; spares the listing
	}
	return s.readAfter(ctx, cur, handle, save)
}

// readAfter handles every message with a UID above cur.LastUID.
func (s *session) readAfter(ctx context.Context, cur Cursor, handle func(uint32, []byte) error, save func(Cursor) error) (Cursor, error) {
	list, err := s.listAfter(ctx, cur.LastUID)
	if err != nil {
		return cur, err
	}
	return s.handleList(ctx, list, cur, handle, save)
}

// reread starts over in a mailbox whose UIDs changed meaning. Its old
// UIDs say nothing about what was read, so it reads by arrival date: from
// the day before the last complete read (dates are the server's, in its
// time zone), and then moves the cursor past every message there is.
func (s *session) reread(ctx context.Context, box *imap.SelectData, cur Cursor, handle func(uint32, []byte) error, save func(Cursor) error) (Cursor, error) {
	cur = Cursor{UIDValidity: box.UIDValidity, ReadAt: cur.ReadAt}
	if cur.ReadAt == 0 {
		return s.readAfter(ctx, cur, handle, save)
	}
	list, err := s.listSince(ctx, time.Unix(cur.ReadAt, 0).UTC().AddDate(0, 0, -1))
	if err != nil {
		return cur, err
	}
	if cur, err = s.handleList(ctx, list, cur, handle, save); err != nil {
		return cur, err
	}
	if box.UIDNext != 0 && uint32(box.UIDNext)-1 > cur.LastUID {
		cur.LastUID = uint32(box.UIDNext) - 1
		if err := save(cur); err != nil {
			return cur, fmt.Errorf("%s: save position: %w", s.where, err)
		}
	}
	return cur, nil
}

// handleList reads the listed messages in batches.
func (s *session) handleList(ctx context.Context, list []entry, cur Cursor, handle func(uint32, []byte) error, save func(Cursor) error) (Cursor, error) {
	var err error
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
	if cfg.IdleRefresh <= 0 {
		cfg.IdleRefresh = 25 * time.Minute
	}
	return cfg
}

func (cfg Config) addr() string {
	return cfg.Host + ":" + strconv.Itoa(cfg.Port)
}
