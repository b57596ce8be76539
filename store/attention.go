package store

import (
	"context"
	"time"
)

// Attention is what a connection's card flags beside its state: the signs of a problem a
// green state does not show. Each count reads an index range and stops at CountCap+1, so a
// card costs the same with ten million log rows or a million mappings.
type Attention struct {
	Rejected      int // webhook deliveries refused since the window start (bad signature, ...)
	LastRejection string
	FailedEvents  int // stored webhook events whose processing failed
	OpenDrifts    int
	Stale         int // mappings whose external record is gone or changed identity
	Suggested     int // suggestions waiting in the mapping inbox
	// OutboundFailed counts changes the service refused, and the newest refusal's message.
	OutboundFailed    int
	LastOutboundError string
}

// ConnectionAttention counts a connection's warning signs; rejections since since.
func (db *DB) ConnectionAttention(ctx context.Context, connectionID string, since time.Time) (Attention, error) {
	var a Attention
	r := db.reader()
	// Rejections are kept per minute: a handful of rows however big the flood.
	if err := r.row(ctx, `SELECT COALESCE(SUM(count), 0) FROM webhook_rejections WHERE connection_id = ? AND minute >= ?`,
		connectionID, since.Unix()).Scan(&a.Rejected); err != nil {
		return a, db.mapErr(err, "attention")
	}
	if a.Rejected > 0 {
		if err := r.row(ctx, `SELECT reason FROM webhook_rejections WHERE connection_id = ? AND minute >= ? ORDER BY last_at DESC LIMIT 1`,
			connectionID, since.Unix()).Scan(&a.LastRejection); err != nil {
			return a, db.mapErr(err, "attention")
		}
	}
	for _, q := range []struct {
		dst   *int
		query string
		args  []any
	}{
		{&a.FailedEvents, `SELECT COUNT(*) FROM (SELECT 1 FROM webhook_events WHERE status = 'failed' AND connection_id = ? LIMIT ?) capped`,
			[]any{connectionID, CountCap + 1}},
		{&a.OpenDrifts, `SELECT COUNT(*) FROM (SELECT 1 FROM drifts WHERE connection_id = ? AND state = 'open' LIMIT ?) capped`,
			[]any{connectionID, CountCap + 1}},
		// Mapping states can hold a million rows: counted up to CountCap+1 ("more than").
		{&a.Stale, `SELECT COUNT(*) FROM (SELECT 1 FROM mappings WHERE connection_id = ? AND state = ? LIMIT ?) capped`,
			[]any{connectionID, MappingStale, CountCap + 1}},
		{&a.Suggested, `SELECT COUNT(*) FROM (SELECT 1 FROM mappings WHERE connection_id = ? AND state = ? LIMIT ?) capped`,
			[]any{connectionID, MappingSuggested, CountCap + 1}},
		{&a.OutboundFailed, `SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE connection_id = ? AND status = ? LIMIT ?) capped`,
			[]any{connectionID, OutboxFailed, CountCap + 1}},
	} {
		if err := r.row(ctx, q.query, q.args...).Scan(q.dst); err != nil {
			return a, db.mapErr(err, "attention")
		}
	}
	if a.OutboundFailed > 0 {
		var err error
		if a.LastOutboundError, err = db.LastOutboxFailure(ctx, connectionID); err != nil {
			return a, err
		}
	}
	return a, nil
}
