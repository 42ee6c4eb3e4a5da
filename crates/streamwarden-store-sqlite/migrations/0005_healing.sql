-- Self-healing: each application's own policy, the decision taken on each run's end, and the
-- restarts scheduled and not finished (one per application: the persisted intent).
ALTER TABLE applications ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';  -- JSON AppPolicy
ALTER TABLE runs ADD COLUMN healing TEXT;

CREATE TABLE restarts (
    app_id       TEXT PRIMARY KEY NOT NULL REFERENCES applications(id),
    created_ms   INTEGER NOT NULL,
    body         TEXT NOT NULL              -- JSON RestartIntent
);
