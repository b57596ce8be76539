package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	emulators "github.com/concordhub/concord/emulator/all"
	"github.com/concordhub/concord/store"
)

// demoEntity is the name of the seeded sandbox entity; a second run reuses it.
const demoEntity = "Demo Sandbox"

const demoActor connections.Actor = "demo"

// runDemo starts the whole universe in one process: every sandbox emulator, the server on
// the embedded SQLite in ./concord-data, a seeded sandbox entity with one connection per
// connector pointed at its emulator, and a trickle of live traffic. Ctrl-C stops it all.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindFlags(fs)
	every := fs.Duration("traffic-every", 4*time.Second, "how often the demo makes a payment (0 turns traffic off)")
	scenario := fs.String("scenario", "all", "incidents to stage: all, none, expired-token, drifted-stock, deleted-product, webhook-secret or live-key")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if !validScenario(*scenario) {
		return usageError("demo: unknown --scenario " + *scenario)
	}
	if cfg.AdminToken == "" {
		cfg.AdminToken = "cct_demo_" + randomString(24)
	}
	var emus []*runningEmulator
	defer func() {
		for _, e := range emus {
			e.close()
		}
	}()
	for _, f := range emulators.Factories() {
		r, err := startEmulator(f, "127.0.0.1:0")
		if err != nil {
			return err
		}
		emus = append(emus, r)
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	// The server runs until Ctrl-C, or until seeding fails: then it is stopped and the
	// demo exits with the error instead of serving a half-made universe.
	runCtx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	done := make(chan error, 1)
	go func() { done <- a.run(runCtx) }()

	entity, conns, err := seedDemo(ctx, a, emus)
	if err != nil {
		stopServer()
		<-done
		return fmt.Errorf("seed demo: %w", err)
	}
	incidents, stopExtra, err := stageDemo(ctx, a, emus, conns, *scenario)
	defer stopExtra()
	if err != nil {
		stopServer()
		<-done
		return fmt.Errorf("stage demo: %w", err)
	}
	fmt.Fprintf(stdout, "\nconcord demo is running\n")
	fmt.Fprintf(stdout, "  API:          %s/v1  (OpenAPI: %s/v1/openapi.json)\n", a.URL, a.URL)
	fmt.Fprintf(stdout, "  dashboard:    %s/ui/e/%s/integrations  (sign in with the admin token)\n", a.URL, entity.ID)
	fmt.Fprintf(stdout, "  its data:     %s/v1/entities/%s/integrations\n", a.URL, entity.ID)
	fmt.Fprintf(stdout, "  admin token:  %s\n", cfg.AdminToken)
	fmt.Fprintf(stdout, "  data folder:  %s (delete it to start over)\n", cfg.dataDir())
	for _, e := range emus {
		fmt.Fprintf(stdout, "  %s emulator: %s\n", e.Connector, e.URL)
	}
	fmt.Fprintf(stdout, "  try:          CONCORD_SERVER=%s CONCORD_TOKEN=%s go run ./cmd/concord connections list\n", a.URL, cfg.AdminToken)
	if len(incidents) > 0 {
		fmt.Fprintf(stdout, "  incidents staged (diagnose names each):\n")
	}
	for _, in := range incidents {
		fmt.Fprintf(stdout, "    %-16s %s  concord connections diagnose %s  -> %s\n", in.Scenario, in.ConnectionID, in.ConnectionID, in.Failure)
	}
	fmt.Fprintf(stdout, "Ctrl-C stops everything.\n\n")

	if *every > 0 {
		go demoTraffic(ctx, a, conns, emus, *every)
	}
	return <-done
}

