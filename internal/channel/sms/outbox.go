package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/atomicfile"
	"github.com/rapportapp/rapport/internal/channel"
)

var (
	_ channel.Sender   = (*Outbox)(nil)
	_ channel.Verifier = (*Outbox)(nil)
)

// Outbox writes each text as a JSON file into a folder.
type Outbox struct {
	dir  string
	from string
}

// NewOutbox returns an outbox writing into dir (created if missing), with
// from as the sender written in each file.
func NewOutbox(dir, from string) (*Outbox, error) {
	if dir == "" {
		return nil, errors.New("sms outbox: no folder set: set dir in [outbox] of config.toml")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sms outbox: create folder %s: %w", dir, err)
	}
	return &Outbox{dir: dir, from: from}, nil
}

// outboxText is the file format, {"to","from","body","campaign","step",
// "contact_id","at"}: the field names are part of Rapport's interface, as
// other tools read these files.
type outboxText struct {
	To        string `json:"to"`
	From      string `json:"from"`
	Body      string `json:"body"`
	Campaign  string `json:"campaign"`
	Step      string `json:"step"`
	ContactID int64  `json:"contact_id"`
	At        string `json:"at"`
}

// OutboxFileName is the file a text is written to:
// "<id, 8 digits>-<campaign>-<step>.sms.json". The name depends only on the
// queue row, so a text written again after a crash replaces its own file.
func OutboxFileName(m *channel.Message) string {
	return fmt.Sprintf("%08d-%s-%s.sms.json", m.ID, safeName(m.Campaign), safeName(m.Step))
}

// safeName keeps a campaign or step id from leaving the folder.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
}

// Send writes m atomically and returns the file name.
func (o *Outbox) Send(ctx context.Context, m *channel.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(outboxText{
		To: m.To, From: o.from, Body: m.Text, Campaign: m.Campaign, Step: m.Step,
		ContactID: m.ContactID, At: m.Date.Format(time.RFC3339),
	}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("sms outbox: encode text %d: %w", m.ID, err)
	}
	name := OutboxFileName(m)
	if err := atomicfile.Write(filepath.Join(o.dir, name), 0o600, bytes.NewReader(append(data, '\n'))); err != nil {
		// A full disk or a permission fixed later: worth retrying.
		return "", &channel.Error{Class: channel.Temporary, Err: err}
	}
	return name, nil
}

// Verify reports whether m's file is already in the outbox: Send writes it
// atomically, so a file that exists is complete.
func (o *Outbox) Verify(ctx context.Context, m *channel.Message) (string, bool, error) {
	name := OutboxFileName(m)
	ok, err := atomicfile.Exists(filepath.Join(o.dir, name))
	if err != nil || !ok {
		return "", false, err
	}
	return name, true, nil
}
