package shopify

import (
	"context"
	"fmt"

	"github.com/concordhub/concord/connector"
)

type idRef struct {
	ID string `json:"id"`
}

type variantNode struct {
	ID            string  `json:"id"`
	SKU           *string `json:"sku"`
	Title         string  `json:"title"`
	Price         string  `json:"price"`
	UpdatedAt     string  `json:"updatedAt"`
	InventoryItem *idRef  `json:"inventoryItem"`
	Product       *struct {
		ID     string `json:"id"`
		Title  string `json:"title"`
		Status string `json:"status"`
	} `json:"product"` // only in the single-variant query
}

type productNode struct {
	ID        string               `json:"id"`
	Title     string               `json:"title"`
	Status    string               `json:"status"`
	UpdatedAt string               `json:"updatedAt"`
	Variants  *nested[variantNode] `json:"variants"`
}

// variantRecord normalizes one variant of a product. Its title is the variant's own
// ("Red / L"); the product's rides along in product_title.
func variantRecord(v variantNode, productID, productTitle, status, currency string) (connector.SyncRecord, error) {
	if err := needGID("variant", v.ID, gidVariant); err != nil {
		return connector.SyncRecord{}, err
	}
	if v.InventoryItem == nil {
		return connector.SyncRecord{}, malformed("variant " + v.ID + " has no inventoryItem")
	}
	if err := needGID("variant "+v.ID+" inventory item", v.InventoryItem.ID, gidInventoryItem); err != nil {
		return connector.SyncRecord{}, err
	}
	price, err := money("variant "+v.ID+" price", v.Price)
	if err != nil {
		return connector.SyncRecord{}, err
	}
	at, err := parseTime("variant "+v.ID+" updatedAt", v.UpdatedAt)
	if err != nil {
		return connector.SyncRecord{}, err
	}
	sku := ""
	if v.SKU != nil {
		sku = *v.SKU
	}
	return connector.SyncRecord{
		Kind: connector.KindVariant, ExternalID: v.ID, ParentID: productID, UpdatedAt: at,
		Fields: map[string]string{"sku": sku, "title": v.Title, "product_id": productID, "product_title": productTitle,
			"price": price, "currency": currency, "inventory_item_id": v.InventoryItem.ID, "status": lower(status)},
	}, nil
}

func (c *Connector) importVariants(ctx context.Context, s *connector.Session, req connector.ImportRequest) (connector.ImportPage, error) {
	var out struct {
		Shop *struct {
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
		Products *gqlPage[productNode] `json:"products"`
	}
	if err := c.graphql(ctx, s, "import variants", productsQuery, pageVars(productsQuery, req, true), &out); err != nil {
		return connector.ImportPage{}, err
	}
	fail := func(err error) (connector.ImportPage, error) {
		return connector.ImportPage{}, fmt.Errorf("shopify: import variants: %w", err)
	}
	if out.Shop == nil || out.Shop.CurrencyCode == "" {
		return fail(malformed("shop has no currencyCode"))
	}
	products, next, err := out.Products.open("products")
	if err != nil {
		return fail(err)
	}
	page := connector.ImportPage{NextCursor: next}
	for _, p := range products {
		if err := needGID("product", p.ID, gidProduct); err != nil {
			return fail(err)
		}
		variants, err := p.Variants.all("product " + p.ID + " variants")
		if err != nil {
			return fail(err)
		}
		for _, v := range variants {
			r, err := variantRecord(v, p.ID, p.Title, p.Status, out.Shop.CurrencyCode)
			if err != nil {
				return fail(err)
			}
			page.Records = append(page.Records, r)
		}
	}
	return page, nil
}

type levelNode struct {
	ID         string `json:"id"`
	UpdatedAt  string `json:"updatedAt"`
	Location   *idRef `json:"location"`
	Quantities *[]struct {
		Name     string `json:"name"`
		Quantity int64  `json:"quantity"`
	} `json:"quantities"`
}

type inventoryItemNode struct {
	ID              string             `json:"id"`
	Variant         *idRef             `json:"variant"`
	InventoryLevels *nested[levelNode] `json:"inventoryLevels"`
	InventoryLevel  *levelNode         `json:"inventoryLevel"` // only in the single-stock query
}

// levelRecord normalizes one inventory level of item to a stock record.
func levelRecord(item inventoryItemNode, l levelNode) (connector.SyncRecord, error) {
	if l.Location == nil {
		return connector.SyncRecord{}, malformed("inventory level of " + item.ID + " has no location")
	}
	if err := needGID("inventory level location", l.Location.ID, gidLocation); err != nil {
		return connector.SyncRecord{}, err
	}
	if l.Quantities == nil {
		return connector.SyncRecord{}, malformed("inventory level of " + item.ID + " has no quantities")
	}
	found, available := false, int64(0)
	for _, q := range *l.Quantities {
		if q.Name == "available" {
			found, available = true, q.Quantity
		}
	}
	if !found {
		return connector.SyncRecord{}, malformed("inventory level of " + item.ID + " has no available quantity")
	}
	at, err := parseTime("inventory level updatedAt", l.UpdatedAt)
	if err != nil {
		return connector.SyncRecord{}, err
	}
	return stockRecord(item.Variant.ID, item.ID, l.Location.ID, available, at), nil
}

// checkItem refuses an inventory item without its own or its variant's id.
func checkItem(item inventoryItemNode) error {
	if err := needGID("inventory item", item.ID, gidInventoryItem); err != nil {
		return err
	}
	if item.Variant == nil {
		return malformed("inventory item " + item.ID + " has no variant")
	}
	return needGID("inventory item "+item.ID+" variant", item.Variant.ID, gidVariant)
}

// importStock reads every level of a page of inventory items. It ignores Since on purpose:
// an item's updatedAt does not move when a quantity changes, so an updated_at filter would
// lose stock changes; inventory_levels/update webhooks cover the time between full reads.
func (c *Connector) importStock(ctx context.Context, s *connector.Session, req connector.ImportRequest) (connector.ImportPage, error) {
	var out struct {
		InventoryItems *gqlPage[inventoryItemNode] `json:"inventoryItems"`
	}
	if err := c.graphql(ctx, s, "import stock", inventoryItemsQuery, pageVars(inventoryItemsQuery, req, false), &out); err != nil {
		return connector.ImportPage{}, err
	}
	fail := func(err error) (connector.ImportPage, error) {
		return connector.ImportPage{}, fmt.Errorf("shopify: import stock: %w", err)
	}
	items, next, err := out.InventoryItems.open("inventoryItems")
	if err != nil {
		return fail(err)
	}
	page := connector.ImportPage{NextCursor: next}
	for _, item := range items {
		if err := checkItem(item); err != nil {
			return fail(err)
		}
		levels, err := item.InventoryLevels.all("inventory item " + item.ID + " levels")
		if err != nil {
			return fail(err)
		}
		for _, l := range levels {
			r, err := levelRecord(item, l)
			if err != nil {
				return fail(err)
			}
			page.Records = append(page.Records, r)
		}
	}
	return page, nil
}
