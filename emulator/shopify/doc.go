// Package shopifyemu is a stateful, in-memory Shopify Admin API (version
// 2025-01) for sandbox connections: the GraphQL subset the concord Shopify
// connector speaks, the REST shop.json call, OAuth with expiring offline
// tokens, signed webhooks and the /_emulator/ control API of CONTRACT.md.
//
// One emulator serves one or more shops; a request picks its shop by its
// X-Shopify-Access-Token, so no Host routing is needed.
//
// GraphQL documents are parsed with gqlparser and executed by walking the
// selection set over a small hand-written schema table (schema_*.go) that
// names exactly the types and fields of the wire subset; any other field is
// answered as Shopify answers an unknown field (extensions.code
// "undefinedField") and the whole document is refused without data.
//
// Query cost, the emulator's rule (Shopify's published rule, simplified):
// a scalar or enum field costs 0, an object field 1 plus its selection, a
// connection 2 + first × (1 + the cost of one node's selection), a list
// field that takes first (Order.fulfillments) first × (1 + selection), and
// every mutation field 10. The requested cost is taken from the shop's
// leaky bucket (MaxAvailable, restoring RestoreRate points a second, real
// time) before execution and the difference to the actual cost (objects
// really returned) is refunded after it. A request costing more than the
// bucket holds is answered THROTTLED; one costing more than 1,000 (Shopify's
// single-query limit) is answered MAX_COST_EXCEEDED.
//
// Timestamps are stored at full precision and rendered in seconds
// (RFC 3339, UTC) as Shopify renders them; `updated_at:>` filters compare
// at full precision, so a client that filters on the last rendered value
// sees a record again rather than losing one.
package shopifyemu
