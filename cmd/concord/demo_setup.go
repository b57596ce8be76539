package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
)

// setupShopify does what an operator does first: the ERP's variants for the shop's seed
// SKUs and its warehouse, webhooks registered, a full import, the suggested mappings
// approved, and a second import that brings the mapped stock in and leaves one new
// suggestion in the mapping inbox.
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
	// One more ERP variant after the approvals: the next import suggests it by SKU, and it
	// waits in the mapping inbox for an operator.
	waiting := store.ERPRecord{EntityID: c.EntityID, Kind: "variant", ID: "demo-var-3", Source: "erp",
		Fields: map[string]string{"sku": "SKU-2-1", "price": "24.00", "title": "Hoodie - Small"}}
	if _, err := a.sync.PutRecord(ctx, string(demoActor), &waiting); err != nil {
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
