-- Dashboard sign-ins, so that signing out ends one for good (a signed
-- cookie alone stays valid until it expires). id is the SHA-256 of the
-- cookie's random token: a copy of the database signs nobody in.
-- password is a digest of the password hash it was made under: a new
-- `rapport passwd` ends every session made before.
CREATE TABLE dashboard_sessions (
    id         TEXT PRIMARY KEY,
    password   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
) WITHOUT ROWID;
