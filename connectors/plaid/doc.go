// Package plaid is concord's Plaid connector. So far it holds the webhook verifier.
//
// Plaid signs each webhook with a JWT in the Plaid-Verification header: ES256 over a claim
// set holding the issue time and the SHA-256 of the raw body. The verification key is a JWK
// fetched by key id from /webhook_verification_key/get with the connection's client id and
// secret, and cached per Connector value. The JWT handling is written here with the
// standard library on purpose: only ES256 is ever accepted, so the whole of a general JWT
// library's algorithm negotiation (and its "none"/HS256 confusions) is left out.
//
// Plaid sends no event id; the dedupe key is the composite
// webhook_type:webhook_code:item_id:sha256(body), as Plaid's docs suggest.
package plaid
