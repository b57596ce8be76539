package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/concordhub/concord"
)

// Webhook event statuses.
const (
	EventReceived   = "received"
	EventProcessing = "processing"
	EventProcessed  = "processed"
	EventFailed     = "failed"
)

// WebhookEvent is one stored delivery.
type WebhookEvent struct {
	ID              string     `json:"id"`
	ConnectionID    string     `json:"connection_id"`
	ProviderEventID string     `json:"provider_event_id"`
	EventType       string     `json:"event_type"`
	Source          string     `json:"source"` // webhook, recovery (taken in from the service's events API)
	ReceivedAt      time.Time  `json:"received_at"`
	OccurredAt      *time.Time `json:"occurred_at,omitempty"`
	Mode            string     `json:"mode,omitempty"`
	Hint            bool       `json:"hint"`
	Body            []byte     `json:"-"`
	Verified        bool       `json:"verified"`
	Duplicates      int        `json:"duplicates"`
	Status          string     `json:"status"`
	Attempts        int        `json:"attempts"`
	ProcessedAt     *time.Time `json:"processed_at,omitempty"`
	Error           string     `json:"error,omitempty"`
}

// InsertWebhookEvents stores a batch of deliveries in tx. For each it reports whether it was
// a duplicate of a stored event (then only the duplicate count moves).
func (tx *Tx) InsertWebhookEvents(ctx context.Context, evs []*WebhookEvent) ([]bool, error) {
	d := tx.db.d
	ins, err := tx.tx.PrepareContext(ctx, d.rebind(`INSERT INTO webhook_events (id, connection_id, provider_event_id,
		event_type, source, received_at, occurred_at, mode, hint, body, verified, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, provider_event_id) DO NOTHING`))
	if err != nil {
		return nil, tx.db.mapErr(err, "webhook event")
	}
	defer ins.Close()
	var dup *sql.Stmt
	dups := make([]bool, len(evs))
	for i, ev := range evs {
		if ev.ID == "" {
			ev.ID = NewID("whe")
		}
		if ev.Source == "" {
			ev.Source = "webhook"
		}
		ev.Status = EventReceived
		res, err := ins.ExecContext(ctx, ev.ID, ev.ConnectionID, ev.ProviderEventID, ev.EventType, ev.Source,
			toMicros(ev.ReceivedAt), nullMicros(ev.OccurredAt), ev.Mode, ev.Hint, string(ev.Body), ev.Verified, ev.Status)
		if err != nil {
			return nil, tx.db.mapErr(err, "webhook event")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			continue
		}
		dups[i] = true
		if dup == nil {
			if dup, err = tx.tx.PrepareContext(ctx, d.rebind(`UPDATE webhook_events SET duplicates = duplicates + 1,
				last_duplicate_at = ? WHERE connection_id = ? AND provider_event_id = ?`)); err != nil {
				return nil, tx.db.mapErr(err, "webhook event")
			}
			defer dup.Close()
		}
		if _, err := dup.ExecContext(ctx, toMicros(ev.ReceivedAt), ev.ConnectionID, ev.ProviderEventID); err != nil {
			return nil, tx.db.mapErr(err, "webhook event")
		}
	}
	return dups, nil
}

const webhookColumns = `id, connection_id, provider_event_id, event_type, source, received_at, occurred_at, mode,
	hint, body, verified, duplicates, status, attempts, processed_at, error`

func scanWebhookEvent(s scanner) (WebhookEvent, error) {
	var e WebhookEvent
	var recv int64
	var occurred, processed sql.NullInt64
	var body string
	err := s.Scan(&e.ID, &e.ConnectionID, &e.ProviderEventID, &e.EventType, &e.Source, &recv, &occurred, &e.Mode,
		&e.Hint, &body, &e.Verified, &e.Duplicates, &e.Status, &e.Attempts, &processed, &e.Error)
	if err != nil {
		return e, err
	}
	e.ReceivedAt, e.OccurredAt, e.ProcessedAt, e.Body = fromMicros(recv), fromNullMicros(occurred), fromNullMicros(processed), []byte(body)
	return e, nil
}

