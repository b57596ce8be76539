// Package shippo is concord's Shippo connector. So far it holds the webhook verifier.
//
// Shippo secures webhooks by IP allowlist, by a secret token in the endpoint URL, or by an
// HMAC header (Shippo-Auth-Signature: t=<ts>,v1=<hex> over "<t>.<raw body>"). The HMAC
// format is not confirmed in Shippo's official text, so both are accepted: the HMAC when a
// webhook_secret is stored and the header is present, else the URL token. A connection
// with neither is refused.
//
// Shippo sends no event id. The dedupe key is the composite documented on EventID.
package shippo
