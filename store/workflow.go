package store

import (
	"context"
	"time"
)

// WebhookEventsAfter lists up to limit deliveries of one topic a connection received at or
// after since, oldest first, with their bodies (a workflow check waits for the webhook its
// own write should cause). after, when not "", is the last event id already read: the next
// call pages on from it. Event ids grow with time, so the id floor keeps the query to the
// newest rows of the connection.
func (db *DB) WebhookEventsAfter(ctx context.Context, connectionID, eventType string, since time.Time, after string, limit int) ([]WebhookEvent, error) {
	if floor := IDFloor("whe", since.Add(-time.Second)); after < floor {
		after = floor
	}
	rows, err := db.reader().query(ctx, `SELECT `+webhookColumns+` FROM webhook_events WHERE connection_id = ? AND id > ?
		AND event_type = ? AND source = 'webhook' AND received_at >= ? ORDER BY id LIMIT ?`,
		connectionID, after, eventType, toMicros(since), limit)
	if err != nil {
		return nil, db.mapErr(err, "webhook events")
	}
	defer rows.Close()
	var out []WebhookEvent
	for rows.Next() {
		e, err := scanWebhookEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
