package shopify

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// RecordsFromWebhook turns a verified delivery (a REST-shaped body, whatever the
// subscription's API) into sync records with the same canonical fields the importer
// gives, so a webhook and the next poll fingerprint alike. What a body does not carry is
// left out of Fields rather than guessed (absent means unknown):
//   - products/create|update: one variant record per variant; no currency (the body has
//     none; the import fills it).
//   - products/delete: the body holds only the product id, so ONE variant record comes
//     back with ExternalID "", ParentID the product GID and Deleted set: it means "every
//     variant of this product is gone".
//   - inventory_levels/update: a stock record without variant_id (the body has none).
//   - orders/create|updated: the order, then its fulfillments when the body lists them.
//   - fulfillments/create|update: the fulfillment.
//   - app/uninstalled: no records; an *ExternalError of class revoked.
//
// Other topics give no records.
func (*Connector) RecordsFromWebhook(ev connector.WebhookEvent) ([]connector.SyncRecord, error) {
	var recs []connector.SyncRecord
	var err error
	switch ev.Type {
	case "products/create", "products/update":
		recs, err = productRecords(ev.Payload)
	case "products/delete":
		var p struct {
			ID      int64  `json:"id"`
			GraphQL string `json:"admin_graphql_api_id"`
		}
		if err = json.Unmarshal(ev.Payload, &p); err == nil && p.ID == 0 {
			err = malformed("products/delete body has no id")
		}
		recs = []connector.SyncRecord{{Kind: connector.KindVariant, ParentID: restGID(gidProduct, p.ID, p.GraphQL), Deleted: true,
			UpdatedAt: ev.OccurredAt, Fields: map[string]string{"product_id": restGID(gidProduct, p.ID, p.GraphQL)}}}
	case "inventory_levels/update":
		recs, err = levelRecords(ev.Payload)
	case "orders/create", "orders/updated":
		recs, err = restOrderRecords(ev.Payload)
	case "fulfillments/create", "fulfillments/update":
		var f restFulfillment
		if err = json.Unmarshal(ev.Payload, &f); err == nil {
			var r connector.SyncRecord
			r, err = f.record(0)
			recs = []connector.SyncRecord{r}
		}
	case "app/uninstalled":
		return nil, &connector.ExternalError{Class: concord.ClassRevoked, Code: "app_uninstalled",
			Message: "the app was uninstalled from the shop"}
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("shopify: webhook %s: %w", ev.Type, asMalformed(err))
	}
	return recs, nil
}

// asMalformed turns a JSON decoding error into the validation error of a malformed body.
func asMalformed(err error) error {
	if _, ok := err.(*connector.ExternalError); ok {
		return err
	}
	return malformed("the body does not have the expected shape: " + typeError(err))
}

// restGID is the admin_graphql_api_id when the body has it, else built from the numeric id.
func restGID(typ string, id int64, given string) string {
	if given != "" {
		return given
	}
	if id == 0 {
		return ""
	}
	return gid(typ, id)
}

type restVariant struct {
	ID              int64   `json:"id"`
	GraphQL         string  `json:"admin_graphql_api_id"`
	SKU             *string `json:"sku"`
	Title           string  `json:"title"`
	Price           string  `json:"price"`
	InventoryItemID int64   `json:"inventory_item_id"`
	UpdatedAt       string  `json:"updated_at"`
}

func productRecords(body []byte) ([]connector.SyncRecord, error) {
	var p struct {
		ID        int64         `json:"id"`
		GraphQL   string        `json:"admin_graphql_api_id"`
		Title     string        `json:"title"`
		Status    string        `json:"status"`
		UpdatedAt string        `json:"updated_at"`
		Variants  []restVariant `json:"variants"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	productID := restGID(gidProduct, p.ID, p.GraphQL)
	if err := needGID("product", productID, gidProduct); err != nil {
		return nil, err
	}
	recs := make([]connector.SyncRecord, 0, len(p.Variants))
	for _, v := range p.Variants {
		id := restGID(gidVariant, v.ID, v.GraphQL)
		if err := needGID("variant", id, gidVariant); err != nil {
			return nil, err
		}
		price, err := money("variant "+id+" price", v.Price)
		if err != nil {
			return nil, err
		}
		at, err := parseTime("variant "+id+" updated_at", v.UpdatedAt)
		if err != nil {
			return nil, err
		}
		f := map[string]string{"sku": str(v.SKU), "title": v.Title, "product_id": productID, "product_title": p.Title,
			"price": price, "status": lower(p.Status)}
		if v.InventoryItemID != 0 {
			f["inventory_item_id"] = gid(gidInventoryItem, v.InventoryItemID)
		}
		recs = append(recs, connector.SyncRecord{Kind: connector.KindVariant, ExternalID: id, ParentID: productID, UpdatedAt: at, Fields: f})
	}
	return recs, nil
}

func levelRecords(body []byte) ([]connector.SyncRecord, error) {
	var l struct {
		InventoryItemID int64  `json:"inventory_item_id"`
		LocationID      int64  `json:"location_id"`
		Available       *int64 `json:"available"`
		UpdatedAt       string `json:"updated_at"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, err
	}
	if l.InventoryItemID == 0 || l.LocationID == 0 || l.Available == nil {
		return nil, malformed("inventory_levels/update needs inventory_item_id, location_id and available")
	}
	at, err := parseTime("inventory level updated_at", l.UpdatedAt)
	if err != nil {
		return nil, err
	}
	r := stockRecord("", gid(gidInventoryItem, l.InventoryItemID), gid(gidLocation, l.LocationID), *l.Available, at)
	delete(r.Fields, "variant_id")
	return []connector.SyncRecord{r}, nil
}

