-- Clusters, jobs' last known state, events (append-only) and deliveries (the outbox).
CREATE TABLE clusters (
    name                 TEXT PRIMARY KEY NOT NULL,
    url                  TEXT NOT NULL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    unreachable          INTEGER NOT NULL DEFAULT 0,
    first_failure_ms     INTEGER,
    last_ok_ms           INTEGER,
    last_error           TEXT
);

CREATE TABLE jobs (
    cluster              TEXT NOT NULL REFERENCES clusters(name),
    jid                  TEXT NOT NULL,
    name                 TEXT NOT NULL,
    state                TEXT NOT NULL,
    start_time_ms        INTEGER,
    end_time_ms          INTEGER,
    duration_ms          INTEGER,
    last_modification_ms INTEGER,
    restarts             INTEGER,
    first_seen_ms        INTEGER NOT NULL,
    last_seen_ms         INTEGER NOT NULL,
    url                  TEXT NOT NULL,
    PRIMARY KEY (cluster, jid)
);

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    severity       TEXT NOT NULL,
    notify         INTEGER NOT NULL,
    cluster        TEXT NOT NULL,
    jid            TEXT,
    job_name       TEXT,
    occurred_at_ms INTEGER NOT NULL,
    observed_at_ms INTEGER NOT NULL,
    body           TEXT NOT NULL -- the whole event as JSON
);
CREATE INDEX events_by_cluster ON events (cluster, seq);
CREATE INDEX events_by_jid ON events (jid, seq);
CREATE INDEX events_by_name ON events (job_name, seq);
CREATE INDEX events_by_kind ON events (kind, seq);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL REFERENCES events(event_id),
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error      TEXT,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL,
    UNIQUE (event_id, channel)
);
CREATE INDEX deliveries_pending ON deliveries (channel, status, id);
CREATE INDEX deliveries_by_event ON deliveries (event_id);
