package shopify

import (
	"context"
	"fmt"

	"github.com/concordhub/concord/connector"
)

type moneySet struct {
	ShopMoney *struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"shopMoney"`
}

type lineNode struct {
	ID                   string    `json:"id"`
	SKU                  *string   `json:"sku"`
	Quantity             int64     `json:"quantity"`
	Variant              *idRef    `json:"variant"` // null when the variant was deleted
	OriginalUnitPriceSet *moneySet `json:"originalUnitPriceSet"`
}

type fulfillmentNode struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	UpdatedAt    string `json:"updatedAt"`
	TrackingInfo []struct {
		Number  *string `json:"number"`
		Company *string `json:"company"`
	} `json:"trackingInfo"`
}

type orderNode struct {
	ID                       string             `json:"id"`
	Name                     string             `json:"name"`
	Email                    *string            `json:"email"`
	UpdatedAt                string             `json:"updatedAt"`
	CancelledAt              *string            `json:"cancelledAt"`
	DisplayFinancialStatus   *string            `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus string             `json:"displayFulfillmentStatus"`
	TotalPriceSet            *moneySet          `json:"totalPriceSet"`
	LineItems                *nested[lineNode]  `json:"lineItems"`
	Fulfillments             *[]fulfillmentNode `json:"fulfillments"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// orderRecords normalizes one order and its fulfillments.
func orderRecords(o orderNode) (connector.SyncRecord, []connector.SyncRecord, error) {
	var none connector.SyncRecord
	if err := needGID("order", o.ID, gidOrder); err != nil {
		return none, nil, err
	}
	if o.TotalPriceSet == nil || o.TotalPriceSet.ShopMoney == nil {
		return none, nil, malformed("order " + o.ID + " has no totalPriceSet.shopMoney")
	}
	total, err := money("order "+o.ID+" total", o.TotalPriceSet.ShopMoney.Amount)
	if err != nil {
		return none, nil, err
	}
	at, err := parseTime("order "+o.ID+" updatedAt", o.UpdatedAt)
	if err != nil {
		return none, nil, err
	}
	nodes, err := o.LineItems.all("order " + o.ID + " lineItems")
	if err != nil {
		return none, nil, err
	}
	lines := make([]orderLine, 0, len(nodes))
	for _, l := range nodes {
		if err := needGID("order "+o.ID+" line", l.ID, gidLineItem); err != nil {
			return none, nil, err
		}
		if l.OriginalUnitPriceSet == nil || l.OriginalUnitPriceSet.ShopMoney == nil {
			return none, nil, malformed("line " + l.ID + " has no originalUnitPriceSet.shopMoney")
		}
		price, err := money("line "+l.ID+" price", l.OriginalUnitPriceSet.ShopMoney.Amount)
		if err != nil {
			return none, nil, err
		}
		line := orderLine{id: l.ID, SKU: str(l.SKU), Quantity: l.Quantity, Price: price}
		if l.Variant != nil {
			line.VariantID = l.Variant.ID
		}
		lines = append(lines, line)
	}
	order := connector.SyncRecord{
		Kind: connector.KindOrder, ExternalID: o.ID, UpdatedAt: at,
		Fields: map[string]string{"number": o.Name, "email": str(o.Email),
			"financial_status": lower(str(o.DisplayFinancialStatus)), "fulfillment_status": lower(o.DisplayFulfillmentStatus),
			"cancelled": fmt.Sprint(o.CancelledAt != nil), "total": total,
			"currency": o.TotalPriceSet.ShopMoney.CurrencyCode, "lines": linesJSON(lines)},
	}
	if o.Fulfillments == nil {
		return none, nil, malformed("order " + o.ID + " has no fulfillments")
	}
	fs := make([]connector.SyncRecord, 0, len(*o.Fulfillments))
	for _, f := range *o.Fulfillments {
		if err := needGID("order "+o.ID+" fulfillment", f.ID, gidFulfillment); err != nil {
			return none, nil, err
		}
		fat, err := parseTime("fulfillment "+f.ID+" updatedAt", f.UpdatedAt)
		if err != nil {
			return none, nil, err
		}
		number, company := "", ""
		if len(f.TrackingInfo) > 0 {
			number, company = str(f.TrackingInfo[0].Number), str(f.TrackingInfo[0].Company)
		}
		fs = append(fs, fulfillmentRecord(f.ID, o.ID, f.Status, number, company, fat))
	}
	return order, fs, nil
}

// importOrders reads a page of orders changed since req.Since; for the fulfillment kind it
// returns the fulfillments of those orders (creating or updating a fulfillment updates
// its order, so the same filter finds them).
func (c *Connector) importOrders(ctx context.Context, s *connector.Session, req connector.ImportRequest) (connector.ImportPage, error) {
	op := "import " + req.Kind + "s"
	var out struct {
		Orders *gqlPage[orderNode] `json:"orders"`
	}
	if err := c.graphql(ctx, s, op, ordersQuery, pageVars(ordersQuery, req, true), &out); err != nil {
		return connector.ImportPage{}, err
	}
	orders, next, err := out.Orders.open("orders")
	if err != nil {
		return connector.ImportPage{}, fmt.Errorf("shopify: %s: %w", op, err)
	}
	page := connector.ImportPage{NextCursor: next}
	for i, o := range orders {
		if o.LineItems != nil && o.LineItems.PageInfo != nil && o.LineItems.PageInfo.HasNextPage {
			// More lines than the page asked for: read this order whole.
			full, err := c.fetchOrderNode(ctx, s, o.ID)
			if err != nil {
				return connector.ImportPage{}, fmt.Errorf("shopify: %s: order %s: %w", op, o.ID, err)
			}
			orders[i], o = full, full
		}
		order, fs, err := orderRecords(o)
		if err != nil {
			return connector.ImportPage{}, fmt.Errorf("shopify: %s: %w", op, err)
		}
		if req.Kind == connector.KindOrder {
			page.Records = append(page.Records, order)
		} else {
			page.Records = append(page.Records, fs...)
		}
	}
	return page, nil
}
