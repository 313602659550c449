package store

import (
	"context"
	"database/sql"
)

// DayRow is a queue row as the rep's day lists it: a task to do, a send
// that failed, a message about to go, with its customer.
type DayRow struct {
	ID           int64  `db:"id"`
	ContactID    int64  `db:"contact_id"`
	Campaign     string `db:"campaign"`
	Step         string `db:"step"`
	Channel      string `db:"channel"`
	State        string `db:"state"`
	DueAt        int64  `db:"due_at"`
	Subject      string `db:"subject"` // a task's title once handed out
	Error        string `db:"error"`
	Note         string `db:"note"`
	RetriedAt    int64  `db:"retried_at"`
	ContactName  string `db:"contact_name"`
	ContactEmail string `db:"contact_email"`
	ContactPhone string `db:"contact_phone"`
}

// OpenTasks lists the task rows due before by (the end of the rep's day)
// that the rep has not marked done, oldest first, at most limit.
func (s *Store) OpenTasks(ctx context.Context, by int64, limit int) ([]DayRow, error) {
	return all[DayRow](ctx, s, s.r, "tasks-open", by, limit)
}

// TaskDone marks a task row done; it reports false when the row is no
// open task (done already, or not a task).
func (tx *Tx) TaskDone(ctx context.Context, id, now int64) (bool, error) {
	res, err := tx.exec(ctx, "task-done", now, id)
	return rowChanged(res, err, "task-done")
}

// TaskLater puts an open task row back in the queue, due at due, with why.
// It reports false when the row is no open task.
func (tx *Tx) TaskLater(ctx context.Context, id, due int64, why string) (bool, error) {
	res, err := tx.exec(ctx, "task-later", due, why, id)
	return rowChanged(res, err, "task-later")
}

// FailedSince lists the rows that failed, due since since, newest first,
// at most limit.
func (s *Store) FailedSince(ctx context.Context, since int64, limit int) ([]DayRow, error) {
	return all[DayRow](ctx, s, s.r, "failed-since", since, limit)
}

// Requeue puts a failed row back in the queue, due at due, with why; a
// row goes back once. It reports false when the row is not failed or was
// retried already.
func (tx *Tx) Requeue(ctx context.Context, id, due int64, why string) (bool, error) {
	res, err := tx.exec(ctx, "message-requeue", due, why, id)
	return rowChanged(res, err, "message-requeue")
}

// Upcoming lists the pending rows due in [from, to), by due time, at most
// limit, and how many there are in all.
func (s *Store) Upcoming(ctx context.Context, from, to int64, limit int) ([]DayRow, int, error) {
	rows, err := all[DayRow](ctx, s, s.r, "upcoming", from, to, limit)
	if err != nil {
		return nil, 0, err
	}
	if len(rows) < limit {
		return rows, len(rows), nil
	}
	n, err := valueOf[int](ctx, s, s.r, "upcoming-count", from, to)
	if err != nil {
		return nil, 0, err
	}
	return rows, n, nil
}

// OpenReplies counts the replies the rep has not marked handled.
func (s *Store) OpenReplies(ctx context.Context) (int, error) {
	return valueOf[int](ctx, s, s.r, "replies-open-count")
}

// NoticesSince lists the notices of the given kinds made since since,
// oldest first, at most limit.
func (s *Store) NoticesSince(ctx context.Context, kinds []string, since int64, limit int) ([]Notice, error) {
	return allIn[Notice](ctx, s, s.r, "notices-of-kinds-since", names(kinds), since, limit)
}

// rowChanged reports whether the update name made changed a row.
func rowChanged(res sql.Result, err error, name string) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, queryError(name, err)
	}
	return n > 0, nil
}

// Path is the database file's path: the dashboard keeps uploads beside it.
func (s *Store) Path() string { return s.path }
