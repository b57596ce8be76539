-- Webhook deliveries, stored before they are acknowledged. One row per provider event per
-- connection: a repeated delivery only counts a duplicate. The row is also the processing
-- record: status moves received -> processed (or failed) in the same transaction as the
-- domain change the event causes, so each event takes effect exactly once.
CREATE TABLE webhook_events (
    id                TEXT PRIMARY KEY,
    connection_id     TEXT NOT NULL,
    provider_event_id TEXT NOT NULL,
    event_type        TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT 'webhook',
    received_at       INTEGER NOT NULL,
    occurred_at       INTEGER,
    mode              TEXT NOT NULL DEFAULT '',
    hint              INTEGER NOT NULL DEFAULT 0,
    body              TEXT NOT NULL,
    verified          INTEGER NOT NULL DEFAULT 1,
    duplicates        INTEGER NOT NULL DEFAULT 0,
    last_duplicate_at INTEGER,
    status            TEXT NOT NULL DEFAULT 'received',
    attempts          INTEGER NOT NULL DEFAULT 0,
    claimed_until     INTEGER,
    processed_at      INTEGER,
    error             TEXT NOT NULL DEFAULT '',
    UNIQUE (connection_id, provider_event_id)
);
-- Ids sort by creation time, so (connection_id, id) serves both paging and time windows.
CREATE INDEX webhook_events_connection ON webhook_events (connection_id, id);
CREATE INDEX webhook_events_pending ON webhook_events (status, received_at);

-- Refused deliveries, counted per connection, minute and reason (never one row per request,
-- so a forged flood cannot flood the database).
CREATE TABLE webhook_rejections (
    connection_id TEXT NOT NULL,
    minute        INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    count         INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    PRIMARY KEY (connection_id, minute, reason)
);

-- External objects as the service last reported them (payments, disputes, payouts...).
CREATE TABLE external_objects (
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL,
    data          TEXT NOT NULL DEFAULT '{}',
    due_at        INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, kind, external_id)
);
