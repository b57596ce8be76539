// Package jobs runs concord's durable job queue: River, on the same database as the data,
// so a job is enqueued in the same transaction as the change that calls for it and survives
// any crash after that commit. Every external write is a job; so are the periodic upkeep
// tasks (destroying expired credentials, pruning connector logs).
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/concordhub/concord/store"
)

// Options configure the queue.
type Options struct {
	Workers      *river.Workers
	PeriodicJobs []*river.PeriodicJob
	// MaxWorkers is the number of jobs worked at once; 0 means 20.
	MaxWorkers int
	// InsertOnly builds a client that enqueues but never works jobs (CLI tools, tests).
	InsertOnly bool
	Logger     *slog.Logger
}

// Queue is the durable job queue.
type Queue struct {
	client *river.Client[*sql.Tx]
	db     *store.DB
}

// New builds the queue on db. Start begins working jobs.
func New(db *store.DB, o Options) (*Queue, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxWorkers <= 0 {
		o.MaxWorkers = 20
	}
	cfg := &river.Config{
		// River reports routine progress at info every few seconds; keep its warnings only.
		Logger:       slog.New(minLevel{Handler: o.Logger.Handler(), min: slog.LevelWarn}),
		Workers:      o.Workers,
		PeriodicJobs: o.PeriodicJobs,
		MaxAttempts:  10,
		JobTimeout:   2 * time.Minute,
		// SQLite has no LISTEN/NOTIFY, so River polls; a short interval keeps write latency low.
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 200 * time.Millisecond,
	}
	if !o.InsertOnly {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.MaxWorkers}}
	}
	client, err := river.NewClient(db.RiverDriver(), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: new river client: %w", err)
	}
	return &Queue{client: client, db: db}, nil
}

// Start begins working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish (bounded by ctx), then stops.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// InsertTx enqueues a job in tx: it exists if and only if tx commits.
func (q *Queue) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobRow, error) {
	res, err := q.client.InsertTx(ctx, tx.SQL(), args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res.Job, nil
}

// Counts returns the number of jobs per state, for /metrics.
func (q *Queue) Counts(ctx context.Context) (map[string]int64, error) { return q.db.JobCounts(ctx) }

// Subscribe returns a channel of job events (tests wait on it).
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.client.Subscribe(kinds...)
}

// Ping checks that the queue's tables answer.
func (q *Queue) Ping(ctx context.Context) error {
	_, err := q.client.JobList(ctx, river.NewJobListParams().First(1))
	return err
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(as), min: h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
