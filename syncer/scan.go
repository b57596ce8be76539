package syncer

import (
	"context"
	"encoding/json"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord/store"
)

// ScanResult says what a full drift scan found.
type ScanResult struct {
	Mappings int           `json:"candidates"`
	Drifts   int           `json:"drifts"`
	Duration time.Duration `json:"duration_ns"`
}

// Scan is the periodic full drift scan of one connection: only mappings whose two
// fingerprints differ are read (one indexed pass), and each is reconciled field by field.
// The incremental scan is the inbound pipeline itself, on every change.
func (e *Engine) Scan(ctx context.Context, connectionID string) (ScanResult, error) {
	start := time.Now()
	c, err := e.loadConn(ctx, connectionID)
	if err != nil {
		return ScanResult{}, err
	}
	cands, err := e.DB.DriftCandidates(ctx, connectionID, 100000)
	if err != nil {
		return ScanResult{}, err
	}
	var t Tally
	// Reconciled 250 to a transaction: one commit per batch, not per candidate.
	for start := 0; start < len(cands); start += 250 {
		batch := cands[start:min(start+250, len(cands))]
		err := e.DB.InTx(ctx, func(tx *store.Tx) error {
			for i := range batch {
				m := batch[i]
				erp, err := tx.GetERPRecord(ctx, c.entity.ID, m.Kind, m.ERPID)
				if err != nil {
					continue
				}
				snap, err := tx.GetSyncRecord(ctx, connectionID, m.Kind, m.ExternalID)
				if err != nil {
					continue
				}
				if err := e.reconcile(ctx, tx, c, &m, erp, snap.Fields, nil, &t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return ScanResult{}, err
		}
	}
	return ScanResult{Mappings: len(cands), Drifts: t.Drifts, Duration: time.Since(start)}, nil
}

// ScanArgs is the periodic full scan of every connection.
type ScanArgs struct{}

// Kind names the job for River.
func (ScanArgs) Kind() string { return "drift_scan" }

// ScanWorker works ScanArgs.
type ScanWorker struct {
	river.WorkerDefaults[ScanArgs]
	Engine *Engine
}

// Work scans each connection.
func (w *ScanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	conns, _, err := w.Engine.DB.ListConnections(ctx, store.ConnectionFilter{}, store.Page{Limit: 500})
	if err != nil {
		return err
	}
	for _, c := range conns {
		if _, err := w.Engine.Scan(ctx, c.ID); err != nil {
			w.Engine.log().Warn("drift scan failed", "connection_id", c.ID, "err", err)
		}
	}
	return nil
}

// ScheduleArgs is the periodic job that starts due incremental syncs and flushes.
type ScheduleArgs struct{}

// Kind names the job for River.
func (ScheduleArgs) Kind() string { return "sync_schedule" }

// ScheduleWorker works ScheduleArgs.
type ScheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	Engine *Engine
}

// Work starts the incremental inbound runs that Sync Settings say are due (polling as the
// backup of webhooks), and a flush where changes wait.
func (w *ScheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	e := w.Engine
	conns, _, err := e.DB.ListConnections(ctx, store.ConnectionFilter{}, store.Page{Limit: 500})
	if err != nil {
		return err
	}
	for _, c := range conns {
		if c.State != "connected" {
			continue
		}
		conn, ok := e.Svc.Registry.Get(c.Connector)
		if !ok {
			continue
		}
		if _, ok := conn.(interface{ SyncKinds() []string }); ok {
			w.startDue(ctx, c.ID)
		}
		if st, err := e.DB.OutboxStats(ctx, c.ID, time.Now()); err == nil && st.Pending > 0 {
			_ = e.DB.InTx(ctx, func(tx *store.Tx) error { return e.queueFlush(ctx, tx, c.ID, "") })
		}
	}
	return nil
}

// startDue starts an incremental inbound run of every kind whose Sync Settings interval has
// passed since its last run.
func (w *ScheduleWorker) startDue(ctx context.Context, connectionID string) {
	e := w.Engine
	settings, err := e.Settings(ctx, connectionID)
	if err != nil {
		return
	}
	runs, err := e.DB.ListSyncRuns(ctx, connectionID, time.Now().Add(-7*24*time.Hour), 500)
	if err != nil {
		return
	}
	last := map[string]time.Time{}
	for _, r := range runs {
		if r.Direction == Inbound && r.StartedAt.After(last[r.Kind]) {
			last[r.Kind] = r.StartedAt
		}
	}
	for _, s := range settings {
		interval := time.Duration(s.IntervalSeconds) * time.Second
		if !s.Inbound || time.Since(last[s.Kind]) < interval {
			continue
		}
		if _, err := e.StartRuns(ctx, "system", connectionID, s.Kind, Inbound, false); err != nil {
			e.log().Warn("scheduled sync not started", "connection_id", connectionID, "kind", s.Kind, "err", err)
		}
	}
}

// Workers registers the engine's jobs and returns its periodic ones.
// interval is the backup-poll interval of kinds whose Sync Settings do not set one.
func (e *Engine) Workers(ws *river.Workers, interval time.Duration) []*river.PeriodicJob {
	if interval > 0 {
		e.DefaultInterval = interval
	}
	river.AddWorker(ws, &RunWorker{Engine: e})
	river.AddWorker(ws, &FlushWorker{Engine: e})
	river.AddWorker(ws, &ScanWorker{Engine: e})
	river.AddWorker(ws, &ScheduleWorker{Engine: e})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ScanArgs{}, nil }, nil),
	}
}

func auditJSON(v any) (json.RawMessage, error) { return json.Marshal(v) }
