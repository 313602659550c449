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

-- The dashboard's lists and `rapport contacts` read one page at a time,
-- each after where the last ended (keyset), in these indexes' order; a
-- search by the start of a name, an email or a phone reads only the
-- matching entries of these indexes and of email's and phone's own.
-- contacts_name is also the list's order: last name, then first name.
CREATE INDEX contacts_name ON contacts(lower(last_name || ' ' || first_name));
CREATE INDEX contacts_first ON contacts(lower(first_name || ' ' || last_name));
-- Replies waiting (flagged first, then oldest first), and all of them
-- (waiting ones first).
CREATE INDEX replies_waiting ON replies(flags = '', received_at) WHERE handled_at = 0;
CREATE INDEX replies_order ON replies(handled_at != 0, flags = '', received_at);
