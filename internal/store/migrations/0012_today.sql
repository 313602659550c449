-- The rep's day on the dashboard: tasks they mark done, failed sends they
-- ask to try again, and the indexes the Today and Upcoming pages read.
-- done_at: when the rep marked a task row done; 0 while it is open.
ALTER TABLE messages ADD COLUMN done_at INTEGER NOT NULL DEFAULT 0;
-- Tasks handed out before this column existed were in past digests: they
-- count as done, so Today does not open with months of old tasks.
UPDATE messages SET done_at = sent_at WHERE channel = 'task' AND state = 'sent';
-- retried_at: when the rep sent a failed row back to the queue; a row is
-- retried by hand once (a second failure is the account's or the address's
-- problem, not bad luck).
ALTER TABLE messages ADD COLUMN retried_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_tasks_open ON messages(due_at) WHERE channel = 'task' AND done_at = 0;
CREATE INDEX messages_failed ON messages(due_at) WHERE state = 'failed';
CREATE INDEX notices_kind ON notices(kind, created_at);
