-- Named queries. Each starts with "-- name: NAME"; store methods use them by name.

-- name: setting
SELECT value FROM settings WHERE key = ?;

-- name: setting-insert
INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING;

-- name: contact-columns
id, uid, first_name, last_name, coalesce(email, '') AS email, coalesce(phone, '') AS phone,
timezone, sms_consent, sms_consent_at, sms_consent_source, sms_consent_text,
email_status, sms_status, status_note, created_at, updated_at, email_marketing

-- name: contact-insert
-- Nothing happens when the email or phone is taken: the caller then
-- updates the contact that has it.
INSERT INTO contacts (uid, first_name, last_name, email, phone, timezone, sms_consent,
    sms_consent_at, sms_consent_source, sms_consent_text, created_at, updated_at)
VALUES (?, ?, ?, nullif(?, ''), nullif(?, ''), ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (email) DO NOTHING
ON CONFLICT (phone) DO NOTHING;

-- name: contacts-since
-- The contacts an insert just made: rows get the ids after the largest.
SELECT id, uid FROM contacts WHERE id > ?;

-- name: contacts-max-id
SELECT coalesce(max(id), 0) FROM contacts;

-- name: contact-update
UPDATE contacts SET first_name = ?, last_name = ?, email = nullif(?, ''), phone = nullif(?, ''),
    timezone = ?, sms_consent = ?, sms_consent_at = ?, sms_consent_source = ?,
    sms_consent_text = ?, updated_at = ?
WHERE id = ?;

-- name: contact-set-email-status
UPDATE contacts SET email_status = ?, status_note = ?, updated_at = ? WHERE id = ?;

-- name: contact-set-email-marketing
UPDATE contacts SET email_marketing = ?, status_note = ?, updated_at = ? WHERE id = ?;

-- name: contact-set-sms-status
UPDATE contacts SET sms_status = ?, status_note = ?, updated_at = ? WHERE id = ?;

-- name: order-insert
INSERT INTO orders (contact_id, order_date, invoice, items, created_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (contact_id, order_date, invoice) DO NOTHING;

-- name: order-find
SELECT id, contact_id, order_date, invoice, items, created_at FROM orders
WHERE contact_id = ? AND order_date = ? AND invoice = ?;

-- name: journey-insert
INSERT INTO journeys (campaign, contact_id, order_id, trigger_at, date_only, created_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (campaign, contact_id, order_id) DO NOTHING;

-- name: journey-find
SELECT id, campaign, contact_id, order_id, trigger_at, date_only, created_at FROM journeys
WHERE campaign = ? AND contact_id = ? AND order_id = ?;

-- name: journeys-all
SELECT id, campaign, contact_id, order_id, trigger_at, date_only, created_at FROM journeys
WHERE id > ? ORDER BY id LIMIT ?;

-- name: message-insert
-- No Message-ID yet: the row gets one when it is claimed (message-claim).
INSERT INTO messages (journey_id, contact_id, campaign, step, occurrence, channel, due_at,
    stale_at, template, created_at, state, note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (journey_id, step, occurrence) DO NOTHING;

-- name: journeys-of-campaign
-- By the unique key (campaign, contact_id, order_id): an import runs this
-- for every order, with only the unique indexes there (see Tx.Bulk).
SELECT id, trigger_at FROM journeys WHERE campaign = ? AND contact_id = ?;

-- name: journeys-of-campaign-count
SELECT count(*) FROM journeys WHERE campaign = ? AND contact_id = ?;

-- name: message-cancel-pending-step
UPDATE messages SET state = 'cancelled', note = ?
WHERE journey_id = ? AND step = ? AND state = 'pending';

-- name: message-columns
m.id, m.journey_id, m.contact_id, m.campaign, m.step, m.occurrence, m.channel, m.due_at,
m.stale_at, m.state, m.attempts, m.claimed_at, m.sent_at, coalesce(m.message_id, '') AS message_id, m.provider_id,
m.delivery, m.template, m.series_index, m.sent_to, m.subject, m.error, m.note, m.created_at

-- name: due-join
JOIN contacts c ON c.id = m.contact_id
JOIN journeys j ON j.id = m.journey_id
LEFT JOIN orders o ON o.id = j.order_id

-- name: due-extra-columns
c.id AS "contact.id", c.uid AS "contact.uid", c.first_name AS "contact.first_name",
c.last_name AS "contact.last_name", coalesce(c.email, '') AS "contact.email",
coalesce(c.phone, '') AS "contact.phone", c.timezone AS "contact.timezone",
c.sms_consent AS "contact.sms_consent", c.sms_consent_at AS "contact.sms_consent_at",
c.sms_consent_source AS "contact.sms_consent_source", c.sms_consent_text AS "contact.sms_consent_text",
c.email_status AS "contact.email_status", c.sms_status AS "contact.sms_status",
c.status_note AS "contact.status_note", c.created_at AS "contact.created_at", c.updated_at AS "contact.updated_at",
c.email_marketing AS "contact.email_marketing",
j.trigger_at AS "journey.trigger_at", j.date_only AS "journey.date_only", j.created_at AS "journey.created_at",
j.order_id AS "journey.order_id", j.id AS "journey.id", j.campaign AS "journey.campaign", j.contact_id AS "journey.contact_id",
coalesce(o.order_date, '') AS "order.order_date", coalesce(o.invoice, '') AS "order.invoice",
coalesce(o.items, '') AS "order.items", coalesce(o.id, 0) AS "order.id"

-- name: message-claim
-- The Message-ID is given at the first claim and kept by every retry.
UPDATE messages SET state = 'sending', claimed_at = ?, attempts = attempts + 1, channel = ?,
    sent_to = ?, template = ?, series_index = ?, subject = ?, message_id = coalesce(message_id, nullif(?, ''))
WHERE id = ? AND state = 'pending'
RETURNING coalesce(message_id, '');

-- name: message-sent
UPDATE messages SET state = 'sent', sent_at = ?, provider_id = ?, error = '' WHERE id = ?;

-- name: message-retry
UPDATE messages SET state = 'pending', due_at = ?, error = ? WHERE id = ?;

-- name: message-defer
UPDATE messages SET due_at = ?, note = ? WHERE id = ? AND state = 'pending';

-- name: message-finish
-- skipped, failed or cancelled, with why.
UPDATE messages SET state = ?, note = ?, error = ? WHERE id = ? AND state IN ('pending', 'sending');

-- name: message-delivery
-- "provider_id != ''" lets SQLite use the partial index messages_provider.
UPDATE messages SET delivery = ? WHERE provider_id = ? AND provider_id != '' AND channel = 'sms';

-- name: message-has-provider-id
SELECT count(*) FROM messages WHERE provider_id = ? AND provider_id != '';

-- name: message-by-rfc-id
SELECT id, contact_id, campaign, step, channel, subject, sent_to FROM messages WHERE message_id = ?;

-- name: messages-sent-between
SELECT count(*) FROM messages
WHERE contact_id = ? AND state = 'sent' AND channel IN ('email', 'sms') AND sent_at >= ? AND sent_at < ?;

-- name: texts-sent-since
SELECT sent_at FROM messages
WHERE contact_id = ? AND state = 'sent' AND channel = 'sms' AND sent_at > ?;

-- name: texts-sent-between-all
-- Every customer's texts, gone or on the wire, for the carrier's daily cap.
SELECT (SELECT count(*) FROM messages WHERE channel = 'sms' AND state = 'sent' AND sent_at >= ? AND sent_at < ?)
    + (SELECT count(*) FROM messages WHERE state = 'sending' AND channel = 'sms');

-- name: messages-of-day
-- A contact's messages sent or due in a span, by campaign and step, for
-- the one-message-a-day rule (which asks each step's purpose).
SELECT campaign, step, state FROM messages
WHERE contact_id = ? AND channel IN ('email', 'sms') AND id != ? AND (
    (state = 'sent' AND sent_at >= ? AND sent_at < ?) OR
    (state IN ('pending', 'sending') AND due_at < ?))
ORDER BY id;

-- name: texts-ever
SELECT count(*) FROM messages WHERE contact_id = ? AND state = 'sent' AND channel = 'sms';

-- name: series-next
SELECT coalesce(max(series_index) + 1, 0) FROM messages
WHERE contact_id = ? AND template = ? AND state IN ('sent', 'sending');

-- name: queue-counts
SELECT state, count(*) AS n FROM messages GROUP BY state;

-- name: next-due
SELECT coalesce(min(due_at), 0) FROM messages WHERE state = 'pending';

-- name: recent-failures
SELECT m.id, m.contact_id, m.campaign, m.step, m.channel, m.error, m.note, m.attempts, m.due_at,
    trim(c.first_name || ' ' || c.last_name) AS contact_name
FROM messages m JOIN contacts c ON c.id = m.contact_id
WHERE m.state = 'failed' OR (m.state = 'pending' AND m.error != '')
ORDER BY m.id DESC LIMIT ?;

-- name: reply-insert
INSERT INTO replies (contact_id, message_id, channel, external_id, from_addr, subject, body,
    flags, deadlines, raw_ref, received_at, handled_at)
VALUES (:contact_id, :message_id, :channel, :external_id, :from_addr, :subject, :body,
    :flags, :deadlines, :raw_ref, :received_at, :handled_at)
ON CONFLICT (channel, external_id) DO NOTHING;

-- name: reply-columns
r.id, coalesce(r.contact_id, 0) AS contact_id, coalesce(r.message_id, 0) AS message_id, r.channel,
r.external_id, r.from_addr, r.subject, r.body, r.flags, r.deadlines, r.raw_ref, r.received_at,
r.handled_at, coalesce(trim(c.first_name || ' ' || c.last_name), '') AS contact_name,
coalesce(m.campaign, '') AS campaign, coalesce(m.step, '') AS step

-- name: reply-last-text-opt-change
SELECT CASE WHEN instr(',' || flags || ',', ',opted_out,') > 0 THEN 'opted_out' ELSE 'opted_in' END
FROM replies
WHERE contact_id = ? AND channel = 'sms'
    AND (instr(',' || flags || ',', ',opted_out,') > 0 OR instr(',' || flags || ',', ',opted_in,') > 0)
ORDER BY received_at DESC, id DESC LIMIT 1;

-- name: reply-handle
UPDATE replies SET handled_at = ? WHERE id = ? AND handled_at = 0;

-- name: notice-insert
INSERT INTO notices (kind, contact_id, message_id, text, created_at) VALUES (?, ?, ?, ?, ?);

-- name: notices-open
SELECT id, kind, contact_id, message_id, text, created_at, digested_at FROM notices
WHERE digested_at = 0 ORDER BY id;

-- name: notices-recent
SELECT id, kind, contact_id, message_id, text, created_at, digested_at FROM notices
ORDER BY id DESC LIMIT ?;

-- name: notices-digest
UPDATE notices SET digested_at = ? WHERE digested_at = 0 AND id <= ?;

-- name: rep-insert
INSERT INTO rep_messages (dedupe_key, channel, to_addr, subject, body, message_id, due_at, created_at)
VALUES (:dedupe_key, :channel, :to_addr, :subject, :body, :message_id, :due_at, :created_at)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: rep-due
SELECT id, dedupe_key, channel, to_addr, subject, body, message_id, state, attempts, due_at,
    claimed_at, sent_at, provider_id, error, created_at
FROM rep_messages WHERE state IN ('pending', 'sending') AND due_at <= ? ORDER BY due_at, id LIMIT ?;

-- name: rep-sent
UPDATE rep_messages SET state = 'sent', sent_at = ?, provider_id = ?, error = '' WHERE id = ?;

-- name: rep-retry
UPDATE rep_messages SET state = ?, due_at = ?, error = ?, attempts = attempts + 1 WHERE id = ?;

-- name: cursor-get
SELECT uid_validity, last_uid FROM mail_cursors WHERE mailbox = ?;

-- name: cursor-save
INSERT INTO mail_cursors (mailbox, uid_validity, last_uid) VALUES (?, ?, ?)
ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid;

-- name: order-append
-- Appender: an order of a contact created in the same transaction, its id given.
INSERT INTO orders (id, contact_id, order_date, invoice, items, created_at)
VALUES (?, ?, ?, ?, ?, ?);

-- name: journey-append
-- Appender: a journey of a contact created in the same transaction, its id given.
INSERT INTO journeys (id, campaign, contact_id, order_id, trigger_at, date_only, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: next-ids
-- Appender: the ids the next order and journey get.
SELECT (SELECT coalesce(max(id), 0) + 1 FROM orders), (SELECT coalesce(max(id), 0) + 1 FROM journeys);

-- name: dashboard-session
SELECT id, password, created_at, seen_at FROM dashboard_sessions WHERE id = ?;

-- name: dashboard-session-insert
INSERT INTO dashboard_sessions (id, password, created_at, seen_at) VALUES (?, ?, ?, ?);

-- name: dashboard-session-touch
UPDATE dashboard_sessions SET seen_at = ? WHERE id = ?;

-- name: dashboard-session-delete
DELETE FROM dashboard_sessions WHERE id = ?;

-- name: dashboard-sessions-delete-all
DELETE FROM dashboard_sessions;

-- name: dashboard-sessions-delete-expired
-- Unused since the first time, made before the second, or under another
-- password.
DELETE FROM dashboard_sessions WHERE seen_at < ? OR created_at < ? OR password != ?;
