-- The rep's own messages to a customer (`rapport reply`, the dashboard's
-- reply form) go through the queue like campaign steps, so they are
-- claimed, retried and settled after a crash the same way. kind tells
-- them apart: 'step' is a campaign step, 'rep' the rep's message, whose
-- text is the row's body (no template) and which hangs off the contact's
-- conversation journey (campaign ''). answers is the customer's reply it
-- answers (replies.id; 0 when the rep starts the conversation): an email
-- is threaded to it, and a text answering a message of the last 24 hours
-- is not held for the allowed hours. Adding columns with constant
-- defaults rewrites no row.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'step';
ALTER TABLE messages ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;
-- The rep's messages of a contact, and the contacts with any: a few rows
-- among the whole queue.
CREATE INDEX messages_rep ON messages(contact_id, id) WHERE kind = 'rep';
-- A customer's replies in time order, for their thread.
CREATE INDEX replies_contact ON replies(contact_id, received_at);
