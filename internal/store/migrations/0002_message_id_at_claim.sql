-- rapport: foreign_keys off
-- A queue row's Message-ID is now given when the row is claimed for
-- sending (committed before the send, as before), not when it is queued:
-- most rows of a large import wait weeks, and a 50-byte unique id each
-- was a quarter of the queue's size and of an import's time. Rows queued
-- before keep theirs, and the index that keeps them unique holds only the
-- rows that have one. SQLite cannot drop NOT NULL in place, so the table
-- is rebuilt (https://sqlite.org/lang_altertable.html#otheralter), with
-- foreign keys off so that dropping the old table leaves replies' links
-- to messages alone; the migration checks them before it commits.
CREATE TABLE messages_new (
    id           INTEGER PRIMARY KEY,
    journey_id   INTEGER NOT NULL REFERENCES journeys(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    campaign     TEXT NOT NULL,
    step         TEXT NOT NULL,
    occurrence   INTEGER NOT NULL,
    channel      TEXT NOT NULL,              -- planned, then the one actually used
    due_at       INTEGER NOT NULL,
    stale_at     INTEGER NOT NULL DEFAULT 0, -- 0: never stale
    state        TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | skipped | failed | cancelled
    attempts     INTEGER NOT NULL DEFAULT 0,
    claimed_at   INTEGER NOT NULL DEFAULT 0,
    sent_at      INTEGER NOT NULL DEFAULT 0,
    message_id   TEXT,                       -- RFC 5322 Message-ID, fixed at the first claim; NULL until then (unique: messages_message_id)
    provider_id  TEXT NOT NULL DEFAULT '',
    delivery     TEXT NOT NULL DEFAULT '',   -- delivered | undelivered | failed (status callbacks)
    template     TEXT NOT NULL DEFAULT '',
    series_index INTEGER NOT NULL DEFAULT -1,
    sent_to      TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (journey_id, step, occurrence)
);
INSERT INTO messages_new SELECT * FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_pending ON messages(due_at) WHERE state = 'pending';
CREATE INDEX messages_sending ON messages(id) WHERE state = 'sending';
CREATE INDEX messages_contact_sent ON messages(contact_id, sent_at);
CREATE INDEX messages_provider ON messages(provider_id) WHERE provider_id != '';
-- Unique where set: a queued row, with none yet, adds nothing to it.
CREATE UNIQUE INDEX messages_message_id ON messages(message_id) WHERE message_id IS NOT NULL;
