package shopifyemu

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// upsertProduct is products {id?, title, status, variants: [{id?, sku,
// price, title, inventory_quantity?}]}. Variants are merged by id (a
// variant without id is added; variants left out stay), and
// inventory_quantity sets the stock at the first location. It fires
// products/create or products/update, and inventory_levels/update for
// each stock change.
func (c *recordCtx) upsertProduct(body map[string]any) (any, error) {
	id, err := idOf(body, "id", "Product")
	if err != nil {
		return nil, err
	}
	p, ok := c.s.products.get(id)
	created := !ok
	switch {
	case id != 0 && !ok:
		return nil, fmt.Errorf("product %d: %w", id, errNotFound)
	case created:
		p = &product{ID: c.s.newID("Product"), Title: "Untitled product", Status: "ACTIVE", CreatedAt: c.now}
	}
	if t, ok := body["title"].(string); ok {
		p.Title = t
	}
	if st, ok := body["status"].(string); ok {
		st = strings.ToUpper(st)
		if st != "ACTIVE" && st != "DRAFT" && st != "ARCHIVED" {
			return nil, errors.New("status must be active, draft or archived")
		}
		p.Status = st
	}
	vs, _ := body["variants"].([]any)
	if created && len(vs) == 0 {
		vs = []any{map[string]any{"title": "Default Title"}}
	}
	var levels []*level
	for i, raw := range vs {
		in, _ := raw.(map[string]any)
		vid, err := idOf(in, "id", "ProductVariant")
		if err != nil {
			return nil, fmt.Errorf("variants[%d]: %w", i, err)
		}
		v, ok := c.s.variants[vid]
		switch {
		case vid != 0 && (!ok || v.Product != p):
			return nil, fmt.Errorf("variants[%d]: variant %d of this product: %w", i, vid, errNotFound)
		case !ok:
			v = c.s.addVariant(p, "", "Default Title", 0, c.now)
			for _, l := range c.s.locations.order {
				if l.Active {
					c.s.stock(v, l, 0, c.now)
				}
			}
		}
		if sku, ok := in["sku"].(string); ok {
			v.SKU = sku
		}
		if t, ok := in["title"].(string); ok {
			v.Title = t
		}
		if raw, ok := in["price"]; ok {
			cents, err := parseMoney(raw)
			if err != nil {
				return nil, fmt.Errorf("variants[%d].price: %w", i, err)
			}
			v.Price = cents
		}
		if q, ok := toInt(in["inventory_quantity"]); ok && len(v.Levels) > 0 && v.Levels[0].Available != q {
			v.Levels[0].Available, v.Levels[0].UpdatedAt, v.ItemUpdatedAt = q, c.now, c.now
			levels = append(levels, v.Levels[0])
		}
		v.UpdatedAt = c.now
	}
	p.UpdatedAt = c.now
	c.s.products.touched()
	c.s.items.touched()
	if created {
		c.s.products.add(p)
		c.fire("products/create", restProduct(p))
	} else {
		c.fire("products/update", restProduct(p))
	}
	for _, l := range levels {
		c.fire("inventory_levels/update", restLevel(l))
	}
	return restProduct(p), nil
}

