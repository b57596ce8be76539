package connections

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// PurgeArgs is the periodic job that destroys credentials past the recovery window.
type PurgeArgs struct{}

// Kind names the job for River.
func (PurgeArgs) Kind() string { return "credentials_purge" }

// PurgeWorker works PurgeArgs.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Svc *Service
}

// Work destroys expired credentials.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	n, err := w.Svc.PurgeExpiredCredentials(ctx)
	if err == nil && n > 0 && w.Svc.Log != nil {
		w.Svc.Log.Info("destroyed credentials past the recovery window", "connections", n)
	}
	return err
}

// PruneArgs is the periodic job that prunes connector logs and old idempotency keys. The
// audit history is never pruned.
type PruneArgs struct{}

// Kind names the job for River.
func (PruneArgs) Kind() string { return "log_prune" }

// PruneWorker works PruneArgs.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	Svc       *Service
	Retention time.Duration
}

// Work deletes connector-log entries older than the retention and idempotency keys older
// than a day.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	now := w.Svc.now()
	n, err := w.Svc.DB.PruneLogs(ctx, now.Add(-w.Retention))
	if err != nil {
		return err
	}
	if _, err := w.Svc.DB.PruneIdempotencyKeys(ctx, now.Add(-24*time.Hour)); err != nil {
		return err
	}
	if n > 0 && w.Svc.Log != nil {
		w.Svc.Log.Info("pruned connector logs", "rows", n, "retention", w.Retention.String())
	}
	return nil
}

// Workers registers every job of this package on ws, and returns the periodic jobs.
func (s *Service) Workers(ws *river.Workers, logRetention time.Duration) []*river.PeriodicJob {
	river.AddWorker(ws, &WriteWorker{Svc: s})
	river.AddWorker(ws, &PurgeWorker{Svc: s})
	river.AddWorker(ws, &PruneWorker{Svc: s, Retention: logRetention})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
