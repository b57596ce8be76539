// Package triage is guided triage of one connection, in the order the operator would work
// it by hand: confirm the entity's mode, check the connection's state, read the connector
// log and the Sync Dashboard, read the webhooks panel, run the connector's test call, run
// the workflow check, and name the fix.
//
// Every step reads evidence the rest of the hub already keeps (the connection's state and
// reason, the connector log, sync runs, the outbox, mappings, drifts, the webhooks panel);
// triage computes nothing of its own about health. Three steps call the service: the
// webhooks panel reads the subscription, the test goes through connections.Service.Test (so
// the state it records is the same one the API and the CLI show), and the workflow check runs
// the connector's small safe record. That check may write (a record put back as it was) only
// on a sandbox entity, or on a production one when the operator passed
// Options.AllowReversible; it is audited either way.
//
// Each step links its evidence (Step.Evidence): the failing log entries, open drift rows,
// stale mappings, failed sync runs, refused webhook deliveries and failed events, audit
// entries — at most a few of each, newest first — each with the API path and the dashboard
// page that show it. The fix step links the evidence of the failure it names.
//
// When several failures show at once, one is named by precedence: a credential in the wrong
// mode first (every other fix would move data to the wrong place), then a disconnected
// connection, an expired authorization, broken webhooks, stale external records, drift and,
// last, delay (which the other failures often cause).
package triage
