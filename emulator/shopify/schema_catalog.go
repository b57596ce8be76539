package shopifyemu

import "time"

// The catalog types: Shop, Location, Product, ProductVariant, InventoryItem,
// InventoryLevel.

func init() {
	schema["Shop"] = &typeDef{fields: map[string]fieldDef{
		"id":              scalarOf(func(s *shop) any { return gid("Shop", s.ID) }),
		"name":            scalarOf(func(s *shop) any { return s.Name }),
		"email":           scalarOf(func(s *shop) any { return s.Email }),
		"myshopifyDomain": scalarOf(func(s *shop) any { return s.Domain }),
		"currencyCode":    scalarOf(func(*shop) any { return "USD" }),
		"ianaTimezone":    scalarOf(func(*shop) any { return "America/New_York" }),
		"createdAt":       scalarOf(func(s *shop) any { return stamp(s.Created) }),
		"plan": objectOf("ShopPlan", func(x *execCtx, _ *shop, _ map[string]any) any {
			if x.e.dev {
				return map[string]any{"partnerDevelopment": true, "displayName": "Developer Preview", "shopifyPlus": false}
			}
			return map[string]any{"partnerDevelopment": false, "displayName": "Basic", "shopifyPlus": false}
		}),
	}}
	schema["ShopPlan"] = mapType(map[string]fieldDef{"partnerDevelopment": scalarField,
		"displayName": scalarField, "shopifyPlus": scalarField})

	schema["Location"] = &typeDef{fields: map[string]fieldDef{
		"id":               scalarOf(func(l *location) any { return gid("Location", l.ID) }),
		"legacyResourceId": scalarOf(func(l *location) any { return l.ID }),
		"name":             scalarOf(func(l *location) any { return l.Name }),
		"isActive":         scalarOf(func(l *location) any { return l.Active }),
		"createdAt":        scalarOf(func(l *location) any { return stamp(l.CreatedAt) }),
		"updatedAt":        scalarOf(func(l *location) any { return stamp(l.UpdatedAt) }),
	}}

	schema["Product"] = &typeDef{fields: map[string]fieldDef{
		"id":               scalarOf(func(p *product) any { return gid("Product", p.ID) }),
		"legacyResourceId": scalarOf(func(p *product) any { return p.ID }),
		"title":            scalarOf(func(p *product) any { return p.Title }),
		"status":           scalarOf(func(p *product) any { return p.Status }),
		"createdAt":        scalarOf(func(p *product) any { return stamp(p.CreatedAt) }),
		"updatedAt":        scalarOf(func(p *product) any { return stamp(p.UpdatedAt) }),
		"totalInventory": scalarOf(func(p *product) any {
			var n int64
			for _, v := range p.Variants {
				for _, l := range v.Levels {
					n += l.Available
				}
			}
			return n
		}),
		"variantsCount": objectOf("Count", func(_ *execCtx, p *product, _ map[string]any) any {
			return countOf(len(p.Variants))
		}),
		"variants": connOf("ProductVariant", func(_ *execCtx, p *product, a pageArgs, _ map[string]any) (*page, error) {
			return slicePage(p.Variants, func(v *variant) int64 { return v.ID }, a)
		}),
	}}

	schema["ProductVariant"] = &typeDef{fields: map[string]fieldDef{
		"id":                scalarOf(func(v *variant) any { return gid("ProductVariant", v.ID) }),
		"legacyResourceId":  scalarOf(func(v *variant) any { return v.ID }),
		"sku":               scalarOf(func(v *variant) any { return v.SKU }),
		"title":             scalarOf(func(v *variant) any { return v.Title }),
		"displayName":       scalarOf(func(v *variant) any { return v.Product.Title + " - " + v.Title }),
		"price":             scalarOf(func(v *variant) any { return formatMoney(v.Price) }),
		"inventoryQuantity": scalarOf(func(v *variant) any { return available(v) }),
		"createdAt":         scalarOf(func(v *variant) any { return stamp(v.CreatedAt) }),
		"updatedAt":         scalarOf(func(v *variant) any { return stamp(v.UpdatedAt) }),
		"product":           objectOf("Product", func(_ *execCtx, v *variant, _ map[string]any) any { return v.Product }),
		"inventoryItem":     objectOf("InventoryItem", func(_ *execCtx, v *variant, _ map[string]any) any { return v }),
	}}

	// An InventoryItem value is its *variant (the two are 1:1).
	schema["InventoryItem"] = &typeDef{fields: map[string]fieldDef{
		"id":               scalarOf(func(v *variant) any { return gid("InventoryItem", v.ItemID) }),
		"legacyResourceId": scalarOf(func(v *variant) any { return v.ItemID }),
		"sku":              scalarOf(func(v *variant) any { return v.SKU }),
		"tracked":          scalarOf(func(*variant) any { return true }),
		"createdAt":        scalarOf(func(v *variant) any { return stamp(v.CreatedAt) }),
		"updatedAt":        scalarOf(func(v *variant) any { return stamp(v.ItemUpdatedAt) }),
		"variant":          objectOf("ProductVariant", func(_ *execCtx, v *variant, _ map[string]any) any { return v }),
		"inventoryLevels": connOf("InventoryLevel", func(_ *execCtx, v *variant, a pageArgs, _ map[string]any) (*page, error) {
			return slicePage(v.Levels, func(l *level) int64 { return l.Location.ID }, a)
		}),
	}}

	schema["InventoryLevel"] = &typeDef{fields: map[string]fieldDef{
		"id":        scalarOf(func(l *level) any { return levelGID(l) }),
		"updatedAt": scalarOf(func(l *level) any { return stamp(l.UpdatedAt) }),
		"location":  objectOf("Location", func(_ *execCtx, l *level, _ map[string]any) any { return l.Location }),
		"item":      objectOf("InventoryItem", func(_ *execCtx, l *level, _ map[string]any) any { return l.Item }),
		"quantities": listOf("InventoryQuantity", func(_ *execCtx, l *level, a map[string]any) []any {
			names, _ := a["names"].([]any)
			out := make([]any, 0, len(names))
			for _, n := range names {
				name, _ := n.(string)
				q := int64(0)
				if name == "available" || name == "on_hand" {
					q = l.Available
				}
				out = append(out, map[string]any{"name": name, "quantity": q, "updatedAt": stamp(l.UpdatedAt)})
			}
			return out
		}),
	}}
	schema["InventoryQuantity"] = mapType(map[string]fieldDef{"name": scalarField, "quantity": scalarField,
		"updatedAt": scalarField})
}

// available is a variant's stock over every location.
func available(v *variant) int64 {
	var n int64
	for _, l := range v.Levels {
		n += l.Available
	}
	return n
}

// bump stamps a product, and the variants given, as changed now.
func (s *shop) bump(p *product, now time.Time, vs ...*variant) {
	p.UpdatedAt = now
	for _, v := range vs {
		v.UpdatedAt = now
	}
	s.products.touched()
}
