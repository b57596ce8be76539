package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// recoveryWindow is how far back recovery looks when the connection has received nothing
// (Stripe's events API keeps 30 days).
const recoveryWindow = 30 * 24 * time.Hour

// DefaultGapGrace is how long a provider may take to deliver before an event found by
// polling counts as one its webhook never announced.
const DefaultGapGrace = 10 * time.Minute

// RecoveryResult says what a recovery found.
type RecoveryResult struct {
	Since     time.Time `json:"since"`
	Listed    int       `json:"listed"`
	Recovered int       `json:"recovered"`
	// Gap counts recovered events older than the grace period: webhooks that never came.
	Gap         int        `json:"gap"`
	OldestGapAt *time.Time `json:"oldest_gap_at,omitempty"`
}

// Recover lists the events the service kept since the newest one this connection has, and
// takes in the ones that never arrived. If some should have arrived long ago, the
// connection's health shows a webhook failure with that evidence.
func (p *Panel) Recover(ctx context.Context, id string) (RecoveryResult, error) {
	o, err := p.Svc.Open(ctx, id)
	if err != nil {
		return RecoveryResult{}, err
	}
	rec, ok := o.Connector.(connector.EventRecoverer)
	if !ok {
		return RecoveryResult{}, concord.Errorf(concord.EUNPROCESSABLE, "%s keeps no event history to recover from", o.Connection.Connector)
	}
	if o.Connection.State == concord.StateDisconnected {
		return RecoveryResult{}, concord.Errorf(concord.ECONFLICT, "connection %s is disconnected", id)
	}
	now := p.now().UTC()
	grace := p.GapGrace
	if grace <= 0 {
		grace = DefaultGapGrace
	}
	res := RecoveryResult{Since: now.Add(-recoveryWindow)}
	if last, err := p.DB.LastEventOccurredAt(ctx, id); err != nil {
		return res, err
	} else if last != nil && last.After(res.Since) {
		// Overlap a little: events of the same second may have been missed.
		res.Since = last.Add(-time.Minute)
	}
	evs, err := rec.RecoverEvents(connector.WithOperation(ctx, "webhooks.recover"), o.Session, res.Since)
	if err != nil {
		return res, safe(err)
	}
	res.Listed = len(evs)
	ids := make([]string, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ProviderEventID
	}
	known, err := p.DB.KnownEventIDs(ctx, id, ids)
	if err != nil {
		return res, err
	}
	var rows []*store.WebhookEvent
	for _, ev := range evs {
		if known[ev.ProviderEventID] {
			continue
		}
		row := &store.WebhookEvent{ConnectionID: id, ProviderEventID: ev.ProviderEventID, EventType: ev.Type, Source: "recovery",
			ReceivedAt: now, Mode: string(ev.Mode), Body: ev.Payload, Verified: true}
		if !ev.OccurredAt.IsZero() {
			t := ev.OccurredAt.UTC()
			row.OccurredAt = &t
			// Only events from after the connection existed can be webhooks it missed.
			if now.Sub(t) > grace && t.After(o.Connection.CreatedAt) {
				res.Gap++
				if res.OldestGapAt == nil || t.Before(*res.OldestGapAt) {
					res.OldestGapAt = &t
				}
			}
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		err := p.DB.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertWebhookEvents(ctx, rows)
			return err
		})
		if err != nil {
			return res, err
		}
		res.Recovered = len(rows)
		p.Processor.Kick()
	}
	if res.Gap > 0 {
		detail := fmt.Sprintf("%d event(s) found by polling that no webhook delivered (oldest %s); check the endpoint URL, its events and the signing secret",
			res.Gap, res.OldestGapAt.Format(time.RFC3339))
		if err := p.Svc.NoteEvidence(ctx, id, concord.StateError, "webhook_failure", detail); err != nil {
			return res, err
		}
	}
	return res, nil
}

// RecoverArgs is the periodic backup poll: every connection whose service keeps an event
// history is asked for what its webhooks may have missed.
type RecoverArgs struct{}

// Kind names the job for River.
func (RecoverArgs) Kind() string { return "webhook_recover" }

// RecoverWorker works RecoverArgs.
type RecoverWorker struct {
	river.WorkerDefaults[RecoverArgs]
	Panel *Panel
}

// Work recovers missed events for each connected connection that supports it.
func (w *RecoverWorker) Work(ctx context.Context, _ *river.Job[RecoverArgs]) error {
	cursor := ""
	for {
		cs, next, err := w.Panel.DB.ListConnections(ctx, store.ConnectionFilter{}, store.Page{Limit: 200, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, c := range cs {
			conn, ok := w.Panel.Svc.Registry.Get(c.Connector)
			if _, can := conn.(connector.EventRecoverer); !ok || !can || c.State == concord.StateDisconnected {
				continue
			}
			if _, err := w.Panel.Recover(ctx, c.ID); err != nil && w.Panel.Svc.Log != nil {
				w.Panel.Svc.Log.Warn("webhook recovery failed", "connection_id", c.ID, "err", err)
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// Workers registers the recovery job and returns its schedule.
func (p *Panel) Workers(ws *river.Workers, every time.Duration) []*river.PeriodicJob {
	river.AddWorker(ws, &RecoverWorker{Panel: p})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return RecoverArgs{}, nil }, nil)}
}
