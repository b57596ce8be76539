// Package shopify is concord's Shopify Admin API connector. So far it holds the webhook
// verifier: Shopify signs each delivery's raw body with the app's client secret
// (X-Shopify-Hmac-Sha256, base64 HMAC-SHA256) and sends the topic, shop, API version and
// ids in headers that are not themselves signed. The dedupe key is X-Shopify-Event-Id.
//
// Shopify puts no timestamp under the signature, so a captured delivery can be replayed;
// the intake's dedupe on the event id is what stops a replay from being processed twice,
// and X-Shopify-Triggered-At (read into WebhookEvent.OccurredAt) lets it spot payloads
// older than Connector.StaleAfter.
package shopify
