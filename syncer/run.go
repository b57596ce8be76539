package syncer

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// Directions.
const (
	Inbound  = "inbound"
	Outbound = "outbound"
)

// overlap is how far before the last pass's newest change the next pass starts: changes
// stamped in the same instant are never missed, and re-reading one is harmless.
const overlap = time.Second

// RunArgs is the durable job of one or more sync runs, worked in order (locations before
// the stock that refers to them).
type RunArgs struct {
	RunIDs []string `json:"run_ids"`
}

// Kind names the job for River.
func (RunArgs) Kind() string { return "sync_run" }

// StartRuns queues sync runs for a connection: one per kind (all the connector imports when
// kind is ""), inbound or outbound, full (from the beginning) or incremental.
func (e *Engine) StartRuns(ctx context.Context, actor, connectionID, kind, direction string, full bool) ([]store.SyncRun, error) {
	o, err := e.Svc.Open(ctx, connectionID)
	if err != nil {
		return nil, err
	}
	if o.Connection.State == concord.StateDisconnected {
		return nil, concord.Errorf(concord.ECONFLICT, "connection %s is disconnected; sync is stopped", connectionID)
	}
	var kinds []string
	switch direction {
	case Inbound:
		imp, ok := o.Connector.(connector.Importer)
		if !ok {
			return nil, concord.Errorf(concord.EUNPROCESSABLE, "%s imports nothing", o.Connection.Connector)
		}
		kinds = imp.SyncKinds()
	case Outbound:
		exp, ok := o.Connector.(connector.Exporter)
		if !ok {
			return nil, concord.Errorf(concord.EUNPROCESSABLE, "%s exports nothing", o.Connection.Connector)
		}
		for k := range exp.ExportFields() {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		kinds = []string{"all"} // the outbox is flushed as one stream per connection
	default:
		return nil, concord.Errorf(concord.EINVALID, "direction must be inbound or outbound")
	}
	if kind != "" && direction == Inbound {
		if !slices.Contains(kinds, kind) {
			return nil, concord.Errorf(concord.EINVALID, "%s does not sync %q (it syncs %v)", o.Connection.Connector, kind, kinds)
		}
		kinds = []string{kind}
	}
	var runs []store.SyncRun
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		var ids []string
		for _, k := range kinds {
			r := store.SyncRun{ConnectionID: connectionID, Kind: k, Direction: direction, Full: full}
			if err := tx.CreateSyncRun(ctx, &r); err != nil {
				return err
			}
			runs = append(runs, r)
			ids = append(ids, r.ID)
		}
		if direction == Outbound {
			return e.queueFlush(ctx, tx, connectionID, ids[0])
		}
		_, err := e.Jobs.InsertTx(ctx, tx, RunArgs{RunIDs: ids}, nil)
		return err
	})
	return runs, err
}

// RunWorker works RunArgs.
type RunWorker struct {
	river.WorkerDefaults[RunArgs]
	Engine *Engine
}

// Work runs each queued run to its end, checkpointing after every page.
func (w *RunWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	for _, id := range job.Args.RunIDs {
		if err := w.Engine.runOne(ctx, id, job.Attempt >= job.MaxAttempts); err != nil {
			return err
		}
	}
	return nil
}

// runOne runs one inbound run. Each page is applied and the checkpoint advanced in one
// transaction, so a run killed at any point resumes at the page after the last committed
// one: no record skipped, none applied twice.
func (e *Engine) runOne(ctx context.Context, runID string, lastAttempt bool) error {
	run, err := e.DB.GetSyncRun(ctx, runID)
	if err != nil {
		return river.JobCancel(err)
	}
	if run.Status != store.RunQueued && run.Status != store.RunRunning {
		return nil
	}
	o, err := e.Svc.Open(ctx, run.ConnectionID)
	if err != nil {
		return err
	}
	imp, ok := o.Connector.(connector.Importer)
	if !ok || o.Connection.State == concord.StateDisconnected {
		return e.finishRun(ctx, &run, store.RunFailed, "the connection cannot import (disconnected or no importer)")
	}
	run.Status = store.RunRunning
	if run.Full && run.Total < 0 {
		if counter, ok := o.Connector.(connector.Counter); ok {
			if n, err := counter.CountRecords(connector.WithOperation(ctx, "sync.count"), o.Session, run.Kind); err == nil {
				run.Total = n
			}
		}
	}
	for {
		cur, err := e.cursor(ctx, run)
		if err != nil {
			return err
		}
		page, err := imp.ImportPage(connector.WithOperation(ctx, "sync.import."+run.Kind), o.Session,
			connector.ImportRequest{Kind: run.Kind, Since: cur.PassSince, Cursor: cur.PageCursor, PageSize: 250})
		if err != nil {
			return e.pageFailed(ctx, &run, o, err, lastAttempt)
		}
		done := page.NextCursor == ""
		var tally Tally
		err = e.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if tally, err = e.ApplyInbound(ctx, tx, run.ConnectionID, page.Records); err != nil {
				return err
			}
			for _, r := range page.Records {
				if r.UpdatedAt.After(cur.PassHigh) {
					cur.PassHigh = r.UpdatedAt
				}
			}
			cur.PageCursor = page.NextCursor
			if done {
				if !cur.PassHigh.IsZero() {
					cur.Since = cur.PassHigh.Add(-overlap)
				}
				cur.PageCursor, cur.PassSince, cur.PassHigh = "", time.Time{}, time.Time{}
			}
			if err := tx.SaveSyncCursor(ctx, cur); err != nil {
				return err
			}
			run.Moved += tally.Applied + tally.Unchanged + tally.Drifts + tally.AutoResolved + tally.Stale + tally.Suggested + tally.Unmapped
			run.Failed += tally.Skipped
			if len(tally.Problems) > 0 && run.Warning == "" {
				run.Warning = tally.Problems[0]
			}
			return tx.UpdateSyncRun(ctx, &run)
		})
		if err != nil {
			return err
		}
		if done {
			if run.Full {
				e.checkCounts(ctx, &run, o)
			}
			return e.finishRun(ctx, &run, store.RunSucceeded, "")
		}
		if latest, err := e.DB.GetSyncRun(ctx, run.ID); err == nil && latest.Cancel {
			return e.finishRun(ctx, &run, store.RunInterrupted, "interrupted by the operator; the next run resumes from the last page")
		}
	}
}

