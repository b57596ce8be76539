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
    received_at       BIGINT NOT NULL,
    occurred_at       BIGINT,
    mode              TEXT NOT NULL DEFAULT '',
    hint              BOOLEAN NOT NULL DEFAULT FALSE,
    body              TEXT NOT NULL,
    verified          BOOLEAN NOT NULL DEFAULT TRUE,
    duplicates        BIGINT NOT NULL DEFAULT 0,
    last_duplicate_at BIGINT,
    status            TEXT NOT NULL DEFAULT 'received',
    attempts          BIGINT NOT NULL DEFAULT 0,
    claimed_until     BIGINT,
    processed_at      BIGINT,
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
    minute        BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    count         BIGINT NOT NULL,
    last_at       BIGINT NOT NULL,
    PRIMARY KEY (connection_id, minute, reason)
);

-- External objects as the service last reported them (payments, disputes, payouts...).
CREATE TABLE external_objects (
    connection_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL,
    data          TEXT NOT NULL DEFAULT '{}',
    due_at        BIGINT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, kind, external_id)
);
