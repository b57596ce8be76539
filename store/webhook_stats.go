package store

import (
	"context"
	"database/sql"
	"time"
)

// Rejection counts refused deliveries of one connection in one minute for one reason.
type Rejection struct {
	ConnectionID string
	Minute       time.Time
	Reason       string
	Count        int
	// LastAt is the newest refusal counted.
	LastAt time.Time
}

// AddRejections adds counted refusals (the intake aggregates them in memory first).
func (db *DB) AddRejections(ctx context.Context, rs []Rejection) error {
	if len(rs) == 0 {
		return nil
	}
	return db.InTx(ctx, func(tx *Tx) error {
		for _, r := range rs {
			if _, err := tx.q().exec(ctx, `INSERT INTO webhook_rejections (connection_id, minute, reason, count, last_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (connection_id, minute, reason) DO UPDATE SET count = webhook_rejections.count + excluded.count,
					last_at = CASE WHEN excluded.last_at > webhook_rejections.last_at THEN excluded.last_at ELSE webhook_rejections.last_at END`,
				r.ConnectionID, r.Minute.Truncate(time.Minute).Unix(), r.Reason, r.Count, toMicros(r.LastAt)); err != nil {
				return tx.db.mapErr(err, "webhook rejections")
			}
		}
		return nil
	})
}

// WebhookStats is what the webhooks panel shows of a connection's deliveries.
type WebhookStats struct {
	LastReceivedAt *time.Time     `json:"last_received_at"`
	Received24h    int            `json:"received_24h"`
	Duplicates24h  int            `json:"duplicates_24h"`
	Failures24h    int            `json:"verification_failures"`
	FailureReasons map[string]int `json:"verification_failure_reasons"`
	LastFailureAt  *time.Time     `json:"last_failure_at"`
	Pending        int            `json:"pending"`
	FailedEvents   int            `json:"failed_events"`
}

// WebhookStats counts a connection's deliveries since since.
func (db *DB) WebhookStats(ctx context.Context, connectionID string, since time.Time) (WebhookStats, error) {
	st := WebhookStats{FailureReasons: map[string]int{}}
	var last sql.NullInt64
	var dups sql.NullInt64
	err := db.reader().row(ctx, `SELECT MAX(received_at), COUNT(*), SUM(duplicates) FROM webhook_events
		WHERE connection_id = ? AND id >= ? AND source = 'webhook' AND received_at >= ?`,
		connectionID, IDFloor("whe", since.Add(-time.Second)), toMicros(since)).Scan(&last, &st.Received24h, &dups)
	if err != nil {
		return st, db.mapErr(err, "webhook stats")
	}
	st.Duplicates24h = int(dups.Int64)
	if !last.Valid {
		// Nothing in the window: the last receipt may be older.
		_ = db.reader().row(ctx, `SELECT received_at FROM webhook_events WHERE connection_id = ? AND source = 'webhook'
			ORDER BY id DESC LIMIT 1`, connectionID).Scan(&last)
	}
	st.LastReceivedAt = fromNullMicros(last)
	rows, err := db.reader().query(ctx, `SELECT reason, SUM(count), MAX(last_at) FROM webhook_rejections
		WHERE connection_id = ? AND minute >= ? GROUP BY reason`, connectionID, since.Unix())
	if err != nil {
		return st, db.mapErr(err, "webhook stats")
	}
	defer rows.Close()
	for rows.Next() {
		var reason string
		var n, lastAt int64
		if err := rows.Scan(&reason, &n, &lastAt); err != nil {
			return st, err
		}
		st.FailureReasons[reason] = int(n)
		st.Failures24h += int(n)
		t := fromMicros(lastAt)
		if st.LastFailureAt == nil || t.After(*st.LastFailureAt) {
			st.LastFailureAt = &t
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	// Through the status index: pending and failed events are few, whatever the history.
	err = db.reader().row(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status IN ('received', 'processing') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
		FROM webhook_events WHERE status IN ('received', 'processing', 'failed') AND connection_id = ?`,
		connectionID).Scan(&st.Pending, &st.FailedEvents)
	return st, db.mapErr(err, "webhook stats")
}

// LastEventOccurredAt is when the newest event the connection received happened (for
// missed-event recovery: ask the service for what came after).
func (db *DB) LastEventOccurredAt(ctx context.Context, connectionID string) (*time.Time, error) {
	var t sql.NullInt64
	err := db.reader().row(ctx, `SELECT MAX(occurred_at) FROM webhook_events WHERE connection_id = ?`, connectionID).Scan(&t)
	return fromNullMicros(t), db.mapErr(err, "webhook events")
}

// WebhookBacklog counts a connection's webhook events waiting to be processed (received or
// processing), through the partial index of open events: what the Sync Dashboard needs of
// WebhookStats, without its 24-hour receipt counts.
func (db *DB) WebhookBacklog(ctx context.Context, connectionID string) (int, error) {
	var n int
	err := db.reader().row(ctx, `SELECT COALESCE(SUM(CASE WHEN status IN ('received', 'processing') THEN 1 ELSE 0 END), 0)
		FROM webhook_events WHERE status IN ('received', 'processing', 'failed') AND connection_id = ?`, connectionID).Scan(&n)
	return n, db.mapErr(err, "webhook stats")
}
