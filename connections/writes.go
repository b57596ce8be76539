package connections

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// WriteArgs is the durable job of one external write.
type WriteArgs struct {
	WriteID string `json:"write_id"`
}

// Kind names the job for River.
func (WriteArgs) Kind() string { return "external_write" }

// WriteInput is the body of POST /v1/connections/{id}/writes.
type WriteInput struct {
	Operation string          `json:"operation"`
	Payload   json.RawMessage `json:"payload"`
}

// EnqueueWrite checks the guards and stores the write and its job in one transaction. The
// idempotency key (the request's, or a fresh one) is sent to the service on every attempt,
// so a retried job never does the work twice; the same key on the same connection returns
// the write already queued instead of a second one.
func (s *Service) EnqueueWrite(ctx context.Context, actor Actor, id string, in WriteInput, idemKey string) (store.ExternalWrite, bool, error) {
	c, err := s.DB.GetConnection(ctx, id)
	if err != nil {
		return store.ExternalWrite{}, false, err
	}
	entity, err := s.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return store.ExternalWrite{}, false, err
	}
	conn, err := s.connector(c.Connector)
	if err != nil {
		return store.ExternalWrite{}, false, err
	}
	writer, ok := conn.(connector.Writer)
	if !ok || !slices.Contains(writer.WriteOperations(), in.Operation) {
		return store.ExternalWrite{}, false, concord.Errorf(concord.EINVALID, "connector %s has no write operation %q", c.Connector, in.Operation)
	}
	if !json.Valid(in.Payload) {
		return store.ExternalWrite{}, false, concord.Errorf(concord.EINVALID, "payload must be a JSON value")
	}
	if err := writeGuard(c, entity); err != nil {
		s.auditRefusal(ctx, actor, c, "external_write.enqueue", concord.ErrorMessage(err))
		return store.ExternalWrite{}, false, err
	}
	if idemKey == "" {
		idemKey = store.NewID("idem")
	}
	w := store.ExternalWrite{ConnectionID: id, Operation: in.Operation, Payload: in.Payload, IdempotencyKey: idemKey}
	created := true
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if prev, err := tx.ExternalWriteByKey(ctx, id, idemKey); err == nil {
			w, created = prev, false
			return nil
		}
		if err := tx.CreateExternalWrite(ctx, &w); err != nil {
			return err
		}
		if _, err := s.Jobs.InsertTx(ctx, tx, WriteArgs{WriteID: w.ID}, nil); err != nil {
			return err
		}
		return auditTx(ctx, tx, actor, "external_write.enqueue", "external_write:"+w.ID, c.EntityID, "ok", nil,
			map[string]any{"connection_id": id, "operation": in.Operation}, "")
	})
	return w, created, err
}

// writeGuard refuses outbound work on a disconnected or mode-mismatched connection.
func writeGuard(c concord.Connection, entity concord.Entity) error {
	if c.State == concord.StateDisconnected {
		return concord.Errorf(concord.ECONFLICT, "connection %s is disconnected; outbound work is stopped", c.ID)
	}
	if ModeMismatch(c, entity) || c.StateReason == ReasonModeMismatch {
		return &concord.Error{Code: concord.EMODEMISMATCH, Class: concord.ClassModeMismatch,
			Message: "connection " + c.ID + " is a " + string(c.Mode) + " connection in a " + string(entity.Mode) +
				" entity; outbound writes are refused until it is reconnected in the right mode"}
	}
	return nil
}

// WriteWorker works external-write jobs.
type WriteWorker struct {
	river.WorkerDefaults[WriteArgs]
	Svc *Service
}

