-- Cases: a customer's problem followed through until it is fixed. A case
-- is open while closed_at is 0; "paused" (queries.sql) holds the
-- contact's marketing steps while one is.
CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    order_id    INTEGER NOT NULL DEFAULT 0,   -- 0: no order named
    reply_id    INTEGER NOT NULL DEFAULT 0,   -- the flagged reply it was opened from
    kind        TEXT NOT NULL,                -- damaged | leaking | wrong_item | faulty | missing_item | return | other
    state       TEXT NOT NULL DEFAULT 'open', -- open | reported | waiting | resolved | closed
    outcome     TEXT NOT NULL DEFAULT '',     -- replaced | refunded | credited | no-action
    invoice     TEXT NOT NULL DEFAULT '',
    product     TEXT NOT NULL DEFAULT '',
    code        TEXT NOT NULL DEFAULT '',
    expiry      TEXT NOT NULL DEFAULT '',     -- as support wants it written
    description TEXT NOT NULL DEFAULT '',
    received    TEXT NOT NULL DEFAULT '',     -- YYYY-MM-DD the customer received the order
    ran         TEXT NOT NULL DEFAULT '',     -- return authorisation number
    ran_issued  TEXT NOT NULL DEFAULT '',     -- YYYY-MM-DD
    opened_at   INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,             -- last change the rep recorded (the chase clock)
    reported_at INTEGER NOT NULL DEFAULT 0,
    told_at     INTEGER NOT NULL DEFAULT 0,   -- last update offered to the customer
    closed_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_contact ON cases(contact_id, closed_at);

-- Every change of a case, dated, with the rep's note.
CREATE TABLE case_events (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    state   TEXT NOT NULL,
    note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, at);

-- The company an order was bought from, for its [policy.NAME]; '' is the
-- default policy.
ALTER TABLE orders ADD COLUMN company TEXT NOT NULL DEFAULT '';
