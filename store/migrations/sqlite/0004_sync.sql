-- ERP records: the ERP's canonical, versioned view of products/variants, stock, orders and
-- fulfillments, written by the ERP through the API and by inbound sync.
CREATE TABLE erp_records (
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    lookup_key TEXT NOT NULL DEFAULT '',
    fields     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    source     TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (entity_id, kind, id)
);
CREATE INDEX erp_records_lookup ON erp_records (entity_id, kind, lookup_key);


CREATE TABLE erp_record_versions (
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    fields     TEXT NOT NULL,
    source     TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (entity_id, kind, id, version)
);

-- External records as the service last reported them, per connection.
CREATE TABLE sync_records (
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    parent_id     TEXT NOT NULL DEFAULT '',
    fields        TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    external_updated_at INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    seen_at       INTEGER NOT NULL,
    PRIMARY KEY (connection_id, kind, external_id)
);

-- Mappings between ERP records and external records.
CREATE TABLE mappings (
    id            TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    erp_id        TEXT NOT NULL DEFAULT '',
    external_id   TEXT NOT NULL,
    parent_id     TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    score         REAL NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL DEFAULT '',
    synced_version INTEGER NOT NULL DEFAULT 0,
    erp_fp        TEXT NOT NULL DEFAULT '',
    ext_fp        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (connection_id, kind, external_id)
);
CREATE INDEX mappings_erp ON mappings (connection_id, kind, erp_id);
CREATE INDEX mappings_state ON mappings (connection_id, state);
-- Only mappings whose two sides differ: a full drift scan reads what disagrees, not the table.
CREATE INDEX mappings_drift ON mappings (connection_id, id) WHERE state = 'active' AND erp_fp <> ext_fp;

-- Sync checkpoints: the high-water mark of the last finished pass and the page cursor of
-- the pass in progress, advanced in the same transaction as the page it follows.
CREATE TABLE sync_cursors (
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    since         INTEGER NOT NULL DEFAULT 0,
    page_cursor   TEXT NOT NULL DEFAULT '',
    pass_since    INTEGER NOT NULL DEFAULT 0,
    pass_high     INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, kind)
);

CREATE TABLE sync_runs (
    id            TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    direction     TEXT NOT NULL,
    full_sync     INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    cancel        INTEGER NOT NULL DEFAULT 0,
    moved         INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT -1,
    warning       TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    started_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    finished_at   INTEGER
);
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, started_at);

CREATE TABLE sync_settings (
    connection_id    TEXT NOT NULL,
    kind             TEXT NOT NULL,
    inbound          INTEGER NOT NULL DEFAULT 1,
    outbound         INTEGER NOT NULL DEFAULT 1,
    interval_seconds INTEGER NOT NULL DEFAULT 900,
    PRIMARY KEY (connection_id, kind)
);

-- Source-of-truth policy per connection, kind and field.
CREATE TABLE field_policies (
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    field         TEXT NOT NULL,
    policy        TEXT NOT NULL,
    auto_resolve  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, kind, field)
);

-- Outbound changes, coalesced per record and field: a newer value replaces a pending one.
CREATE TABLE outbox (
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    field         TEXT NOT NULL,
    location_id   TEXT NOT NULL DEFAULT '',
    value         TEXT NOT NULL,
    erp_id        TEXT NOT NULL DEFAULT '',
    erp_version   INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    coalesced     INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    enqueued_at   INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    sent_at       INTEGER,
    PRIMARY KEY (connection_id, kind, external_id, field)
);
CREATE INDEX outbox_pending ON outbox (connection_id, status, enqueued_at);

-- Drift: the ERP and the service disagree on a field of a mapped record.
CREATE TABLE drifts (
    id             TEXT PRIMARY KEY,
    connection_id  TEXT NOT NULL,
    kind           TEXT NOT NULL,
    erp_id         TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    field          TEXT NOT NULL,
    erp_value      TEXT NOT NULL,
    external_value TEXT NOT NULL,
    cause          TEXT NOT NULL,
    policy         TEXT NOT NULL,
    state          TEXT NOT NULL,
    resolution     TEXT NOT NULL DEFAULT '',
    resolved_by    TEXT NOT NULL DEFAULT '',
    detected_at    INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    resolved_at    INTEGER
);
CREATE UNIQUE INDEX drifts_open ON drifts (connection_id, kind, external_id, field) WHERE state = 'open';
CREATE INDEX drifts_connection ON drifts (connection_id, state, detected_at);
