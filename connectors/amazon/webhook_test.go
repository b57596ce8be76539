package amazon

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
)

const secret = "amazonEventBridgeSecretForConcordTests00SECRET"

// orderChange is an ORDER_CHANGE notification (PascalCase keys) written to
// OrderChangeNotification.json; TestFixturesConformToSchemas checks it.
const orderChange = `{"NotificationVersion":"1.0","NotificationType":"ORDER_CHANGE","PayloadVersion":"1.0",` +
	`"EventTime":"2025-04-01T10:00:00.123Z","Payload":{"OrderChangeNotification":{"NotificationLevel":"OrderLevel",` +
	`"SellerId":"A3TH9S8BH6GOGM","AmazonOrderId":"113-1234567-1234567","OrderChangeType":"OrderStatusChange",` +
	`"OrderChangeTrigger":{"TimeOfOrderChange":"2025-04-01T09:59:58.000Z","ChangeReason":"Order shipped"},` +
	`"Summary":{"MarketplaceId":"ATVPDKIKX0DER","OrderStatus":"Shipped","PurchaseDate":"2025-03-30T12:00:00.000Z",` +
	`"DestinationPostalCode":"98101","FulfillmentType":"MFN","OrderType":"StandardOrder","NumberOfItemsShipped":2,` +
	`"NumberOfItemsUnshipped":0,"OrderItems":[{"OrderItemId":"OIID0001","SellerSKU":"SKU-RED-M",` +
	`"SupplySourceId":"c1a7c2a4-0000-4000-8000-000000000001","OrderItemStatus":"Shipped","Quantity":2,"QuantityShipped":2}]}}},` +
	`"NotificationMetadata":{"ApplicationId":"amzn1.sellerapps.app.concord-test","SubscriptionId":"sub-0001",` +
	`"PublishTime":"2025-04-01T10:00:01.000Z","NotificationId":"8e5f7f6a-1b2c-4d3e-9f00-aabbccddeeff"}}`

// feedFinished is a FEED_PROCESSING_FINISHED notification (camelCase keys), as an SQS relay
// forwards it bare; it conforms to FeedProcessingFinishedNotification.json.
const feedFinished = `{"notificationVersion":"2020-09-04","notificationType":"FEED_PROCESSING_FINISHED",` +
	`"payloadVersion":"2020-09-04","eventTime":"2025-04-02T08:00:00.000Z","payload":{"feedProcessingFinishedNotification":` +
	`{"sellerId":"A3TH9S8BH6GOGM","accountId":"amzn1.merchant.o.A3TH9S8BH6GOGM","feedId":"50001019999",` +
	`"feedType":"POST_PRODUCT_DATA","processingStatus":"DONE","resultFeedDocumentId":"amzn1.tortuga.3.test"}},` +
	`"notificationMetadata":{"applicationId":"amzn1.sellerapps.app.concord-test","subscriptionId":"sub-0002",` +
	`"publishTime":"2025-04-02T08:00:01.000Z","notificationId":"0f0e0d0c-0b0a-4909-8807-060504030201"}}`

// eventBridge wraps a notification as EventBridge delivers it to an API destination.
func eventBridge(detail string) string {
	return `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"ORDER_CHANGE",` +
		`"source":"aws.partner/sellingpartnerapi.amazon/amzn1.sellerapps.app.concord-test","account":"123456789012",` +
		`"time":"2025-04-01T10:00:01Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
}

func delivery(sent, body string) *connector.WebhookRequest {
	h := http.Header{}
	if sent != "" {
		h.Set(SecretHeader, sent)
	}
	return &connector.WebhookRequest{Method: http.MethodPost, Header: h, Body: []byte(body), ReceivedAt: time.Now()}
}

func session(s string) *connector.Session {
	return &connector.Session{ConnectionID: "conn_test", Credentials: map[string]string{FieldWebhookSecret: s}}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stored, sent, body, reason, id, typ string
		at                                        time.Time
	}{
		{"EventBridge ORDER_CHANGE", secret, secret, eventBridge(orderChange), "", "8e5f7f6a-1b2c-4d3e-9f00-aabbccddeeff", "ORDER_CHANGE",
			time.Date(2025, 4, 1, 10, 0, 0, 123e6, time.UTC)},
		{"bare ORDER_CHANGE", secret, secret, orderChange, "", "8e5f7f6a-1b2c-4d3e-9f00-aabbccddeeff", "ORDER_CHANGE",
			time.Date(2025, 4, 1, 10, 0, 0, 123e6, time.UTC)},
		{"bare camelCase FEED_PROCESSING_FINISHED", secret, secret, feedFinished, "", "0f0e0d0c-0b0a-4909-8807-060504030201", "FEED_PROCESSING_FINISHED",
			time.Date(2025, 4, 2, 8, 0, 0, 0, time.UTC)},
		{"EventBridge camelCase", secret, secret, eventBridge(feedFinished), "", "0f0e0d0c-0b0a-4909-8807-060504030201", "FEED_PROCESSING_FINISHED",
			time.Date(2025, 4, 2, 8, 0, 0, 0, time.UTC)},
		{"not configured", "", secret, orderChange, connector.ReasonNotConfigured, "", "", time.Time{}},
		{"missing header", secret, "", orderChange, connector.ReasonMissingSignature, "", "", time.Time{}},
		{"wrong secret", secret, "guess", orderChange, connector.ReasonBadSignature, "", "", time.Time{}},
		{"non-JSON", secret, secret, "SECRET text", connector.ReasonMalformed, "", "", time.Time{}},
		{"EventBridge without notification", secret, secret, eventBridge(`{"foo":1}`), connector.ReasonMalformed, "", "", time.Time{}},
		{"no notification id", secret, secret, strings.Replace(orderChange, "NotificationId", "Other", 1), connector.ReasonMalformed, "", "", time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := New().VerifyWebhook(context.Background(), session(c.stored), delivery(c.sent, c.body))
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ev.ProviderEventID != c.id || ev.Type != c.typ || !ev.OccurredAt.Equal(c.at) || string(ev.Payload) != c.body {
					t.Fatalf("event = %+v", ev)
				}
				return
			}
			var we *connector.WebhookError
			if !errors.As(err, &we) || we.Reason != c.reason || we.Status != http.StatusUnauthorized {
				t.Fatalf("err = %v, want 401 %s", err, c.reason)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "guess") {
				t.Fatalf("error %q quotes a secret or the body", err)
			}
		})
	}
}
