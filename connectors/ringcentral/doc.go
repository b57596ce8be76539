// Package ringcentral is concord's RingCentral connector. So far it holds the webhook
// verifier and the subscription handshake.
//
// RingCentral does not sign webhook bodies. When a subscription is created it sends a
// request carrying Validation-Token, which must be echoed back in the response header
// within 3 seconds; afterwards each delivery carries Verification-Token, the static secret
// given at subscription time, which is the only proof a delivery comes from RingCentral.
// A connection without that token stored is refused rather than trusted.
package ringcentral
