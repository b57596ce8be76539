package shopify

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/concordhub/concord/connector"
)

// GID types the connector reads and writes.
const (
	gidProduct       = "Product"
	gidVariant       = "ProductVariant"
	gidInventoryItem = "InventoryItem"
	gidLocation      = "Location"
	gidOrder         = "Order"
	gidLineItem      = "LineItem"
	gidFulfillment   = "Fulfillment"
)

// gid builds a Shopify GID from a REST numeric id.
func gid(typ string, id int64) string {
	return "gid://shopify/" + typ + "/" + strconv.FormatInt(id, 10)
}

// isGID reports whether id is a GID of typ ("gid://shopify/Order/5001").
func isGID(id, typ string) bool {
	rest, ok := strings.CutPrefix(id, "gid://shopify/"+typ+"/")
	return ok && rest != "" && !strings.Contains(rest, "/")
}

// needGID refuses a node whose id is missing or of another type.
func needGID(what, id, typ string) error {
	if !isGID(id, typ) {
		if id == "" {
			return malformed(what + " without id")
		}
		return malformed(what + " id " + strconv.Quote(id) + " is not a " + typ + " GID")
	}
	return nil
}

var decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// canonicalMoney keeps Shopify's decimal string exactly, only padding it to two decimals
// ("19.9" -> "19.90", "20" -> "20.00"); ok=false for anything that is not a decimal.
func canonicalMoney(v string) (string, bool) {
	if !decimalPattern.MatchString(v) {
		return "", false
	}
	whole, frac, _ := strings.Cut(v, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "." + frac, true
}

// money is canonicalMoney for a field of a record, refusing the page when it is not one.
func money(what, v string) (string, error) {
	m, ok := canonicalMoney(v)
	if !ok {
		return "", malformed(what + " is not a decimal amount")
	}
	return m, nil
}

// parseTime reads an RFC 3339 time; empty is zero.
func parseTime(what, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, malformed(what + " is not an RFC 3339 time")
	}
	return t.UTC(), nil
}

// lower canonicalizes Shopify enums so GraphQL (ACTIVE, PAID) and REST webhook bodies
// (active, paid) give the same field value.
func lower(v string) string { return strings.ToLower(v) }

// restFulfillmentStatus maps REST's order fulfillment_status to the GraphQL
// displayFulfillmentStatus vocabulary (lowercased): null is unfulfilled, partial is
// partially_fulfilled.
func restFulfillmentStatus(v *string) string {
	if v == nil || *v == "" {
		return "unfulfilled"
	}
	if *v == "partial" {
		return "partially_fulfilled"
	}
	return lower(*v)
}

// orderLine is one entry of an order's canonical lines field.
type orderLine struct {
	id        string
	SKU       string `json:"sku"`
	VariantID string `json:"variant_id"`
	Quantity  int64  `json:"quantity"`
	Price     string `json:"price"`
}

// linesJSON encodes lines sorted by line id (numerically, as GIDs of one type differ only
// in their number), so the same order always has the same fingerprint.
func linesJSON(lines []orderLine) string {
	sort.SliceStable(lines, func(i, j int) bool {
		a, _ := strconv.ParseInt(gidTail(lines[i].id), 10, 64)
		b, _ := strconv.ParseInt(gidTail(lines[j].id), 10, 64)
		if a != b {
			return a < b
		}
		return lines[i].id < lines[j].id
	})
	if lines == nil {
		lines = []orderLine{}
	}
	b, _ := json.Marshal(lines)
	return string(b)
}

// fulfillmentRecord is the canonical fulfillment of an order.
func fulfillmentRecord(id, orderID, status, number, company string, at time.Time) connector.SyncRecord {
	return connector.SyncRecord{
		Kind: connector.KindFulfillment, ExternalID: id, ParentID: orderID, UpdatedAt: at,
		Fields: map[string]string{"order_id": orderID, "status": lower(status),
			"tracking_number": number, "tracking_company": company},
	}
}

// stockID is the ExternalID of a stock record: the item and the location it sits at.
func stockID(itemID, locationID string) string { return itemID + "|" + locationID }

// stockRecord is the canonical stock of one item at one location.
func stockRecord(variantID, itemID, locationID string, available int64, at time.Time) connector.SyncRecord {
	return connector.SyncRecord{
		Kind: connector.KindStock, ExternalID: stockID(itemID, locationID), ParentID: variantID, UpdatedAt: at,
		Fields: map[string]string{"variant_id": variantID, "inventory_item_id": itemID,
			"location_id": locationID, "available": strconv.FormatInt(available, 10)},
	}
}
