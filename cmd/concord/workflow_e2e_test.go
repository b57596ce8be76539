package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	shopifyemu "github.com/concordhub/concord/emulator/shopify"
	"github.com/concordhub/concord/store/storetest"
)

// TestShopifyWorkflowCheckProduction: a production shop with one mapped stock figure. The
// workflow check of a plain diagnose only reads; with allow_reversible (the API body, or
// the CLI's --allow-reversible after the id) it writes the figure back unchanged and sees
// the webhook arrive; the audit says which ran and that the operator allowed it.
func TestShopifyWorkflowCheckProduction(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			testShopifyWorkflowCheckProduction(t, setupProduction(t, b))
		})
	}
}

// setupProduction is setup with --allow-custom-api-base: a production connection may talk
// to the emulator.
func setupProduction(t *testing.T, b storetest.Backend) *harness {
	return setupWith(t, b, func(c *config) { c.AllowCustomAPIBase = true })
}

func testShopifyWorkflowCheckProduction(t *testing.T, h *harness) {
	dev := false
	emu := shopifyemu.New(shopifyemu.Options{DevelopmentStore: &dev})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { srv.Close(); emu.Close() })
	cr := emu.Credentials()

	e := h.entity("Shop Live", "production")
	var c connJSON
	body := map[string]any{"connector": "shopify", "credentials": map[string]string{
		"access_token": cr.AccessToken, "client_id": cr.ClientID, "client_secret": cr.ClientSecret},
		"config": map[string]string{"shop": cr.Shop, "api_base": srv.URL}}
	if st := h.do("POST", "/v1/entities/"+e.ID+"/connections", h.token, body, &c); st != 201 || c.Mode != "production" {
		t.Fatalf("connect: %d %+v", st, c)
	}
	if st := h.do("POST", "/v1/connections/"+c.ID+"/webhooks/register", h.token, nil, nil); st != 200 {
		t.Fatalf("register webhooks: %d", st)
	}
	// Map one variant and the warehouse; the next sync maps their stock.
	h.do("PUT", "/v1/entities/"+e.ID+"/records/variant/var-1", h.token, map[string]any{"fields": map[string]string{"sku": "SKU-1-1", "price": "9.99", "title": "one"}}, nil)
	h.do("PUT", "/v1/entities/"+e.ID+"/records/location/wh", h.token, map[string]any{"fields": map[string]string{"name": "Main Warehouse"}}, nil)
	sync := func() {
		t.Helper()
		var started struct{ Runs []struct{ ID string } }
		if st := h.do("POST", "/v1/connections/"+c.ID+"/sync", h.token, map[string]any{"direction": "inbound", "full": true}, &started); st != 202 {
			t.Fatalf("sync: %d", st)
		}
		for _, r := range started.Runs {
			eventually(t, "sync run "+r.ID, func() bool {
				var run struct{ Status string }
				h.do("GET", "/v1/sync-runs/"+r.ID, h.token, nil, &run)
				return run.Status == "succeeded" || run.Status == "failed"
			})
		}
	}
	sync()
	var inbox struct{ Data []mappingJSON }
	h.do("GET", "/v1/connections/"+c.ID+"/mappings?state=suggested&limit=100", h.token, nil, &inbox)
	var acts []map[string]string
	for _, m := range inbox.Data {
		acts = append(acts, map[string]string{"mapping_id": m.ID, "action": "approve"})
	}
	h.do("POST", "/v1/connections/"+c.ID+"/mappings/actions", h.token, map[string]any{"actions": acts}, nil)
	sync()
	var stock struct{ Data []mappingJSON }
	h.do("GET", "/v1/connections/"+c.ID+"/mappings?state=active&kind=stock", h.token, nil, &stock)
	if len(stock.Data) != 1 {
		t.Fatalf("stock mappings %+v", stock.Data)
	}

	workflow := func(in any) (string, string) {
		t.Helper()
		var d diagnosisJSON
		if st := h.do("POST", "/v1/connections/"+c.ID+"/diagnose", h.token, in, &d); st != 200 || len(d.Steps) != 8 {
			t.Fatalf("diagnose: %d %+v", st, d)
		}
		var audit struct {
			Data []struct {
				Action, Detail string
				After          map[string]any
			}
		}
		h.do("GET", "/v1/audit?resource=connection:"+c.ID+"&limit=20", h.token, nil, &audit)
		detail := ""
		for _, a := range audit.Data { // newest first
			if a.Action == "connection.workflow_check" {
				detail = a.Detail
				break
			}
		}
		if detail == "" {
			t.Fatal("the workflow check was not audited")
		}
		wf := d.Steps[6]
		if wf.Status != "ok" {
			t.Fatalf("workflow check %+v", wf)
		}
		return wf.Finding, detail
	}

	// No body: read-only.
	f, detail := workflow(nil)
	before := ""
	if _, rest, ok := strings.Cut(f, "Shopify has "); ok {
		before, _, _ = strings.Cut(rest, " ")
	}
	if !strings.Contains(f, "stock read: "+stock.Data[0].ExternalID) || !strings.Contains(f, "stock write-back: not run") ||
		!strings.Contains(f, "webhooks: all 9 required topics are subscribed") ||
		!strings.HasPrefix(detail, "read-only (production entity; a reversible check was not allowed); no reversible check ran") {
		t.Fatalf("read-only: %s\naudit: %s", f, detail)
	}
	// The opt-in: written back unchanged, the webhook confirmed.
	f, detail = workflow(map[string]bool{"allow_reversible": true})
	if !strings.Contains(f, "written back unchanged with compareQuantity") || !strings.Contains(f, "webhook: inventory_levels/update for it arrived") ||
		!strings.HasPrefix(detail, "reversible allowed by the operator (production entity); a reversible check ran: stock write-back") {
		t.Fatalf("allowed: %s\naudit: %s", f, detail)
	}
	// An explicit false is the same as none; an unknown field is refused.
	if f, _ = workflow(map[string]bool{"allow_reversible": false}); !strings.Contains(f, "stock write-back: not run") {
		t.Fatalf("allow_reversible false: %s", f)
	}
	if st := h.do("POST", "/v1/connections/"+c.ID+"/diagnose", h.token, map[string]bool{"allow_everything": true}, nil); st != 400 {
		t.Fatalf("unknown field: %d", st)
	}

	// The CLI: the flag after the id passes the opt-in; without it, read-only.
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"connections", "diagnose", "--server", h.app.URL, "--token", h.token, c.ID, "--allow-reversible"}, &out, &errb)
	if !strings.Contains(out.String(), "written back unchanged") || strings.Contains(out.String(), "stock write-back: not run") {
		t.Fatalf("CLI --allow-reversible: %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	run(context.Background(), []string{"connections", "diagnose", "--server", h.app.URL, "--token", h.token, c.ID}, &out, &errb)
	if !strings.Contains(out.String(), "stock write-back: not run") {
		t.Fatalf("CLI without the flag:\n%s", out.String())
	}
	// The shop still holds what it held, and the ERP agrees.
	f, _ = workflow(nil)
	if !strings.Contains(f, "Shopify has "+before+" available, the ERP has "+before+";") {
		t.Fatalf("stock after the write-back: %s (before %s)", f, before)
	}
}
