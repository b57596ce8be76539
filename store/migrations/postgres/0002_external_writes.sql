-- External writes: each is a durable River job; this row is what the API shows of it and
-- what makes the write idempotent (one row per connection and idempotency key).
CREATE TABLE external_writes (
    id              TEXT PRIMARY KEY,
    connection_id   TEXT NOT NULL REFERENCES connections (id),
    operation       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    result          TEXT NOT NULL DEFAULT '',
    error_class     TEXT NOT NULL DEFAULT '',
    error_message   TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (connection_id, idempotency_key)
);
CREATE INDEX external_writes_connection ON external_writes (connection_id, id);
