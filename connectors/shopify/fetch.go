package shopify

import (
	"context"
	"fmt"
	"strings"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// countQueries are the count documents per kind. Stock (item × location) and
// fulfillments have no count in the Admin API.
var countQueries = map[string]struct{ doc, field string }{
	connector.KindLocation: {locationsCountQuery, "locationsCount"},
	connector.KindVariant:  {variantsCountQuery, "productVariantsCount"},
	connector.KindOrder:    {ordersCountQuery, "ordersCount"},
}

// CountRecords reports how many records of kind the shop holds, for the lost-data check.
// A count Shopify gives only as a lower bound (precision AT_LEAST) is refused: comparing
// against it would report losses that are not there.
func (c *Connector) CountRecords(ctx context.Context, s *connector.Session, kind string) (int, error) {
	q, ok := countQueries[kind]
	if !ok {
		return 0, &connector.ExternalError{Class: concord.ClassValidation, Code: "not_countable",
			Message: fmt.Sprintf("Shopify has no count of %s records", kind)}
	}
	var out map[string]*struct {
		Count     *int   `json:"count"`
		Precision string `json:"precision"`
	}
	op := "count " + kind + "s"
	if err := c.graphql(ctx, s, op, q.doc, nil, &out); err != nil {
		return 0, err
	}
	n := out[q.field]
	if n == nil || n.Count == nil {
		return 0, fmt.Errorf("shopify: %s: %w", op, malformed(q.field+" has no count"))
	}
	if n.Precision != "" && n.Precision != "EXACT" {
		return 0, &connector.ExternalError{Class: concord.ClassValidation, Code: "count_not_exact",
			Message: fmt.Sprintf("Shopify counts %s only as at least %d", kind, *n.Count)}
	}
	return *n.Count, nil
}

// FetchRecord reads one variant, order or stock record (stock id: "item GID|location GID").
// A record Shopify answers null for is not_found: the mapping is stale.
func (c *Connector) FetchRecord(ctx context.Context, s *connector.Session, kind, externalID string) (connector.SyncRecord, error) {
	switch kind {
	case connector.KindVariant:
		return c.fetchVariant(ctx, s, externalID)
	case connector.KindOrder:
		return c.fetchOrder(ctx, s, externalID)
	case connector.KindStock:
		return c.fetchStock(ctx, s, externalID)
	}
	return connector.SyncRecord{}, invalid("shopify cannot fetch kind %q", kind)
}

func notFound(kind, id string) error {
	return &connector.ExternalError{Class: concord.ClassNotFound, StatusCode: 200,
		Message: fmt.Sprintf("Shopify has no %s %s", kind, id)}
}

func (c *Connector) fetchVariant(ctx context.Context, s *connector.Session, id string) (connector.SyncRecord, error) {
	if !isGID(id, gidVariant) {
		return connector.SyncRecord{}, invalid("a variant id must be a ProductVariant GID")
	}
	var out struct {
		Shop *struct {
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
		ProductVariant *variantNode `json:"productVariant"`
	}
	if err := c.graphql(ctx, s, "fetch variant", variantQuery, map[string]any{"id": id}, &out); err != nil {
		return connector.SyncRecord{}, err
	}
	v := out.ProductVariant
	if v == nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch variant: %w", notFound("variant", id))
	}
	if v.Product == nil || out.Shop == nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch variant: %w", malformed("variant "+id+" has no product or shop currency"))
	}
	if err := needGID("variant product", v.Product.ID, gidProduct); err != nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch variant: %w", err)
	}
	r, err := variantRecord(*v, v.Product.ID, v.Product.Title, v.Product.Status, out.Shop.CurrencyCode)
	if err != nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch variant: %w", err)
	}
	return r, nil
}

func (c *Connector) fetchOrder(ctx context.Context, s *connector.Session, id string) (connector.SyncRecord, error) {
	if !isGID(id, gidOrder) {
		return connector.SyncRecord{}, invalid("an order id must be an Order GID")
	}
	o, err := c.fetchOrderNode(ctx, s, id)
	if err != nil {
		return connector.SyncRecord{}, err
	}
	r, _, err := orderRecords(o)
	if err != nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch order: %w", err)
	}
	return r, nil
}

func (c *Connector) fetchStock(ctx context.Context, s *connector.Session, id string) (connector.SyncRecord, error) {
	item, loc, ok := strings.Cut(id, "|")
	if !ok || !isGID(item, gidInventoryItem) || !isGID(loc, gidLocation) {
		return connector.SyncRecord{}, invalid("a stock id must be \"<InventoryItem GID>|<Location GID>\"")
	}
	var out struct {
		InventoryItem *inventoryItemNode `json:"inventoryItem"`
	}
	err := c.graphql(ctx, s, "fetch stock", stockQuery, map[string]any{"id": item, "locationId": loc}, &out)
	if undefinedField(err) {
		err = c.graphql(ctx, s, "fetch stock", stockLevelsQuery, map[string]any{"id": item}, &out)
		if err == nil && out.InventoryItem != nil {
			err = pickLevel(out.InventoryItem, loc)
		}
	}
	if err != nil {
		return connector.SyncRecord{}, err
	}
	it := out.InventoryItem
	if it == nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch stock: %w", notFound("inventory item", item))
	}
	if it.InventoryLevel == nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch stock: %w", notFound("stock at location", id))
	}
	if err := checkItem(*it); err != nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch stock: %w", err)
	}
	r, err := levelRecord(*it, *it.InventoryLevel)
	if err != nil {
		return connector.SyncRecord{}, fmt.Errorf("shopify: fetch stock: %w", err)
	}
	return r, nil
}

// pickLevel sets item.InventoryLevel to its level at location, from the levels list.
func pickLevel(item *inventoryItemNode, location string) error {
	levels, err := item.InventoryLevels.all("inventory item " + item.ID + " levels")
	if err != nil {
		return fmt.Errorf("shopify: fetch stock: %w", err)
	}
	for i := range levels {
		if levels[i].Location != nil && levels[i].Location.ID == location {
			item.InventoryLevel = &levels[i]
		}
	}
	return nil
}

// fetchOrderNode reads one order with up to 100 lines.
func (c *Connector) fetchOrderNode(ctx context.Context, s *connector.Session, id string) (orderNode, error) {
	var out struct {
		Order *orderNode `json:"order"`
	}
	if err := c.graphql(ctx, s, "fetch order", orderQuery, map[string]any{"id": id}, &out); err != nil {
		return orderNode{}, err
	}
	if out.Order == nil {
		return orderNode{}, fmt.Errorf("shopify: fetch order: %w", notFound("order", id))
	}
	return *out.Order, nil
}
