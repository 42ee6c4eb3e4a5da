-- Channels created through the API (file-declared channels live in the configuration).
CREATE TABLE channels (
    name       TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL,
    config     TEXT NOT NULL, -- JSON, secrets included: never returned as is by the API
    templates  TEXT NOT NULL, -- JSON object: part name -> template source
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
