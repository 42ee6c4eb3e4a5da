-- Noise control: alerts (conditions), open groups, notifications; deliveries now carry a
-- notification (an alert, a repeat, a resolution or a group) instead of a bare event.
CREATE TABLE alerts (
    id              TEXT PRIMARY KEY NOT NULL,
    key             TEXT NOT NULL,
    cluster         TEXT NOT NULL,
    job             TEXT,
    kind            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    state           TEXT NOT NULL,
    silenced_by     TEXT,
    acknowledged_by TEXT,
    acknowledged_ms INTEGER,
    started_ms      INTEGER NOT NULL,
    last_event_ms   INTEGER NOT NULL,
    resolved_ms     INTEGER,
    body            TEXT NOT NULL -- the whole alert as JSON (acknowledgement: the columns)
);
CREATE INDEX alerts_by_started ON alerts (started_ms);
CREATE INDEX alerts_by_cluster_state ON alerts (cluster, state);
CREATE INDEX alerts_by_job ON alerts (job, started_ms);

CREATE TABLE alert_groups (
    cluster TEXT PRIMARY KEY NOT NULL,
    groups  TEXT NOT NULL -- JSON list of the cluster's open groups
);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY NOT NULL,
    route      TEXT NOT NULL,
    cluster    TEXT NOT NULL,
    severity   TEXT NOT NULL,
    notice     TEXT NOT NULL, -- JSON: alert | repeat | resolved | group
    body       TEXT NOT NULL, -- the whole notification as JSON
    created_ms INTEGER NOT NULL
);

CREATE TABLE notification_events (
    notification_id TEXT NOT NULL REFERENCES notifications(id),
    position        INTEGER NOT NULL,
    event_id        TEXT NOT NULL REFERENCES events(event_id),
    resolved        INTEGER NOT NULL,
    PRIMARY KEY (notification_id, position)
);
CREATE INDEX notification_events_by_event ON notification_events (event_id);

CREATE TABLE notification_alerts (
    notification_id TEXT NOT NULL REFERENCES notifications(id),
    alert_id        TEXT NOT NULL,
    PRIMARY KEY (notification_id, alert_id)
);
CREATE INDEX notification_alerts_by_alert ON notification_alerts (alert_id);

-- Existing deliveries become single-event notifications of the implicit route.
INSERT INTO notifications (id, route, cluster, severity, notice, body, created_ms)
SELECT e.event_id, 'default', e.cluster, e.severity,
       json_object('type', 'alert', 'alert_id', '', 'event_id', e.event_id),
       json_object('id', e.event_id, 'route', 'default', 'cluster', e.cluster,
                   'severity', e.severity, 'recipients', json_object(),
                   'notice', json_object('type', 'alert', 'alert_id', '', 'event_id', e.event_id),
                   'created_ms', e.observed_at_ms),
       e.observed_at_ms
FROM events e WHERE e.event_id IN (SELECT DISTINCT event_id FROM deliveries);
INSERT INTO notification_events (notification_id, position, event_id, resolved)
SELECT id, 0, id, 0 FROM notifications;

CREATE TABLE deliveries_v2 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id TEXT NOT NULL REFERENCES notifications(id),
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error      TEXT,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL,
    UNIQUE (notification_id, channel)
);
INSERT INTO deliveries_v2 (id, notification_id, channel, status, attempts, next_attempt_ms,
                           last_error, created_ms, updated_ms)
SELECT id, event_id, channel, status, attempts, next_attempt_ms, last_error, created_ms, updated_ms
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v2 RENAME TO deliveries;
CREATE INDEX deliveries_pending ON deliveries (channel, status, id);
CREATE INDEX deliveries_by_notification ON deliveries (notification_id);

CREATE TABLE silences (
    id         TEXT PRIMARY KEY NOT NULL,
    starts_ms  INTEGER NOT NULL,
    ends_ms    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE TABLE routes (
    name       TEXT PRIMARY KEY NOT NULL,
    position   INTEGER NOT NULL,
    owner      TEXT,
    body       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
