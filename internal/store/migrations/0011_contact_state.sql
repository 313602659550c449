-- The state or province of the customer's address (two-letter code when
-- it is a US state: "TX"), as an import or the rep gave it; '' when
-- unknown. Which state's law on texting hours applies is decided by it
-- first, then by the phone number's area code.
ALTER TABLE contacts ADD COLUMN state TEXT NOT NULL DEFAULT '';
