package shopify

import (
	"context"
	"fmt"
	"time"

	"github.com/concordhub/concord/connector"
)

// Paging bounds: Shopify allows first ≤ 250, and a page's requested cost should leave
// half of the standard 2000-point bucket for everything else the connection does.
const (
	maxPageSize    = 250
	pageCostBudget = 1000
)

// SyncKinds is the import order: locations and variants before the stock that refers to
// them, orders before their fulfillments.
func (*Connector) SyncKinds() []string {
	return []string{connector.KindLocation, connector.KindVariant, connector.KindStock,
		connector.KindOrder, connector.KindFulfillment}
}

// ImportPage reads one page of kind. Variants come from the products query (a page of
// products, all their variants), stock from inventoryItems (every level of a page of
// items), fulfillments from the orders query. A page that is not what the wire subset
// says is refused whole as validation; nothing partial is returned.
func (c *Connector) ImportPage(ctx context.Context, s *connector.Session, req connector.ImportRequest) (connector.ImportPage, error) {
	switch req.Kind {
	case connector.KindLocation:
		return c.importLocations(ctx, s, req)
	case connector.KindVariant:
		return c.importVariants(ctx, s, req)
	case connector.KindStock:
		return c.importStock(ctx, s, req)
	case connector.KindOrder, connector.KindFulfillment:
		return c.importOrders(ctx, s, req)
	}
	return connector.ImportPage{}, invalid("shopify cannot import kind %q", req.Kind)
}

// pageVars are the paging variables of doc: first fitted to the request and the cost
// budget, the cursor passed through, and the updated_at filter when since is set.
func pageVars(doc string, req connector.ImportRequest, since bool) map[string]any {
	vars := map[string]any{"first": pageSize(doc, req.PageSize)}
	if req.Cursor != "" {
		vars["after"] = req.Cursor
	}
	if since && !req.Since.IsZero() {
		// Truncated down to the second: a record at 12:00:00.7 is still after 12:00:00.
		vars["query"] = "updated_at:>'" + req.Since.UTC().Truncate(time.Second).Format(time.RFC3339) + "'"
	}
	return vars
}

// pageSize is the requested size (250 when unset), capped at 250 and at what the cost
// budget allows for doc's nodes (a product carries up to 100 variants).
func pageSize(doc string, requested int) int {
	n := requested
	if n <= 0 || n > maxPageSize {
		n = maxPageSize
	}
	perNode := estimateCost(doc, map[string]any{"first": 2}) - estimateCost(doc, map[string]any{"first": 1})
	if perNode > 0 {
		n = min(n, max(1, int((pageCostBudget-2)/perNode)))
	}
	return n
}

// gqlPage is a top-level connection; both members are pointers so an answer missing one
// is told apart from an empty page.
type gqlPage[T any] struct {
	PageInfo *struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
	Nodes *[]T `json:"nodes"`
}

// open returns the nodes and the next cursor ("" on the last page).
func (p *gqlPage[T]) open(what string) ([]T, string, error) {
	if p == nil {
		return nil, "", malformed(what + " is missing")
	}
	if p.PageInfo == nil {
		return nil, "", malformed(what + " has no pageInfo")
	}
	if p.Nodes == nil {
		return nil, "", malformed(what + " has no nodes")
	}
	next := ""
	if p.PageInfo.HasNextPage {
		if p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor == "" {
			return nil, "", malformed(what + " says hasNextPage but gives no endCursor")
		}
		next = *p.PageInfo.EndCursor
	}
	return *p.Nodes, next, nil
}

// nested is a connection inside a node, read whole: more than one page of it (a product
// with over 100 variants) is refused rather than cut short.
type nested[T any] struct {
	PageInfo *struct {
		HasNextPage bool `json:"hasNextPage"`
	} `json:"pageInfo"`
	Nodes *[]T `json:"nodes"`
}

func (n *nested[T]) all(what string) ([]T, error) {
	if n == nil || n.Nodes == nil {
		return nil, malformed(what + " has no nodes")
	}
	if n.PageInfo != nil && n.PageInfo.HasNextPage {
		return nil, malformed(what + " has more entries than one page holds; concord reads at most one page of them")
	}
	return *n.Nodes, nil
}

type locationNode struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	IsActive *bool  `json:"isActive"`
}

func (c *Connector) importLocations(ctx context.Context, s *connector.Session, req connector.ImportRequest) (connector.ImportPage, error) {
	var out struct {
		Locations *gqlPage[locationNode] `json:"locations"`
	}
	if err := c.graphql(ctx, s, "import locations", locationsQuery, pageVars(locationsQuery, req, false), &out); err != nil {
		return connector.ImportPage{}, err
	}
	nodes, next, err := out.Locations.open("locations")
	if err != nil {
		return connector.ImportPage{}, fmt.Errorf("shopify: import locations: %w", err)
	}
	page := connector.ImportPage{NextCursor: next, Records: make([]connector.SyncRecord, 0, len(nodes))}
	for _, n := range nodes {
		if err := needGID("location", n.ID, gidLocation); err != nil {
			return connector.ImportPage{}, fmt.Errorf("shopify: import locations: %w", err)
		}
		if n.IsActive == nil {
			return connector.ImportPage{}, fmt.Errorf("shopify: import locations: %w", malformed("location "+n.ID+" has no isActive"))
		}
		page.Records = append(page.Records, connector.SyncRecord{Kind: connector.KindLocation, ExternalID: n.ID,
			Fields: map[string]string{"name": n.Name, "active": fmt.Sprint(*n.IsActive)}})
	}
	return page, nil
}
