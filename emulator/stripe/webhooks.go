package stripeemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
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

type job struct {
	d          *Delivery
	ev         *Event
	secret     string
	body       []byte
	generation int
}

// sender delivers webhooks in the background with retries and backoff.
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

// queueDelivery records and queues one delivery; e.mu must be held.
func (e *Emulator) queueDelivery(ep *WebhookEndpoint, ev *Event, body []byte) {
	d := &Delivery{ID: newID("whd_"), EndpointID: ep.ID, URL: ep.URL, EventID: ev.ID, EventType: ev.Type,
		Livemode: ev.Livemode, Status: "pending"}
	e.deliveries = append(e.deliveries, d)
	if e.sender.ctx.Err() != nil {
		d.Status, d.Error = "dropped", "emulator closed"
		return
	}
	select {
	case e.sender.queue <- job{d: d, ev: ev, secret: ep.secret, body: body, generation: e.generation}:
	default:
		d.Status, d.Error = "dropped", "delivery queue full"
		e.log.Warn("stripe emulator webhook queue full", "event_id", ev.ID, "endpoint_id", ep.ID)
	}
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

// deliver tries one delivery until a 2xx, the attempt limit, a reset of
// the emulator's state, or Close.
func (s *sender) deliver(j job) {
	wait := s.backoff
	for attempt := 1; attempt <= s.attempts; attempt++ {
		s.e.mu.Lock()
		stale := s.e.generation != j.generation
		s.e.mu.Unlock()
		if stale {
			return
		}
		code, err := s.post(j)
		ok := err == nil && code >= 200 && code < 300
		s.e.mu.Lock()
		j.d.Attempts, j.d.StatusCode, j.d.LastAttemptAt = attempt, code, s.e.now().Unix()
		j.d.Error = ""
		if err != nil {
			j.d.Error = err.Error()
		} else if !ok {
			j.d.Error = "endpoint answered " + strconv.Itoa(code)
		}
		switch {
		case ok:
			j.d.Status = "succeeded"
			if j.ev.PendingWebhooks > 0 {
				j.ev.PendingWebhooks--
			}
		case attempt == s.attempts:
			j.d.Status = "failed"
		}
		s.e.mu.Unlock()
		if ok {
			return
		}
		s.e.log.Info("stripe emulator webhook attempt failed", "event_id", j.ev.ID,
			"endpoint_id", j.d.EndpointID, "attempt", attempt, "status", code)
		if attempt == s.attempts {
			return
		}
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

func (s *sender) post(j job) (int, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, j.d.URL, bytes.NewReader(j.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("Accept", "*/*; q=0.5, application/xml")
	req.Header.Set("Stripe-Signature", SignatureHeader(j.secret, s.e.now().Unix(), j.body))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
