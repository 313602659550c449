package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the driver the daemon uses
)

// snapshot is what the database says between a kill and the next start.
type snapshot struct {
	Integrity string         // "ok", or integrity_check's complaints
	States    map[string]int // queue rows by state
	InFlight  []row          // rows left in 'sending': killed mid-send
}

// row is one queue row, as far as the harness cares.
type row struct {
	MessageID  string // the RFC 5322 Message-ID, fixed when the row is made
	Channel    string
	State      string
	SentTo     string
	ProviderID string
}

// Left is how many rows still wait to go.
func (s snapshot) Left() int { return s.States["pending"] + s.States["sending"] }

// openReadOnly opens the daemon's database without writing to it, so the
// check sees exactly what the killed process left behind.
func openReadOnly(path string) (*sql.DB, error) {
	dsn := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro&_busy_timeout=5000"}
	db, err := sql.Open("sqlite3", dsn.String())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// inspect runs PRAGMA integrity_check and reads the queue.
func inspect(ctx context.Context, path string) (snapshot, error) {
	s := snapshot{States: map[string]int{}}
	db, err := openReadOnly(path)
	if err != nil {
		return s, err
	}
	defer db.Close()
	if s.Integrity, err = integrity(ctx, db); err != nil {
		return s, err
	}
	rows, err := queueRows(ctx, db)
	if err != nil {
		return s, err
	}
	for _, r := range rows {
		s.States[r.State]++
		if r.State == "sending" {
			s.InFlight = append(s.InFlight, r)
		}
	}
	return s, nil
}

func integrity(ctx context.Context, db *sql.DB) (string, error) {
	rs, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", fmt.Errorf("integrity_check: %w", err)
	}
	defer rs.Close()
	var lines []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			return "", fmt.Errorf("integrity_check: %w", err)
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "; "), rs.Err()
}

func queueRows(ctx context.Context, db *sql.DB) ([]row, error) {
	rs, err := db.QueryContext(ctx, "SELECT coalesce(message_id, ''), channel, state, sent_to, provider_id FROM messages")
	if err != nil {
		return nil, fmt.Errorf("read the queue: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.MessageID, &r.Channel, &r.State, &r.SentTo, &r.ProviderID); err != nil {
			return nil, fmt.Errorf("read the queue: %w", err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// finalRows reads every queue row once the run is over.
func finalRows(ctx context.Context, path string) ([]row, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return queueRows(ctx, db)
}
