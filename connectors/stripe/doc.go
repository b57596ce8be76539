// Package stripe is concord's Stripe connector: it proves a key (account identity and mode),
// checks credential shapes before anything is stored, creates and cancels PaymentIntents from
// durable jobs, and lists what the hub's sync and health checks read (payment methods,
// payouts, disputes, events, webhook endpoints).
//
// Every call goes through stripe-go's typed client, built per call from the Session so the
// key lives only as long as the call. The HTTP work itself is done by the hub's shared
// outbound client (Session.HTTP), which owns retries, rate limits and the connector log;
// stripe-go's own retries and logging are therefore switched off, so a request is never
// retried twice over nor logged unredacted.
//
// Stripe's failures are classified once, in errors.go, into concord's error classes; callers
// read the class with connector.ClassOf and never look at Stripe's codes themselves.
package stripe
