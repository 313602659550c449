-- When the mailbox was last read to its end (Unix seconds, 0: never), so
-- that a mailbox whose UIDVALIDITY changed is re-read from that day on,
-- not whole.
ALTER TABLE mail_cursors ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0;
