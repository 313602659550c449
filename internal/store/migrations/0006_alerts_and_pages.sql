-- A message to the rep that forwards a customer's reply names the reply:
-- forwards waiting on a channel are then told in one summary, problem
-- replies first, rather than one message each, oldest first (a burst of
-- texts buried a new problem under an hour of forwards). Forwards queued
-- before keep going; their reply is read back from their dedupe key,
-- "reply:ID:CHANNEL".
ALTER TABLE rep_messages ADD COLUMN reply_id INTEGER NOT NULL DEFAULT 0;
UPDATE rep_messages
SET reply_id = CAST(substr(dedupe_key, 7, instr(substr(dedupe_key, 7), ':') - 1) AS INTEGER)
WHERE dedupe_key LIKE 'reply:%:%';
CREATE INDEX rep_messages_forwards ON rep_messages(channel, id)
WHERE reply_id != 0 AND state IN ('pending', 'sending');
