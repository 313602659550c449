-- Where a case's receipt day came from, so the rep can tell an assumed
-- day from one they gave: 'arrival-check' (the day the customer answered
-- the arrival check), 'delivery' (the expected delivery day), 'reply' (the
-- day they wrote), 'opened' (the day the case was opened by hand); ''
-- once the rep sets it with --received, and for cases opened before.
ALTER TABLE cases ADD COLUMN received_from TEXT NOT NULL DEFAULT '';
