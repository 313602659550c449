package store

import (
	"context"
	"fmt"
)

// DashboardSession is a signed-in dashboard session. ID is a digest of
// the cookie's token, never the token itself.
type DashboardSession struct {
	ID        string `db:"id"`
	Password  string `db:"password"` // digest of the password hash it was made under
	CreatedAt int64  `db:"created_at"`
	SeenAt    int64  `db:"seen_at"`
}

// DashboardSession returns the session with id, or ErrNotFound. It reads
// through the writer: a session made a moment ago must be found.
func (s *Store) DashboardSession(ctx context.Context, id string) (*DashboardSession, error) {
	var d DashboardSession
	if err := s.get(ctx, s.w, &d, "dashboard-session", id); err != nil {
		return nil, err
	}
	return &d, nil
}

// AddDashboardSession records a new session.
func (tx *Tx) AddDashboardSession(ctx context.Context, d DashboardSession) error {
	if _, err := tx.exec(ctx, "dashboard-session-insert", d.ID, d.Password, d.CreatedAt, d.SeenAt); err != nil {
		return fmt.Errorf("record dashboard session: %w", err)
	}
	return nil
}

// TouchDashboardSession records that a session was used at now.
func (tx *Tx) TouchDashboardSession(ctx context.Context, id string, now int64) error {
	_, err := tx.exec(ctx, "dashboard-session-touch", now, id)
	return err
}

// EndDashboardSession forgets one session.
func (tx *Tx) EndDashboardSession(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, "dashboard-session-delete", id)
	return err
}

// EndDashboardSessions forgets every session.
func (tx *Tx) EndDashboardSessions(ctx context.Context) error {
	_, err := tx.exec(ctx, "dashboard-sessions-delete-all")
	return err
}

// EndExpiredDashboardSessions forgets the sessions last seen before
// seenBefore, made before createdBefore, or made under a password other
// than password.
func (tx *Tx) EndExpiredDashboardSessions(ctx context.Context, seenBefore, createdBefore int64, password string) error {
	_, err := tx.exec(ctx, "dashboard-sessions-delete-expired", seenBefore, createdBefore, password)
	return err
}