// upsertOrder is orders {id?, email, financial_status, fulfillment_status,
// cancelled_at, line_items: [{variant_id?, sku?, title?, quantity, price?}]}
// (line_items replace the order's lines). It fires orders/create or
// orders/updated (and orders/cancelled when cancelled_at is newly set).
func (c *recordCtx) upsertOrder(body map[string]any) (any, error) {
	id, err := idOf(body, "id", "Order")
	if err != nil {
		return nil, err
	}
	o, ok := c.s.orders.get(id)
	created := !ok
	switch {
	case id != 0 && !ok:
		return nil, fmt.Errorf("order %d: %w", id, errNotFound)
	case created:
		o = &order{ID: c.s.newID("Order"), Financial: "pending", Currency: "USD", CreatedAt: c.now}
		o.Number = o.ID - idBase["Order"] + 1001
	}
	if v, ok := body["email"].(string); ok {
		o.Email = v
	}
	if v, ok := body["financial_status"].(string); ok {
		o.Financial = strings.ToLower(v)
	}
	if v, present := body["fulfillment_status"]; present {
		s, _ := v.(string)
		o.Fulfillment = strings.ToLower(s)
	}
	cancelled := false
	if v, present := body["cancelled_at"]; present {
		if s, _ := v.(string); s == "" {
			o.CancelledAt = nil
		} else if t, err := time.Parse(time.RFC3339, s); err == nil {
			cancelled = o.CancelledAt == nil
			o.CancelledAt = &t
		} else {
			return nil, errors.New("cancelled_at must be RFC 3339 or null")
		}
	}
	if raw, ok := body["line_items"].([]any); ok {
		lines := make([]*lineItem, 0, len(raw))
		for i, r := range raw {
			in, _ := r.(map[string]any)
			l := &lineItem{ID: c.s.newID("LineItem"), Quantity: 1}
			if vid, _ := idOf(in, "variant_id", "ProductVariant"); vid != 0 {
				v, ok := c.s.variants[vid]
				if !ok {
					return nil, fmt.Errorf("line_items[%d]: variant %d: %w", i, vid, errNotFound)
				}
				l.VariantID, l.SKU, l.Title, l.Price = v.ID, v.SKU, v.Product.Title+" - "+v.Title, v.Price
			}
			if s, ok := in["sku"].(string); ok {
				l.SKU = s
			}
			if s, ok := in["title"].(string); ok {
				l.Title = s
			}
			if q, ok := toInt(in["quantity"]); ok {
				l.Quantity = q
			}
			if p, ok := in["price"]; ok {
				cents, err := parseMoney(p)
				if err != nil {
					return nil, fmt.Errorf("line_items[%d].price: %w", i, err)
				}
				l.Price = cents
			}
			lines = append(lines, l)
		}
		o.Lines = lines
	}
	o.UpdatedAt = c.now
	c.s.orders.touched()
	if created {
		c.s.orders.add(o)
		c.fire("orders/create", restOrder(o))
	} else {
		c.fire("orders/updated", restOrder(o))
	}
	if cancelled {
		c.fire("orders/cancelled", restOrder(o))
	}
	return restOrder(o), nil
}

// upsertFulfillment is fulfillments {id?, order_id, tracking_number,
// tracking_company, status}: fulfillments/create or fulfillments/update,
// then orders/updated (a successful fulfillment of an unfulfilled order
// marks it fulfilled).
func (c *recordCtx) upsertFulfillment(body map[string]any) (any, error) {
	oid, err := idOf(body, "order_id", "Order")
	if err != nil || oid == 0 {
		return nil, errors.New("order_id is required")
	}
	o, ok := c.s.orders.get(oid)
	if !ok {
		return nil, fmt.Errorf("order %d: %w", oid, errNotFound)
	}
	id, err := idOf(body, "id", "Fulfillment")
	if err != nil {
		return nil, err
	}
	var f *fulfillment
	for _, have := range o.Fulfillments {
		if have.ID == id {
			f = have
		}
	}
	topic := "fulfillments/update"
	switch {
	case id != 0 && f == nil:
		return nil, fmt.Errorf("fulfillment %d of order %d: %w", id, oid, errNotFound)
	case f == nil:
		f = &fulfillment{ID: c.s.newID("Fulfillment"), OrderID: o.ID, Status: "success", CreatedAt: c.now}
		o.Fulfillments = append(o.Fulfillments, f)
		topic = "fulfillments/create"
	}
	if v, ok := body["tracking_number"].(string); ok {
		f.TrackingNumber = v
	}
	if v, ok := body["tracking_company"].(string); ok {
		f.TrackingCompany = v
	}
	if v, ok := body["status"].(string); ok {
		f.Status = strings.ToLower(v)
	}
	if f.Status == "success" && o.Fulfillment == "" {
		o.Fulfillment = "fulfilled"
	}
	f.UpdatedAt, o.UpdatedAt = c.now, c.now
	c.s.orders.touched()
	c.fire(topic, restFulfillmentBody(f))
	c.fire("orders/updated", restOrder(o))
	return restFulfillmentBody(f), nil
}
