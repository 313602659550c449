-- The rep's own hand on a customer: pausing their automation, cancelling
-- an order, and a history of what the rep changed (with their notes).
-- paused_at: when the rep paused the customer's messages; 0 when not.
ALTER TABLE contacts ADD COLUMN paused_at INTEGER NOT NULL DEFAULT 0;
-- cancelled_at: when the order was cancelled; 0 while it stands. Its
-- journeys' sent steps stay in the history, the pending ones are cancelled.
ALTER TABLE orders ADD COLUMN cancelled_at INTEGER NOT NULL DEFAULT 0;
-- What the rep did to a customer and the notes they wrote, newest last:
-- kind is 'note' (free text from the rep) or 'change' (what changed);
-- who is "rep (cli)" or "rep (dashboard)". Forgetting the customer
-- forgets it too.
CREATE TABLE contact_history (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    who        TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX contact_history_contact ON contact_history(contact_id, id);
