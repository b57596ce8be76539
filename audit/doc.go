// Package audit builds concord's tamper-evident history.
//
// Every change (a connection created, a mapping edited, an API key denied) is appended as an
// [Entry]. Each entry carries the SHA-256 of its own contents and of the entry before it, so
// the entries form a hash chain: editing an entry breaks its own hash, and removing, inserting
// or reordering entries breaks the link to the next one. [Verify] (and the streaming
// [Verifier] behind `concord audit verify`) walks the chain and names every problem by seq.
//
// The package is pure: the store assigns the place in the history by calling [Chain] with the
// last stored entry inside its append transaction, and persists the result. The hash is
// computed over a canonical encoding that survives a database round trip: time is kept to
// the microsecond in UTC, and Before/After are hashed as canonical JSON, so a database that
// reformats or reorders a JSON column does not make an intact history look edited.
//
// A chain proves integrity against someone who edits rows, not against someone who rewrites
// the whole tail after the point they changed, and it cannot see the newest entries dropped.
// [Verifier.Head] gives the seq and hash to record elsewhere (a log line, a ticket, a backup)
// so a later verify can be checked against it.
//
// [Diff] prepares Before/After so an entry records what changed and never a secret in clear.
package audit
