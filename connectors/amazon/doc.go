// Package amazon is concord's Amazon Selling Partner API connector. So far it holds the
// webhook verifier.
//
// SP-API has no HTTP webhooks: notifications go to SQS or EventBridge. concord receives them
// through an EventBridge API destination pointed at the hub, which adds a per-connection
// secret header (X-Concord-Webhook-Secret); that header, compared in constant time, is the
// only proof of origin, since Amazon does not sign the notification itself. The body is an
// EventBridge event whose detail is the SP-API notification, or (from an SQS relay) the bare
// notification; the two spell their keys differently (NotificationType vs notificationType),
// and both are read. The dedupe key is NotificationMetadata.NotificationId.
package amazon
