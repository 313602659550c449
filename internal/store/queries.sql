-- Named queries: every statement the store runs. Each starts with a line
-- "-- name: NAME"; the "--" lines right after it say what it is for, and
-- the store drops them. {{NAME}} includes another named text (a column
-- list, a condition), so a rule or a list is written once. The store reads
-- this file when it opens, and refuses to open if a name is given twice or
-- an include names nothing.

-- Schema, checks and transactions.

-- name: schema-version
PRAGMA user_version;

-- name: schema-version-set
-- PRAGMA takes no parameters: the store puts the version in for %d.
PRAGMA user_version = %d;

-- name: foreign-keys-off
PRAGMA foreign_keys = OFF;

-- name: foreign-keys-on
PRAGMA foreign_keys = ON;

-- name: foreign-key-check
PRAGMA foreign_key_check;

-- name: cache-size
-- The page cache of the connection, in KiB (%d, put in by the store).
PRAGMA cache_size = -%d;

-- name: index-definitions
SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND name IN (?) ORDER BY name;

-- name: index-drop
-- %s is an index name read from sqlite_schema (index-definitions).
DROP INDEX %s;

-- name: savepoint
SAVEPOINT one;

-- name: savepoint-rollback
ROLLBACK TO one;

-- name: savepoint-release
RELEASE one;

-- name: backup
-- VACUUM INTO reads one snapshot, so it is safe while the daemon writes.
VACUUM INTO ?;

-- name: integrity-check
PRAGMA integrity_check;

-- name: quick-check
PRAGMA quick_check;

-- name: ping
-- Reads the first page: an emptied or replaced file fails here.
SELECT count(*) FROM sqlite_schema;

-- Settings.

-- name: setting
SELECT value FROM settings WHERE key = ?;

-- name: setting-insert
INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING;

-- name: setting-set
INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- name: setting-count
-- A counter kept as a setting: 1 when new, else one more (a value that is
-- not a number counts as 0).
INSERT INTO settings (key, value) VALUES (?, '1')
ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;

-- Contacts.

-- name: contact-columns
id, uid, first_name, last_name, coalesce(email, '') AS email, coalesce(phone, '') AS phone,
timezone, sms_consent, sms_consent_at, sms_consent_source, sms_consent_text,
email_status, sms_status, status_note, created_at, updated_at, email_marketing,
email_marketing_at, email_marketing_source, paused_at, state

-- name: contact-by-id
SELECT {{contact-columns}} FROM contacts WHERE id = ?;

-- name: contact-by-uid
SELECT {{contact-columns}} FROM contacts WHERE uid = ?;

-- name: contact-by-email
SELECT {{contact-columns}} FROM contacts WHERE email = ?;

-- name: contact-by-phone
SELECT {{contact-columns}} FROM contacts WHERE phone = ?;

-- name: contact-find
-- What a rep types: an email, a phone or an id.
SELECT {{contact-columns}} FROM contacts WHERE email = ? OR phone = ? OR CAST(id AS TEXT) = ?;

-- name: contacts-search
-- The same LIKE pattern three times: name, email, phone.
SELECT {{contact-columns}} FROM contacts
WHERE lower(first_name || ' ' || last_name) LIKE ? OR coalesce(email, '') LIKE ? OR coalesce(phone, '') LIKE ?
ORDER BY lower(last_name), lower(first_name), id;

-- name: contact-sort-key
-- The contacts list's order (index contacts_name), and where a page ends.
lower(last_name || ' ' || first_name)

-- name: contact-first-key
-- First name first (index contacts_first), for searches by first name.
lower(first_name || ' ' || last_name)

-- name: contacts-page
-- A page of every contact, by name, after the contact (:key, :id).
SELECT {{contact-columns}}, {{contact-sort-key}} AS sort_key FROM contacts
WHERE {{contact-sort-key}} >= :key AND ({{contact-sort-key}}, id) > (:key, :id)
ORDER BY {{contact-sort-key}}, id LIMIT :limit;

-- name: contact-found-by-text
-- Whether a contact's last or first name starts with the search's text
-- (:lo to :to; an empty range when there is no text).
({{contact-sort-key}} >= :lo AND {{contact-sort-key}} < :to
    OR {{contact-first-key}} >= :lo AND {{contact-first-key}} < :to)

-- name: contacts-search-last
-- A search reads one index range after another, each in its index's
-- order, so that a page reads only its own rows however many match: the
-- last names that start with the search (:from, where the range or the
-- last page starts, to :to), then the first names, the emails, and the
-- phones (:from to :upto). Each leaves out what an earlier range found
-- (:plo to :pto: the phone range read before).
SELECT {{contact-columns}}, {{contact-sort-key}} AS sort_key FROM contacts
WHERE {{contact-sort-key}} >= :from AND {{contact-sort-key}} < :to AND ({{contact-sort-key}}, id) > (:key, :id)
ORDER BY {{contact-sort-key}}, id LIMIT :limit;

