package stripeemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"

	"github.com/concordhub/concord/emulator/internal/delivery"
)

// SignatureHeader is the Stripe-Signature value for body sent at unix time
// t: `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
func SignatureHeader(secret string, t int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", t)
	mac.Write(body)
	return "t=" + strconv.FormatInt(t, 10) + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Delivery is one webhook sent (or being sent) to one endpoint.
type Delivery struct {
	ID            string `json:"id"`
	EndpointID    string `json:"endpoint_id"`
	URL           string `json:"url"`
	EventID       string `json:"event_id"`
	EventType     string `json:"event_type"`
	Livemode      bool   `json:"livemode"`
	Status        string `json:"status"` // pending, succeeded, failed, dropped
	Attempts      int    `json:"attempts"`
	StatusCode    int    `json:"status_code,omitempty"`
	Error         string `json:"error,omitempty"`
	LastAttemptAt int64  `json:"last_attempt_at,omitempty"`
}

// senderWorkers is how many deliveries go out at once; queueSize bounds
// the backlog, beyond which deliveries are dropped rather than block an API
// call.
const (
	senderWorkers = 4
	queueSize     = 1024
)

// queueDelivery records and queues one delivery; e.mu must be held.
func (e *Emulator) queueDelivery(ep *WebhookEndpoint, ev *Event, body []byte) {
	d := &Delivery{ID: newID("whd_"), EndpointID: ep.ID, URL: ep.URL, EventID: ev.ID, EventType: ev.Type,
		Livemode: ev.Livemode, Status: "pending"}
	e.deliveries = append(e.deliveries, d)
	switch ok, closed := e.sender.Enqueue(e.deliveryJob(d, ev, ep.secret, body, e.generation)); {
	case closed:
		d.Status, d.Error = "dropped", "emulator closed"
	case !ok:
		d.Status, d.Error = "dropped", "delivery queue full"
		e.log.Warn("stripe emulator webhook queue full", "event_id", ev.ID, "endpoint_id", ep.ID)
	}
}

// deliveryJob is one delivery as the shared sender sends it: signed as Stripe signs at
// each attempt, recorded on d.
func (e *Emulator) deliveryJob(d *Delivery, ev *Event, secret string, body []byte, generation int) delivery.Job {
	return delivery.Job{
		Stale: func() bool {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.generation != generation
		},
		Request: func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
			req.Header.Set("Cache-Control", "no-cache")
			req.Header.Set("Accept", "*/*; q=0.5, application/xml")
			req.Header.Set("Stripe-Signature", SignatureHeader(secret, e.now().Unix(), body))
			return req, nil
		},
		Record: func(a delivery.Attempt) {
			e.mu.Lock()
			d.Attempts, d.StatusCode, d.LastAttemptAt, d.Error = a.N, a.Status, e.now().Unix(), ""
			if a.Err != nil {
				d.Error = a.Err.Error()
			} else if !a.OK {
				d.Error = "endpoint answered " + strconv.Itoa(a.Status)
			}
			switch {
			case a.OK:
				d.Status = "succeeded"
				if ev.PendingWebhooks > 0 {
					ev.PendingWebhooks--
				}
			case a.Last:
				d.Status = "failed"
			}
			e.mu.Unlock()
			if !a.OK {
				e.log.Info("stripe emulator webhook attempt failed", "event_id", ev.ID,
					"endpoint_id", d.EndpointID, "attempt", a.N, "status", a.Status)
			}
		},
	}
}
