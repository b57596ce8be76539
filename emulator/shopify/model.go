package shopifyemu

import (
	"strconv"
	"strings"
	"time"
)

// APIVersion is the Admin API version the emulator speaks.
const APIVersion = "2025-01"

// shop is one store with its catalog, stock, orders and webhook
// subscriptions. Every table keeps its records in id order so paging is a
// binary search and a forward scan.
type shop struct {
	ID      int64
	Name    string
	Domain  string
	Email   string
	Created time.Time

	products  table[*product]
	variants  map[int64]*variant // by variant id
	items     table[*variant]    // by inventory item id
	locations table[*location]
	orders    table[*order]
	webhooks  table[*subscription]
	nextID    map[string]int64 // per GID kind: the next id to hand out
	graphql   *costBucket
	rest      *callBucket
}

// product is a product with its variants, in creation order.
type product struct {
	ID        int64
	Title     string
	Status    string // ACTIVE, ARCHIVED or DRAFT
	CreatedAt time.Time
	UpdatedAt time.Time
	Variants  []*variant
}

// variant is a product variant and its inventory item, which Shopify keeps
// 1:1; ItemID and ItemUpdatedAt are the inventory item's.
type variant struct {
	ID            int64
	ItemID        int64
	Product       *product
	SKU           string
	Title         string
	Price         int64 // cents
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ItemUpdatedAt time.Time
	Levels        []*level // one per stocked location, in location order
}

// location is a place stock is kept.
type location struct {
	ID        int64
	Name      string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// level is the stock of one inventory item at one location.
type level struct {
	Item      *variant
	Location  *location
	Available int64
	UpdatedAt time.Time
}

// order is an order with its line items and fulfillments.
type order struct {
	ID           int64
	Number       int64
	Email        string
	Financial    string // REST spelling: paid, pending, refunded, ...
	Fulfillment  string // REST spelling: "" (unfulfilled), fulfilled, partial, restocked
	Currency     string
	CancelledAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Lines        []*lineItem
	Fulfillments []*fulfillment
}

// lineItem is one line of an order.
type lineItem struct {
	ID        int64
	VariantID int64
	SKU       string
	Title     string
	Quantity  int64
	Price     int64 // cents
}

// fulfillment is one shipment of an order.
type fulfillment struct {
	ID              int64
	OrderID         int64
	Status          string // REST spelling: success, pending, open, cancelled, error, failure
	TrackingNumber  string
	TrackingCompany string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// subscription is a webhook subscription made with webhookSubscriptionCreate.
type subscription struct {
	ID          int64
	Topic       string // enum spelling, e.g. PRODUCTS_UPDATE
	CallbackURL string
	Format      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// newID hands out the next numeric id of a GID kind; the first ids follow
// the wire document's examples (Product 1001, ProductVariant 2001, ...).
func (s *shop) newID(kind string) int64 {
	id, ok := s.nextID[kind]
	if !ok {
		id = idBase[kind]
	}
	s.nextID[kind] = id + 1
	return id
}

var idBase = map[string]int64{
	"Product": 1001, "ProductVariant": 2001, "InventoryItem": 3001, "Location": 4001,
	"Order": 5001, "Fulfillment": 6001, "LineItem": 7001, "WebhookSubscription": 8001,
	"InventoryAdjustmentGroup": 9001,
}

// gid renders a Shopify global id.
func gid(kind string, id int64) string {
	return "gid://shopify/" + kind + "/" + strconv.FormatInt(id, 10)
}

// levelGID is an inventory level's id as Shopify spells it.
func levelGID(l *level) string {
	return gid("InventoryLevel", l.Location.ID) + "?inventory_item_id=" + strconv.FormatInt(l.Item.ItemID, 10)
}

// parseGID returns the numeric id of a GID of kind; a bare number is
// accepted too, as the REST-shaped control API sends them.
func parseGID(kind string, s string) (int64, bool) {
	s = strings.TrimPrefix(s, "gid://shopify/"+kind+"/")
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// stamp renders a timestamp as Shopify does: RFC 3339 in seconds, UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// findLevel is the stock of v at location id, or nil when not stocked there.
func (v *variant) findLevel(locationID int64) *level {
	for _, l := range v.Levels {
		if l.Location.ID == locationID {
			return l
		}
	}
	return nil
}

// total is the order's total in cents.
func (o *order) total() int64 {
	var t int64
	for _, l := range o.Lines {
		t += l.Price * l.Quantity
	}
	return t
}
