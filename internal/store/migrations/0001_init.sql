-- Rapport's first schema. Times are Unix seconds (UTC); dates are YYYY-MM-DD.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE contacts (
    id                 INTEGER PRIMARY KEY,
    uid                TEXT NOT NULL,                  -- random; the only id that appears in links
    first_name         TEXT NOT NULL DEFAULT '',
    last_name          TEXT NOT NULL DEFAULT '',
    email              TEXT UNIQUE,                    -- lower-case; NULL when unknown
    phone              TEXT UNIQUE,                    -- E.164; NULL when unknown
    timezone           TEXT NOT NULL DEFAULT '',       -- '' = the rep's
    sms_consent        INTEGER NOT NULL DEFAULT 0,
    sms_consent_at     TEXT NOT NULL DEFAULT '',
    sms_consent_source TEXT NOT NULL DEFAULT '',
    sms_consent_text   TEXT NOT NULL DEFAULT '',
    email_status       TEXT NOT NULL DEFAULT 'subscribed', -- subscribed | unsubscribed | bounced
    sms_status         TEXT NOT NULL DEFAULT 'subscribed', -- subscribed | opted_out | bounced (number can't take texts)
    status_note        TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
-- An index of its own, not a column constraint, so a large import can
-- build it once at the end (see Tx.Bulk).
CREATE UNIQUE INDEX contacts_uid ON contacts(uid);

CREATE TABLE orders (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    order_date TEXT NOT NULL,
    invoice    TEXT NOT NULL DEFAULT '',
    items      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (contact_id, order_date, invoice)
);

-- A journey is one contact going through one campaign (one per order for
-- order-triggered campaigns).
CREATE TABLE journeys (
    id         INTEGER PRIMARY KEY,
    campaign   TEXT NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    order_id   INTEGER NOT NULL DEFAULT 0,   -- 0 for contact-triggered campaigns
    trigger_at INTEGER NOT NULL,             -- instant, or for date_only the date at 00:00 UTC
    date_only  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (campaign, contact_id, order_id)
);
CREATE INDEX journeys_contact ON journeys(contact_id);

-- The durable queue: one row per step occurrence.
CREATE TABLE messages (
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
    message_id   TEXT NOT NULL UNIQUE,       -- RFC 5322 Message-ID, fixed at creation
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
CREATE INDEX messages_pending ON messages(due_at) WHERE state = 'pending';
CREATE INDEX messages_sending ON messages(id) WHERE state = 'sending';
CREATE INDEX messages_contact_sent ON messages(contact_id, sent_at);
CREATE INDEX messages_provider ON messages(provider_id) WHERE provider_id != '';

-- Replies from customers (and unknown senders), for the rep.
CREATE TABLE replies (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    message_id  INTEGER REFERENCES messages(id) ON DELETE SET NULL, -- the message it answers
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,               -- Twilio MessageSid, or the email's Message-ID
    from_addr   TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    flags       TEXT NOT NULL DEFAULT '',    -- comma-separated
    deadlines   TEXT NOT NULL DEFAULT '',    -- one per line, for the rep
    raw_ref     TEXT NOT NULL DEFAULT '',    -- where the original is (IMAP mailbox/UID)
    received_at INTEGER NOT NULL,
    handled_at  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel, external_id)
);
CREATE INDEX replies_open ON replies(contact_id) WHERE handled_at = 0;

-- Things the rep should hear about: tasks, stale steps, failures, opt-outs.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    contact_id  INTEGER NOT NULL DEFAULT 0,
    message_id  INTEGER NOT NULL DEFAULT 0,
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    digested_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notices_open ON notices(created_at) WHERE digested_at = 0;

-- Messages Rapport sends to the rep (reply forwards, digests), queued like
-- customer messages so none is lost.
CREATE TABLE rep_messages (
    id          INTEGER PRIMARY KEY,
    dedupe_key  TEXT NOT NULL UNIQUE,
    channel     TEXT NOT NULL,
    to_addr     TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    message_id  TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER NOT NULL,
    claimed_at  INTEGER NOT NULL DEFAULT 0,
    sent_at     INTEGER NOT NULL DEFAULT 0,
    provider_id TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX rep_messages_pending ON rep_messages(due_at) WHERE state IN ('pending', 'sending');

-- Where the IMAP poller got to.
CREATE TABLE mail_cursors (
    mailbox      TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL
);
