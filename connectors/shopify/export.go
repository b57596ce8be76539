package shopify

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Export limits: one inventorySetQuantities takes up to 250 quantities, and a stock value
// above a billion is a typo, never a warehouse.
const (
	maxBatch = 250
	maxStock = 1_000_000_000
)

// ExportFields lists what the connector writes: a variant's price and the available stock
// of an item at a location.
func (*Connector) ExportFields() map[string][]string {
	return map[string][]string{connector.KindVariant: {"price"}, connector.KindStock: {"available"}}
}

// MaxBatch is what one Shopify call takes; Export splits larger batches anyway.
func (*Connector) MaxBatch() int { return maxBatch }

// Export writes changes: stock in inventorySetQuantities calls of up to 250, prices in one
// productVariantsBulkUpdate per product. Each change gets its own result: values no shop
// should hold are refused here without a call (validation), userErrors are mapped back to
// the change they name (not_found for unknown items, locations and variants, else
// validation). A failure of a whole call (auth, throttling, outage) returns err, and the
// job retries the batch: every write is a set, so repeating one is harmless.
func (c *Connector) Export(ctx context.Context, s *connector.Session, changes []connector.FieldChange) ([]connector.ChangeResult, error) {
	results := make([]connector.ChangeResult, len(changes))
	var stock []stockChange
	var prices []priceChange
	for i, ch := range changes {
		results[i].Change = ch
		switch {
		case ch.Kind == connector.KindStock && ch.Field == "available":
			sc, err := parseStockChange(i, ch)
			if err != nil {
				results[i].Err = err
				continue
			}
			stock = append(stock, sc)
		case ch.Kind == connector.KindVariant && ch.Field == "price":
			pc, err := parsePriceChange(i, ch)
			if err != nil {
				results[i].Err = err
				continue
			}
			prices = append(prices, pc)
		default:
			results[i].Err = refuse("shopify cannot write %s.%s", ch.Kind, ch.Field)
		}
	}
	errs := map[int]error{}
	if err := c.exportStock(ctx, s, dedupeStock(stock, errs), errs); err != nil {
		return nil, err
	}
	if err := c.exportPrices(ctx, s, prices, errs); err != nil {
		return nil, err
	}
	for i, err := range errs {
		results[i].Err = err
	}
	return results, nil
}

// refuse is the per-change validation error of a value refused before any call.
func refuse(format string, args ...any) *connector.ExternalError {
	return &connector.ExternalError{Class: concord.ClassValidation, Code: "refused_locally", Message: fmt.Sprintf(format, args...)}
}

type stockChange struct {
	i              int // index in the batch
	item, location string
	qty            int64
}

// parseStockChange reads the item (its GID, or a stock record id "item|location") and
// the quantity, refusing absurd values.
func parseStockChange(i int, ch connector.FieldChange) (stockChange, error) {
	item, loc, hasLoc := strings.Cut(ch.ExternalID, "|")
	location := ch.LocationID
	if hasLoc {
		if location != "" && location != loc {
			return stockChange{}, refuse("stock change names location %s but its record is at %s", location, loc)
		}
		location = loc
	}
	if !isGID(item, gidInventoryItem) || !isGID(location, gidLocation) {
		return stockChange{}, refuse("a stock change needs an InventoryItem GID and a Location GID")
	}
	qty, err := strconv.ParseInt(strings.TrimSpace(ch.Value), 10, 64)
	switch {
	case err != nil:
		return stockChange{}, refuse("available must be a whole number, not %q", ch.Value)
	case qty < 0:
		return stockChange{}, refuse("available may not be negative (%d)", qty)
	case qty > maxStock:
		return stockChange{}, refuse("available %d is more than %d: surely a typo", qty, maxStock)
	}
	return stockChange{i: i, item: item, location: location, qty: qty}, nil
}

