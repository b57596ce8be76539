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
	"sync"
	"time"
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
		if e.sender.ctx.Err() != nil {
			d.Status, d.Error = "dropped", "emulator closed"
			continue
		}
		select {
		case e.sender.queue <- job{d: d, generation: e.generation}:
		default:
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

type job struct {
	d          *Delivery
	generation int
}

// sender delivers webhooks in the background, retrying with backoff.
type sender struct {
	e        *Emulator
	client   *http.Client
	attempts int
	backoff  time.Duration
	queue    chan job
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	once     sync.Once
}

func newSender(e *Emulator, client *http.Client, attempts int, backoff time.Duration) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sender{e: e, client: client, attempts: attempts, backoff: backoff,
		queue: make(chan job, queueSize), ctx: ctx, cancel: cancel}
	for range senderWorkers {
		s.wg.Add(1)
		go s.work()
	}
	return s
}

func (s *sender) close() {
	s.once.Do(func() {
		s.cancel()
		s.wg.Wait()
	})
}

func (s *sender) work() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case j := <-s.queue:
			s.deliver(j)
		}
	}
}

// deliver tries one delivery until a 2xx, the attempt limit, a reset or Close.
func (s *sender) deliver(j job) {
	wait := s.backoff
	for attempt := 1; attempt <= s.attempts; attempt++ {
		s.e.mu.Lock()
		stale := s.e.generation != j.generation
		s.e.mu.Unlock()
		if stale {
			return
		}
		code, err := s.post(j.d)
		ok := err == nil && code >= 200 && code < 300
		s.e.mu.Lock()
		j.d.Attempts, j.d.StatusCode, j.d.Error = attempt, code, ""
		if err != nil {
			j.d.Error = err.Error()
		} else if !ok {
			j.d.Error = "endpoint answered " + strconv.Itoa(code)
		}
		switch {
		case ok:
			j.d.Status = "succeeded"
		case attempt == s.attempts:
			j.d.Status = "failed"
		}
		s.e.mu.Unlock()
		if ok || attempt == s.attempts {
			return
		}
		s.e.log.Info("shopify emulator webhook attempt failed", "topic", j.d.Topic,
			"webhook_id", j.d.WebhookID, "attempt", attempt, "status", code)
		t := time.NewTimer(wait)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait *= 2
	}
}

func (s *sender) post(d *Delivery) (int, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Shopify-Captain-Hook")
	h.Set("X-Shopify-Hmac-Sha256", Signature(s.e.clientSecret, d.Body))
	h.Set("X-Shopify-Topic", d.Topic)
	h.Set("X-Shopify-Shop-Domain", d.Shop)
	h.Set("X-Shopify-API-Version", APIVersion)
	h.Set("X-Shopify-Webhook-Id", d.WebhookID)
	h.Set("X-Shopify-Event-Id", d.EventID)
	h.Set("X-Shopify-Triggered-At", d.TriggeredAt)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}