// ClaimWebhookEvents takes up to limit events waiting to be processed (or whose earlier
// claim lapsed: its process died) and leases them until now+lease.
func (db *DB) ClaimWebhookEvents(ctx context.Context, limit int, lease time.Duration) ([]WebhookEvent, error) {
	var out []WebhookEvent
	now := db.Now()
	err := db.InTx(ctx, func(tx *Tx) error {
		// Two queries, each served by the (status, received_at) index: an OR of the two would
		// scan the whole table on every claim.
		for _, cond := range []struct {
			where string
			args  []any
		}{
			{`status = ?`, []any{EventReceived}},
			{`status = ? AND claimed_until < ?`, []any{EventProcessing, toMicros(now)}},
		} {
			if len(out) >= limit {
				break
			}
			rows, err := tx.q().query(ctx, `SELECT `+webhookColumns+` FROM webhook_events WHERE `+cond.where+
				` ORDER BY received_at LIMIT ?`+db.d.forUpdateSkipLocked(), append(cond.args, limit-len(out))...)
			if err != nil {
				return err
			}
			for rows.Next() {
				e, err := scanWebhookEvent(rows)
				if err != nil {
					rows.Close()
					return err
				}
				out = append(out, e)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for i := range out {
			out[i].Attempts++
			out[i].Status = EventProcessing
			if _, err := tx.q().exec(ctx, `UPDATE webhook_events SET status = ?, attempts = attempts + 1, claimed_until = ? WHERE id = ?`,
				EventProcessing, toMicros(now.Add(lease)), out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, db.mapErr(err, "webhook events")
}

// FinishWebhookEvent records the outcome of processing inside tx (with the domain change).
func (tx *Tx) FinishWebhookEvent(ctx context.Context, id, status, errMsg string) error {
	var processed any
	if status == EventProcessed {
		processed = toMicros(tx.db.Now())
	}
	_, err := tx.q().exec(ctx, `UPDATE webhook_events SET status = ?, error = ?, processed_at = ?, claimed_until = NULL WHERE id = ?`,
		status, truncate(errMsg, 500), processed, id)
	return tx.db.mapErr(err, "webhook event")
}

// RequeueWebhookEvent puts an event back for processing (replay, or a retryable failure).
func (db *DB) RequeueWebhookEvent(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, db.d.rebind(`UPDATE webhook_events SET status = ?, claimed_until = NULL WHERE id = ?`),
		EventReceived, id)
	if err != nil {
		return db.mapErr(err, "webhook event")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "webhook event not found"}
	}
	return nil
}

// GetWebhookEvent reads one event.
func (db *DB) GetWebhookEvent(ctx context.Context, id string) (WebhookEvent, error) {
	e, err := scanWebhookEvent(db.reader().row(ctx, `SELECT `+webhookColumns+` FROM webhook_events WHERE id = ?`, id))
	return e, db.mapErr(err, "webhook event")
}

// ListWebhookEvents lists a connection's events, newest first; the cursor is the last id.
func (db *DB) ListWebhookEvents(ctx context.Context, connectionID string, p Page) ([]WebhookEvent, string, error) {
	query := `SELECT ` + webhookColumns + ` FROM webhook_events WHERE connection_id = ?`
	args := []any{connectionID}
	if p.Cursor != "" {
		query += ` AND id < ?`
		args = append(args, p.Cursor)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, p.limit()+1)
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, "", db.mapErr(err, "webhook events")
	}
	defer rows.Close()
	var out []WebhookEvent
	for rows.Next() {
		e, err := scanWebhookEvent(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	out, next := trimPage(out, p.limit(), func(e WebhookEvent) string { return e.ID })
	return out, next, rows.Err()
}

// KnownEventIDs returns which of ids the connection already has.
func (db *DB) KnownEventIDs(ctx context.Context, connectionID string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(ids); start += 200 {
		chunk := ids[start:min(start+200, len(ids))]
		args := []any{connectionID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := db.reader().query(ctx, `SELECT provider_event_id FROM webhook_events WHERE connection_id = ?
			AND provider_event_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, db.mapErr(err, "webhook events")
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		rows.Close()
	}
	return out, nil
}
