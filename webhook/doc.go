// Package webhook is the one generic intake for every service's webhooks and the engine that
// turns stored deliveries into domain changes.
//
// The intake finds the connection (cached), hands the raw body and headers to that
// connector's verifier, and stores the delivery; it answers 2xx only after the delivery is
// in a committed transaction. Concurrent deliveries are group-committed: while one batch
// commits, the next gathers, so a busy intake makes one commit for many deliveries and an
// idle one commits each at once. The intake never switches on a connector's name.
//
// Each stored event row is also its durable processing record (received -> processed or
// failed, with a lease and an attempt count). The processor claims rows, runs the
// connector's handler and marks the row processed in the same transaction as the domain
// change, so each event takes effect exactly once; a periodic River job sweeps for rows a
// dead process left claimed.
package webhook
