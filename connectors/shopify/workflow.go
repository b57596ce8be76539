package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

var _ connector.WorkflowChecker = (*Connector)(nil)

// levelTopic is the webhook a stock write causes.
const levelTopic = "inventory_levels/update"

// fixWebhooks is the operator's fix when the stock webhook does not reach the hub.
const fixWebhooks = "webhook subscriptions missing or URL wrong: re-register webhooks in the Webhooks tab"

// CheckWorkflow runs Shopify's small-safe-record check on one mapped stock figure (a
// variant's inventory item at a location): it reads the available quantity with the Admin
// GraphQL API and, when a reversible check is allowed, writes the same number back with
// inventorySetQuantities and compareQuantity equal to what it read (a concurrent change
// makes Shopify refuse the write, and nothing is overwritten), then waits for the
// inventory_levels/update webhook that write causes to reach the hub. Read-only, it only
// reads the quantity and checks that the shop's webhook subscriptions point at the hub and
// when the last delivery arrived.
//
// Whether Shopify records an adjustment (and fires the webhook) when a quantity is set to
// the value it already holds is not in its documentation (unconfirmed). The check is built
// for either answer: when Shopify answers with an adjustment group the webhook must come;
// when it answers with none (nothing recorded), no webhook is expected and the check reads
// the subscriptions instead of failing.
func (c *Connector) CheckWorkflow(ctx context.Context, s *connector.Session, env connector.WorkflowEnv) ([]connector.WorkflowFinding, error) {
	var out []connector.WorkflowFinding
	var m connector.MappedRecord
	ok := false
	if env.Mapped != nil {
		var err error
		if m, ok, err = env.Mapped(ctx, connector.KindStock, "available"); err != nil {
			return out, err
		}
	}
	if !ok {
		out = append(out, connector.WorkflowFinding{Check: "stock write-back", Status: "warn",
			Finding: "no mapped product: no variant's stock at a location is mapped on this connection, so nothing was read or written",
			Fix:     "approve a mapping first (Mapping tab: the variant and its location), then run the check again"})
		return append(out, c.webhooksFinding(ctx, s, env)), nil
	}
	item, loc, _ := strings.Cut(m.ExternalID, "|")
	rec, err := c.fetchStock(ctx, s, m.ExternalID)
	if connector.ClassOf(err) == concord.ClassNotFound || concord.ErrorCode(err) == concord.EINVALID {
		out = append(out, connector.WorkflowFinding{Check: "stock read", Status: "fail",
			Finding: fmt.Sprintf("the mapped stock %s (ERP %s) cannot be read on Shopify: %s", m.ExternalID, m.ERPID, concord.ErrorMessage(err)),
			Fix:     "clear the stale id or re-import safely (Mapping tab), then run the check again"})
		return append(out, c.webhooksFinding(ctx, s, env)), nil
	}
	if err != nil {
		return out, err
	}
	qty, err := strconv.ParseInt(rec.Fields["available"], 10, 64)
	if err != nil {
		return out, fmt.Errorf("shopify: workflow check: %w", malformed("available is not a number"))
	}
	read := connector.WorkflowFinding{Check: "stock read", Status: "ok",
		Finding: fmt.Sprintf("%s (ERP %s): Shopify has %d available", m.ExternalID, m.ERPID, qty)}
	if m.ERPValue != "" {
		read.Finding += ", the ERP has " + m.ERPValue
		if m.ERPValue != rec.Fields["available"] {
			read.Finding += " (they differ: see the sync dashboard's drift)"
		}
	}
	out = append(out, read)
	if !env.Reversible {
		out = append(out, connector.WorkflowFinding{Check: "stock write-back", Status: "ok",
			Finding: "not run: a production entity gets read-only checks unless the operator allows a reversible one (allow_reversible, or --allow-reversible on the CLI); nothing was written"})
		return append(out, c.webhooksFinding(ctx, s, env)), nil
	}
	return c.writeBack(ctx, s, env, item, loc, qty, out)
}

