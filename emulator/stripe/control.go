package stripeemu

import (
	"encoding/json"
	"net/http"
)

// controlError answers a control-API failure in Stripe's error shape, so
// one decoder reads both.
func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"type": typeInvalidRequest, "message": msg}})
}

// controlRoutes mounts the unauthenticated control API of CONTRACT.md.
func (e *Emulator) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_emulator/reset", func(w http.ResponseWriter, _ *http.Request) {
		e.Reset()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	})
	mux.HandleFunc("GET /_emulator/credentials", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, e.Credentials())
	})
	mux.HandleFunc("POST /_emulator/faults", e.postFault)
	mux.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"faults": e.pendingFaults()})
	})
	mux.HandleFunc("DELETE /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		e.mu.Lock()
		e.faults = nil
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"faults": []fault{}})
	})
	mux.HandleFunc("GET /_emulator/state", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, e.State())
	})
	mux.HandleFunc("GET /_emulator/deliveries", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"deliveries": e.Deliveries()})
	})
	mux.HandleFunc("POST /_emulator/records/{resource}", e.postRecord)
	mux.HandleFunc("DELETE /_emulator/records/{resource}/{id}", e.deleteRecord)
}

func (e *Emulator) postFault(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Kind  string `json:"kind"`
		Count int    `json:"count"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes)).Decode(&body); err != nil {
		controlError(w, http.StatusBadRequest, "body must be JSON {kind, count}: "+err.Error())
		return
	}
	if !validFault(body.Kind) {
		controlError(w, http.StatusBadRequest,
			"kind must be one of rate_limit, server_error, timeout, expire_token, revoke_token")
		return
	}
	f := e.addFault(body.Kind, body.Count)
	writeJSON(w, http.StatusOK, f)
}

// Deliveries copies the webhook delivery log, oldest first.
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Delivery, 0, len(e.deliveries))
	for _, d := range e.deliveries {
		out = append(out, *d)
	}
	return out
}

// State is the JSON dump GET /_emulator/state answers.
type State struct {
	Accounts   []AccountState `json:"accounts"`
	Faults     []fault        `json:"faults"`
	Deliveries []Delivery     `json:"deliveries"`
}

// AccountState is one account's two data sets.
type AccountState struct {
	ID   string    `json:"id"`
	Test DataState `json:"test"`
	Live DataState `json:"live"`
}

// DataState is one data set: objects by resource, events newest first,
// and webhook endpoints including their secrets.
type DataState struct {
	Objects          map[string]any     `json:"objects"`
	Events           []*Event           `json:"events"`
	WebhookEndpoints []*WebhookEndpoint `json:"webhook_endpoints"`
}

// State snapshots everything, as JSON-ready values.
func (e *Emulator) State() State {
	deliveries := e.Deliveries()
	faults := e.pendingFaults()
	e.mu.Lock()
	defer e.mu.Unlock()
	s := State{Faults: faults, Deliveries: deliveries}
	dump := func(ds *dataset) DataState {
		eps := []*WebhookEndpoint{}
		for _, ep := range ds.endpoints.newestFirst() {
			cp := *ep
			cp.Secret = ep.secret
			eps = append(eps, &cp)
		}
		var out DataState
		b, _ := json.Marshal(map[string]any{
			"objects": map[string]any{
				"customers":       ds.customers.newestFirst(),
				"payment_methods": ds.paymentMethods.newestFirst(),
				"payment_intents": ds.paymentIntents.newestFirst(),
				"payouts":         ds.payouts.newestFirst(),
				"disputes":        ds.disputes.newestFirst(),
			},
			"events":            ds.events.newestFirst(),
			"webhook_endpoints": eps,
		})
		_ = json.Unmarshal(b, &out) // a deep copy, so callers cannot race the live state
		return out
	}
	for _, a := range e.accounts {
		s.Accounts = append(s.Accounts, AccountState{ID: a.ID, Test: dump(a.test), Live: dump(a.live)})
	}
	return s
}

// dataFor picks the data set a control call names with ?account= and
// ?livemode=true (default: first account, sandbox). e.mu must be held.
func (e *Emulator) dataFor(r *http.Request) *dataset {
	a := e.accounts[0]
	if id := r.URL.Query().Get("account"); id != "" {
		a = nil
		for _, cand := range e.accounts {
			if cand.ID == id {
				a = cand
			}
		}
		if a == nil {
			return nil
		}
	}
	return a.data(r.URL.Query().Get("livemode") == "true")
}
