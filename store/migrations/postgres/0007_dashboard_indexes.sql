-- Indexes the dashboard's reads need so their cost follows what is shown, not history
-- (the dashboard benchmark: 10,000,000 connector-log rows, 1,000,000 mappings).

-- Webhook events still waiting or failed, per connection (the backlog of the webhooks panel
-- and the Sync Dashboard). Processed events, nearly all of them, leave this index.
CREATE INDEX webhook_events_open ON webhook_events (connection_id, status) WHERE status IN ('received', 'processing', 'failed');

-- Changes sent since a moment (the Sync Dashboard's outbound window).
CREATE INDEX outbox_sent ON outbox (connection_id, sent_at) WHERE status = 'sent';

-- The connector log filtered by outcome, kind or direction, newest first: a filter that
-- matches few rows reads those rows instead of the connection's whole log.
CREATE INDEX connector_logs_outcome ON connector_logs (connection_id, outcome, id);
CREATE INDEX connector_logs_kind ON connector_logs (connection_id, kind, id);
CREATE INDEX connector_logs_direction ON connector_logs (connection_id, direction, id);

-- Sync runs still queued or running (the Sync Dashboard's running run and its lag).
CREATE INDEX sync_runs_open ON sync_runs (connection_id, started_at) WHERE status IN ('queued', 'running');
