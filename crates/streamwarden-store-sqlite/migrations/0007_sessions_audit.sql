-- Console sessions (SHA-256 of the cookie only) and the audit log.
CREATE TABLE sessions (
    hash        TEXT PRIMARY KEY NOT NULL,
    user_name   TEXT NOT NULL REFERENCES users(name),
    csrf        TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL
);

CREATE TABLE audit (
    id       TEXT PRIMARY KEY NOT NULL,  -- UUID v7: sorts by time
    at_ms    INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    via      TEXT NOT NULL,              -- api | console | cli
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    summary  TEXT NOT NULL,              -- redacted JSON
    status   INTEGER NOT NULL,
    outcome  TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at_ms);
