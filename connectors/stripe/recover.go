package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord/connector"
)

var _ connector.EventRecoverer = (*Connector)(nil)

// MaxRecoveredEvents bounds one RecoverEvents call (ten ListEvents slices).
const MaxRecoveredEvents = 10_000

// RecoverEvents lists the events Stripe kept since since (clamped to Stripe's 30-day
// retention), oldest first, each shaped as the webhook intake would have yielded it, so
// the hub can take in the ones whose delivery never arrived; dedupe on the event id makes
// re-taking one that did arrive harmless.
//
// Stripe lists newest first, so a call that reaches MaxRecoveredEvents has read the newest
// events only: it returns exactly MaxRecoveredEvents, and the events between since and
// the oldest one returned were not read. A caller seeing a full slice must not move its
// watermark past since on the strength of this call.
func (c *Connector) RecoverEvents(ctx context.Context, s *connector.Session, since time.Time) ([]connector.WebhookEvent, error) {
	if oldest := time.Now().Add(-EventRetention); since.Before(oldest) {
		since = oldest
	}
	var evs []*stripego.Event
	after := ""
	for {
		list, err := c.ListEvents(ctx, s, since, after)
		if err != nil {
			return nil, err
		}
		evs = append(evs, list.Events...)
		if !list.HasMore || list.Next == "" || len(evs) >= MaxRecoveredEvents {
			break
		}
		after = list.Next
	}
	if len(evs) > MaxRecoveredEvents {
		evs = evs[:MaxRecoveredEvents]
	}
	slices.Reverse(evs)
	// Stripe's order within one second is its own; created decides across seconds.
	slices.SortStableFunc(evs, func(a, b *stripego.Event) int { return int(a.Created - b.Created) })

	out := make([]connector.WebhookEvent, 0, len(evs))
	for _, ev := range evs {
		we, err := recoveredEvent(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, we)
	}
	return out, nil
}

// recoveredEvent shapes one listed event like a webhook delivery. stripe-go keeps
// data.object as the raw bytes Stripe sent (EventData.Raw), so the object HandleWebhook
// reads is exactly Stripe's; the envelope around it is re-encoded from the decoded Event,
// whose fields (id, type, created, livemode, data.previous_attributes, request...) all
// survive the round trip.
func recoveredEvent(ev *stripego.Event) (connector.WebhookEvent, error) {
	if ev == nil || ev.ID == "" {
		return connector.WebhookEvent{}, fmt.Errorf("stripe: event.list: an event without id")
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return connector.WebhookEvent{}, fmt.Errorf("stripe: event.list: encode %s: %w", ev.ID, err)
	}
	we := connector.WebhookEvent{
		ProviderEventID: ev.ID,
		Type:            string(ev.Type),
		Mode:            modeOf(ev.Livemode),
		Payload:         payload,
	}
	if ev.Created > 0 {
		we.OccurredAt = time.Unix(ev.Created, 0).UTC()
	}
	return we, nil
}
