package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

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
		evs, err := p.DB.ClaimWebhookEvents(ctx, 100, p.Lease)
		if err != nil {
			return total, err
		}
		if len(evs) == 0 {
			return total, nil
		}
		for _, ev := range evs {
			p.process(ctx, ev)
			total++
		}
	}
}

// process applies one event: the handler's changes and the processed mark commit together.
func (p *Processor) process(ctx context.Context, ev store.WebhookEvent) {
	c, err := p.DB.GetConnection(ctx, ev.ConnectionID)
	if err != nil {
		p.fail(ctx, ev, err)
		return
	}
	conn, ok := p.Registry.Get(c.Connector)
	if wr, isRecords := conn.(connector.WebhookRecords); ok && isRecords && p.ApplyRecords != nil && !ev.Hint {
		p.processRecords(ctx, ev, wr)
		return
	}
	handler, handles := conn.(connector.WebhookHandler)
	if !ok || !handles || ev.Hint {
		// Nothing to apply (a hint asks for a poll; the sync engine owns that).
		p.finish(ctx, ev, store.EventProcessed, "")
		return
	}
	entity, err := p.DB.GetEntity(ctx, c.EntityID)
	if err != nil {
		p.fail(ctx, ev, err)
		return
	}
	if ev.Mode != "" && concord.Mode(ev.Mode) != entity.Mode {
		// A live event on a sandbox entity (or the reverse) is evidence, not data to apply.
		p.finish(ctx, ev, store.EventFailed, "mode_mismatch: a "+ev.Mode+" event on a "+string(entity.Mode)+" entity; not applied")
		return
	}
	we := connector.WebhookEvent{ProviderEventID: ev.ProviderEventID, Type: ev.EventType, Mode: concord.Mode(ev.Mode), Payload: ev.Body}
	if ev.OccurredAt != nil {
		we.OccurredAt = *ev.OccurredAt
	}
	err = p.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := handler.HandleWebhook(ctx, tx.ObjectsFor(ev.ConnectionID), ev.ConnectionID, we); err != nil {
			return err
		}
		return tx.FinishWebhookEvent(ctx, ev.ID, store.EventProcessed, "")
	})
	if err != nil {
		p.fail(ctx, ev, err)
	}
}

// processRecords hands a delivery's records to the sync engine. A delivery saying the
// credential is gone (Shopify's app/uninstalled) is health evidence, not data.
func (p *Processor) processRecords(ctx context.Context, ev store.WebhookEvent, wr connector.WebhookRecords) {
	we := connector.WebhookEvent{ProviderEventID: ev.ProviderEventID, Type: ev.EventType, Mode: concord.Mode(ev.Mode), Payload: ev.Body}
	if ev.OccurredAt != nil {
		we.OccurredAt = *ev.OccurredAt
	}
	recs, err := wr.RecordsFromWebhook(we)
	if err != nil {
		class := connector.ClassOf(err)
		if (class == concord.ClassRevoked || class == concord.ClassAuthExpired) && p.Evidence != nil {
			if eerr := p.Evidence(ctx, ev.ConnectionID, concord.StateExpired, string(class), err.Error()); eerr != nil {
				p.fail(ctx, ev, eerr)
				return
			}
			p.finish(ctx, ev, store.EventProcessed, err.Error())
			return
		}
		p.finish(ctx, ev, store.EventFailed, "cannot read the delivery: "+err.Error())
		return
	}
	err = p.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := p.ApplyRecords(ctx, tx, ev.ConnectionID, recs); err != nil {
			return err
		}
		return tx.FinishWebhookEvent(ctx, ev.ID, store.EventProcessed, "")
	})
	if err != nil {
		p.fail(ctx, ev, err)
	}
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
