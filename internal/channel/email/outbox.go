package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rapportapp/rapport/internal/channel"
)

// Outbox is the local email transport: each message becomes one complete
// .eml file in Dir, byte for byte what SMTP would send.
type Outbox struct {
	Dir string
	id  Identity
}

var (
	_ channel.Sender   = (*Outbox)(nil)
	_ channel.Verifier = (*Outbox)(nil)
)

// NewOutbox creates dir (mode 0700: the files hold customers' addresses)
// and checks the identity.
func NewOutbox(dir string, id Identity) (*Outbox, error) {
	if _, _, err := id.addresses(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create outbox folder: %w", err)
	}
	return &Outbox{Dir: dir, id: id}, nil
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
	msg, err := Build(m, o.id)
	if err != nil {
		return "", permanent(err)
	}
	name := OutboxFileName(m)
	if err := writeAtomic(o.Dir, name, msg.WriteTo); err != nil {
		// A full or read-only disk can be fixed; the message is still good.
		return "", &channel.Error{Class: channel.Temporary, Msg: err.Error(), Err: err}
	}
	return name, nil
}

// Verify reports whether m's file is in the outbox: a rename is atomic, so
// a file that exists is complete.
func (o *Outbox) Verify(_ context.Context, m *channel.Message) (string, bool, error) {
	name := OutboxFileName(m)
	_, err := os.Stat(filepath.Join(o.Dir, name))
	switch {
	case err == nil:
		return name, true, nil
	case errors.Is(err, fs.ErrNotExist):
		return "", false, nil
	default:
		return "", false, fmt.Errorf("check outbox: %w", err)
	}
}

// writeAtomic writes a temporary file next to the target, syncs it, renames
// it into place and syncs the folder, so a crash leaves either no file or
// the whole file, never a torn one.
func writeAtomic(dir, name string, write func(w io.Writer) (int64, error)) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-*-"+name)
	if err != nil {
		return fmt.Errorf("write outbox file %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = write(f); err != nil {
		return fmt.Errorf("write outbox file %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync outbox file %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close outbox file %s: %w", name, err)
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("rename outbox file %s: %w", name, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync outbox folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync outbox folder: %w", err)
	}
	return nil
}
