package shopifyemu

import (
	"fmt"
	"time"
)

// seedSpec sizes a shop's generated catalog.
type seedSpec struct {
	Products           int `json:"products"`
	VariantsPerProduct int `json:"variants_per_product"`
	Orders             int `json:"orders"`
}

// defaultSeed is what a fresh or reset shop holds: enough for a demo.
var defaultSeed = seedSpec{Products: 5, VariantsPerProduct: 2, Orders: 3}

var productNames = []string{"Classic Tee", "Canvas Tote", "Ceramic Mug", "Wool Beanie", "Leather Wallet",
	"Water Bottle", "Notebook", "Desk Lamp", "Running Socks", "Sunglasses"}

var variantNames = []string{"Small", "Medium", "Large", "X-Large", "Black", "White", "Red", "Blue"}

func newSubscriptionTable() table[*subscription] {
	return newTable(func(w *subscription) int64 { return w.ID },
		func(w *subscription) time.Time { return w.UpdatedAt })
}

// seedShop replaces s's data with a generated catalog: two locations,
// spec.Products products of spec.VariantsPerProduct variants each stocked at
// both locations, and spec.Orders paid orders. Timestamps are spread over
// the hour before now, 1 ms apart, in id order. No webhooks fire. e.mu must
// be held (or s not yet shared).
func (e *Emulator) seedShop(s *shop, spec seedSpec) {
	now := e.now()
	s.products = newTable(func(p *product) int64 { return p.ID }, func(p *product) time.Time { return p.UpdatedAt })
	s.items = newTable(func(v *variant) int64 { return v.ItemID }, func(v *variant) time.Time { return v.ItemUpdatedAt })
	s.locations = newTable(func(l *location) int64 { return l.ID }, func(l *location) time.Time { return l.UpdatedAt })
	s.orders = newTable(func(o *order) int64 { return o.ID }, func(o *order) time.Time { return o.UpdatedAt })
	s.webhooks = newSubscriptionTable()
	s.variants = make(map[int64]*variant, spec.Products*spec.VariantsPerProduct)
	s.nextID = map[string]int64{}
	s.graphql = newCostBucket(e.opts.MaxAvailable, e.opts.RestoreRate)
	s.rest = &callBucket{at: time.Now()}

	tick := 0
	at := func() time.Time {
		tick++
		return now.Add(-time.Hour + time.Duration(tick)*time.Millisecond)
	}
	for _, name := range []string{"Main Warehouse", "Store Front"} {
		t := at()
		s.locations.add(&location{ID: s.newID("Location"), Name: name, Active: true, CreatedAt: t, UpdatedAt: t})
	}
	for i := range spec.Products {
		t := at()
		p := &product{ID: s.newID("Product"), Title: productNames[i%len(productNames)], Status: "ACTIVE",
			CreatedAt: t, UpdatedAt: t}
		if i >= len(productNames) {
			p.Title = fmt.Sprintf("%s %d", p.Title, i/len(productNames)+1)
		}
		for j := range spec.VariantsPerProduct {
			v := s.addVariant(p, fmt.Sprintf("SKU-%d-%d", i+1, j+1), variantNames[j%len(variantNames)],
				int64(1000+100*(i%20)+j*50-1), t)
			for k, l := range s.locations.order {
				s.stock(v, l, int64(10+(i+j+k)%40), t)
			}
		}
		s.products.add(p)
	}
	for i := range spec.Orders {
		t := at()
		o := &order{ID: s.newID("Order"), Email: fmt.Sprintf("customer%d@example.com", i+1),
			Financial: "paid", Currency: "USD", CreatedAt: t, UpdatedAt: t}
		o.Number = o.ID - idBase["Order"] + 1001
		for j := 0; j < 2 && len(s.items.order) > 0; j++ {
			v := s.items.order[(i*3+j)%len(s.items.order)]
			o.Lines = append(o.Lines, &lineItem{ID: s.newID("LineItem"), VariantID: v.ID, SKU: v.SKU,
				Title: v.Product.Title + " - " + v.Title, Quantity: int64(1 + j), Price: v.Price})
		}
		if i == 0 {
			o.Fulfillment = "fulfilled"
			o.Fulfillments = append(o.Fulfillments, &fulfillment{ID: s.newID("Fulfillment"), OrderID: o.ID,
				Status: "success", TrackingNumber: "1Z999AA10123456784", TrackingCompany: "UPS",
				CreatedAt: t, UpdatedAt: t})
		}
		s.orders.add(o)
	}
}

// addVariant creates a variant and its inventory item on p, not yet stocked
// anywhere.
func (s *shop) addVariant(p *product, sku, title string, price int64, t time.Time) *variant {
	v := &variant{ID: s.newID("ProductVariant"), ItemID: s.newID("InventoryItem"), Product: p, SKU: sku,
		Title: title, Price: price, CreatedAt: t, UpdatedAt: t, ItemUpdatedAt: t}
	p.Variants = append(p.Variants, v)
	s.variants[v.ID] = v
	s.items.add(v)
	return v
}

// stock creates (or sets) v's level at l.
func (s *shop) stock(v *variant, l *location, available int64, t time.Time) *level {
	if lv := v.findLevel(l.ID); lv != nil {
		lv.Available, lv.UpdatedAt = available, t
		return lv
	}
	lv := &level{Item: v, Location: l, Available: available, UpdatedAt: t}
	v.Levels = append(v.Levels, lv)
	return lv
}

// deleteProduct removes p with its variants, inventory items and levels.
func (s *shop) deleteProduct(p *product) {
	for _, v := range p.Variants {
		delete(s.variants, v.ID)
		s.items.remove(v.ItemID)
	}
	s.products.remove(p.ID)
}
