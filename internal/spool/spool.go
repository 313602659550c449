// Package spool keeps what arrives over the network durable before the
// main database can take it: one file per entry in a folder beside the
// database, written atomically and flushed to disk, read back in the
// order they were added and removed once handled. It is what lets the
// daemon answer Twilio's webhooks while an import holds the database's
// write lock.
package spool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/rapportapp/rapport/internal/atomicfile"
)

// Entry is one thing spooled: a kind, the fields that came with it, and
// when it arrived (Unix nanoseconds).
type Entry struct {
	Seq    uint64            `json:"-"`
	Kind   string            `json:"kind"`
	At     int64             `json:"at"`
	Fields map[string]string `json:"fields"`
}

// Spool is a folder of entries.
type Spool struct {
	dir  string
	mu   sync.Mutex
	last uint64
}

const suffix = ".json"

// Open opens (creating, private to its owner) the spool folder dir and
// carries on numbering after the entries already there.
func Open(dir string) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	s := &Spool{dir: dir}
	seqs, err := s.seqs()
	if err != nil {
		return nil, err
	}
	if len(seqs) > 0 {
		s.last = seqs[len(seqs)-1]
	}
	return s, nil
}

// Reserve takes the next sequence number, for an entry to be written
// with Write. Numbers only grow, so entries are read back in the order
// they were reserved.
func (s *Spool) Reserve() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last++
	return s.last
}

// Write stores e under seq (from Reserve); once it returns, e survives a
// crash or a power cut.
func (s *Spool) Write(seq uint64, e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("spool entry %d: %w", seq, err)
	}
	return atomicfile.Write(s.path(seq), 0o600, bytes.NewReader(b))
}

// Pending returns the entries not yet done, oldest first.
func (s *Spool) Pending() ([]Entry, error) {
	seqs, err := s.seqs()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(seqs))
	for _, seq := range seqs {
		b, err := os.ReadFile(s.path(seq))
		if errors.Is(err, fs.ErrNotExist) {
			continue // done meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
		e := Entry{Seq: seq}
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("spool: %s: %w", s.path(seq), err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Done removes an entry that has been handled. The removal need not
// survive a crash: whoever handles entries must take one handled twice
// as once (a text is known by its MessageSid).
func (s *Spool) Done(seq uint64) error {
	if err := os.Remove(s.path(seq)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

func (s *Spool) path(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d%s", seq, suffix))
}

// seqs lists the entries' numbers in order; temporary files of writes a
// crash cut short (their names start with a dot) are left out.
func (s *Spool) seqs() ([]uint64, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var out []uint64
	for _, de := range des {
		name, ok := strings.CutSuffix(de.Name(), suffix)
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		if seq, err := strconv.ParseUint(name, 10, 64); err == nil {
			out = append(out, seq)
		}
	}
	return out, nil // ReadDir sorts by name, and names are zero-padded
}
