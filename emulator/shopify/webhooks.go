package shopifyemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/concordhub/concord/emulator/internal/delivery"
)

// Signature is X-Shopify-Hmac-Sha256 for body: base64(HMAC-SHA256(secret, body)).
func Signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Delivery is one webhook sent (or being sent) to one subscription.
type Delivery struct {
	WebhookID      string          `json:"webhook_id"` // X-Shopify-Webhook-Id, the same on every retry
	EventID        string          `json:"event_id"`   // X-Shopify-Event-Id, one per event
	Topic          string          `json:"topic"`      // e.g. products/update
	Shop           string          `json:"shop"`
	SubscriptionID string          `json:"subscription_id"`
	URL            string          `json:"url"`
	TriggeredAt    string          `json:"triggered_at"`
	Status         string          `json:"status"` // pending, succeeded, failed, dropped
	Attempts       int             `json:"attempts"`
	StatusCode     int             `json:"status_code,omitempty"`
	Error          string          `json:"error,omitempty"`
	Body           json.RawMessage `json:"body"`
}

// enumTopic maps a REST topic (products/update) to the GraphQL enum
// (PRODUCTS_UPDATE).
func enumTopic(topic string) string {
	return strings.ToUpper(strings.ReplaceAll(topic, "/", "_"))
}

// fire sends topic with payload to every subscription of s on that topic;
// e.mu must be held.
func (e *Emulator) fire(s *shop, topic string, payload any) {
	body, err := json.Marshal(payload)
	if err != nil {
		e.log.Error("shopify emulator webhook payload", "topic", topic, "error", err)
		return
	}
	eventID := newUUID()
	at := e.now().UTC().Format(time.RFC3339Nano)
	want := enumTopic(topic)
	for _, w := range s.webhooks.order {
		if w.Topic != want {
			continue
		}
		d := &Delivery{WebhookID: newUUID(), EventID: eventID, Topic: topic, Shop: s.Domain,
			SubscriptionID: gid("WebhookSubscription", w.ID), URL: w.CallbackURL, TriggeredAt: at,
			Status: "pending", Body: body}
		e.deliveries = append(e.deliveries, d)
		switch ok, closed := e.sender.Enqueue(e.deliveryJob(d, e.generation)); {
		case closed:
			d.Status, d.Error = "dropped", "emulator closed"
		case !ok:
			d.Status, d.Error = "dropped", "delivery queue full"
		}
	}
}

func newUUID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

const (
	senderWorkers = 4
	queueSize     = 4096
)

// deliveryJob is d as the shared sender sends it: signed as Shopify signs, recorded on d.
func (e *Emulator) deliveryJob(d *Delivery, generation int) delivery.Job {
	return delivery.Job{
		Stale: func() bool {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.generation != generation
		},
		Request: func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
			if err != nil {
				return nil, err
			}
			h := req.Header
			h.Set("Content-Type", "application/json")
			h.Set("User-Agent", "Shopify-Captain-Hook")
			h.Set("X-Shopify-Hmac-Sha256", Signature(e.clientSecret, d.Body))
			h.Set("X-Shopify-Topic", d.Topic)
			h.Set("X-Shopify-Shop-Domain", d.Shop)
			h.Set("X-Shopify-API-Version", APIVersion)
			h.Set("X-Shopify-Webhook-Id", d.WebhookID)
			h.Set("X-Shopify-Event-Id", d.EventID)
			h.Set("X-Shopify-Triggered-At", d.TriggeredAt)
			return req, nil
		},
		Record: func(a delivery.Attempt) {
			e.mu.Lock()
			d.Attempts, d.StatusCode, d.Error = a.N, a.Status, ""
			if a.Err != nil {
				d.Error = a.Err.Error()
			} else if !a.OK {
				d.Error = "endpoint answered " + strconv.Itoa(a.Status)
			}
			switch {
			case a.OK:
				d.Status = "succeeded"
			case a.Last:
				d.Status = "failed"
			}
			e.mu.Unlock()
			if !a.OK && !a.Last {
				e.log.Info("shopify emulator webhook attempt failed", "topic", d.Topic,
					"webhook_id", d.WebhookID, "attempt", a.N, "status", a.Status)
			}
		},
	}
}
