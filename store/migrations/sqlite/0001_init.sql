-- concord schema, SQLite dialect. Times are unix microseconds (INTEGER) in both dialects so
-- ordering and comparison are the same everywhere.
CREATE TABLE entities (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('sandbox', 'production')),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE connections (
    id                   TEXT PRIMARY KEY,
    entity_id            TEXT NOT NULL REFERENCES entities (id),
    connector            TEXT NOT NULL,
    mode                 TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL,
    state_reason         TEXT NOT NULL DEFAULT '',
    state_detail         TEXT NOT NULL DEFAULT '',
    account_id           TEXT NOT NULL DEFAULT '',
    config               TEXT NOT NULL DEFAULT '{}',
    last_activity_at     INTEGER,
    last_tested_at       INTEGER,
    disconnected_at      INTEGER,
    credentials_purge_at INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX connections_entity ON connections (entity_id, id);
CREATE INDEX connections_purge ON connections (credentials_purge_at) WHERE credentials_purge_at IS NOT NULL;

CREATE TABLE credentials (
    connection_id TEXT NOT NULL REFERENCES connections (id),
    field         TEXT NOT NULL,
    sealed        TEXT NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, field)
);

CREATE TABLE connector_logs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id  TEXT NOT NULL,
    time           INTEGER NOT NULL,
    direction      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    operation      TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    status         INTEGER NOT NULL DEFAULT 0,
    error_class    TEXT NOT NULL DEFAULT '',
    latency_ms     INTEGER NOT NULL DEFAULT 0,
    excerpt        TEXT NOT NULL DEFAULT '',
    correlation_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX connector_logs_connection ON connector_logs (connection_id, id);
CREATE INDEX connector_logs_time ON connector_logs (time);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    resource  TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    outcome   TEXT NOT NULL,
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_id, seq);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    entity_ids   TEXT NOT NULL DEFAULT '[]',
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);

CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0,
    response_body TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
