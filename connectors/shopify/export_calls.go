package shopify

import (
	"context"
	"errors"

	"github.com/concordhub/concord"

	"github.com/concordhub/concord/connector"
)

// exportStock sends the stock changes in calls of up to maxBatch quantities.
func (c *Connector) exportStock(ctx context.Context, s *connector.Session, stock []stockChange, errs map[int]error) error {
	for len(stock) > 0 {
		chunk := stock[:min(len(stock), maxBatch)]
		stock = stock[len(chunk):]
		got, err := sendAtomic(len(chunk), func(sub []int) (map[int]error, bool, error) {
			return c.setQuantities(ctx, s, chunk, sub)
		})
		if err != nil {
			return err
		}
		for k, e := range got {
			errs[chunk[k].i] = e
		}
	}
	return nil
}

// setQuantities is one inventorySetQuantities call for the chunk entries at positions sub.
func (c *Connector) setQuantities(ctx context.Context, s *connector.Session, chunk []stockChange, sub []int) (map[int]error, bool, error) {
	qs := make([]map[string]any, len(sub))
	for n, k := range sub {
		qs[n] = map[string]any{"inventoryItemId": chunk[k].item, "locationId": chunk[k].location, "quantity": chunk[k].qty}
	}
	input := map[string]any{"name": "available", "reason": "correction", "ignoreCompareQuantity": true, "quantities": qs}
	var out struct {
		InventorySetQuantities *struct {
			InventoryAdjustmentGroup *struct {
				ID string `json:"id"`
			} `json:"inventoryAdjustmentGroup"`
			UserErrors []userError `json:"userErrors"`
		} `json:"inventorySetQuantities"`
	}
	if err := c.graphql(ctx, s, "export stock", setQuantitiesMutation, map[string]any{"input": input}, &out); err != nil {
		return nil, false, err
	}
	p := out.InventorySetQuantities
	if p == nil {
		return nil, false, malformed("inventorySetQuantities is null")
	}
	errs := mapUserErrors(p.UserErrors, "quantities", sub)
	return errs, p.InventoryAdjustmentGroup != nil, nil
}

// mapUserErrors assigns each userError to the entry it names; one naming no entry is the
// whole call's and lands on every entry sent.
func mapUserErrors(ues []userError, list string, sub []int) map[int]error {
	errs := map[int]error{}
	for _, ue := range ues {
		if n := ue.position(list); n >= 0 && n < len(sub) {
			errs[sub[n]] = ue.err()
			continue
		}
		for _, k := range sub {
			if errs[k] == nil {
				errs[k] = ue.err()
			}
		}
	}
	return errs
}

// exportPrices finds each variant's product (cached, else one nodes query per 250
// variants) and sends one productVariantsBulkUpdate per product.
func (c *Connector) exportPrices(ctx context.Context, s *connector.Session, prices []priceChange, errs map[int]error) error {
	if len(prices) == 0 {
		return nil
	}
	if err := c.lookupProducts(ctx, s, prices); err != nil {
		return err
	}
	byProduct := map[string][]priceChange{}
	var order []string
	for _, pc := range prices {
		product, ok := c.products.get(s.ConnectionID, pc.variant)
		if !ok {
			errs[pc.i] = notFound("variant", pc.variant)
			continue
		}
		if byProduct[product] == nil {
			order = append(order, product)
		}
		byProduct[product] = append(byProduct[product], pc)
	}
	for _, product := range order {
		group := byProduct[product]
		for len(group) > 0 {
			chunk := group[:min(len(group), maxBatch)]
			group = group[len(chunk):]
			got, err := sendAtomic(len(chunk), func(sub []int) (map[int]error, bool, error) {
				return c.bulkUpdatePrices(ctx, s, product, chunk, sub)
			})
			if err != nil {
				return err
			}
			for k, e := range got {
				errs[chunk[k].i] = e
			}
		}
	}
	return nil
}

func (c *Connector) bulkUpdatePrices(ctx context.Context, s *connector.Session, product string, chunk []priceChange, sub []int) (map[int]error, bool, error) {
	vs := make([]map[string]any, len(sub))
	for n, k := range sub {
		vs[n] = map[string]any{"id": chunk[k].variant, "price": chunk[k].price}
	}
	var out struct {
		ProductVariantsBulkUpdate *struct {
			ProductVariants []idRef     `json:"productVariants"`
			UserErrors      []userError `json:"userErrors"`
		} `json:"productVariantsBulkUpdate"`
	}
	vars := map[string]any{"productId": product, "variants": vs}
	if err := c.graphql(ctx, s, "export prices", variantsBulkUpdateMutation, vars, &out); err != nil {
		return nil, false, err
	}
	p := out.ProductVariantsBulkUpdate
	if p == nil {
		return nil, false, malformed("productVariantsBulkUpdate is null")
	}
	return mapUserErrors(p.UserErrors, "variants", sub), len(p.ProductVariants) > 0, nil
}

// lookupProducts fills the product cache for the variants it does not hold yet. A null
// node (deleted variant) stays absent and its change is reported not_found.
func (c *Connector) lookupProducts(ctx context.Context, s *connector.Session, prices []priceChange) error {
	var ids []string
	seen := map[string]bool{}
	for _, pc := range prices {
		if _, ok := c.products.get(s.ConnectionID, pc.variant); !ok && !seen[pc.variant] {
			seen[pc.variant] = true
			ids = append(ids, pc.variant)
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), maxBatch)]
		ids = ids[len(chunk):]
		var out struct {
			Nodes []*struct {
				ID      string `json:"id"`
				Product *idRef `json:"product"`
			} `json:"nodes"`
		}
		err := c.graphql(ctx, s, "look up variant products", variantProductsQuery, map[string]any{"ids": chunk}, &out)
		if undefinedField(err) {
			// A server without nodes(ids:) (the sandbox emulator speaks only the wire
			// subset): one productVariant query per variant gives the same answer.
			if err := c.lookupProductsOneByOne(ctx, s, chunk); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		for _, n := range out.Nodes {
			if n != nil && n.Product != nil && isGID(n.ID, gidVariant) && isGID(n.Product.ID, gidProduct) {
				c.products.put(s.ConnectionID, n.ID, n.Product.ID)
			}
		}
	}
	return nil
}

// lookupProductsOneByOne is lookupProducts for a server without nodes(ids:).
func (c *Connector) lookupProductsOneByOne(ctx context.Context, s *connector.Session, ids []string) error {
	for _, id := range ids {
		r, err := c.fetchVariant(ctx, s, id)
		if connector.ClassOf(err) == concord.ClassNotFound {
			continue
		}
		if err != nil {
			return err
		}
		c.products.put(s.ConnectionID, id, r.ParentID)
	}
	return nil
}

// undefinedField reports a GraphQL validation error for a field the server does not have.
func undefinedField(err error) bool {
	var ee *connector.ExternalError
	return errors.As(err, &ee) && ee.Class == concord.ClassValidation && ee.Code == "undefinedField"
}