type restFulfillment struct {
	ID              int64   `json:"id"`
	GraphQL         string  `json:"admin_graphql_api_id"`
	OrderID         int64   `json:"order_id"`
	Status          string  `json:"status"`
	TrackingNumber  *string `json:"tracking_number"`
	TrackingCompany *string `json:"tracking_company"`
	UpdatedAt       string  `json:"updated_at"`
}

// record normalizes f; orderID is used when f carries no order_id (inside an order body).
func (f restFulfillment) record(orderID int64) (connector.SyncRecord, error) {
	id := restGID(gidFulfillment, f.ID, f.GraphQL)
	if err := needGID("fulfillment", id, gidFulfillment); err != nil {
		return connector.SyncRecord{}, err
	}
	if f.OrderID != 0 {
		orderID = f.OrderID
	}
	if orderID == 0 {
		return connector.SyncRecord{}, malformed("fulfillment " + id + " has no order_id")
	}
	at, err := parseTime("fulfillment "+id+" updated_at", f.UpdatedAt)
	if err != nil {
		return connector.SyncRecord{}, err
	}
	return fulfillmentRecord(id, gid(gidOrder, orderID), f.Status, str(f.TrackingNumber), str(f.TrackingCompany), at), nil
}

func restOrderRecords(body []byte) ([]connector.SyncRecord, error) {
	var o struct {
		ID                int64   `json:"id"`
		GraphQL           string  `json:"admin_graphql_api_id"`
		Name              string  `json:"name"`
		Email             *string `json:"email"`
		FinancialStatus   *string `json:"financial_status"`
		FulfillmentStatus *string `json:"fulfillment_status"`
		CancelledAt       *string `json:"cancelled_at"`
		UpdatedAt         string  `json:"updated_at"`
		TotalPrice        string  `json:"total_price"`
		Currency          string  `json:"currency"`
		LineItems         []struct {
			ID        int64   `json:"id"`
			SKU       *string `json:"sku"`
			Quantity  int64   `json:"quantity"`
			Price     string  `json:"price"`
			VariantID *int64  `json:"variant_id"`
		} `json:"line_items"`
		Fulfillments []restFulfillment `json:"fulfillments"`
	}
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, err
	}
	id := restGID(gidOrder, o.ID, o.GraphQL)
	if err := needGID("order", id, gidOrder); err != nil {
		return nil, err
	}
	total, err := money("order "+id+" total_price", o.TotalPrice)
	if err != nil {
		return nil, err
	}
	at, err := parseTime("order "+id+" updated_at", o.UpdatedAt)
	if err != nil {
		return nil, err
	}
	lines := make([]orderLine, 0, len(o.LineItems))
	for _, l := range o.LineItems {
		price, err := money("line "+strconv.FormatInt(l.ID, 10)+" price", l.Price)
		if err != nil {
			return nil, err
		}
		line := orderLine{id: gid(gidLineItem, l.ID), SKU: str(l.SKU), Quantity: l.Quantity, Price: price}
		if l.VariantID != nil && *l.VariantID != 0 {
			line.VariantID = gid(gidVariant, *l.VariantID)
		}
		lines = append(lines, line)
	}
	recs := []connector.SyncRecord{{Kind: connector.KindOrder, ExternalID: id, UpdatedAt: at,
		Fields: map[string]string{"number": o.Name, "email": str(o.Email), "financial_status": lower(str(o.FinancialStatus)),
			"fulfillment_status": restFulfillmentStatus(o.FulfillmentStatus), "cancelled": fmt.Sprint(o.CancelledAt != nil),
			"total": total, "currency": o.Currency, "lines": linesJSON(lines)}}}
	for _, f := range o.Fulfillments {
		r, err := f.record(o.ID)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}
