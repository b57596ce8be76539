package store

import (
	"context"
	"time"
)

// HourActivity is what moved through one connection in one direction in one clock hour.
type HourActivity struct {
	Hour      time.Time // start of the hour, UTC
	Direction string    // inbound or outbound
	Moved     int
	Failed    int
}

const (
	microsPerHour = int64(time.Hour / time.Microsecond)
	hourLiteral   = "3600000000" // microsPerHour, as SQL
)

// Activity counts, per hour since since, what moved through a connection: inbound, the
// webhook deliveries processed (or failed) and the records of inbound sync runs; outbound,
// the changes sent (or failed) and the records of outbound runs. Each query reads an index
// range bounded by since, so the cost follows recent activity, not table size.
func (db *DB) Activity(ctx context.Context, connectionID string, since time.Time) ([]HourActivity, error) {
	var out []HourActivity
	add := func(query string, dir string, args ...any) error {
		rows, err := db.reader().query(ctx, query, args...)
		if err != nil {
			return db.mapErr(err, "activity")
		}
		defer rows.Close()
		for rows.Next() {
			var h int64
			var moved, failed int
			if err := rows.Scan(&h, &moved, &failed); err != nil {
				return db.mapErr(err, "activity")
			}
			out = append(out, HourActivity{Hour: fromMicros(h * microsPerHour), Direction: dir, Moved: moved, Failed: failed})
		}
		return db.mapErr(rows.Err(), "activity")
	}
	// Event ids sort by creation time, so the (connection_id, id) index bounds the window.
	// The hour is a literal in the SQL, so SELECT and GROUP BY are one expression on PostgreSQL.
	if err := add(`SELECT received_at / `+hourLiteral+` AS h,
			SUM(CASE WHEN status = 'processed' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END)
		FROM webhook_events WHERE connection_id = ? AND id >= ? GROUP BY 1`, "inbound",
		connectionID, IDFloor("whe", since)); err != nil {
		return nil, err
	}
	if err := add(`SELECT COALESCE(sent_at, updated_at) / `+hourLiteral+` AS h,
			SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END)
		FROM outbox WHERE connection_id = ? AND status IN ('sent', 'failed') AND enqueued_at >= ?
		GROUP BY 1`, "outbound", connectionID, toMicros(since)); err != nil {
		return nil, err
	}
	for _, dir := range []string{"inbound", "outbound"} {
		if err := add(`SELECT started_at / `+hourLiteral+` AS h, SUM(moved), SUM(failed) FROM sync_runs
			WHERE connection_id = ? AND started_at >= ? AND direction = ? GROUP BY 1`, dir,
			connectionID, toMicros(since), dir); err != nil {
			return nil, err
		}
	}
	return out, nil
}
