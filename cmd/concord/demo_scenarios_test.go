package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	emulators "github.com/concordhub/concord/emulator/all"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/triage"
)

// demoUniverse runs what `concord demo` runs, without traffic: every emulator, the server
// on a fresh data folder, the seed, and the scenarios chosen.
func demoUniverse(t *testing.T, b storetest.Backend, scenario string) (*app, map[string]string, []incident) {
	t.Helper()
	cfg := config{Addr: "127.0.0.1:0", DB: b.URL, MasterKeyFile: testKeyFile(t), LogRetention: 24 * time.Hour,
		LogLevel: "warn", AdminToken: "cct_test_demo_" + randomString(20)}
	var emus []*runningEmulator
	t.Cleanup(func() {
		for _, e := range emus {
			e.close()
		}
	})
	for _, f := range emulators.Factories() {
		r, err := startEmulator(f, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		emus = append(emus, r)
	}
	ctx := context.Background()
	logs := &syncBuffer{}
	a, _ := startApp(t, cfg, logs)
	_, conns, err := seedDemo(ctx, a, emus)
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, logs)
	}
	incidents, stop, err := stageDemo(ctx, a, emus, conns, scenario)
	t.Cleanup(stop)
	if err != nil {
		t.Fatalf("stage %s: %v\n%s", scenario, err, logs)
	}
	return a, conns, incidents
}

// TestDemoScenarios stages every incident of `concord demo` and checks that diagnose names
// each one, and that the seeded connections stay healthy beside them; on SQLite and, with
// TEST_DATABASE_URL, PostgreSQL.
func TestDemoScenarios(t *testing.T) {
	want := map[string]string{
		"expired-token":   "authorization expired",
		"drifted-stock":   "sync drift",
		"deleted-product": "stale external record",
		"webhook-secret":  "webhook failure",
		"live-key":        "mode mismatch",
		"refused-price":   "sync delay",
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			a, conns, incidents := demoUniverse(t, b, "all")
			ctx := context.Background()
			if len(incidents) != len(want) {
				t.Fatalf("staged %d incidents, want %d: %+v", len(incidents), len(want), incidents)
			}
			for _, in := range incidents {
				d, err := a.triage.Diagnose(ctx, in.ConnectionID)
				if err != nil {
					t.Fatal(err)
				}
				if d.FailureType != want[in.Scenario] || in.Failure != want[in.Scenario] {
					t.Errorf("%s on %s: diagnose names %q, want %q: %+v", in.Scenario, in.ConnectionID, d.FailureType, want[in.Scenario], d.Steps)
				}
				// The refused price's report says why, not only that outbound is failing.
				if in.Scenario == "refused-price" && !strings.Contains(fmt.Sprint(d.Steps), "price may not be negative") {
					t.Errorf("refused-price: the report does not say why the change failed: %+v", d.Steps)
				}
			}
			for connector, id := range conns {
				d, err := a.triage.Diagnose(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if d.FailureType != triage.None {
					t.Errorf("seeded %s connection: diagnose names %q, want none: %+v", connector, d.FailureType, d.Steps)
				}
			}
		})
	}
}

// TestDemoScenarioOne stages a single scenario: only it is staged.
func TestDemoScenarioOne(t *testing.T) {
	_, _, incidents := demoUniverse(t, storetest.Backends(t)[0], "deleted-product")
	if len(incidents) != 1 || incidents[0].Scenario != "deleted-product" {
		t.Fatalf("staged %+v", incidents)
	}
	if validScenario("bogus") || !validScenario("none") {
		t.Fatal("validScenario")
	}
}

// TestDemoTraffic runs the demo's live traffic for a moment: orders placed on the shop
// arrive as ERP orders through the signed webhook, and payments go out as durable writes.
func TestDemoTraffic(t *testing.T) {
	a, conns, _ := demoUniverse(t, storetest.Backends(t)[0], "none")
	ctx := context.Background()
	shop, err := a.db.GetConnection(ctx, conns["shopify"])
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		recs, _, err := a.db.ListERPRecords(ctx, shop.EntityID, "order", store.Page{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	before := count()
	tctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		demoTraffic(tctx, a, conns, []*runningEmulator{{Connector: "shopify", URL: shop.Config["api_base"]}}, 40*time.Millisecond)
	}()
	eventually(t, "orders placed on the shop to reach the ERP", func() bool { return count() >= before+3 })
	cancel()
	<-done
	logs, _, err := a.db.ListLogs(ctx, conns["stripe"], store.LogFilter{}, store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	payments := 0
	for _, l := range logs {
		if strings.Contains(l.Operation, "payment_intent") {
			payments++
		}
	}
	if payments == 0 {
		t.Errorf("no payment went out during the traffic: %d log entries", len(logs))
	}
}