// dedupeStock keeps the last change per item and location: Shopify refuses a call that
// names the same pair twice, and the earlier value would be overwritten anyway.
func dedupeStock(in []stockChange, errs map[int]error) []stockChange {
	last := map[string]int{}
	for k, sc := range in {
		last[stockID(sc.item, sc.location)] = k
	}
	out := in[:0:0]
	for k, sc := range in {
		if last[stockID(sc.item, sc.location)] != k {
			errs[sc.i] = refuse("superseded by a later change to the same stock in this batch")
			continue
		}
		out = append(out, sc)
	}
	return out
}

type priceChange struct {
	i       int
	variant string
	price   string
}

func parsePriceChange(i int, ch connector.FieldChange) (priceChange, error) {
	if !isGID(ch.ExternalID, gidVariant) {
		return priceChange{}, refuse("a price change needs a ProductVariant GID")
	}
	p, ok := canonicalMoney(strings.TrimSpace(ch.Value))
	if !ok {
		return priceChange{}, refuse("price must be a decimal amount such as 19.99, not %q", ch.Value)
	}
	if strings.HasPrefix(p, "-") {
		return priceChange{}, refuse("price may not be negative (%s)", p)
	}
	return priceChange{i: i, variant: ch.ExternalID, price: p}, nil
}

// userError is a mutation's userErrors entry.
type userError struct {
	Code    string   `json:"code"`
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

// position is the list index userError names after list ("quantities", "variants"): -1
// when it names none (an error of the whole call).
func (u userError) position(list string) int {
	for k := 0; k+1 < len(u.Field); k++ {
		if u.Field[k] == list {
			if n, err := strconv.Atoi(u.Field[k+1]); err == nil {
				return n
			}
		}
	}
	return -1
}

// userErrorClass: unknown ids mean the mapping is stale (not_found); the rest is the value.
func (u userError) err() error {
	class := concord.ClassValidation
	switch u.Code {
	case "INVALID_INVENTORY_ITEM", "INVALID_LOCATION", "ITEM_NOT_STOCKED_AT_LOCATION",
		"PRODUCT_VARIANT_DOES_NOT_EXIST", "PRODUCT_DOES_NOT_EXIST":
		class = concord.ClassNotFound
	}
	if m := strings.ToLower(u.Message); strings.Contains(m, "does not exist") || strings.Contains(m, "not found") {
		class = concord.ClassNotFound
	}
	return &connector.ExternalError{Class: class, StatusCode: 200, Code: u.Code, Message: u.Message}
}

// sendAtomic sends a group and, when Shopify refused the call for some of its entries and
// applied nothing, sends the others once more so one bad value does not hold back the
// rest. send takes positions into the group and returns errors by position.
func sendAtomic(n int, send func(sub []int) (errs map[int]error, applied bool, err error)) (map[int]error, error) {
	all := make([]int, n)
	for k := range all {
		all[k] = k
	}
	errs, applied, err := send(all)
	if err != nil || applied || len(errs) == 0 {
		return errs, err
	}
	var rest []int
	for _, k := range all {
		if errs[k] == nil {
			rest = append(rest, k)
		}
	}
	if len(rest) == 0 {
		return errs, nil
	}
	more, applied, err := send(rest)
	if err != nil {
		return nil, err
	}
	maps.Copy(errs, more)
	if !applied && len(more) > 0 {
		for _, k := range rest {
			if errs[k] == nil {
				errs[k] = &connector.ExternalError{Class: concord.ClassValidation, StatusCode: 200,
					Message: "Shopify applied none of the call's changes; this one was not refused itself"}
			}
		}
	}
	return errs, nil
}

// productCache remembers which product a variant belongs to (a variant never moves to
// another product), so price exports look each variant up once.
type productCache struct {
	mu sync.Mutex
	m  map[string]string
}

// The cache is keyed by connection too: the emulator's shops may reuse ids.
func (p *productCache) get(connID, variant string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[connID+"\x00"+variant]
	return v, ok
}

func (p *productCache) put(connID, variant, product string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]string{}
	}
	p.m[connID+"\x00"+variant] = product
}

// errValidation is the userError as a validation error, whatever its message says.
func (u userError) errValidation() error {
	return &connector.ExternalError{Class: concord.ClassValidation, StatusCode: 200, Code: u.Code, Message: u.Message}
}
