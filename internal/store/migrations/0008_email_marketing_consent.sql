-- When and how the customer said yes or no to tips and news by email
-- (email_marketing), as an import read it: a consent on record says when
-- and how it was given, as the SMS one does.
ALTER TABLE contacts ADD COLUMN email_marketing_at TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN email_marketing_source TEXT NOT NULL DEFAULT '';