// Work performs one attempt. The error class decides what happens next: a validation or
// mode error is never retried, a rate limit waits as long as the service asked, and
// transient failures retry with River's backoff.
func (w *WriteWorker) Work(ctx context.Context, job *river.Job[WriteArgs]) error {
	s := w.Svc
	wr, err := s.DB.GetExternalWrite(ctx, job.Args.WriteID)
	if err != nil {
		return river.JobCancel(err)
	}
	if wr.Status == store.WriteSucceeded || wr.Status == store.WriteRefused || wr.Status == store.WriteFailed {
		return nil // done before: a replayed job must not write twice
	}
	c, err := s.DB.GetConnection(ctx, wr.ConnectionID)
	if err != nil {
		return err
	}
	entity, err := s.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		return err
	}
	if gerr := writeGuard(c, entity); gerr != nil {
		_ = s.DB.FinishWriteAttempt(ctx, wr.ID, store.WriteRefused, nil, concord.ClassModeMismatch, concord.ErrorMessage(gerr))
		return river.JobCancel(gerr)
	}
	conn, err := s.connector(c.Connector)
	if err != nil {
		return river.JobCancel(err)
	}
	writer, _ := conn.(connector.Writer)
	sealed, err := s.DB.Credentials(ctx, c.ID)
	if err != nil {
		return err
	}
	creds, err := s.open(c.ID, sealed)
	if err != nil {
		return river.JobCancel(err)
	}
	sess, err := s.session(c, entity, creds)
	if err != nil {
		return river.JobCancel(err)
	}
	opCtx := connector.WithCorrelationID(connector.WithOperation(ctx, wr.Operation), wr.ID)
	result, werr := writer.Write(opCtx, sess, connector.Write{Operation: wr.Operation, Payload: wr.Payload, IdempotencyKey: wr.IdempotencyKey})
	if werr == nil {
		_ = s.DB.TouchConnection(ctx, c.ID, s.now())
		return s.DB.FinishWriteAttempt(ctx, wr.ID, store.WriteSucceeded, result, "", "")
	}
	class := writeClass(werr)
	msg := concord.ErrorMessage(asSafe(werr))
	s.noteHealth(ctx, c, class, msg)
	switch {
	case !class.Retryable() && class != concord.ClassAuthExpired && class != concord.ClassRevoked:
		_ = s.DB.FinishWriteAttempt(ctx, wr.ID, store.WriteFailed, nil, class, msg)
		return river.JobCancel(werr)
	case job.Attempt >= job.MaxAttempts:
		_ = s.DB.FinishWriteAttempt(ctx, wr.ID, store.WriteFailed, nil, class, msg)
		return werr
	}
	_ = s.DB.FinishWriteAttempt(ctx, wr.ID, store.WriteRetrying, nil, class, msg)
	if after := connector.RetryAfterOf(werr); class == concord.ClassRateLimited && after > 0 {
		return river.JobSnooze(after)
	}
	return werr
}

// NextRetry backs off from 2 s doubling to at most 10 minutes.
func (w *WriteWorker) NextRetry(job *river.Job[WriteArgs]) time.Time {
	d := 2 * time.Second << min(job.Attempt, 9)
	return time.Now().Add(min(d, 10*time.Minute))
}

// writeClass classifies a write failure; the hub's own invalid-input errors are validation.
func writeClass(err error) concord.ErrorClass {
	if c := connector.ClassOf(err); c != concord.ClassNone {
		return c
	}
	var ce *concord.Error
	if errors.As(err, &ce) {
		if ce.Class != concord.ClassNone {
			return ce.Class
		}
		if ce.Code == concord.EINVALID || ce.Code == concord.EUNPROCESSABLE {
			return concord.ClassValidation
		}
	}
	return concord.ClassUnavailable
}

// noteHealth records what a failed call says about the connection's health: an expired or
// revoked credential moves it to state expired at once.
func (s *Service) noteHealth(ctx context.Context, c concord.Connection, class concord.ErrorClass, msg string) {
	if class != concord.ClassAuthExpired && class != concord.ClassRevoked {
		return
	}
	if c.State == concord.StateExpired && c.StateReason == string(class) {
		return
	}
	before := stateOf(c)
	c.State, c.StateReason, c.StateDetail = concord.StateExpired, string(class), "a call was refused: "+msg
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateConnection(ctx, &c); err != nil {
			return err
		}
		return auditTx(ctx, tx, System, "connection.state_change", "connection:"+c.ID, c.EntityID, "ok", before, stateOf(c), "after a failed call")
	})
	if err != nil && s.Log != nil {
		s.Log.Warn("health update failed", "connection_id", c.ID, "err", err)
	}
}
