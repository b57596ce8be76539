package shopifyemu

import (
	"net/url"
	"strconv"
)

// bulkUpdateVariants is productVariantsBulkUpdate: price and SKU changes to
// variants of one product, all or nothing.
func bulkUpdateVariants(x *execCtx, _ any, a map[string]any) (any, error) {
	fail := func(errs []any) (any, error) {
		return map[string]any{"product": nil, "productVariants": nil, "userErrors": errs}, nil
	}
	pid, _ := parseGID("Product", str(a["productId"]))
	p, ok := x.s.products.get(pid)
	if !ok {
		return fail([]any{userError("PRODUCT_DOES_NOT_EXIST", "Product does not exist", "productId")})
	}
	inputs, _ := a["variants"].([]any)
	type edit struct {
		v     *variant
		price *int64
		sku   *string
	}
	var errs []any
	var edits []edit
	for i, raw := range inputs {
		in, _ := raw.(map[string]any)
		at := func(f string) []any { return []any{"variants", strconv.Itoa(i), f} }
		idStr, hasID := in["id"].(string)
		vid, _ := parseGID("ProductVariant", idStr)
		v, known := x.s.variants[vid]
		switch {
		case !hasID:
			errs = append(errs, userError("PRODUCT_VARIANT_ID_MISSING", "Product variant is missing ID attribute", at("id")...))
			continue
		case !known:
			errs = append(errs, userError("PRODUCT_VARIANT_DOES_NOT_EXIST", "Product variant does not exist", at("id")...))
			continue
		case v.Product != p:
			errs = append(errs, userError("MUST_BE_FOR_THIS_PRODUCT", "Product variant does not belong to this product", at("id")...))
			continue
		}
		ed := edit{v: v}
		if raw, ok := in["price"]; ok && raw != nil {
			c, err := parseMoney(raw)
			switch {
			case err != nil:
				errs = append(errs, userError("INVALID_INPUT", "Price is invalid", at("price")...))
			case c < 0:
				errs = append(errs, userError("NEGATIVE_PRICE_VALUE", "Price must be greater than or equal to 0", at("price")...))
			default:
				ed.price = &c
			}
		}
		if item, ok := in["inventoryItem"].(map[string]any); ok {
			if sku, ok := item["sku"].(string); ok {
				ed.sku = &sku
			}
		}
		if _, ok := in["inventoryQuantities"]; ok {
			errs = append(errs, userError("NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE",
				"Inventory quantities can only be provided during create. To update inventory for existing variants, use inventoryAdjustQuantities.",
				at("inventoryQuantities")...))
		}
		edits = append(edits, ed)
	}
	if len(errs) > 0 {
		return fail(errs)
	}
	changed := false
	out := make([]any, 0, len(edits))
	for _, ed := range edits {
		if ed.price != nil && *ed.price != ed.v.Price {
			ed.v.Price, ed.v.UpdatedAt, changed = *ed.price, x.now, true
		}
		if ed.sku != nil && *ed.sku != ed.v.SKU {
			ed.v.SKU, ed.v.UpdatedAt, ed.v.ItemUpdatedAt, changed = *ed.sku, x.now, x.now, true
			x.s.items.touched()
		}
		out = append(out, ed.v)
	}
	if changed {
		x.s.bump(p, x.now)
		x.e.fire(x.s, "products/update", restProduct(p))
	}
	return map[string]any{"product": p, "productVariants": out, "userErrors": []any{}}, nil
}

// createSubscription is webhookSubscriptionCreate for HTTP endpoints.
func createSubscription(x *execCtx, _ any, a map[string]any) (any, error) {
	fail := func(msg string, field ...any) (any, error) {
		return map[string]any{"webhookSubscription": nil, "userErrors": []any{userError("", msg, field...)}}, nil
	}
	topic := str(a["topic"])
	in, _ := a["webhookSubscription"].(map[string]any)
	cb := str(in["callbackUrl"])
	format := str(in["format"])
	if format == "" {
		format = "JSON"
	}
	if !knownTopics[topic] {
		return fail("Topic is not supported by the emulator", "topic")
	}
	if u, err := url.Parse(cb); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fail("Address is invalid", "webhookSubscription", "callbackUrl")
	}
	for _, w := range x.s.webhooks.order {
		if w.Topic == topic && w.CallbackURL == cb {
			return fail("Address for this topic has already been taken", "webhookSubscription", "callbackUrl")
		}
	}
	w := &subscription{ID: x.s.newID("WebhookSubscription"), Topic: topic, CallbackURL: cb, Format: format,
		CreatedAt: x.now, UpdatedAt: x.now}
	x.s.webhooks.add(w)
	return map[string]any{"webhookSubscription": w, "userErrors": []any{}}, nil
}

// deleteSubscription is webhookSubscriptionDelete.
func deleteSubscription(x *execCtx, _ any, a map[string]any) (any, error) {
	id, _ := parseGID("WebhookSubscription", str(a["id"]))
	if _, ok := x.s.webhooks.get(id); !ok {
		return map[string]any{"deletedWebhookSubscriptionId": nil,
			"userErrors": []any{userError("", "Webhook subscription does not exist", "id")}}, nil
	}
	x.s.webhooks.remove(id)
	return map[string]any{"deletedWebhookSubscriptionId": gid("WebhookSubscription", id), "userErrors": []any{}}, nil
}

// knownTopics are the topics the emulator can fire.
var knownTopics = map[string]bool{}

func init() {
	for _, t := range []string{"APP_UNINSTALLED", "ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_DELETE",
		"PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE", "INVENTORY_LEVELS_UPDATE",
		"FULFILLMENTS_CREATE", "FULFILLMENTS_UPDATE", "LOCATIONS_CREATE", "LOCATIONS_UPDATE", "LOCATIONS_DELETE"} {
		knownTopics[t] = true
	}
	schema["WebhookSubscriptionCreatePayload"] = mapType(map[string]fieldDef{
		"webhookSubscription": {kind: kObject, typ: "WebhookSubscription"},
		"userErrors":          {kind: kList, typ: "UserError"}})
	schema["WebhookSubscriptionDeletePayload"] = mapType(map[string]fieldDef{
		"deletedWebhookSubscriptionId": scalarField,
		"userErrors":                   {kind: kList, typ: "UserError"}})
}
