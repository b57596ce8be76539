package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/concordhub/concord"
)

// Write statuses.
const (
	WriteQueued    = "queued"
	WriteRunning   = "running"
	WriteSucceeded = "succeeded"
	WriteFailed    = "failed"   // gave up: a class that must not be retried, or out of attempts
	WriteRetrying  = "retrying" // failed once, will be tried again
	WriteRefused   = "refused"  // a guard stopped it before any call (mode mismatch, disconnected)
)

// ExternalWrite is one write to an external service, carried by a durable job.
type ExternalWrite struct {
	ID             string             `json:"id"`
	ConnectionID   string             `json:"connection_id"`
	Operation      string             `json:"operation"`
	Payload        json.RawMessage    `json:"payload"`
	IdempotencyKey string             `json:"idempotency_key"`
	Status         string             `json:"status"`
	Attempts       int                `json:"attempts"`
	Result         json.RawMessage    `json:"result,omitempty"`
	ErrorClass     concord.ErrorClass `json:"error_class,omitempty"`
	ErrorMessage   string             `json:"error_message,omitempty"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
}

// CreateExternalWrite inserts w. A second write with the same connection and idempotency
// key is a conflict: the caller reads the first one back instead.
func (tx *Tx) CreateExternalWrite(ctx context.Context, w *ExternalWrite) error {
	now := tx.db.Now()
	if w.ID == "" {
		w.ID = NewID("wr")
	}
	w.Status = WriteQueued
	w.CreatedAt, w.UpdatedAt = now, now
	_, err := tx.q().exec(ctx, `INSERT INTO external_writes (id, connection_id, operation, payload, idempotency_key,
		status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.ConnectionID, w.Operation, string(w.Payload), w.IdempotencyKey, w.Status, toMicros(now), toMicros(now))
	return tx.db.mapErr(err, "external write")
}

// FinishWriteAttempt records the outcome of one attempt.
func (db *DB) FinishWriteAttempt(ctx context.Context, id, status string, result json.RawMessage, class concord.ErrorClass, msg string) error {
	_, err := db.write.ExecContext(ctx, db.d.rebind(`UPDATE external_writes SET status = ?, attempts = attempts + 1,
		result = ?, error_class = ?, error_message = ?, updated_at = ? WHERE id = ?`),
		status, string(result), string(class), msg, toMicros(db.Now()), id)
	return db.mapErr(err, "external write")
}

const writeColumns = `id, connection_id, operation, payload, idempotency_key, status, attempts, result,
	error_class, error_message, created_at, updated_at`

// GetExternalWrite reads one write.
func (db *DB) GetExternalWrite(ctx context.Context, id string) (ExternalWrite, error) {
	w, err := scanWrite(db.reader().row(ctx, `SELECT `+writeColumns+` FROM external_writes WHERE id = ?`, id))
	return w, db.mapErr(err, "external write")
}

// ExternalWriteByKey reads the write of a connection with that idempotency key.
func (tx *Tx) ExternalWriteByKey(ctx context.Context, connectionID, key string) (ExternalWrite, error) {
	w, err := scanWrite(tx.q().row(ctx, `SELECT `+writeColumns+` FROM external_writes
		WHERE connection_id = ? AND idempotency_key = ?`, connectionID, key))
	return w, tx.db.mapErr(err, "external write")
}

func scanWrite(s scanner) (ExternalWrite, error) {
	var w ExternalWrite
	var payload, result, class string
	var created, updated int64
	err := s.Scan(&w.ID, &w.ConnectionID, &w.Operation, &payload, &w.IdempotencyKey, &w.Status, &w.Attempts,
		&result, &class, &w.ErrorMessage, &created, &updated)
	if err != nil {
		return w, err
	}
	w.Payload, w.ErrorClass = json.RawMessage(payload), concord.ErrorClass(class)
	if result != "" {
		w.Result = json.RawMessage(result)
	}
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	return w, nil
}
