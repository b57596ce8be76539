package shopifyemu

import "strings"

// QueryRoot: the entry points of the wire subset.

func init() {
	type root = any
	byID := func(kind string, a map[string]any) (int64, bool) {
		s, _ := a["id"].(string)
		return parseGID(kind, s)
	}
	schema["QueryRoot"] = &typeDef{fields: map[string]fieldDef{
		"shop": objectOf("Shop", func(x *execCtx, _ root, _ map[string]any) any { return x.s }),
		"locations": connOf("Location", func(x *execCtx, _ root, a pageArgs, args map[string]any) (*page, error) {
			a.updated = false
			inactive, _ := args["includeInactive"].(bool)
			return x.s.locations.page(a, func(l *location) bool { return l.Active || inactive })
		}),
		"products": connOf("Product", func(x *execCtx, _ root, a pageArgs, args map[string]any) (*page, error) {
			return x.s.products.page(a, matcher(args["query"], productFilters))
		}),
		"inventoryItems": connOf("InventoryItem", func(x *execCtx, _ root, a pageArgs, args map[string]any) (*page, error) {
			a.updated = false
			return x.s.items.page(a, matcher(args["query"], itemFilters))
		}),
		"orders": connOf("Order", func(x *execCtx, _ root, a pageArgs, args map[string]any) (*page, error) {
			return x.s.orders.page(a, matcher(args["query"], orderFilters))
		}),
		"webhookSubscriptions": connOf("WebhookSubscription", func(x *execCtx, _ root, a pageArgs, args map[string]any) (*page, error) {
			a.updated = false
			topics, _ := args["topics"].([]any)
			return x.s.webhooks.page(a, func(w *subscription) bool {
				if len(topics) == 0 {
					return true
				}
				for _, t := range topics {
					if t == w.Topic {
						return true
					}
				}
				return false
			})
		}),
		"productsCount": objectOf("Count", func(x *execCtx, _ root, a map[string]any) any {
			return countOf(countMatching(&x.s.products, matcher(a["query"], productFilters)))
		}),
		"ordersCount": objectOf("Count", func(x *execCtx, _ root, a map[string]any) any {
			return countOf(countMatching(&x.s.orders, matcher(a["query"], orderFilters)))
		}),
		"locationsCount": objectOf("Count", func(x *execCtx, _ root, _ map[string]any) any {
			return countOf(x.s.locations.len())
		}),
		"product": objectOf("Product", func(x *execCtx, _ root, a map[string]any) any {
			id, _ := byID("Product", a)
			return found(x.s.products.get(id))
		}),
		"productVariant": objectOf("ProductVariant", func(x *execCtx, _ root, a map[string]any) any {
			id, _ := byID("ProductVariant", a)
			v, ok := x.s.variants[id]
			return found(v, ok)
		}),
		"inventoryItem": objectOf("InventoryItem", func(x *execCtx, _ root, a map[string]any) any {
			id, _ := byID("InventoryItem", a)
			return found(x.s.items.get(id))
		}),
		"location": objectOf("Location", func(x *execCtx, _ root, a map[string]any) any {
			id, _ := byID("Location", a)
			return found(x.s.locations.get(id))
		}),
		"order": objectOf("Order", func(x *execCtx, _ root, a map[string]any) any {
			id, _ := byID("Order", a)
			return found(x.s.orders.get(id))
		}),
	}}
}

// found turns a lookup into a field value: the record, or an untyped nil.
func found[T any](v T, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

func countMatching[T any](t *table[T], match func(T) bool) int {
	if match == nil {
		return t.len()
	}
	n := 0
	for _, v := range t.order {
		if match(v) {
			n++
		}
	}
	return n
}

// The search fields each connection's query: understands.
var productFilters = map[string]func(term, *product) bool{
	"updated_at": func(t term, p *product) bool { return t.matchTime(p.UpdatedAt) },
	"created_at": func(t term, p *product) bool { return t.matchTime(p.CreatedAt) },
	"status":     func(t term, p *product) bool { return t.matchText(p.Status) },
	"title":      func(t term, p *product) bool { return t.matchText(p.Title) },
	"id":         func(t term, p *product) bool { return idTerm(t, p.ID) },
	"sku": func(t term, p *product) bool {
		for _, v := range p.Variants {
			if t.matchText(v.SKU) {
				return true
			}
		}
		return false
	},
}

var itemFilters = map[string]func(term, *variant) bool{
	"updated_at": func(t term, v *variant) bool { return t.matchTime(v.ItemUpdatedAt) },
	"created_at": func(t term, v *variant) bool { return t.matchTime(v.CreatedAt) },
	"sku":        func(t term, v *variant) bool { return t.matchText(v.SKU) },
	"id":         func(t term, v *variant) bool { return idTerm(t, v.ItemID) },
}

var orderFilters = map[string]func(term, *order) bool{
	"updated_at":         func(t term, o *order) bool { return t.matchTime(o.UpdatedAt) },
	"created_at":         func(t term, o *order) bool { return t.matchTime(o.CreatedAt) },
	"id":                 func(t term, o *order) bool { return idTerm(t, o.ID) },
	"email":              func(t term, o *order) bool { return t.matchText(o.Email) },
	"financial_status":   func(t term, o *order) bool { return t.matchText(o.Financial) },
	"fulfillment_status": func(t term, o *order) bool { return t.matchText(restFulfillment(o.Fulfillment)) },
	"sku": func(t term, o *order) bool {
		for _, l := range o.Lines {
			if t.matchText(l.SKU) {
				return true
			}
		}
		return false
	},
	// status: open, cancelled (closed orders are not modelled) or any.
	"status": func(t term, o *order) bool {
		st := "open"
		if o.CancelledAt != nil {
			st = "cancelled"
		}
		return strings.EqualFold(t.value, "any") || t.matchText(st)
	},
}

// restFulfillment is the search spelling of an order's fulfillment status.
func restFulfillment(s string) string {
	if s == "" {
		return "unfulfilled"
	}
	return s
}
