package stripeemu

import (
	"encoding/json"
	"reflect"
	"strings"
)

// eventRetention is how far back Stripe lets you list and fetch events.
const eventRetention = 30 * 24 * 60 * 60

// Event is Stripe's event object. Data.Object is a snapshot of the object
// when the event happened, not a live reference.
type Event struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	APIVersion      string       `json:"api_version"`
	Created         int64        `json:"created"`
	Data            EventData    `json:"data"`
	Livemode        bool         `json:"livemode"`
	PendingWebhooks int64        `json:"pending_webhooks"`
	Request         EventRequest `json:"request"`
	Type            string       `json:"type"`
}

// EventData carries the object and, for updates, the changed fields'
// previous values.
type EventData struct {
	Object             json.RawMessage `json:"object"`
	PreviousAttributes map[string]any  `json:"previous_attributes,omitempty"`
}

// EventRequest names the API request that caused an event; both are null
// for changes made on Stripe's side (the records control API).
type EventRequest struct {
	ID             *string `json:"id"`
	IdempotencyKey *string `json:"idempotency_key"`
}

// snapshot is obj as a JSON map, for diffs.
func snapshot(obj any) map[string]any {
	b, _ := json.Marshal(obj)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// previousAttributes lists the top-level fields of after that differ from
// before, with before's values, as Stripe's *.updated events do.
func previousAttributes(before map[string]any, after any) map[string]any {
	now := snapshot(after)
	prev := map[string]any{}
	for k, v := range now {
		if old, ok := before[k]; !ok || !reflect.DeepEqual(old, v) {
			prev[k] = before[k]
		}
	}
	if len(prev) == 0 {
		return nil
	}
	return prev
}

// emit records an event caused by this API call.
func (c *call) emit(typ string, obj any, prev map[string]any) *Event {
	var idem *string
	if c.idemKey != "" {
		k := c.idemKey
		idem = &k
	}
	id := c.reqID
	return c.e.emitEvent(c.ds, typ, obj, prev, &id, idem)
}

// emitEvent stores an event and queues its webhooks. It must run with e.mu
// held; it never blocks on delivery.
func (e *Emulator) emitEvent(ds *dataset, typ string, obj any, prev map[string]any, reqID, idemKey *string) *Event {
	raw, _ := json.Marshal(obj)
	ev := &Event{
		ID: newID("evt_"), Object: "event", APIVersion: APIVersion, Created: e.now().Unix(),
		Data:     EventData{Object: raw, PreviousAttributes: prev},
		Livemode: ds.livemode, Request: EventRequest{ID: reqID, IdempotencyKey: idemKey}, Type: typ,
	}
	var targets []*WebhookEndpoint
	for _, ep := range ds.endpoints.oldestFirst() {
		if ep.Status == "enabled" && ep.wants(typ) {
			targets = append(targets, ep)
		}
	}
	ev.PendingWebhooks = int64(len(targets))
	ds.events.put(ev.ID, ev)
	e.log.Debug("stripe emulator event", "event_id", ev.ID, "type", typ, "livemode", ds.livemode,
		"endpoints", len(targets))
	if len(targets) > 0 {
		body, _ := json.MarshalIndent(ev, "", "  ")
		for _, ep := range targets {
			e.queueDelivery(ep, ev, body)
		}
	}
	return ev
}

func (e *Emulator) eventRoutes(handle func(string, apiHandler)) {
	handle("GET /v1/events", e.listEvents)
	handle("GET /v1/events/{id}", e.getEvent)
}

func (c *call) retained(ev *Event) bool { return ev.Created >= c.now-eventRetention }

func (e *Emulator) getEvent(c *call) (any, *apiError) {
	id := c.r.PathValue("id")
	ev, ok := c.ds.events.get(id)
	if !ok || !c.retained(ev) {
		return nil, errNoSuch("event", id, "id")
	}
	return ev, nil
}

// typeMatches applies the events list's type filter, where a trailing *
// matches a prefix (charge.dispute.*).
func typeMatches(pattern, typ string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(typ, prefix)
	}
	return pattern == typ
}

func (e *Emulator) listEvents(c *call) (any, *apiError) {
	created, err := createdFilter(c.p, "created")
	if err != nil {
		return nil, err
	}
	var types []string
	if t, _ := c.p.str("type"); t != "" {
		types = append(types, t)
	}
	types = append(types, c.p.list("types")...)
	items := filter(c.ds.events.newestFirst(), func(ev *Event) bool {
		if !c.retained(ev) || !created(ev.Created) {
			return false
		}
		if len(types) == 0 {
			return true
		}
		for _, t := range types {
			if typeMatches(t, ev.Type) {
				return true
			}
		}
		return false
	})
	return list(c, "/v1/events", items, func(ev *Event) string { return ev.ID }, "event")
}
