-- ERP records: the ERP's canonical, versioned view of products/variants, stock, orders and
-- fulfillments, written by the ERP through the API and by inbound sync.
CREATE TABLE erp_records (
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    lookup_key TEXT NOT NULL DEFAULT '',
    fields     TEXT NOT NULL,
    version    BIGINT NOT NULL,
    source     TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (entity_id, kind, id)
);
CREATE INDEX erp_records_lookup ON erp_records (entity_id, kind, lookup_key);


CREATE TABLE erp_record_versions (
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    BIGINT NOT NULL,
    fields     TEXT NOT NULL,
    source     TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
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
    external_updated_at BIGINT NOT NULL,
    deleted       BOOLEAN NOT NULL DEFAULT FALSE,
    seen_at       BIGINT NOT NULL,
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
    score         DOUBLE PRECISION NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL DEFAULT '',
    synced_version BIGINT NOT NULL DEFAULT 0,
    erp_fp        TEXT NOT NULL DEFAULT '',
    ext_fp        TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
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
    since         BIGINT NOT NULL DEFAULT 0,
    page_cursor   TEXT NOT NULL DEFAULT '',
    pass_since    BIGINT NOT NULL DEFAULT 0,
    pass_high     BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, kind)
);

CREATE TABLE sync_runs (
    id            TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    direction     TEXT NOT NULL,
    full_sync     BOOLEAN NOT NULL DEFAULT FALSE,
    status        TEXT NOT NULL,
    cancel        BOOLEAN NOT NULL DEFAULT FALSE,
    moved         BIGINT NOT NULL DEFAULT 0,
    failed        BIGINT NOT NULL DEFAULT 0,
    total         BIGINT NOT NULL DEFAULT -1,
    warning       TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    started_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, started_at);

CREATE TABLE sync_settings (
    connection_id    TEXT NOT NULL,
    kind             TEXT NOT NULL,
    inbound          BOOLEAN NOT NULL DEFAULT TRUE,
    outbound         BOOLEAN NOT NULL DEFAULT TRUE,
    interval_seconds BIGINT NOT NULL DEFAULT 900,
    PRIMARY KEY (connection_id, kind)
);

-- Source-of-truth policy per connection, kind and field.
CREATE TABLE field_policies (
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    field         TEXT NOT NULL,
    policy        TEXT NOT NULL,
    auto_resolve  BOOLEAN NOT NULL DEFAULT FALSE,
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
    erp_version   BIGINT NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    coalesced     BIGINT NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    enqueued_at   BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    sent_at       BIGINT,
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
    detected_at    BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    resolved_at    BIGINT
);
CREATE UNIQUE INDEX drifts_open ON drifts (connection_id, kind, external_id, field) WHERE state = 'open';
CREATE INDEX drifts_connection ON drifts (connection_id, state, detected_at);