-- name: contacts-search-first
SELECT {{contact-columns}}, {{contact-first-key}} AS sort_key FROM contacts
WHERE {{contact-first-key}} >= :from AND {{contact-first-key}} < :to AND ({{contact-first-key}}, id) > (:key, :id)
    AND NOT ({{contact-sort-key}} >= :lo AND {{contact-sort-key}} < :to)
ORDER BY {{contact-first-key}}, id LIMIT :limit;

-- name: contacts-search-email
-- By email alone (the column: "email" alone is the coalesced one):
-- it is unique, so no two rows tie.
SELECT {{contact-columns}}, email AS sort_key FROM contacts
WHERE email >= :from AND email < :to AND (email, id) > (:key, :id) AND NOT {{contact-found-by-text}}
ORDER BY contacts.email LIMIT :limit;

-- name: contacts-search-phone
-- By phone alone (the column), unique: no two rows tie.
SELECT {{contact-columns}}, phone AS sort_key FROM contacts
WHERE phone >= :from AND phone < :upto AND (phone, id) > (:key, :id)
    AND NOT {{contact-found-by-text}} AND NOT (coalesce(email, '') >= :lo AND coalesce(email, '') < :to)
    AND NOT (phone >= :plo AND phone < :pto)
ORDER BY contacts.phone LIMIT :limit;

-- name: contact-insert
-- Nothing happens when the email or phone is taken: the caller then
-- updates the contact that has it.
INSERT INTO contacts (uid, first_name, last_name, email, phone, timezone, sms_consent,
    sms_consent_at, sms_consent_source, sms_consent_text, created_at, updated_at,
    email_marketing, email_marketing_at, email_marketing_source, email_status, state)
