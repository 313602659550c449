package email

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rapportapp/rapport/internal/atomicfile"
	"github.com/rapportapp/rapport/internal/channel"
)

// Outbox is the local email transport: each message becomes one complete
// .eml file in Dir, byte for byte what SMTP would send.
type Outbox struct {
	Dir string
	id  *parsedIdentity
}

var (
	_ channel.Sender   = (*Outbox)(nil)
	_ channel.Verifier = (*Outbox)(nil)
)

// NewOutbox creates dir (mode 0700: the files hold customers' addresses)
// and checks the identity.
func NewOutbox(dir string, id Identity) (*Outbox, error) {
	p, err := id.parse()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create outbox folder: %w", err)
	}
	return &Outbox{Dir: dir, id: p}, nil
}

// OutboxFileName is the file a message is written to. It depends only on
// the queue row, so a retry after a crash replaces the same file rather
// than adding a second one.
func OutboxFileName(m *channel.Message) string {
	return fmt.Sprintf("%08d-%s-%s.eml", m.ID, safeName(m.Campaign), safeName(m.Step))
}

// safeName keeps letters, digits, '.', '_' and '-'; anything else (path
// separators above all) becomes '_'.
func safeName(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
}

// Send writes m into the outbox atomically and returns the file name.
func (o *Outbox) Send(ctx context.Context, m *channel.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", &channel.Error{Class: channel.Temporary, Msg: err.Error(), Err: err}
	}
	msg, err := o.id.build(m)
	if err != nil {
		return "", permanent(err)
	}
	name := OutboxFileName(m)
	// 0600, like the folder's 0700: the file holds a customer's address.
	if err := atomicfile.Write(filepath.Join(o.Dir, name), 0o600, msg); err != nil {
		// A full or read-only disk can be fixed; the message is still good.
		return "", &channel.Error{Class: channel.Temporary, Msg: err.Error(), Err: err}
	}
	return name, nil
}

// Verify reports whether m's file is in the outbox: Send writes it
// atomically, so a file that exists is complete.
func (o *Outbox) Verify(_ context.Context, m *channel.Message) (string, bool, error) {
	name := OutboxFileName(m)
	ok, err := atomicfile.Exists(filepath.Join(o.Dir, name))
	if err != nil || !ok {
		return "", false, err
	}
	return name, true, nil
}
