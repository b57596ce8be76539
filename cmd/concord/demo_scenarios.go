package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	emulators "github.com/concordhub/concord/emulator/all"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/triage"
	"github.com/concordhub/concord/webhook"
)

// scenarios are the incidents `concord demo --scenario` stages, each with the failure type
// the triage names for it; "all" stages every one and "none" only the healthy seed.
var scenarios = []struct{ Name, Entity, Failure string }{
	{"expired-token", "Demo Sandbox (expired token)", triage.AuthorizationExpired},
	{"drifted-stock", "Demo Sandbox (drifted stock)", triage.SyncDrift},
	{"deleted-product", "Demo Sandbox (deleted product)", triage.StaleExternalRecord},
	{"webhook-secret", "Demo Sandbox (webhook secret)", triage.WebhookFailure},
	{"live-key", "Demo Sandbox (live key)", triage.ModeMismatch},
}

// validScenario reports whether name is "all", "none" or one scenario.
func validScenario(name string) bool {
	return name == "all" || name == "none" || slices.ContainsFunc(scenarios, func(s struct{ Name, Entity, Failure string }) bool { return s.Name == name })
}

// incident is one staged scenario: the connection it lives on and what diagnose names.
type incident struct{ Scenario, ConnectionID, Failure string }

// stageDemo finishes the healthy seed (Shopify mapped and synced, Stripe webhooks signed)
// and stages the chosen scenarios, each on its own entity and, where a fault or webhook
// would reach other connections, its own emulator. stop closes the emulators it started.
func stageDemo(ctx context.Context, a *app, emus []*runningEmulator, conns map[string]string, scenario string) (out []incident, stop func(), err error) {
	var extra []*runningEmulator
	stop = func() {
		for _, e := range extra {
			e.close()
		}
	}
	emuURL := map[string]string{}
	for _, e := range emus {
		emuURL[e.Connector] = e.URL
	}
	fresh := func(connector string) (string, error) {
		for _, f := range emulators.Factories() {
			if f.Connector == connector {
				r, err := startEmulator(f, "127.0.0.1:0")
				if err != nil {
					return "", err
				}
				extra = append(extra, r)
				return r.URL, nil
			}
		}
		return "", fmt.Errorf("no %s emulator", connector)
	}
	if id, ok := conns["shopify"]; ok {
		if err = setupShopify(ctx, a, id); err != nil {
			return nil, stop, fmt.Errorf("shopify seed: %w", err)
		}
	}
	if id, ok := conns["stripe"]; ok {
		if err = stripeWebhook(ctx, a, id, emuURL["stripe"], ""); err != nil {
			return nil, stop, fmt.Errorf("stripe webhooks: %w", err)
		}
	}
	for _, s := range scenarios {
		if scenario != "all" && scenario != s.Name {
			continue
		}
		base := emuURL["stripe"]
		if s.Name != "live-key" {
			connector := "shopify"
			if s.Name == "webhook-secret" {
				connector = "stripe"
			}
			if base, err = fresh(connector); err != nil {
				return nil, stop, err
			}
		}
		id, err := stage(ctx, a, s.Name, s.Entity, base)
		if err != nil {
			return nil, stop, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		out = append(out, incident{Scenario: s.Name, ConnectionID: id, Failure: s.Failure})
	}
	return out, stop, nil
}

// stage creates one scenario's connection on its own sandbox entity and brings it about.
func stage(ctx context.Context, a *app, name, entityName, base string) (string, error) {
	entityID, err := scenarioEntity(ctx, a, entityName)
	if err != nil {
		return "", err
	}
	connector, live := "shopify", name == "live-key"
	if live || name == "webhook-secret" {
		connector = "stripe"
	}
	conn, _ := a.svc.Registry.Get(connector)
	creds, cfg, err := emulatorCredentials(ctx, base, conn.Describe())
	if err != nil {
		return "", err
	}
	cfg["api_base"] = base
	if live {
		var all map[string]string
		if err := emuCall(ctx, "GET", base+"/_emulator/credentials", "", nil, &all); err != nil {
			return "", err
		}
		creds = map[string]string{"secret_key": all["live_secret_key"]}
	}
	v, err := a.svc.Connect(ctx, demoActor, entityID, connections.ConnectInput{Connector: connector, Credentials: creds,
		Config: cfg, ConfirmModeMismatch: live})
	if err != nil {
		return "", err
	}
	id := v.ID
	switch name {
	case "expired-token": // the shop stops accepting the token; the test call sees it
		if err := emuCall(ctx, "POST", base+"/_emulator/faults", "", map[string]any{"kind": "expire_token", "count": 1}, nil); err != nil {
			return "", err
		}
		if _, err := a.svc.Test(ctx, demoActor, id); err != nil {
			return "", err
		}
	case "drifted-stock", "deleted-product":
		if err := setupShopify(ctx, a, id); err != nil {
			return "", err
		}
		return id, shopifyIncident(ctx, a, id, base, name == "drifted-stock")
	case "webhook-secret": // the stored secret is not the endpoint's; a payment's event fails
		if err := stripeWebhook(ctx, a, id, base, "whsec_demo_wrong_"+randomString(16)); err != nil {
			return "", err
		}
		form := url.Values{"amount": {"1500"}, "currency": {"usd"}, "payment_method": {"pm_card_visa"}, "confirm": {"true"}}
		if err := emuCall(ctx, "POST", base+"/v1/payment_intents", creds["secret_key"], form, nil); err != nil {
			return "", err
		}
		return id, waitUntil(ctx, "a delivery failing verification", func() (bool, error) {
			v, err := a.panel.View(ctx, id)
			return v.SecretStatus == webhook.SecretFailing, err
		})
	}
	return id, nil
}

// scenarioEntity finds or creates a sandbox entity; connections a previous run left in it
// are disconnected so each run's incident starts from a fresh connection.
func scenarioEntity(ctx context.Context, a *app, name string) (string, error) {
	list, _, err := a.db.ListEntities(ctx, nil, store.Page{Limit: 500})
	if err != nil {
		return "", err
	}
	for _, e := range list {
		if e.Name != name || e.Mode != concord.ModeSandbox {
			continue
		}
		old, _, err := a.db.ListConnections(ctx, store.ConnectionFilter{EntityIDs: []string{e.ID}}, store.Page{Limit: 500})
		if err != nil {
			return "", err
		}
		for _, c := range old {
			if c.State != concord.StateDisconnected {
				if _, err := a.svc.Disconnect(ctx, demoActor, c.ID); err != nil {
					return "", err
				}
			}
		}
		return e.ID, nil
	}
	e, err := a.svc.CreateEntity(ctx, demoActor, name, concord.ModeSandbox)
	return e.ID, err
}

// setupShopify does what an operator does first: the ERP's variants for the shop's seed
// SKUs and its warehouse, webhooks registered, a full import, the suggested mappings
// approved, and a second import that brings the mapped stock in.
func setupShopify(ctx context.Context, a *app, id string) error {
	c, err := a.db.GetConnection(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range []store.ERPRecord{
		{Kind: "variant", ID: "demo-var-1", Fields: map[string]string{"sku": "SKU-1-1", "price": "9.99", "title": "Classic Tee - Small"}},
		{Kind: "variant", ID: "demo-var-2", Fields: map[string]string{"sku": "SKU-1-2", "price": "10.49", "title": "Classic Tee - Medium"}},
		{Kind: "location", ID: "demo-wh", Fields: map[string]string{"name": "Main Warehouse"}},
	} {
		r.EntityID, r.Source = c.EntityID, "erp"
		if _, err := a.sync.PutRecord(ctx, string(demoActor), &r); err != nil {
			return err
		}
	}
	if _, err := a.panel.Register(ctx, id); err != nil {
		return err
	}
	if err := syncInbound(ctx, a, id); err != nil {
		return err
	}
	suggested, _, err := a.db.ListMappings(ctx, id, store.MappingSuggested, "", store.Page{Limit: 100})
	if err != nil {
		return err
	}
	var acts []syncer.MappingAction
	for _, m := range suggested {
		acts = append(acts, syncer.MappingAction{MappingID: m.ID, Action: "approve"})
	}
	if _, err := a.sync.ApplyMappingActions(ctx, string(demoActor), id, acts); err != nil {
		return err
	}
	return syncInbound(ctx, a, id)
}

// syncInbound runs a full inbound sync of every kind and waits for the runs to succeed.
func syncInbound(ctx context.Context, a *app, id string) error {
	runs, err := a.sync.StartRuns(ctx, string(demoActor), id, "", syncer.Inbound, true)
	if err != nil {
		return err
	}
	for _, r := range runs {
		var run store.SyncRun
		if err := waitUntil(ctx, "sync run "+r.ID, func() (bool, error) {
			run, err = a.db.GetSyncRun(ctx, r.ID)
			return run.Status == "succeeded" || run.Status == "failed", err
		}); err != nil {
			return err
		}
		if run.Status != "succeeded" {
			return fmt.Errorf("sync run %s %s: %s", r.ID, run.Status, run.Error)
		}
	}
	return nil
}

// shopifyIncident changes the shop under a mapped variant (SKU-1-1): its stock at the
// Main Warehouse (the webhook brings the drift), or its product deleted (the mapping goes
// stale), and waits until the hub holds the evidence.
func shopifyIncident(ctx context.Context, a *app, id, base string, drift bool) error {
	var st struct {
		Shops []struct {
			Products []struct {
				ID       int64 `json:"id"`
				Variants []struct {
					SKU    string `json:"sku"`
					ItemID int64  `json:"inventory_item_id"`
				} `json:"variants"`
			} `json:"products"`
			Locations []struct {
				ID   int64
				Name string
			} `json:"locations"`
			InventoryLevels []struct {
				ItemID     int64 `json:"inventory_item_id"`
				LocationID int64 `json:"location_id"`
				Available  int64 `json:"available"`
			} `json:"inventory_levels"`
		} `json:"shops"`
	}
	if err := emuCall(ctx, "GET", base+"/_emulator/state", "", nil, &st); err != nil || len(st.Shops) == 0 {
		return fmt.Errorf("emulator state: %v", err)
	}
	shop := st.Shops[0]
	var product, item, loc int64
	for _, p := range shop.Products {
		for _, v := range p.Variants {
			if v.SKU == "SKU-1-1" {
				product, item = p.ID, v.ItemID
			}
		}
	}
	for _, l := range shop.Locations {
		if l.Name == "Main Warehouse" {
			loc = l.ID
		}
	}
	if !drift {
		if err := emuCall(ctx, "DELETE", fmt.Sprintf("%s/_emulator/records/products/%d", base, product), "", nil, nil); err != nil {
			return err
		}
		return waitUntil(ctx, "a stale mapping", func() (bool, error) {
			n, err := a.db.CountMappings(ctx, id)
			return n[store.MappingStale] > 0, err
		})
	}
	for _, l := range shop.InventoryLevels {
		if l.ItemID == item && l.LocationID == loc {
			// Shopify stamps whole seconds: change it in a later second than the import read.
			time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
			if err := emuCall(ctx, "POST", base+"/_emulator/records/inventory_levels", "", map[string]any{
				"inventory_item_id": item, "location_id": loc, "available": l.Available + 7}, nil); err != nil {
				return err
			}
		}
	}
	return waitUntil(ctx, "an open stock drift", func() (bool, error) {
		d, _, err := a.db.ListDrifts(ctx, id, store.DriftOpen, store.Page{Limit: 1})
		return len(d) > 0, err
	})
}

// stripeWebhook registers a Stripe webhook endpoint (every event) pointing at the
// connection's webhook URL and stores its signing secret, or secret when one is given.
func stripeWebhook(ctx context.Context, a *app, id, base, secret string) error {
	c, _ := a.svc.Registry.Get("stripe")
	creds, _, cerr := emulatorCredentials(ctx, base, c.Describe())
	if cerr != nil {
		return cerr
	}
	var ep struct{ Secret string }
	form := url.Values{"url": {strings.TrimRight(a.svc.PublicURL, "/") + "/hooks/" + id}, "enabled_events[]": {"*"}}
	if cerr = emuCall(ctx, "POST", base+"/v1/webhook_endpoints", creds["secret_key"], form, &ep); cerr != nil {
		return cerr
	}
	if secret == "" {
		secret = ep.Secret
	}
	_, cerr = a.svc.Rotate(ctx, demoActor, id, connections.RotateInput{Credentials: map[string]string{"webhook_secret": secret}})
	return cerr
}

// emuCall calls an emulator: body is a form (sent with the bearer key) or JSON; the answer
// is decoded into out.
func emuCall(ctx context.Context, method, u, key string, body any, out any) error {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd = strings.NewReader(string(j))
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// waitUntil polls cond every 50 ms until it holds, fails, or 30 s pass.
func waitUntil(ctx context.Context, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
