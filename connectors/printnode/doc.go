// Package printnode is concord's PrintNode connector. So far it holds the webhook verifier.
//
// PrintNode's webhook signing scheme is not confirmed in its documentation, so a delivery is
// trusted only by a secret token in the endpoint URL and is never taken as data: it is a
// hint that something changed (a print job's state, a computer going offline), and the hub
// answers it by polling PrintNode's API. WebhookEvent.Hint is always true here.
package printnode
