package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// processBatch is how many events one processing transaction takes: large enough that the
// processor commits once for many events, small enough that it holds SQLite's single
// writer only briefly, so deliveries waiting for their acknowledging commit are not held up.
const processBatch = 16

// maxAttempts bounds how often a failing event is tried before it is marked failed (it
// stays stored and can be replayed once the cause is fixed).
const maxAttempts = 8

// Processor turns stored events into domain changes, exactly once each.
type Processor struct {
	DB       *store.DB
	Registry *connector.Registry
	Log      *slog.Logger
	// Lease is how long a claim holds before another process may take the event.
	Lease time.Duration
	// ApplyRecords takes records a delivery announced into the sync engine, inside the
	// transaction that marks the event processed (connectors with connector.WebhookRecords).
	ApplyRecords func(ctx context.Context, tx *store.Tx, connectionID string, recs []connector.SyncRecord) error
	// Busy reports that deliveries are arriving right now (the intake committed a moment
	// ago); the processor then yields between batches so acknowledgements come first.
	Busy func() bool
	// Evidence records what a delivery says about the connection's health (an uninstalled app).
	Evidence func(ctx context.Context, connectionID string, state concord.State, reason, detail string) error

	kick    chan struct{}
	once    sync.Once
	running sync.WaitGroup
}

func (p *Processor) init() {
	p.once.Do(func() {
		p.kick = make(chan struct{}, 1)
		if p.Log == nil {
			p.Log = slog.New(slog.DiscardHandler)
		}
		if p.Lease <= 0 {
			p.Lease = time.Minute
		}
	})
}

// Kick wakes the processor after a commit; it never blocks.
func (p *Processor) Kick() {
	p.init()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run drains events whenever kicked, until ctx ends. A periodic River job (SweepArgs) also
// drains, so events are processed even if no process of this one's is running.
func (p *Processor) Run(ctx context.Context) {
	p.init()
	p.running.Add(1)
	defer p.running.Done()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.kick:
		case <-t.C:
		}
		if _, err := p.Drain(ctx); err != nil && ctx.Err() == nil {
			p.Log.Warn("webhook processing", "err", err)
		}
	}
}

// Wait returns when Run has returned.
func (p *Processor) Wait() { p.running.Wait() }

