// Package shopify is the Shopify connector: the Admin GraphQL API (version 2025-01) over
// the shared outbound client, with cost-aware pacing; connect by OAuth or a custom-app token,
// with expiring offline tokens refreshed ahead of expiry; Test by the shop query (a
// development store is sandbox); import of locations, variants, stock per location, orders
// and fulfillments; export of stock and prices in batches; webhook verification
// (base64 HMAC of the raw body), records from webhook deliveries, and the webhook
// subscriptions the hub needs.
package shopify
