// Package stripeemu is a stateful, wire-compatible sandbox emulator of the
// part of Stripe's API that concord uses.
//
// An Emulator is an http.Handler: mount it on any server (httptest, the
// demo, `concord emulate stripe`) and point a Stripe client at it. It speaks
// Stripe's real wire format: form-encoded requests with bracket syntax,
// Bearer or Basic key auth, Stripe's error bodies, list envelopes and paging,
// Idempotency-Key replay, Request-Id and Stripe-Version headers, a per-key
// token-bucket rate limit, Events, and webhooks signed exactly as Stripe signs
// them. The official stripe-go client decodes every response.
//
// Every account has a sandbox key set (sk_test_/pk_test_) and a live key set
// (sk_live_/pk_live_) that reach two separate data sets, so a test can prove
// concord notices a live key in a sandbox entity.
//
// Outcomes follow Stripe's documented test payment methods (pm_card_visa,
// pm_card_chargeDeclined, pm_card_authenticationRequired, ...) and test card
// numbers (4242424242424242, 4000000000000002, ...).
//
// The control API under /_emulator/ (see CONTRACT.md) resets state, hands out
// credentials, injects faults, dumps state, and changes records "on Stripe's
// side" so that the events and webhooks the real service would send fire.
//
// All state lives in memory behind one mutex; the handler is safe for
// concurrent use. Webhooks go out from a background sender with a bounded
// queue and retries, so an API request never waits on a receiver.
package stripeemu
