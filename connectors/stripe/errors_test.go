package stripe

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		class      concord.ErrorClass
		code       string
		retryAfter time.Duration
		inMessage  string
	}{
		{
			name: "expired key", status: 401,
			body:  `{"error":{"code":"api_key_expired","message":"Expired API Key provided: sk_test_****1234","type":"invalid_request_error"}}`,
			class: concord.ClassAuthExpired, code: "api_key_expired", inMessage: "Expired API Key provided: sk_test_••••",
		},
		{
			name: "invalid key", status: 401,
			body:  `{"error":{"message":"Invalid API Key provided: sk_test_*********************1234","type":"invalid_request_error"}}`,
			class: concord.ClassRevoked, inMessage: "Invalid API Key provided: sk_test_••••1234",
		},
		{
			name: "restricted key without permission", status: 403,
			body:  `{"error":{"message":"The provided key 'rk_test_***********************abcd' does not have the required permissions for this endpoint on account 'acct_1Concord'.","type":"invalid_request_error"}}`,
			class: concord.ClassRevoked, inMessage: "does not have the required permissions",
		},
		{
			name: "card declined", status: 402,
			body:  `{"error":{"charge":"ch_1","code":"card_declined","decline_code":"insufficient_funds","doc_url":"https://stripe.com/docs/error-codes/card-declined","message":"Your card has insufficient funds.","type":"card_error"}}`,
			class: concord.ClassValidation, code: "card_declined", inMessage: "(decline_code: insufficient_funds)",
		},
		{
			name: "invalid request", status: 400,
			body:  `{"error":{"code":"parameter_missing","doc_url":"https://stripe.com/docs/error-codes/parameter-missing","message":"Missing required param: amount.","param":"amount","type":"invalid_request_error"}}`,
			class: concord.ClassValidation, code: "parameter_missing", inMessage: "(param: amount)",
		},
		{
			name: "missing resource", status: 404,
			body:  `{"error":{"code":"resource_missing","doc_url":"https://stripe.com/docs/error-codes/resource-missing","message":"No such payment_intent: 'pi_3Concord'","param":"intent","type":"invalid_request_error"}}`,
			class: concord.ClassNotFound, code: "resource_missing",
		},
		{
			name: "idempotency key reused with other parameters", status: 400,
			body:  `{"error":{"message":"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'job-1' if you meant to execute a different request.","type":"idempotency_error"}}`,
			class: concord.ClassConflict,
		},
		{
			name: "idempotency key in flight", status: 409,
			body:  `{"error":{"code":"idempotency_key_in_use","message":"There is currently another in-progress request using this Stripe API key and idempotency key 'job-1'. Please try again later.","type":"invalid_request_error"}}`,
			class: concord.ClassConflict, code: "idempotency_key_in_use",
		},
		{
			name: "rate limited without Retry-After", status: 429,
			body:  `{"error":{"code":"rate_limit","doc_url":"https://stripe.com/docs/error-codes/rate-limit","message":"Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.","type":"invalid_request_error"}}`,
			class: concord.ClassRateLimited, code: "rate_limit", retryAfter: time.Second,
		},
		{
			name: "rate limited with Retry-After", status: 429, header: map[string]string{"Retry-After": "3"},
			body:  `{"error":{"code":"rate_limit","message":"Request rate limit exceeded.","type":"invalid_request_error"}}`,
			class: concord.ClassRateLimited, code: "rate_limit", retryAfter: 3 * time.Second,
		},
		{
			name: "api error", status: 500,
			body:  `{"error":{"message":"An unknown error occurred","type":"api_error"}}`,
			class: concord.ClassUnavailable,
		},
		{
			name: "proxy html", status: 502, body: `<html><body>502 Bad Gateway</body></html>`,
			class: concord.ClassUnavailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				reply(w, tt.status, tt.body)
			})
			_, err := New().RetrievePaymentIntent(context.Background(), f.session(testKey), "pi_3Concord")
			var ee *connector.ExternalError
			if !errors.As(err, &ee) {
				t.Fatalf("err = %T %v, want *connector.ExternalError", err, err)
			}
			if ee.Class != tt.class || connector.ClassOf(err) != tt.class {
				t.Errorf("class = %q, want %q", ee.Class, tt.class)
			}
			if ee.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", ee.StatusCode, tt.status)
			}
			if ee.Code != tt.code {
				t.Errorf("code = %q, want %q", ee.Code, tt.code)
			}
			if ee.RetryAfter != tt.retryAfter {
				t.Errorf("retry after = %v, want %v", ee.RetryAfter, tt.retryAfter)
			}
			if !strings.Contains(ee.Message, tt.inMessage) {
				t.Errorf("message %q does not contain %q", ee.Message, tt.inMessage)
			}
			for _, leak := range []string{testKey, "****1234", "SECRETtail"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q carries %q", err.Error(), leak)
				}
			}
			if !strings.HasPrefix(err.Error(), "stripe: payment_intent.retrieve: ") {
				t.Errorf("error %q does not name the operation", err.Error())
			}
		})
	}
}

func TestErrorMappingNetwork(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, answer(200, intentJSON))
		s := f.session(testKey)
		f.srv.Close()
		_, err := New().RetrievePaymentIntent(context.Background(), s, "pi_3Concord")
		if got := connector.ClassOf(err); got != concord.ClassUnavailable {
			t.Fatalf("class = %q (%v), want unavailable", got, err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		t.Cleanup(func() { close(release) })
		s := f.session(testKey)
		s.HTTP.Timeout = 50 * time.Millisecond
		_, err := New().RetrievePaymentIntent(context.Background(), s, "pi_3Concord")
		if got := connector.ClassOf(err); got != concord.ClassTimeout {
			t.Fatalf("class = %q (%v), want timeout", got, err)
		}
	})
	t.Run("cancelled context is not an external failure", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, answer(200, intentJSON))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := New().RetrievePaymentIntent(ctx, f.session(testKey), "pi_3Concord")
		if !errors.Is(err, context.Canceled) || connector.ClassOf(err) != concord.ClassNone {
			t.Fatalf("err = %v (class %q), want context.Canceled with no class", err, connector.ClassOf(err))
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"2":                             2 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-1":                            0,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"junk":                          0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	in := "key " + testKey + " and whsec_abcdefghijklmnopqrstuvwxyz012345 and pk_live_short"
	got := redact(in)
	for _, leak := range []string{"SECRETtail", "abcdefghijkl", "pk_live_short"} {
		if strings.Contains(got, leak) {
			t.Errorf("redact(...) = %q still carries %q", got, leak)
		}
	}
	if !strings.Contains(got, "sk_test_••••1234") {
		t.Errorf("redact(...) = %q, want the masked key form", got)
	}
}

// roundTripFunc lets a test stand in for the shared outbound client's transport.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The shared outbound client classifies some failures itself (a Retry-After too long to
// wait in process); that classification must reach the caller intact.
func TestErrorFromOutboundClientKept(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, intentJSON))
	s := f.session(testKey)
	want := &connector.ExternalError{Class: concord.ClassRateLimited, StatusCode: 429, RetryAfter: time.Minute,
		Message: "service asked to retry in 1m0s; left to the job"}
	s.HTTP.Transport = roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, want })
	_, err := New().RetrievePaymentIntent(context.Background(), s, "pi_3Concord")
	var ee *connector.ExternalError
	if !errors.As(err, &ee) || ee != want {
		t.Fatalf("err = %v, want the outbound client's own *ExternalError", err)
	}
	if connector.RetryAfterOf(err) != time.Minute {
		t.Errorf("RetryAfterOf = %v", connector.RetryAfterOf(err))
	}
}
