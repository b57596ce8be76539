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
	for _, m := range cands {
		err := e.DB.InTx(ctx, func(tx *store.Tx) error {
			erp, err := tx.GetERPRecord(ctx, c.entity.ID, m.Kind, m.ERPID)
			if err != nil {
				return nil
			}
			snap, err := tx.GetSyncRecord(ctx, connectionID, m.Kind, m.ExternalID)
			if err != nil {
				return nil
			}
			return e.reconcile(ctx, tx, c, &m, erp, snap.Fields, nil, &t)
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
	Engine   *Engine
	Interval time.Duration
}

// Work starts an incremental inbound run for each connected importer whose last run is
// older than the interval (polling as the backup of webhooks), and a flush where changes wait.
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
			runs, err := e.DB.ListSyncRuns(ctx, c.ID, time.Now().Add(-w.Interval), 1)
			if err == nil && len(runs) == 0 {
				if _, err := e.StartRuns(ctx, "system", c.ID, "", Inbound, false); err != nil {
					e.log().Warn("scheduled sync not started", "connection_id", c.ID, "err", err)
				}
			}
		}
		if st, err := e.DB.OutboxStats(ctx, c.ID, time.Now()); err == nil && st.Pending > 0 {
			_ = e.DB.InTx(ctx, func(tx *store.Tx) error { return e.queueFlush(ctx, tx, c.ID, "") })
		}
	}
	return nil
}

// Workers registers the engine's jobs and returns its periodic ones.
func (e *Engine) Workers(ws *river.Workers, interval time.Duration) []*river.PeriodicJob {
	river.AddWorker(ws, &RunWorker{Engine: e})
	river.AddWorker(ws, &FlushWorker{Engine: e})
	river.AddWorker(ws, &ScanWorker{Engine: e})
	river.AddWorker(ws, &ScheduleWorker{Engine: e, Interval: interval})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ScanArgs{}, nil }, nil),
	}
}

func auditJSON(v any) (json.RawMessage, error) { return json.Marshal(v) }