// seedDemo creates (or, on a later run, reuses) the sandbox entity and points one connection
// per connector at this run's emulator, rotating the kept one through the safe path.
func seedDemo(ctx context.Context, a *app, emus []*runningEmulator) (concord.Entity, map[string]string, error) {
	var entity concord.Entity
	list, _, err := a.db.ListEntities(ctx, nil, store.Page{Limit: 500})
	if err != nil {
		return entity, nil, err
	}
	for _, e := range list {
		if e.Name == demoEntity && e.Mode == concord.ModeSandbox {
			entity = e
		}
	}
	if entity.ID == "" {
		if entity, err = a.svc.CreateEntity(ctx, demoActor, demoEntity, concord.ModeSandbox); err != nil {
			return entity, nil, err
		}
	}
	existing, _, err := a.db.ListConnections(ctx, store.ConnectionFilter{EntityIDs: []string{entity.ID}}, store.Page{Limit: 500})
	if err != nil {
		return entity, nil, err
	}
	conns := map[string]string{}
	for _, e := range emus {
		conn, ok := a.svc.Registry.Get(e.Connector)
		if !ok {
			continue
		}
		creds, cfg, err := emulatorCredentials(ctx, e.URL, conn.Describe())
		if err != nil {
			return entity, nil, err
		}
		cfg["api_base"] = e.URL
		var id string
		for _, c := range existing {
			if c.Connector == e.Connector {
				id = c.ID
			}
		}
		if id == "" {
			v, err := a.svc.Connect(ctx, demoActor, entity.ID, connections.ConnectInput{Connector: e.Connector, Credentials: creds, Config: cfg})
			if err != nil {
				return entity, nil, err
			}
			id = v.ID
		} else {
			// This run's emulator is a new account: switching to it is an account change,
			// confirmed here on purpose and audited like any other.
			if _, err := a.svc.Rotate(ctx, demoActor, id, connections.RotateInput{Credentials: creds, Config: cfg, ConfirmAccountChange: true}); err != nil {
				return entity, nil, err
			}
		}
		conns[e.Connector] = id
	}
	return entity, conns, nil
}

// emulatorCredentials reads from the emulator the credential and config fields the
// connector's catalog entry names (the control API keys them by those names).
func emulatorCredentials(ctx context.Context, base string, d connector.Descriptor) (creds, cfg map[string]string, err error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/_emulator/credentials", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var all map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return nil, nil, err
	}
	creds, cfg = map[string]string{}, map[string]string{}
	for _, f := range d.Credentials {
		if v, ok := all[f.Name].(string); ok && v != "" {
			creds[f.Name] = v
		}
	}
	for _, f := range d.Config {
		if v, ok := all[f.Name].(string); ok && v != "" {
			cfg[f.Name] = v
		}
	}
	return creds, cfg, nil
}

// demoTraffic is the demo's live traffic: now and then a small payment through the durable
// write path (one in five declined, so the log shows a validation failure that is not
// retried), and every other tick an order placed on the shop, which reaches concord as the
// shop's signed orders/create webhook and lands as an ERP order.
func demoTraffic(ctx context.Context, a *app, conns map[string]string, emus []*runningEmulator, every time.Duration) {
	shop := ""
	for _, e := range emus {
		if e.Connector == "shopify" {
			shop = e.URL
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if id, ok := conns["stripe"]; ok {
			pm := "pm_card_visa"
			if n%5 == 0 {
				pm = "pm_card_chargeDeclined"
			}
			amount, _ := rand.Int(rand.Reader, big.NewInt(9000))
			payload, _ := json.Marshal(map[string]any{"amount": 1000 + amount.Int64(), "currency": "usd",
				"payment_method": pm, "confirm": true, "metadata": map[string]string{"demo_order": fmt.Sprint(n)}})
			_, _, err := a.svc.EnqueueWrite(ctx, demoActor, id, connections.WriteInput{Operation: "payment_intent.create", Payload: payload}, "")
			if err != nil && ctx.Err() == nil {
				a.log.Warn("demo payment not queued", "err", err)
			}
		}
		if _, ok := conns["shopify"]; ok && shop != "" && n%2 == 1 {
			qty, _ := rand.Int(rand.Reader, big.NewInt(3))
			order := map[string]any{"email": fmt.Sprintf("buyer%d@example.com", n), "financial_status": "paid",
				"line_items": []map[string]any{{"sku": "SKU-1-1", "title": "Classic Tee - Small", "price": "9.99", "quantity": 1 + qty.Int64()}}}
			if err := emuCall(ctx, "POST", shop+"/_emulator/records/orders", "", order, nil); err != nil && ctx.Err() == nil {
				a.log.Warn("demo order not placed", "err", err)
			}
		}
	}
}

func randomString(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	for i := range b {
		x, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[x.Int64()]
	}
	return string(b)
}