VALUES (?, ?, ?, nullif(?, ''), nullif(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
    sms_consent_text = ?, updated_at = ?, email_marketing = ?, email_marketing_at = ?,
    email_marketing_source = ?, email_status = ?, state = ?
WHERE id = ?;

-- name: contact-set-email-status
UPDATE contacts SET email_status = ?, status_note = ?, updated_at = ? WHERE id = ?;

-- name: contact-set-email-marketing
UPDATE contacts SET email_marketing = ?, status_note = ?, updated_at = ? WHERE id = ?;

-- name: contact-set-sms-status
UPDATE contacts SET sms_status = ?, status_note = ?, updated_at = ? WHERE id = ?;

-- name: contact-set-sms-consent
UPDATE contacts SET sms_consent = ?, sms_consent_at = ?, sms_consent_source = ?,
    sms_consent_text = ?, updated_at = ?
WHERE id = ?;

-- name: contact-set-paused
-- 0 resumes the customer's messages (see paused).
UPDATE contacts SET paused_at = ?, updated_at = ? WHERE id = ?;

-- name: contact-delete
-- Orders, journeys, queued and sent messages and the history go with it
-- (ON DELETE CASCADE); replies and notices are deleted first.
DELETE FROM contacts WHERE id = ?;

-- name: contact-delete-replies
DELETE FROM replies WHERE contact_id = ?;

-- name: contact-delete-notices
DELETE FROM notices WHERE contact_id = ?;

-- name: contact-counts
-- What forgetting a customer deletes, for the rep to confirm.
SELECT (SELECT count(*) FROM orders WHERE contact_id = ?) AS orders,
    (SELECT count(*) FROM messages WHERE contact_id = ?) AS messages,
    (SELECT count(*) FROM replies WHERE contact_id = ?) AS replies;

-- name: history-insert
INSERT INTO contact_history (contact_id, kind, who, text, created_at) VALUES (?, ?, ?, ?, ?);

-- name: history-of-contact
SELECT id, contact_id, kind, who, text, created_at FROM contact_history
WHERE contact_id = ? ORDER BY id;

-- name: notes-of-contact
SELECT id, contact_id, kind, who, text, created_at FROM contact_history
WHERE contact_id = ? AND kind = 'note' ORDER BY id;

-- Orders and journeys.

-- name: order-insert
INSERT INTO orders (contact_id, order_date, invoice, items, created_at, company)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (contact_id, order_date, invoice) DO NOTHING;

-- name: order-find
SELECT id, contact_id, order_date, invoice, items, created_at, cancelled_at, company FROM orders
WHERE contact_id = ? AND order_date = ? AND invoice = ?;

-- name: order-by-id
SELECT id, contact_id, order_date, invoice, items, created_at, cancelled_at, company FROM orders WHERE id = ?;

-- name: order-latest
-- A cancelled order is not what the customer is waiting for.
SELECT id, contact_id, order_date, invoice, items, created_at, cancelled_at, company FROM orders
WHERE contact_id = ? AND cancelled_at = 0 ORDER BY order_date DESC, id DESC LIMIT 1;

-- name: orders-of-contact
SELECT id, contact_id, order_date, invoice, items, created_at, cancelled_at, company FROM orders
WHERE contact_id = ? ORDER BY order_date, id;

-- name: orders-all
SELECT id, contact_id, order_date, invoice, items, created_at, cancelled_at, company FROM orders
ORDER BY order_date, id;

-- name: order-set-date
UPDATE orders SET order_date = ? WHERE id = ?;

-- name: order-cancel
UPDATE orders SET cancelled_at = ? WHERE id = ? AND cancelled_at = 0;

-- name: journeys-of-order
SELECT id, campaign, contact_id, order_id, trigger_at, date_only, created_at FROM journeys
WHERE order_id = ? AND order_id != 0 ORDER BY id;

-- name: journey-replan
-- A journey whose trigger moved (an order's date corrected): created_at
-- becomes the moment it was planned again, which decides the steps that
-- had already passed (see Content.passed).
UPDATE journeys SET trigger_at = ?, created_at = ? WHERE id = ?;

-- name: messages-delete-pending-of-journey
DELETE FROM messages WHERE journey_id = ? AND state = 'pending';

-- name: messages-cancel-pending-of-journey
UPDATE messages SET state = 'cancelled', note = ? WHERE journey_id = ? AND state = 'pending';

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

-- name: journeys-of-contact
-- Campaign journeys only: the conversation journey (campaign '') holds
-- the rep's own messages.
SELECT id, campaign, contact_id, order_id, trigger_at, date_only, created_at FROM journeys
WHERE contact_id = ? AND campaign != '' ORDER BY trigger_at, id;

-- The message queue.

-- name: message-insert
-- No Message-ID yet: the row gets one when it is claimed (message-claim).
INSERT INTO messages (journey_id, contact_id, campaign, step, occurrence, channel, due_at,
    stale_at, template, created_at, state, note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (journey_id, step, occurrence) DO NOTHING;

-- name: journeys-of-campaign
-- By the unique key (campaign, contact_id, order_id): an import runs this
-- for every order, with only the unique indexes there (see Tx.Bulk).
SELECT id, campaign, trigger_at FROM journeys WHERE campaign = ? AND contact_id = ?;

-- name: journeys-of-campaign-count
SELECT count(*) FROM journeys WHERE campaign = ? AND contact_id = ?;

-- name: message-cancel-pending-step
UPDATE messages SET state = 'cancelled', note = ?
WHERE journey_id = ? AND step = ? AND state = 'pending';

-- name: message-columns
m.id, m.journey_id, m.contact_id, m.campaign, m.step, m.occurrence, m.channel, m.due_at,
m.stale_at, m.state, m.attempts, m.claimed_at, m.sent_at, coalesce(m.message_id, '') AS message_id, m.provider_id,
m.delivery, m.template, m.series_index, m.sent_to, m.subject, m.error, m.note, m.created_at,
m.kind, m.body, m.answers

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
c.email_marketing AS "contact.email_marketing", c.paused_at AS "contact.paused_at",
c.email_marketing_at AS "contact.email_marketing_at", c.email_marketing_source AS "contact.email_marketing_source",
c.state AS "contact.state",
j.trigger_at AS "journey.trigger_at", j.date_only AS "journey.date_only", j.created_at AS "journey.created_at",
j.order_id AS "journey.order_id", j.id AS "journey.id", j.campaign AS "journey.campaign", j.contact_id AS "journey.contact_id",
coalesce(o.order_date, '') AS "order.order_date", coalesce(o.invoice, '') AS "order.invoice",
coalesce(o.items, '') AS "order.items", coalesce(o.id, 0) AS "order.id"

-- name: paused
-- Whether queue row m is paused. A pending row is paused while its
-- contact has a reply the rep has not marked handled, if its campaign
-- pauses on reply (pause_on_reply; the store is given the list of those
-- campaigns for the first "?"); a marketing step (tips, check-ins) is
-- paused while its contact has an open case, whatever its campaign: no
-- tip to someone waiting on a replacement. A step's purpose lives in the
-- campaign file, not the queue, and changes with it on reload, so the
-- store is given the marketing steps as "campaign/step" for the second
-- "?" (as it is given the pausing campaigns) rather than a copy on each
-- row that a reload would leave stale. A pending row is also paused,
-- whatever its campaign, while the rep has paused the contact (`rapport
-- contacts pause`, paused_at), until they resume them. A paused row keeps
-- its place in the queue and its due time: the dispatcher passes over it
-- (due), and it goes once nothing holds it any more, at once if its time
-- has come (a repeating step's catch-up rule sends only the latest missed
-- occurrence). Previews and the dashboard show it as "paused"
-- (contact-timeline). Every rule that holds a customer's messages back
-- for the rep belongs in this condition, and nowhere else.
(m.state = 'pending' AND (
    (m.campaign IN (?)
        AND EXISTS (SELECT 1 FROM replies r WHERE r.contact_id = m.contact_id AND r.handled_at = 0))
    OR (m.campaign || '/' || m.step IN (?)
        AND EXISTS (SELECT 1 FROM cases k WHERE k.contact_id = m.contact_id AND k.closed_at = 0))
    OR EXISTS (SELECT 1 FROM contacts pc WHERE pc.id = m.contact_id AND pc.paused_at != 0)))

-- name: due
-- Pending rows due by now (the first "?"), oldest first, less the paused
-- ones and those on held channels, at most the last "?". Every dispatcher
-- pass runs it: it must take the rows from the messages_pending index in
-- due order, never scan the table (plan_test.go checks).
SELECT {{message-columns}}, {{due-extra-columns}}
FROM messages m {{due-join}}
WHERE m.state = 'pending' AND m.due_at <= ? AND NOT {{paused}} AND m.channel NOT IN (?)
ORDER BY m.due_at, m.id LIMIT ?;

-- name: messages-max-id
SELECT coalesce(max(id), 0) FROM messages;

-- name: due-since
-- What rows queued after the first "?" (by an import) make the dispatcher
-- send by the second "?": pending, not stale at the third "?", not paused
-- (the holds are the last two); customers by campaign and step. It reads
-- the rows just queued in the order they were written (the "+" keeps
-- SQLite off messages_pending): after an import of old orders most of
-- them are due, and through the index each was a look-up at a random
-- place in the table, on the small cache an import ends with (2.5 times
-- slower at 100,000 customers).
SELECT m.campaign, m.step, count(DISTINCT m.contact_id) AS customers
FROM messages m
WHERE m.id > ? AND m.state = 'pending' AND +m.due_at <= ? AND (m.stale_at = 0 OR m.stale_at >= ?)
    AND NOT {{paused}}
GROUP BY m.campaign, m.step ORDER BY m.campaign, m.step;

-- name: in-flight
SELECT {{message-columns}}, {{due-extra-columns}}
FROM messages m {{due-join}}
WHERE m.state = 'sending' ORDER BY m.id;

-- name: contact-timeline
-- A contact's campaign rows, by when they went or are due, the paused
-- ones marked. The rep's own messages are the thread's (thread-messages).
SELECT {{message-columns}}, {{due-extra-columns}}, {{paused}} AS paused
FROM messages m {{due-join}}
WHERE m.contact_id = ? AND m.kind = 'step' ORDER BY coalesce(nullif(m.sent_at, 0), m.due_at), m.id;

-- name: message-due
-- One queue row as the dispatcher sees it, for the rep to skip it.
SELECT {{message-columns}}, {{due-extra-columns}}
FROM messages m {{due-join}}
WHERE m.id = ?;

-- name: steps-of
-- The highest occurrence queued of each step of a journey.
SELECT step, max(occurrence) AS max FROM messages WHERE journey_id = ? GROUP BY step;

-- name: cancel-removed-steps
UPDATE messages SET state = 'cancelled', note = 'step removed from the campaign'
WHERE state = 'pending' AND campaign = ? AND step NOT IN (?);

-- name: pending-of-step
-- The pending rows of one campaign step, to re-plan when its timing changes.
SELECT {{message-columns}}, {{due-extra-columns}}
FROM messages m {{due-join}}
WHERE m.state = 'pending' AND m.campaign = ? AND m.step = ? ORDER BY m.id;

-- name: step-history-range
-- The lowest and highest occurrence of a journey step's rows other than
-- the pending one (-1 and 0 when there are none).
SELECT coalesce(min(occurrence), 0) AS low, coalesce(max(occurrence), -1) AS high
FROM messages WHERE journey_id = ? AND step = ? AND state != 'pending';

-- name: step-history-shift
-- Moves a journey step's finished rows below every occurrence in use (the
-- "?" is more than their range), so a re-planned pending row can take any
-- occurrence from 0 up without meeting the unique key.
UPDATE messages SET occurrence = occurrence - ?
WHERE journey_id = ? AND step = ? AND state != 'pending';

-- name: message-replan
UPDATE messages SET occurrence = ?, due_at = ?, stale_at = ?, note = ?
WHERE id = ? AND state = 'pending';

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

-- name: message-release
-- A claimed row that was never handed to a transport: pending again, the
-- claim's attempt not counted; the Message-ID it was given stays.
UPDATE messages SET state = 'pending', attempts = max(attempts - 1, 0) WHERE id = ? AND state = 'sending';

-- name: message-defer
UPDATE messages SET due_at = ?, note = ? WHERE id = ? AND state = 'pending';

-- name: message-finish
-- skipped, failed or cancelled, with why.
UPDATE messages SET state = ?, note = ?, error = ? WHERE id = ? AND state IN ('pending', 'sending');

-- name: message-delivery
-- "provider_id != ''" lets SQLite use the partial index messages_provider.
-- A status the row has already changes nothing (a callback handled twice
-- tells the rep of a failure once).
UPDATE messages SET delivery = ?1
WHERE provider_id = ?2 AND provider_id != '' AND channel = 'sms' AND delivery IS NOT ?1;

-- name: message-has-provider-id
SELECT count(*) FROM messages WHERE provider_id = ? AND provider_id != '';

-- name: message-by-rfc-id
SELECT id, contact_id, campaign, step, channel, subject, sent_to FROM messages WHERE message_id = ?;

-- name: message-ref-by-id
SELECT id, contact_id, campaign, step, channel, subject, sent_to FROM messages WHERE id = ?;

-- name: last-message-to
SELECT id, contact_id, campaign, step, channel, subject FROM messages
WHERE contact_id = ? AND channel = ? AND state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1;

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

-- name: emails-sent-between-all
-- Every customer's emails, gone or on the wire, for the provider's daily
-- cap ([email] max_per_day; asked only when it is set).
SELECT (SELECT count(*) FROM messages WHERE channel = 'email' AND state = 'sent' AND sent_at >= ? AND sent_at < ?)
    + (SELECT count(*) FROM messages WHERE state = 'sending' AND channel = 'email');

-- name: pending-on-channel-by-step
-- Pending rows on a channel due before the last "?", by campaign and step:
-- the engine asks each step's purpose, to keep a daily cap's last places
-- for service messages.
SELECT campaign, step, count(*) AS customers FROM messages
WHERE state = 'pending' AND due_at < ? AND channel = ?
GROUP BY campaign, step;

-- name: messages-of-day
-- The messages of some contacts' day (the IN list) sent in a span, or
-- pending or in flight and due before its end, with their campaign and
-- step, for the one-message-a-day rule (which asks each step's purpose).
-- The rep's own messages answer the customer and count for nothing here.
-- No ORDER BY: the temporary B-tree SQLite opens to sort the few rows cost
-- three times the search itself; DayMessages sorts them (in id order).
SELECT id, contact_id, campaign, step, state, sent_at, due_at FROM messages
WHERE contact_id IN (?) AND channel IN ('email', 'sms') AND kind = 'step' AND (
    (state = 'sent' AND sent_at >= ? AND sent_at < ?) OR
    (state IN ('pending', 'sending') AND due_at < ?));

-- name: texts-ever
SELECT count(*) FROM messages WHERE contact_id = ? AND state = 'sent' AND channel = 'sms';

-- name: series-next
SELECT coalesce(max(series_index) + 1, 0) FROM messages
WHERE contact_id = ? AND template = ? AND state IN ('sent', 'sending');

-- The rep's own messages (kind 'rep'), on the contact's conversation
-- journey, numbered 1, 2, ... as its occurrences: a form sent twice
-- (a second click) names the same number, and the journey's unique key
-- (journey_id, step, occurrence) keeps the second out.

-- name: rep-answer-insert
INSERT INTO messages (journey_id, contact_id, campaign, step, occurrence, channel, due_at,
    subject, kind, body, answers, note, created_at)
VALUES (?, ?, '', 'reply', ?, ?, ?, ?, 'rep', ?, ?, ?, ?)
ON CONFLICT (journey_id, step, occurrence) DO NOTHING;

-- name: rep-answer-by-occurrence
SELECT {{message-columns}} FROM messages m
WHERE m.journey_id = ? AND m.step = 'reply' AND m.occurrence = ?;

-- name: rep-answer-next
-- The number the contact's next message from the rep takes.
SELECT coalesce(max(occurrence), 0) + 1 FROM messages WHERE contact_id = ? AND kind = 'rep';

-- name: thread-messages
-- What went to a customer, for their thread: campaign messages that went
-- (or tried to), and every message of the rep's, waiting ones included.
SELECT {{message-columns}}, {{due-extra-columns}}
FROM messages m {{due-join}}
WHERE m.contact_id = ? AND m.channel IN ('email', 'sms')
    AND (m.kind = 'rep' OR m.state IN ('sent', 'sending', 'failed'))
ORDER BY coalesce(nullif(m.sent_at, 0), m.due_at), m.id;

-- name: conversations-page
-- The customers the rep talks with (a reply from them, or a message from
-- the rep): those with a reply waiting first, flagged ones on top, then
-- the latest talk first; a page after the one whose (no reply waiting,
-- unflagged, last talk, id) is (:quiet, :unflagged, :at, :id), or from
-- the start when :first. The customer's latest words are read for the
-- page's rows alone.
WITH talk AS (
    SELECT contact_id, received_at AS at FROM replies WHERE contact_id IS NOT NULL
    UNION ALL
    SELECT contact_id, created_at FROM messages WHERE kind = 'rep'
), latest AS (
    SELECT contact_id, max(at) AS at FROM talk GROUP BY contact_id
), open AS (
    SELECT contact_id, count(*) AS n, group_concat(nullif(flags, ''), ',') AS flags,
        group_concat(nullif(deadlines, ''), char(10)) AS deadlines
    FROM replies WHERE handled_at = 0 AND contact_id IS NOT NULL GROUP BY contact_id
), listed AS (
    SELECT c.id AS contact_id, trim(c.first_name || ' ' || c.last_name) AS name,
        coalesce(c.email, '') AS email, coalesce(c.phone, '') AS phone, l.at AS last_at,
        coalesce(o.n, 0) AS open, coalesce(o.flags, '') AS flags, coalesce(o.deadlines, '') AS deadlines,
        coalesce(o.n, 0) = 0 AS quiet, coalesce(o.flags, '') = '' AS unflagged
    FROM latest l JOIN contacts c ON c.id = l.contact_id LEFT JOIN open o ON o.contact_id = c.id
)
SELECT contact_id, name, email, phone, last_at, open, flags, deadlines,
    coalesce((SELECT r.body FROM replies r WHERE r.contact_id = listed.contact_id
        ORDER BY r.received_at DESC, r.id DESC LIMIT 1), '') AS last_body
FROM listed
WHERE :first OR (quiet, unflagged, -last_at, contact_id) > (:quiet, :unflagged, -:at, :id)
ORDER BY quiet, unflagged, last_at DESC, contact_id
LIMIT :limit;

-- name: queue-counts
SELECT state, count(*) AS n FROM messages GROUP BY state;

-- name: next-due
SELECT coalesce(min(due_at), 0) FROM messages WHERE state = 'pending';

-- name: recent-failures
-- The condition is messages_problems' own, word for word: SQLite reads that
-- index (only those rows) backwards, and stops after "?".
SELECT m.id, m.contact_id, m.campaign, m.step, m.channel, m.error, m.note, m.attempts, m.due_at,
    trim(c.first_name || ' ' || c.last_name) AS contact_name
FROM messages m JOIN contacts c ON c.id = m.contact_id
WHERE (m.state = 'failed' OR (m.state = 'pending' AND m.error != ''))
ORDER BY m.id DESC LIMIT ?;

-- The rep's day (the dashboard's Today and Upcoming pages).

-- name: day-columns
m.id, m.contact_id, m.campaign, m.step, m.channel, m.state, m.due_at, m.subject, m.error, m.note,
m.retried_at, trim(c.first_name || ' ' || c.last_name) AS contact_name,
coalesce(c.email, '') AS contact_email, coalesce(c.phone, '') AS contact_phone

-- name: tasks-open
-- The rep's task rows due by the "?" (the end of their day) and not done:
-- handed out already (sent) or still to come (pending), oldest first.
SELECT {{day-columns}} FROM messages m JOIN contacts c ON c.id = m.contact_id
WHERE m.channel = 'task' AND m.done_at = 0 AND m.due_at < ? AND m.state IN ('pending', 'sent')
ORDER BY m.due_at, m.id LIMIT ?;

-- name: task-done
-- The rep did the task: a pending one counts as handed out now.
UPDATE messages SET done_at = ?1, sent_at = CASE WHEN state = 'pending' THEN ?1 ELSE sent_at END, state = 'sent'
WHERE id = ?2 AND channel = 'task' AND done_at = 0 AND state IN ('pending', 'sent');

-- name: task-later
-- The rep will do the task later: it is due again at the "?" and handed
-- out again then (in that day's digest).
UPDATE messages SET due_at = ?, state = 'pending', note = ?
WHERE id = ? AND channel = 'task' AND done_at = 0 AND state IN ('pending', 'sent');

-- name: failed-since
-- Failed rows due since the "?", newest first.
SELECT {{day-columns}} FROM messages m JOIN contacts c ON c.id = m.contact_id
WHERE m.state = 'failed' AND m.due_at >= ? ORDER BY m.due_at DESC, m.id DESC LIMIT ?;

-- name: message-requeue
-- A failed row back in the queue, due at the "?", once: the dispatcher
-- then applies every rule to it as to any pending row.
UPDATE messages SET state = 'pending', due_at = ?1, retried_at = ?1, error = '', note = ?2
WHERE id = ?3 AND state = 'failed' AND retried_at = 0;

-- name: upcoming
-- Pending rows due in [first "?", second "?"), by due time, at most the
-- last "?" (from the messages_pending index).
SELECT {{day-columns}} FROM messages m JOIN contacts c ON c.id = m.contact_id
WHERE m.state = 'pending' AND m.due_at >= ? AND m.due_at < ? ORDER BY m.due_at, m.id LIMIT ?;

-- name: upcoming-count
SELECT count(*) FROM messages WHERE state = 'pending' AND due_at >= ? AND due_at < ?;

-- Replies and the mail cursor.

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

-- name: reply-from
FROM replies r
LEFT JOIN contacts c ON c.id = r.contact_id
LEFT JOIN messages m ON m.id = r.message_id

-- name: replies-open
-- Flagged ones first, then oldest first.
SELECT {{reply-columns}} {{reply-from}}
WHERE r.handled_at = 0 ORDER BY r.flags = '', r.received_at, r.id;

-- name: replies-open-count
SELECT count(*) FROM replies WHERE handled_at = 0;

-- name: replies-all
-- Waiting ones first, flagged ones first, then oldest first.
SELECT {{reply-columns}} {{reply-from}}
ORDER BY r.handled_at != 0, r.flags = '', r.received_at, r.id;

-- name: replies-open-page
-- A page of replies-open, after the reply whose (flags = '', received_at,
-- id) is (:unflagged, :received, :id).
SELECT {{reply-columns}} {{reply-from}}
WHERE r.handled_at = 0 AND (r.flags = '') >= :unflagged
    AND (r.flags = '', r.received_at, r.id) > (:unflagged, :received, :id)
ORDER BY r.flags = '', r.received_at, r.id LIMIT :limit;

-- name: replies-all-page
-- A page of replies-all, after the reply whose (handled_at != 0, flags =
-- '', received_at, id) is (:handled, :unflagged, :received, :id).
SELECT {{reply-columns}} {{reply-from}}
WHERE (r.handled_at != 0) >= :handled
    AND (r.handled_at != 0, r.flags = '', r.received_at, r.id) > (:handled, :unflagged, :received, :id)
ORDER BY r.handled_at != 0, r.flags = '', r.received_at, r.id LIMIT :limit;

-- name: reply-by-id
SELECT {{reply-columns}} {{reply-from}} WHERE r.id = ?;

-- name: open-reply-count
SELECT count(*) FROM replies WHERE contact_id = ? AND handled_at = 0;

-- name: reply-handle
UPDATE replies SET handled_at = ? WHERE id = ? AND handled_at = 0;

-- name: replies-handle-contact
-- Every waiting reply of a contact, when the rep answers them.
UPDATE replies SET handled_at = ? WHERE contact_id = ? AND handled_at = 0;

-- name: replies-of-contact
-- A customer's side of their thread, in time order.
SELECT {{reply-columns}} {{reply-from}}
WHERE r.contact_id = ? ORDER BY r.received_at, r.id;

-- name: replies-of-contact-waiting-first
-- A customer's replies in the order of replies-all (waiting, flagged,
-- oldest first): read by the contact's index, then sorted, as one
-- customer's replies are few.
SELECT {{reply-columns}} {{reply-from}}
WHERE r.contact_id = ? ORDER BY r.handled_at != 0, r.flags = '', r.received_at, r.id;

-- name: reply-latest
-- The customer's latest reply, on any channel.
SELECT {{reply-columns}} {{reply-from}}
WHERE r.contact_id = ? ORDER BY r.received_at DESC, r.id DESC LIMIT 1;

-- name: reply-latest-on
-- The customer's latest reply on one channel.
SELECT {{reply-columns}} {{reply-from}}
WHERE r.contact_id = ? AND r.channel = ? ORDER BY r.received_at DESC, r.id DESC LIMIT 1;

-- Cases.

-- name: case-columns
k.id, k.contact_id, k.order_id, k.reply_id, k.kind, k.state, k.outcome, k.invoice, k.product,
k.code, k.expiry, k.description, k.received, k.received_from, k.ran, k.ran_issued, k.opened_at, k.updated_at,
k.reported_at, k.told_at, k.closed_at,
coalesce(trim(c.first_name || ' ' || c.last_name), '') AS contact_name,
coalesce(o.order_date, '') AS order_date, coalesce(o.company, '') AS company

-- name: case-from
FROM cases k
JOIN contacts c ON c.id = k.contact_id
LEFT JOIN orders o ON o.id = k.order_id

-- name: case-insert
INSERT INTO cases (contact_id, order_id, reply_id, kind, state, invoice, product, description,
    received, received_from, opened_at, updated_at)
VALUES (:contact_id, :order_id, :reply_id, :kind, :state, :invoice, :product, :description,
    :received, :received_from, :opened_at, :updated_at);

-- name: case-update
UPDATE cases SET state = :state, outcome = :outcome, product = :product, code = :code,
    expiry = :expiry, description = :description, received = :received,
    received_from = :received_from, ran = :ran,
    ran_issued = :ran_issued, updated_at = :updated_at, reported_at = :reported_at,
    told_at = :told_at, closed_at = :closed_at
WHERE id = :id;

-- name: order-step-answered
-- When the customer first answered a step of an order's journeys (the
-- arrival check) up to a time; 0 when they did not.
SELECT coalesce(min(r.received_at), 0)
FROM replies r
JOIN messages m ON m.id = r.message_id
JOIN journeys j ON j.id = m.journey_id
WHERE j.order_id = ? AND m.step = ? AND r.received_at <= ?;

-- name: case-by-id
SELECT {{case-columns}} {{case-from}} WHERE k.id = ?;

-- name: cases-open
SELECT {{case-columns}} {{case-from}} WHERE k.closed_at = 0 ORDER BY k.opened_at, k.id;

-- name: cases-all
-- Open ones first, then the latest closed.
SELECT {{case-columns}} {{case-from}} ORDER BY k.closed_at != 0, k.closed_at DESC, k.opened_at, k.id;

-- name: case-event-insert
INSERT INTO case_events (case_id, at, state, note) VALUES (?, ?, ?, ?);

-- name: case-events
SELECT id, case_id, at, state, note FROM case_events WHERE case_id = ? ORDER BY at, id;

-- Notices and messages to the rep.

-- name: notice-insert
INSERT INTO notices (kind, contact_id, message_id, text, created_at) VALUES (?, ?, ?, ?, ?);

-- name: notices-open
SELECT id, kind, contact_id, message_id, text, created_at, digested_at FROM notices
WHERE digested_at = 0 ORDER BY id;

-- name: notices-recent
SELECT id, kind, contact_id, message_id, text, created_at, digested_at FROM notices
ORDER BY id DESC LIMIT ?;

-- name: notices-of-kinds-since
-- The notices of the kinds in the first "?" made since the second, oldest first.
SELECT id, kind, contact_id, message_id, text, created_at, digested_at FROM notices
WHERE kind IN (?) AND created_at >= ? ORDER BY created_at, id LIMIT ?;

-- name: notices-digest
UPDATE notices SET digested_at = ? WHERE digested_at = 0 AND id <= ?;

-- name: rep-insert
INSERT INTO rep_messages (dedupe_key, channel, to_addr, subject, body, message_id, due_at, created_at, reply_id)
VALUES (:dedupe_key, :channel, :to_addr, :subject, :body, :message_id, :due_at, :created_at, :reply_id)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: rep-due
-- Due messages to the rep, oldest first, less the forwards of replies on
-- the channels in "(?)" (held there until a summary or a quiet moment).
SELECT id, dedupe_key, channel, to_addr, subject, body, message_id, state, attempts, due_at,
    claimed_at, sent_at, provider_id, error, created_at, reply_id
FROM rep_messages WHERE state IN ('pending', 'sending') AND due_at <= ?
    AND NOT (reply_id != 0 AND channel IN (?))
ORDER BY due_at, id LIMIT ?;

-- name: rep-forwards-waiting
-- The forwards of replies due on a channel: how many, how many of their
-- replies are flagged, and the newest (a summary covers up to it) with its
-- address (SQLite takes a bare column from the row max() picked).
SELECT count(*) AS n, coalesce(sum(coalesce(r.flags, '') != ''), 0) AS flagged,
    coalesce(max(q.id), 0) AS up_to, coalesce(q.to_addr, '') AS to_addr
FROM rep_messages q LEFT JOIN replies r ON r.id = q.reply_id
WHERE q.reply_id != 0 AND q.state IN ('pending', 'sending') AND q.channel = ? AND q.due_at <= ?;

-- name: rep-forwards-first
-- The replies of the first few of those forwards, flagged ones first.
SELECT {{reply-columns}} {{reply-from}}
JOIN rep_messages q ON q.reply_id = r.id
WHERE q.reply_id != 0 AND q.state IN ('pending', 'sending') AND q.channel = ? AND q.due_at <= ? AND q.id <= ?
ORDER BY r.flags = '', q.id LIMIT ?;

-- name: rep-forwards-summarised
-- Forwards told in a summary instead: never sent on their own.
UPDATE rep_messages SET state = 'summarised', sent_at = ?
WHERE reply_id != 0 AND state IN ('pending', 'sending') AND channel = ? AND due_at <= ? AND id <= ?;

-- name: rep-sent
UPDATE rep_messages SET state = 'sent', sent_at = ?, provider_id = ?, error = '' WHERE id = ?;

-- name: rep-retry
UPDATE rep_messages SET state = ?, due_at = ?, error = ?, attempts = attempts + 1 WHERE id = ?;

-- name: cursor-get
SELECT uid_validity, last_uid, read_at FROM mail_cursors WHERE mailbox = ?;

-- name: cursor-save
INSERT INTO mail_cursors (mailbox, uid_validity, last_uid) VALUES (?, ?, ?)
ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid;

-- name: cursor-read-at
UPDATE mail_cursors SET read_at = ? WHERE mailbox = ?;

-- The Appender (an import's new contacts).

-- name: order-append
-- Appender: an order of a contact created in the same transaction, its id given.
INSERT INTO orders (id, contact_id, order_date, invoice, items, created_at, company)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: journey-append
-- Appender: a journey of a contact created in the same transaction, its id given.
INSERT INTO journeys (id, campaign, contact_id, order_id, trigger_at, date_only, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: next-ids
-- Appender: the ids the next order and journey get.
SELECT (SELECT coalesce(max(id), 0) + 1 FROM orders) AS next_order,
    (SELECT coalesce(max(id), 0) + 1 FROM journeys) AS next_journey;

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
