// Package bench measures concord against the figures in BENCHMARKS.md. It holds the load
// generator (closed-loop and paced senders over loopback), the payloads it sends, the
// statistics it reports and the checks that follow a run. Every load is bounded in count
// and in time and goes to loopback only; wiring a server to measure is cmd/concord's job.
package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Delivery is one webhook request, signed before any timing starts so the sender's cost
// stays out of what is measured.
type Delivery struct {
	EventID   string
	Body      []byte
	Signature string // the Stripe-Signature header
}

// eventPad brings a Stripe event to about 1.5 KB, the size of a real payment_intent event.
var eventPad = bytes.Repeat([]byte("x"), 1100)

// StripeEvent is the body of a payment_intent.succeeded event with ids evt_<id> and
// pi_<id>, created at unix time created.
func StripeEvent(id string, created int64) []byte {
	b := make([]byte, 0, 1600)
	b = append(b, `{"id":"evt_`...)
	b = append(b, id...)
	b = append(b, `","object":"event","api_version":"2024-06-20","type":"payment_intent.succeeded","created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},`...)
	b = append(b, `"data":{"object":{"id":"pi_`...)
	b = append(b, id...)
	b = append(b, `","object":"payment_intent","status":"succeeded","amount":1000,"amount_received":1000,`...)
	b = append(b, `"currency":"usd","capture_method":"automatic","confirmation_method":"automatic",`...)
	b = append(b, `"payment_method_types":["card"],"created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"metadata":{"order_ref":"bench-`...)
	b = append(b, id...)
	b = append(b, `","pad":"`...)
	b = append(b, eventPad...)
	b = append(b, `"}}}}`...)
	return b
}

// StripeSignature is the Stripe-Signature header for body sent at unix time t: HMAC-SHA256
// over "<t>.<body>" under the endpoint's signing secret (the whole whsec_ string).
func StripeSignature(secret string, t int64, body []byte) string {
	ts := strconv.FormatInt(t, 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// StripeDeliveries builds n distinct events, ids prefix+"_"+sequence, signed with secret at
// now. Signing is spread over every core; it runs before a measurement, never during one.
func StripeDeliveries(secret, prefix string, n int, now time.Time) []Delivery {
	out := make([]Delivery, n)
	t := now.Unix()
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				id := prefix + "_" + strconv.Itoa(i)
				body := StripeEvent(id, t)
				out[i] = Delivery{EventID: "evt_" + id, Body: body, Signature: StripeSignature(secret, t, body)}
			}
		}()
	}
	wg.Wait()
	return out
}

// Forge returns ds with signatures made under the wrong secret: what an attacker who
// knows the format but not the secret sends.
func Forge(ds []Delivery) []Delivery {
	out := make([]Delivery, len(ds))
	t := time.Now().Unix()
	for i, d := range ds {
		out[i] = Delivery{EventID: d.EventID, Body: d.Body, Signature: StripeSignature("whsec_forged_by_someone_else_0000", t, d.Body)}
	}
	return out
}

// Reply is the answer to one delivery.
type Reply struct {
	Status int
	// Duplicate is the intake's "duplicate": true (the event was already stored).
	Duplicate bool
}

// OK reports a 2xx: the provider may forget the delivery.
func (r Reply) OK() bool { return r.Status >= 200 && r.Status < 300 }

var duplicateTrue = []byte(`"duplicate":true`)

// Send posts one delivery to url and reads the whole answer, so the connection is reused.
func Send(ctx context.Context, c *http.Client, url string, d Delivery) (Reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return Reply{}, err
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["Stripe-Signature"] = []string{d.Signature}
	resp, err := c.Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return Reply{Status: resp.StatusCode}, fmt.Errorf("read answer: %w", err)
	}
	return Reply{Status: resp.StatusCode, Duplicate: bytes.Contains(body, duplicateTrue)}, nil
}
