package stripe

import (
	"context"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord/connector"
)

// EventRetention is how far back Stripe's events list reaches.
const EventRetention = 30 * 24 * time.Hour

// maxEventsPerCall bounds one ListEvents call so a backlog is read in resumable slices
// (ten full pages) rather than all at once in memory.
const maxEventsPerCall = 1000

// EventList is one slice of the account's events, newest first.
type EventList struct {
	Events []*stripego.Event
	// Since is the oldest moment the list can cover: the requested since, or the start
	// of Stripe's retention window when that is later.
	Since time.Time
	// Clamped reports that the requested since lay beyond the retention window: events
	// between it and Since can no longer be read, and a sync should say it may have lost
	// data instead of reporting success.
	Clamped bool
	// HasMore reports that the slice stopped at maxEventsPerCall; pass Next as
	// startingAfter to read on (towards older events).
	HasMore bool
	Next    string
}

// ListEvents lists events created at or after since, newest first, starting after the
// event id startingAfter ("" for the newest), following pages with stripe-go's iterator.
// It is the backup to webhooks: Stripe re-sends undelivered events for 3 days only, and
// polling this list finds what never arrived.
func (*Connector) ListEvents(ctx context.Context, s *connector.Session, since time.Time, startingAfter string) (EventList, error) {
	const op = "event.list"
	if startingAfter != "" {
		if err := requireID(startingAfter, "evt_"); err != nil {
			return EventList{}, err
		}
	}
	c, err := newClient(s)
	if err != nil {
		return EventList{}, err
	}
	list := EventList{Since: since}
	// Stripe does not refuse an older bound, it simply has nothing older; the bound goes
	// out as asked and the gap is reported, so the caller can tell "no events" from "events
	// we can no longer see".
	if oldest := time.Now().Add(-EventRetention); since.Before(oldest) {
		list.Since, list.Clamped = oldest, !since.IsZero()
	}

	p := &stripego.EventListParams{}
	if !since.IsZero() {
		p.CreatedRange = &stripego.RangeQueryParams{GreaterThanOrEqual: since.Unix()}
	}
	p.Limit = stripego.Int64(maxPageSize)
	if startingAfter != "" {
		p.StartingAfter = stripego.String(startingAfter)
	}
	for ev, err := range c.V1Events.List(connector.WithOperation(ctx, op), p) {
		if err != nil {
			return EventList{}, wrap(op, err)
		}
		list.Events = append(list.Events, ev)
		if len(list.Events) >= maxEventsPerCall {
			list.HasMore, list.Next = true, ev.ID
			break
		}
	}
	return list, nil
}
