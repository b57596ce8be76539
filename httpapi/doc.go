// Package httpapi is concord's JSON API under /v1, the webhook intake's home and the service
// endpoints (/healthz, /readyz, /metrics). Routes live in one table (routes.go) from which
// the mux is built and the OpenAPI document at /v1/openapi.json is generated; a test keeps
// the two and the handlers' real answers in agreement.
//
// Errors are {"error":{"code","message"}} with the status chosen in one place (errors.go).
// Every write accepts Idempotency-Key. Tokens carry a role and an entity scope; a resource
// outside the token's scope answers 404, so a token cannot even learn that it exists.
package httpapi
