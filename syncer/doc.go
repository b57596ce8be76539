// Package syncer is the sync engine: it moves records between the ERP and each connection's
// service in both directions and keeps the two in agreement.
//
// Inbound (import pages and webhook deliveries alike) every external record passes one
// pipeline, in the transaction that also advances the checkpoint: store the service's
// report, find or suggest its mapping, compare the mapped fields by fingerprint, and either
// apply the change (where the service is the source of truth), open a drift (where the ERP
// is, or a person must decide), or mark the mapping stale (deleted, or a SKU that no longer
// matches). Outbound, an ERP change is queued per record and field (the latest value wins)
// and sent in batches by a durable job, through guards (mapping active, mode, connection
// state) and the connection's rate limit.
package syncer
