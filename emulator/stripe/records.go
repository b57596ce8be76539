package stripeemu

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// recordResult is the records API answer: the stored object in Stripe's
// shape and the events the change fired.
type recordResult struct {
	Record any            `json:"record"`
	Events []eventSummary `json:"events"`
}

type eventSummary struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// mergeJSON overlays src onto dst recursively; a JSON null clears a field.
func mergeJSON(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeJSON(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// upsert merges body into the object with body's id (or a fresh one) and
// stores it. before is nil for a new object.
func upsert[T any](col *collection[T], body map[string]any, fresh func() *T, idOf func(*T) string,
	live bool, object string) (before map[string]any, after *T, err error) {
	id, _ := body["id"].(string)
	base, found := col.get(id)
	if found {
		before = snapshot(base)
	} else {
		base = fresh()
	}
	merged := snapshot(base)
	mergeJSON(merged, body)
	if id == "" {
		merged["id"] = idOf(base)
	}
	merged["object"], merged["livemode"] = object, live
	b, _ := json.Marshal(merged)
	after = new(T)
	if err := json.Unmarshal(b, after); err != nil {
		return nil, nil, fmt.Errorf("body does not fit a Stripe %s: %w", object, err)
	}
	return before, after, nil
}

func (e *Emulator) postRecord(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes)).Decode(&body); err != nil {
		controlError(w, http.StatusBadRequest, "body must be a JSON object: "+err.Error())
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ds := e.dataFor(r)
	if ds == nil {
		controlError(w, http.StatusNotFound, "no such account")
		return
	}
	var res recordResult
	emit := func(typ string, obj any, prev map[string]any) {
		ev := e.emitEvent(ds, typ, obj, prev, nil, nil)
		res.Events = append(res.Events, eventSummary{ID: ev.ID, Type: ev.Type})
	}
	now := e.now().Unix()
	var err error
	switch resource := r.PathValue("resource"); resource {
	case "customers":
		res.Record, err = e.recordCustomer(ds, body, now, emit)
	case "payment_methods":
		res.Record, err = e.recordPaymentMethod(ds, body, now, emit)
	case "payment_intents":
		res.Record, err = e.recordPaymentIntent(ds, body, now, emit)
	case "payouts":
		res.Record, err = e.recordPayout(ds, body, now, emit)
	case "disputes":
		res.Record, err = e.recordDispute(ds, body, now, emit)
	default:
		controlError(w, http.StatusNotFound, "unknown resource "+resource+
			": use customers, payment_methods, payment_intents, payouts or disputes")
		return
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	if res.Events == nil {
		res.Events = []eventSummary{}
	}
	writeJSON(w, http.StatusOK, res)
}

func (e *Emulator) deleteRecord(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ds := e.dataFor(r)
	if ds == nil {
		controlError(w, http.StatusNotFound, "no such account")
		return
	}
	id := r.PathValue("id")
	var res recordResult
	emit := func(typ string, obj any, prev map[string]any) {
		ev := e.emitEvent(ds, typ, obj, prev, nil, nil)
		res.Events = append(res.Events, eventSummary{ID: ev.ID, Type: ev.Type})
	}
	found := false
	switch r.PathValue("resource") {
	case "customers":
		if cus, ok := ds.customers.get(id); ok {
			found = true
			ds.deleteCustomer(id)
			emit("customer.deleted", cus, nil)
			res.Record = &deleted{ID: id, Object: "customer", Deleted: true}
		}
	case "payment_methods":
		if pm, ok := ds.paymentMethods.get(id); ok {
			found = true
			ds.paymentMethods.remove(id)
			if pm.Customer != nil {
				prev := map[string]any{"customer": *pm.Customer}
				pm.Customer = nil
				emit("payment_method.detached", pm, prev)
			}
			res.Record = &deleted{ID: id, Object: "payment_method", Deleted: true}
		}
	case "payment_intents":
		found = ds.paymentIntents.remove(id)
		res.Record = &deleted{ID: id, Object: "payment_intent", Deleted: true}
	case "payouts":
		found = ds.payouts.remove(id)
		res.Record = &deleted{ID: id, Object: "payout", Deleted: true}
	case "disputes":
		found = ds.disputes.remove(id)
		res.Record = &deleted{ID: id, Object: "dispute", Deleted: true}
	}
	if !found {
		controlError(w, http.StatusNotFound, fmt.Sprintf("No such %s: '%s'", r.PathValue("resource"), id))
		return
	}
	if res.Events == nil {
		res.Events = []eventSummary{}
	}
	writeJSON(w, http.StatusOK, res)
}
