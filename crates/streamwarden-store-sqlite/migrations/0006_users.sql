-- Access control: local users (argon2 password hashes) and API tokens (SHA-256 only).
CREATE TABLE users (
    name          TEXT PRIMARY KEY NOT NULL,
    role          TEXT NOT NULL,            -- viewer | operator | admin
    password_hash TEXT,
    created_ms    INTEGER NOT NULL
);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    label       TEXT NOT NULL,
    user_name   TEXT NOT NULL REFERENCES users(name),
    role        TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    revoked_ms  INTEGER
);
