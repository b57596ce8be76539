package stripeemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

// bundle is one emulator behind an httptest server with stripe-go clients.
type bundle struct {
	e     *Emulator
	srv   *httptest.Server
	creds Credentials
	sc    *stripe.Client // sandbox secret key
	live  *stripe.Client // live secret key
	api   stripe.Backend
}

func setup(t *testing.T, opts Options) *bundle {
	t.Helper()
	e := New(opts)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		e.Close()
		srv.Close()
	})
	b := &bundle{e: e, srv: srv, creds: e.Credentials()}
	b.api = stripe.GetBackendWithConfig(stripe.APIBackend, b.backendConfig(srv.Client()))
	b.sc = b.client(b.creds.SecretKey)
	b.live = b.client(b.creds.LiveSecretKey)
	return b
}

func (b *bundle) backendConfig(hc *http.Client) *stripe.BackendConfig {
	return &stripe.BackendConfig{
		URL:               stripe.String(b.srv.URL),
		HTTPClient:        hc,
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
}

// client is a stripe-go v82 client for key pointed at the emulator.
func (b *bundle) client(key string) *stripe.Client {
	return b.clientWith(key, b.srv.Client())
}

func (b *bundle) clientWith(key string, hc *http.Client) *stripe.Client {
	return stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(b.backendConfig(hc))))
}

// control calls the control API and decodes the JSON answer into out.
func (b *bundle) control(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// raw sends a request with a form body and returns the response and body.
func (b *bundle) raw(t *testing.T, method, path, key, form string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, b.srv.URL+path, bytes.NewBufferString(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// stripeErr asserts err is a *stripe.Error with the given status, type and code.
func stripeErr(t *testing.T, err error, status int, typ stripe.ErrorType, code stripe.ErrorCode) *stripe.Error {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("want *stripe.Error, got %T %v", err, err)
	}
	if se.HTTPStatusCode != status || se.Type != typ || se.Code != code {
		t.Fatalf("error = %d %s %s (%s), want %d %s %s", se.HTTPStatusCode, se.Type, se.Code, se.Msg, status, typ, code)
	}
	if se.RequestID == "" {
		t.Errorf("error has no request id")
	}
	return se
}

var ctx = context.Background()

// newPI creates a usd PaymentIntent or fails the test.
func newPI(t *testing.T, sc *stripe.Client, p *stripe.PaymentIntentCreateParams) *stripe.PaymentIntent {
	t.Helper()
	if p.Amount == nil {
		p.Amount = stripe.Int64(2000)
	}
	if p.Currency == nil {
		p.Currency = stripe.String("usd")
	}
	pi, err := sc.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		t.Fatalf("create payment intent: %v", err)
	}
	return pi
}

func decodeJSON(t *testing.T, body []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// listPage fetches one list page the way stripe-go's iterators do, so the
// envelope (has_more, url) can be checked.
func (b *bundle) listPage(t *testing.T, key, path, query string, out stripe.LastResponseSetter) {
	t.Helper()
	if err := b.api.CallRaw(http.MethodGet, path, key, []byte(query), &stripe.Params{Context: ctx}, out); err != nil {
		t.Fatalf("list %s?%s: %v", path, query, err)
	}
}
