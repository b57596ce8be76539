package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	emulators "github.com/concordhub/concord/emulator/all"
	"github.com/concordhub/concord/store"
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
	{"refused-price", "Demo Sandbox (refused price)", triage.SyncDelay},
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
	case "refused-price": // the ERP sends a price Shopify refuses (negative): the change fails, the flow is failing
		if err := setupShopify(ctx, a, id); err != nil {
			return "", err
		}
		rec := store.ERPRecord{EntityID: entityID, Kind: "variant", ID: "demo-var-2", Source: "erp",
			Fields: map[string]string{"sku": "SKU-1-2", "price": "-10.49", "title": "Classic Tee - Medium"}}
		if _, err := a.sync.PutRecord(ctx, string(demoActor), &rec); err != nil {
			return "", err
		}
		return id, waitUntil(ctx, "the price change to fail", func() (bool, error) {
			st, err := a.db.OutboxStats(ctx, id, a.db.Now().Add(-time.Hour))
			return st.FailedSince > 0, err
		})
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
