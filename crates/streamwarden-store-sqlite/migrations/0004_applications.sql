-- Managed applications: versioned packages, runs on clusters, snapshots to restore from.
CREATE TABLE applications (
    id               TEXT PRIMARY KEY NOT NULL,
    project          TEXT NOT NULL,
    name             TEXT NOT NULL,
    job_type         TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL,            -- JSON list
    enabled          INTEGER NOT NULL,
    cluster          TEXT NOT NULL,
    pinned_savepoint TEXT,
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL,
    UNIQUE (project, name)
);

CREATE TABLE app_versions (
    app_id      TEXT NOT NULL REFERENCES applications(id),
    version     TEXT NOT NULL,              -- v00001, v00002, …
    spec        TEXT NOT NULL,              -- JSON: the job as StreamWarden runs it
    meta        TEXT NOT NULL,              -- JSON: meta.json as uploaded
    warnings    TEXT NOT NULL,              -- JSON list
    package     TEXT NOT NULL,              -- path of the stored package
    source      TEXT NOT NULL,              -- upload | edit
    created_by  TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (app_id, version)
);

CREATE TABLE runs (
    id              TEXT PRIMARY KEY NOT NULL,
    app_id          TEXT NOT NULL REFERENCES applications(id),
    version         TEXT NOT NULL,
    cluster         TEXT NOT NULL,
    jid             TEXT,
    status          TEXT NOT NULL,          -- starting | running | failed | stopping | stopped | canceled
    restore_path    TEXT,
    started_by      TEXT NOT NULL,
    started_ms      INTEGER NOT NULL,
    ended_ms        INTEGER,
    stop_requested_by TEXT,
    savepoint_path  TEXT,
    message         TEXT
);
CREATE INDEX runs_by_app ON runs (app_id, started_ms);
CREATE INDEX runs_by_jid ON runs (jid);

CREATE TABLE snapshots (
    app_id       TEXT NOT NULL REFERENCES applications(id),
    path         TEXT NOT NULL,
    kind         TEXT NOT NULL,             -- checkpoint | savepoint
    completed_ms INTEGER NOT NULL,
    run_id       TEXT,
    PRIMARY KEY (app_id, path)
);
