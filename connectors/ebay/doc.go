// Package ebay is concord's eBay connector. So far it holds the notification verifier and
// the endpoint challenge.
//
// eBay signs each notification with ECDSA: X-EBAY-SIGNATURE is base64 JSON naming the key
// id, the digest and a DER signature over the raw body. The public key is fetched from the
// Commerce Notification API by key id and cached for an hour per Connector value, so a
// burst of notifications costs one fetch. eBay expects 412 for a refused notification, so
// every refusal here carries that status. Before it sends anything, eBay proves the endpoint
// with GET ?challenge_code=..., answered by WebhookHandshake.
package ebay
