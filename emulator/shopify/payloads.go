package shopifyemu

// REST shapes: webhook bodies and the control API's record answers.

func restProduct(p *product) map[string]any {
	vs := make([]any, len(p.Variants))
	for i, v := range p.Variants {
		vs[i] = restVariant(v)
	}
	return map[string]any{"id": p.ID, "admin_graphql_api_id": gid("Product", p.ID), "title": p.Title,
		"status": lower(p.Status), "created_at": stamp(p.CreatedAt), "updated_at": stamp(p.UpdatedAt),
		"variants": vs}
}

func restVariant(v *variant) map[string]any {
	return map[string]any{"id": v.ID, "admin_graphql_api_id": gid("ProductVariant", v.ID),
		"product_id": v.Product.ID, "title": v.Title, "sku": v.SKU, "price": formatMoney(v.Price),
		"inventory_item_id": v.ItemID, "inventory_quantity": available(v),
		"created_at": stamp(v.CreatedAt), "updated_at": stamp(v.UpdatedAt)}
}

func restLevel(l *level) map[string]any {
	return map[string]any{"inventory_item_id": l.Item.ItemID, "location_id": l.Location.ID,
		"available": l.Available, "updated_at": stamp(l.UpdatedAt), "admin_graphql_api_id": levelGID(l)}
}

func restLocation(l *location) map[string]any {
	return map[string]any{"id": l.ID, "admin_graphql_api_id": gid("Location", l.ID), "name": l.Name,
		"active": l.Active, "created_at": stamp(l.CreatedAt), "updated_at": stamp(l.UpdatedAt)}
}

func restOrder(o *order) map[string]any {
	lines := make([]any, len(o.Lines))
	for i, l := range o.Lines {
		var vid any
		if l.VariantID != 0 {
			vid = l.VariantID
		}
		lines[i] = map[string]any{"id": l.ID, "admin_graphql_api_id": gid("LineItem", l.ID), "sku": l.SKU,
			"title": l.Title, "name": l.Title, "quantity": l.Quantity, "price": formatMoney(l.Price), "variant_id": vid}
	}
	fs := make([]any, len(o.Fulfillments))
	for i, f := range o.Fulfillments {
		fs[i] = restFulfillmentBody(f)
	}
	var fulfillment any
	if o.Fulfillment != "" {
		fulfillment = o.Fulfillment
	}
	return map[string]any{"id": o.ID, "admin_graphql_api_id": gid("Order", o.ID), "name": orderName(o),
		"order_number": o.Number, "email": o.Email, "financial_status": o.Financial,
		"fulfillment_status": fulfillment, "cancelled_at": stampPtr(o.CancelledAt),
		"created_at": stamp(o.CreatedAt), "updated_at": stamp(o.UpdatedAt),
		"total_price": formatMoney(o.total()), "currency": o.Currency, "line_items": lines, "fulfillments": fs}
}

func restFulfillmentBody(f *fulfillment) map[string]any {
	return map[string]any{"id": f.ID, "admin_graphql_api_id": gid("Fulfillment", f.ID), "order_id": f.OrderID,
		"status": f.Status, "tracking_number": f.TrackingNumber, "tracking_company": f.TrackingCompany,
		"created_at": stamp(f.CreatedAt), "updated_at": stamp(f.UpdatedAt)}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