// writeBack sets the quantity just read back unchanged and confirms the webhook arrives.
func (c *Connector) writeBack(ctx context.Context, s *connector.Session, env connector.WorkflowEnv, item, loc string, qty int64,
	out []connector.WorkflowFinding) ([]connector.WorkflowFinding, error) {
	var wait func(context.Context) (bool, error)
	if env.ExpectWebhook != nil {
		// Watch from before the write: the webhook may beat the mutation's answer.
		wait = env.ExpectWebhook(levelTopic, matchLevel(item, loc))
	}
	input := map[string]any{"name": "available", "reason": "correction",
		"referenceDocumentUri": "concord://workflow-check/" + s.ConnectionID,
		"quantities":           []any{map[string]any{"inventoryItemId": item, "locationId": loc, "quantity": qty, "compareQuantity": qty}}}
	var res struct {
		InventorySetQuantities *struct {
			InventoryAdjustmentGroup *struct {
				ID string `json:"id"`
			} `json:"inventoryAdjustmentGroup"`
			UserErrors []userError `json:"userErrors"`
		} `json:"inventorySetQuantities"`
	}
	start := time.Now()
	if err := c.graphql(ctx, s, "workflow check: write stock back", workflowSetQuantityMutation, map[string]any{"input": input}, &res); err != nil {
		return out, err
	}
	p := res.InventorySetQuantities
	if p == nil {
		return out, fmt.Errorf("shopify: workflow check: %w", malformed("inventorySetQuantities is null"))
	}
	wb := connector.WorkflowFinding{Check: "stock write-back"}
	for _, ue := range p.UserErrors {
		if ue.Code == "COMPARE_QUANTITY_STALE" {
			wb.Status, wb.Finding = "warn", fmt.Sprintf("stock changed during the check, nothing written (Shopify no longer holds %d)", qty)
			wb.Fix = "run the check again when the stock is not moving"
			return append(out, wb, c.webhooksFinding(ctx, s, env)), nil
		}
	}
	if len(p.UserErrors) > 0 {
		ue := p.UserErrors[0]
		wb.Status, wb.Finding = "fail", fmt.Sprintf("Shopify refused to set %d back: %s (%s)", qty, ue.Message, orDash(ue.Code))
		wb.Fix = "read the error: the app needs the write_inventory scope and the item must be stocked at the location"
		if connector.ClassOf(ue.err()) == concord.ClassNotFound {
			wb.Fix = "clear the stale id or re-import safely (Mapping tab), then run the check again"
		}
		return append(out, wb, c.webhooksFinding(ctx, s, env)), nil
	}
	wb.Status, wb.Reversible = "ok", true
	if p.InventoryAdjustmentGroup == nil {
		wb.Finding = fmt.Sprintf("%d written back unchanged; Shopify recorded no change, so no webhook is expected from it", qty)
		return append(out, wb, c.webhooksFinding(ctx, s, env)), nil
	}
	wb.Finding = fmt.Sprintf("%d written back unchanged with compareQuantity %d (%s)", qty, qty, p.InventoryAdjustmentGroup.ID)
	out = append(out, wb)
	if wait == nil {
		return append(out, c.webhooksFinding(ctx, s, env)), nil
	}
	arrived, err := wait(ctx)
	if err != nil {
		return out, err
	}
	if arrived {
		return append(out, connector.WorkflowFinding{Check: "webhook", Status: "ok",
			Finding: fmt.Sprintf("%s for it arrived signed and verified after %.1f s", levelTopic, time.Since(start).Seconds())}), nil
	}
	f := connector.WorkflowFinding{Check: "webhook", Status: "fail",
		Finding: fmt.Sprintf("no %s webhook for it reached the hub within %.0f s", levelTopic, time.Since(start).Seconds()),
		Fix:     fixWebhooks}
	if sub := c.webhooksFinding(ctx, s, env); sub.Status == "ok" {
		f.Finding += "; the subscription points at the hub's URL, so Shopify cannot reach it (check the hub's public URL) or the deliveries are refused (see the Webhooks tab's verification failures)"
	} else {
		f.Finding += "; " + sub.Finding
	}
	return append(out, f), nil
}

// webhooksFinding is the read-only webhook check: the inventory_levels/update subscription
// (and the other required topics) point at the hub's URL, and when a delivery last arrived.
func (c *Connector) webhooksFinding(ctx context.Context, s *connector.Session, env connector.WorkflowEnv) connector.WorkflowFinding {
	f := connector.WorkflowFinding{Check: "webhooks"}
	last := "no delivery received yet"
	if env.LastWebhook != nil {
		if t, err := env.LastWebhook(ctx); err == nil && t != nil {
			last = "the last delivery arrived " + time.Since(*t).Round(time.Second).String() + " ago"
		}
	}
	if env.WebhookURL == "" {
		f.Status, f.Finding = "ok", "subscriptions not checked (the hub's webhook URL is not known); "+last
		return f
	}
	sub, err := c.WebhookSubscription(ctx, s, env.WebhookURL)
	if err != nil {
		f.Status, f.Finding = "warn", "could not read the webhook subscriptions: "+concord.ErrorMessage(err)
		f.Fix = "check the app's access to webhooks, then run the check again"
		return f
	}
	subscribed := false
	for _, t := range sub.Events {
		subscribed = subscribed || t == levelTopic
	}
	switch {
	case !subscribed:
		f.Status, f.Fix = "fail", fixWebhooks
		f.Finding = fmt.Sprintf("no %s subscription points at %s (%d of %d required topics subscribed); %s",
			levelTopic, env.WebhookURL, len(sub.Events), len(sub.Events)+len(sub.MissingEvents), last)
	case len(sub.MissingEvents) > 0:
		f.Status, f.Fix = "warn", fixWebhooks
		f.Finding = fmt.Sprintf("%s is subscribed at the hub's URL but %s are not; %s", levelTopic, strings.Join(sub.MissingEvents, ", "), last)
	default:
		f.Status = "ok"
		f.Finding = fmt.Sprintf("all %d required topics are subscribed at the hub's URL; %s", len(sub.Events), last)
	}
	return f
}

// matchLevel accepts an inventory_levels/update body (REST-shaped: numeric ids) of item at
// location, both GIDs.
func matchLevel(item, location string) func([]byte) bool {
	wantItem, wantLoc := gidNumber(item), gidNumber(location)
	return func(body []byte) bool {
		var l struct {
			InventoryItemID int64 `json:"inventory_item_id"`
			LocationID      int64 `json:"location_id"`
		}
		return json.Unmarshal(body, &l) == nil && l.InventoryItemID == wantItem && l.LocationID == wantLoc && wantItem != 0
	}
}

// gidNumber is the numeric id at the end of a GID (0 when there is none).
func gidNumber(g string) int64 {
	n, _ := strconv.ParseInt(g[strings.LastIndex(g, "/")+1:], 10, 64)
	return n
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
