-- Whether the customer accepts marketing email (tips and news): NULL when
-- they never said, which counts as yes (email marketing to customers is
-- opt-out); 0 after "stop tips and news" on the unsubscribe page, which
-- leaves service email (the order's policy sheet) going.
ALTER TABLE contacts ADD COLUMN email_marketing INTEGER;
-- The texts sent on a day, across all customers, counted against the
-- carrier's daily cap at every text.
CREATE INDEX messages_sms_sent ON messages(sent_at) WHERE channel = 'sms' AND state = 'sent';
