package shopifyemu

import (
	"encoding/json"
	"net/http"
	"time"
)

// controlError answers a control-API failure in Shopify's REST error shape.
func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errors": msg})
}

// controlRoutes mounts the unauthenticated control API of CONTRACT.md.
// Every route takes ?shop=<domain> to pick a shop other than the first.
func (e *Emulator) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_emulator/reset", func(w http.ResponseWriter, _ *http.Request) {
		e.Reset()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	})
	mux.HandleFunc("GET /_emulator/credentials", func(w http.ResponseWriter, r *http.Request) {
		c, ok := e.CredentialsFor(r.URL.Query().Get("shop"))
		if !ok {
			controlError(w, http.StatusNotFound, "no such shop")
			return
		}
		writeJSON(w, http.StatusOK, c)
	})
	mux.HandleFunc("POST /_emulator/faults", e.postFault)
	mux.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		out := []fault{}
		for _, f := range e.faults {
			out = append(out, *f)
		}
		writeJSON(w, http.StatusOK, map[string]any{"faults": out})
	})
	mux.HandleFunc("GET /_emulator/state", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, e.State())
	})
	mux.HandleFunc("GET /_emulator/deliveries", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"deliveries": e.Deliveries()})
	})
	mux.HandleFunc("POST /_emulator/seed", e.postSeed)
	mux.HandleFunc("POST /_emulator/records/{resource}", e.postRecord)
	mux.HandleFunc("DELETE /_emulator/records/{resource}/{id}", e.deleteRecord)
}

func (e *Emulator) postFault(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Kind  string `json:"kind"`
		Count int    `json:"count"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
		controlError(w, http.StatusBadRequest, "body must be JSON {kind, count}: "+err.Error())
		return
	}
	if !validFault(body.Kind) {
		controlError(w, http.StatusBadRequest,
			"kind must be one of rate_limit, server_error, timeout, expire_token, revoke_token")
		return
	}
	writeJSON(w, http.StatusOK, e.addFault(body.Kind, body.Count))
}

// postSeed is POST /_emulator/seed {"products", "variants_per_product",
// "orders"}: the shop's data is replaced by a generated catalog of that
// size (subscriptions too are dropped); no webhooks fire.
func (e *Emulator) postSeed(w http.ResponseWriter, r *http.Request) {
	var spec seedSpec
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&spec); err != nil {
		controlError(w, http.StatusBadRequest, "body must be JSON {products, variants_per_product, orders}: "+err.Error())
		return
	}
	if spec.Products < 0 || spec.VariantsPerProduct < 0 || spec.Orders < 0 ||
		spec.Products*spec.VariantsPerProduct > 5_000_000 {
		controlError(w, http.StatusBadRequest, "sizes must be non-negative and at most 5,000,000 variants")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.shopByDomain(r.URL.Query().Get("shop"))
	if s == nil {
		controlError(w, http.StatusNotFound, "no such shop")
		return
	}
	start := time.Now()
	e.seedShop(s, spec)
	writeJSON(w, http.StatusOK, map[string]any{"shop": s.Domain, "products": s.products.len(),
		"variants": s.items.len(), "orders": s.orders.len(), "took_ms": time.Since(start).Milliseconds()})
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

// ShopState is one shop in GET /_emulator/state, in REST shapes.
type ShopState struct {
	ID              int64            `json:"id"`
	Domain          string           `json:"domain"`
	Products        []map[string]any `json:"products"`
	Locations       []map[string]any `json:"locations"`
	InventoryLevels []map[string]any `json:"inventory_levels"`
	Orders          []map[string]any `json:"orders"`
	Webhooks        []map[string]any `json:"webhook_subscriptions"`
}

// State dumps every shop, the pending faults and the delivery count.
func (e *Emulator) State() map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	shops := []ShopState{}
	for _, s := range e.shops {
		st := ShopState{ID: s.ID, Domain: s.Domain, Products: []map[string]any{}, Locations: []map[string]any{},
			InventoryLevels: []map[string]any{}, Orders: []map[string]any{}, Webhooks: []map[string]any{}}
		for _, p := range s.products.order {
			st.Products = append(st.Products, restProduct(p))
		}
		for _, l := range s.locations.order {
			st.Locations = append(st.Locations, restLocation(l))
		}
		for _, v := range s.items.order {
			for _, l := range v.Levels {
				st.InventoryLevels = append(st.InventoryLevels, restLevel(l))
			}
		}
		for _, o := range s.orders.order {
			st.Orders = append(st.Orders, restOrder(o))
		}
		for _, w := range s.webhooks.order {
			st.Webhooks = append(st.Webhooks, map[string]any{"id": gid("WebhookSubscription", w.ID),
				"topic": w.Topic, "callback_url": w.CallbackURL, "format": w.Format})
		}
		shops = append(shops, st)
	}
	faults := []fault{}
	for _, f := range e.faults {
		faults = append(faults, *f)
	}
	return map[string]any{"shops": shops, "faults": faults, "deliveries": len(e.deliveries)}
}