// cursor reads the checkpoint; a fresh pass starts after the last one's high-water mark
// (or from the beginning for a full run).
func (e *Engine) cursor(ctx context.Context, run store.SyncRun) (store.SyncCursor, error) {
	var cur store.SyncCursor
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		cur, err = tx.GetSyncCursor(ctx, run.ConnectionID, run.Kind)
		return err
	})
	if err == nil && cur.PageCursor == "" {
		cur.PassSince = cur.Since
		if run.Full {
			cur.PassSince = time.Time{}
		}
	}
	return cur, err
}

// pageFailed decides by error class: a rate limit waits (the checkpoint holds), a refused
// credential fails the run and marks the connection's health, anything else is retried.
func (e *Engine) pageFailed(ctx context.Context, run *store.SyncRun, o connections.Opened, err error, lastAttempt bool) error {
	class := connector.ClassOf(err)
	msg := concord.ErrorMessage(err)
	if class != concord.ClassNone {
		msg = err.Error()
	}
	switch {
	case class == concord.ClassRateLimited:
		after := connector.RetryAfterOf(err)
		if after <= 0 {
			after = 2 * time.Second
		}
		return river.JobSnooze(after)
	case class == concord.ClassAuthExpired || class == concord.ClassRevoked:
		_ = e.Svc.NoteEvidence(ctx, o.Connection.ID, concord.StateExpired, string(class), "sync stopped: "+msg)
		return river.JobCancel(e.finishRun(ctx, run, store.RunFailed, msg))
	case class == concord.ClassValidation || lastAttempt:
		run.Failed++
		return river.JobCancel(e.finishRun(ctx, run, store.RunFailed, msg))
	}
	run.Error = msg
	_ = e.DB.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateSyncRun(ctx, run) })
	return err
}

func (e *Engine) finishRun(ctx context.Context, run *store.SyncRun, status, msg string) error {
	now := e.DB.Now()
	run.Status, run.FinishedAt = status, &now
	if msg != "" {
		run.Error = msg
	}
	err := e.DB.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateSyncRun(ctx, run) })
	outcome := concord.OutcomeOK
	if status != store.RunSucceeded {
		outcome = concord.OutcomeError
	}
	e.DB.RecordCall(ctx, concord.LogEntry{ConnectionID: run.ConnectionID, Direction: run.Direction, Kind: concord.KindSyncRun,
		Operation: "sync." + run.Kind, Outcome: outcome, CorrelationID: run.ID,
		Excerpt: fmt.Sprintf("%s: moved %d, failed %d %s", status, run.Moved, run.Failed, run.Error)})
	return err
}

// checkCounts is the lost-data check: after a full pass the hub must hold as many live
// records as the service says it has; otherwise the run "succeeded" but lost data.
func (e *Engine) checkCounts(ctx context.Context, run *store.SyncRun, o connections.Opened) {
	if _, ok := o.Connector.(connector.Counter); !ok || run.Total < 0 {
		return
	}
	have, err := e.DB.CountSyncRecords(ctx, run.ConnectionID, run.Kind)
	if err != nil || have == run.Total {
		return
	}
	run.Warning = fmt.Sprintf("count mismatch: the service reports %d %s records, the hub holds %d", run.Total, run.Kind, have)
	e.DB.RecordCall(ctx, concord.LogEntry{ConnectionID: run.ConnectionID, Direction: Inbound, Kind: concord.KindSyncRun,
		Operation: "sync.count_check", Outcome: concord.OutcomeError, CorrelationID: run.ID, Excerpt: run.Warning})
	_ = e.Svc.NoteEvidence(ctx, run.ConnectionID, concord.StateError, "sync_count_mismatch", run.Warning)
}