// Drain processes every waiting event; it returns how many it processed.
func (p *Processor) Drain(ctx context.Context) (int, error) {
	p.init()
	total := 0
	for {
		evs, err := p.DB.ClaimWebhookEvents(ctx, processBatch, p.Lease)
		if err != nil {
			return total, err
		}
		if len(evs) == 0 {
			return total, nil
		}
		if err := p.processBatch(ctx, evs); err != nil {
			return total, err
		}
		total += len(evs)
		if p.Busy != nil && p.Busy() {
			// Deliveries are waiting for their acknowledging commit: give them the writer
			// and the CPU. Processing still advances a batch at a time, and catches up the
			// moment the burst ends; the backlog shows on the Sync Dashboard meanwhile.
			select {
			case <-ctx.Done():
				return total, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// outcome is what processing one event came to.
type outcome struct {
	ev     store.WebhookEvent
	status string // processed or failed; "" leaves it claimed for a later retry
	msg    string
	err    error
}

// processBatch applies a claimed batch in one transaction, each event in a savepoint: the
// event's domain changes and its processed mark commit together (exactly once), one
// failing event rolls back alone, and the single SQLite writer is taken once per batch
// rather than once per event, leaving it to the intake's commits.
func (p *Processor) processBatch(ctx context.Context, evs []store.WebhookEvent) error {
	// Rows are updated in the same key order the intake writes them in, so the two never
	// wait on each other in a cycle (PostgreSQL would abort one as a deadlock).
	sort.Slice(evs, func(i, j int) bool {
		if evs[i].ConnectionID != evs[j].ConnectionID {
			return evs[i].ConnectionID < evs[j].ConnectionID
		}
		return evs[i].ProviderEventID < evs[j].ProviderEventID
	})
	conns := map[string]procConn{}
	outs := make([]outcome, 0, len(evs))
	var after []func() // health evidence, recorded once the batch has committed
	err := p.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, ev := range evs {
			o := outcome{ev: ev}
			o.err = tx.Savepoint(ctx, func() error {
				status, msg, err := p.apply(ctx, tx, ev, conns, &after)
				if err != nil {
					return err
				}
				o.status, o.msg = status, msg
				return tx.FinishWebhookEvent(ctx, ev.ID, status, msg)
			})
			outs = append(outs, o)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range outs {
		if o.err != nil {
			p.fail(ctx, o.ev, o.err)
		}
	}
	for _, f := range after {
		f()
	}
	return nil
}

type procConn struct {
	c      concord.Connection
	entity concord.Entity
	conn   connector.Connector
	err    error
}

func (p *Processor) lookup(ctx context.Context, id string, cache map[string]procConn) procConn {
	if pc, ok := cache[id]; ok {
		return pc
	}
	var pc procConn
	if pc.c, pc.err = p.DB.GetConnection(ctx, id); pc.err == nil {
		pc.entity, pc.err = p.DB.GetEntity(ctx, pc.c.EntityID)
		pc.conn, _ = p.Registry.Get(pc.c.Connector)
	}
	cache[id] = pc
	return pc
}

// apply runs one event's effect inside tx and says how it ended.
func (p *Processor) apply(ctx context.Context, tx *store.Tx, ev store.WebhookEvent, cache map[string]procConn, after *[]func()) (string, string, error) {
	pc := p.lookup(ctx, ev.ConnectionID, cache)
	if pc.err != nil {
		return "", "", pc.err
	}
	if ev.Hint || pc.conn == nil {
		// Nothing to apply (a hint asks for a poll; the sync engine owns that).
		return store.EventProcessed, "", nil
	}
	if ev.Mode != "" && concord.Mode(ev.Mode) != pc.entity.Mode {
		// A live event on a sandbox entity (or the reverse) is evidence, not data to apply.
		return store.EventFailed, "mode_mismatch: a " + ev.Mode + " event on a " + string(pc.entity.Mode) + " entity; not applied", nil
	}
	we := connector.WebhookEvent{ProviderEventID: ev.ProviderEventID, Type: ev.EventType, Mode: concord.Mode(ev.Mode), Payload: ev.Body}
	if ev.OccurredAt != nil {
		we.OccurredAt = *ev.OccurredAt
	}
	if wr, ok := pc.conn.(connector.WebhookRecords); ok && p.ApplyRecords != nil {
		recs, err := wr.RecordsFromWebhook(we)
		if err != nil {
			class := connector.ClassOf(err)
			if (class == concord.ClassRevoked || class == concord.ClassAuthExpired) && p.Evidence != nil {
				// Shopify's app/uninstalled: the credential is gone. Health evidence, recorded
				// after this transaction commits (it writes through the service).
				id, reason, detail := ev.ConnectionID, string(class), err.Error()
				*after = append(*after, func() {
					if err := p.Evidence(ctx, id, concord.StateExpired, reason, detail); err != nil {
						p.Log.Warn("health evidence not recorded", "connection_id", id, "err", err)
					}
				})
				return store.EventProcessed, err.Error(), nil
			}
			return store.EventFailed, "cannot read the delivery: " + err.Error(), nil
		}
		return store.EventProcessed, "", p.ApplyRecords(ctx, tx, ev.ConnectionID, recs)
	}
	if h, ok := pc.conn.(connector.WebhookHandler); ok {
		return store.EventProcessed, "", h.HandleWebhook(ctx, tx.ObjectsFor(ev.ConnectionID), ev.ConnectionID, we)
	}
	return store.EventProcessed, "", nil
}

// fail marks a bad event failed at once and gives a transient failure more tries.
func (p *Processor) fail(ctx context.Context, ev store.WebhookEvent, err error) {
	var ce *concord.Error
	permanent := errors.As(err, &ce) && (ce.Code == concord.EINVALID || ce.Code == concord.ENOTFOUND)
	if permanent || ev.Attempts >= maxAttempts {
		p.finish(ctx, ev, store.EventFailed, concord.ErrorMessage(err))
		return
	}
	p.Log.Warn("webhook event will be retried", "event_id", ev.ID, "attempt", ev.Attempts, "err", err)
	// Leave it claimed: the lease runs out and it is taken again, which spaces retries.
}

func (p *Processor) finish(ctx context.Context, ev store.WebhookEvent, status, msg string) {
	err := p.DB.InTx(ctx, func(tx *store.Tx) error { return tx.FinishWebhookEvent(ctx, ev.ID, status, msg) })
	if err != nil {
		p.Log.Warn("webhook event outcome not stored", "event_id", ev.ID, "err", err)
	}
}

// SweepArgs is the periodic job that drains events in case no in-process kick did.
type SweepArgs struct{}

// Kind names the job for River.
func (SweepArgs) Kind() string { return "webhook_sweep" }

// SweepWorker works SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Processor *Processor
}

// Work drains waiting events.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.Processor.Drain(ctx)
	return err
}

// Workers registers the processor's jobs on ws and returns its periodic job.
func (p *Processor) Workers(ws *river.Workers) []*river.PeriodicJob {
	river.AddWorker(ws, &SweepWorker{Processor: p})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(30*time.Second),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}
