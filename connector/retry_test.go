package connector

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordhub/concord"
)

func TestGetRetriedOn503(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, status(503, "down"), status(200, "up"))
	resp, body, err := get(t, b.sandbox(), srv.URL+"/v1/balance")
	if err != nil || resp.StatusCode != 200 || body != "up" || hits.Load() != 2 {
		t.Fatalf("err %v status %v body %q hits %d", err, resp, body, hits.Load())
	}
	e := b.sink.all()
	if len(e) != 2 || e[0].Outcome != "error" || e[0].Status != 503 || e[0].ErrorClass != concord.ClassUnavailable ||
		e[1].Outcome != "ok" || e[1].Status != 200 {
		t.Fatalf("entries = %+v", e)
	}
}

func TestPostRetriedOnlyWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var mu sync.Mutex
	var bodies []string
	srv, hits := server(t, func(w http.ResponseWriter, r *http.Request) {
		p, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(p)+"|"+r.Header.Get("Idempotency-Key"))
		n := len(bodies)
		mu.Unlock()
		if n%2 == 1 {
			w.WriteHeader(503)
		}
	})
	post := func(key string) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/refunds", strings.NewReader("charge=ch_1&amount=500"))
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := b.sandbox().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(""); resp.StatusCode != 503 || hits.Load() != 1 {
		t.Fatalf("POST without key: status %d after %d attempts; want 503 after 1", resp.StatusCode, hits.Load())
	}
	hits.Store(0)
	mu.Lock()
	bodies = nil
	mu.Unlock()
	if resp := post("job_7_refund"); resp.StatusCode != 200 || hits.Load() != 2 {
		t.Fatalf("POST with key: status %d after %d attempts", resp.StatusCode, hits.Load())
	}
	if want := "charge=ch_1&amount=500|job_7_refund"; bodies[0] != want || bodies[1] != want {
		t.Fatalf("bodies = %q; want the same body and key twice", bodies)
	}
}

func TestBodyWithoutGetBodyNotRetried(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, status(503, ""), status(200, ""))
	req, _ := http.NewRequest("PUT", srv.URL+"/x", io.NopCloser(bytes.NewBufferString("{}")))
	req.Header.Set("Idempotency-Key", "k")
	resp, err := b.sandbox().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || hits.Load() != 1 {
		t.Fatalf("status %d hits %d: a body that cannot be rewound must not be retried", resp.StatusCode, hits.Load())
	}
}

func TestNeverRetriedStatuses(t *testing.T) {
	t.Parallel()
	for _, code := range []int{400, 401, 403, 404, 422} {
		b := setup(t)
		// Stripe-Should-Retry: true does not override: the same request gets the same answer.
		srv, hits := server(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Stripe-Should-Retry", "true")
			w.WriteHeader(code)
		})
		resp, _, err := get(t, b.sandbox(), srv.URL+"/")
		if err != nil || resp.StatusCode != code || hits.Load() != 1 {
			t.Errorf("%d: err %v hits %d", code, err, hits.Load())
		}
	}
}

func TestStripeShouldRetryFalseStops(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Stripe-Should-Retry", "false")
		w.WriteHeader(503)
	})
	if resp, _, err := get(t, b.sandbox(), srv.URL+"/"); err != nil || resp.StatusCode != 503 || hits.Load() != 1 {
		t.Fatalf("err %v hits %d", err, hits.Load())
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0.3") // Shopify sends float seconds
		w.WriteHeader(429)
	}, status(200, "ok"))
	start := time.Now()
	resp, _, err := get(t, b.sandbox(), srv.URL+"/admin/api/orders.json")
	if err != nil || resp.StatusCode != 200 || hits.Load() != 2 {
		t.Fatalf("err %v hits %d", err, hits.Load())
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("retried after %s; Retry-After asked for 300ms", d)
	}
	if e := b.sink.all(); e[0].ErrorClass != concord.ClassRateLimited {
		t.Errorf("first entry = %+v", e[0])
	}
}

func TestLongRetryAfterLeftToJob(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(429)
	})
	start := time.Now()
	_, _, err := get(t, b.sandbox(), srv.URL+"/")
	var ee *ExternalError
	if !errors.As(err, &ee) || ee.Class != concord.ClassRateLimited || ee.RetryAfter != 120*time.Second ||
		ee.StatusCode != 429 || RetryAfterOf(err) != 120*time.Second {
		t.Fatalf("err = %#v", err)
	}
	if time.Since(start) > time.Second || hits.Load() != 1 {
		t.Fatalf("waited %s over %d attempts; a long Retry-After must not be waited in-process", time.Since(start), hits.Load())
	}
}

func TestNetworkErrorRetriedThenClassified(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	_, _, err = get(t, b.sandbox(), "http://"+addr+"/")
	if ClassOf(err) != concord.ClassUnavailable {
		t.Fatalf("err = %v, class %q", err, ClassOf(err))
	}
	if e := b.sink.all(); len(e) != 4 || e[3].ErrorClass != concord.ClassUnavailable || e[3].Status != 0 {
		t.Fatalf("entries = %+v; want 1 attempt + 3 retries", e)
	}
}

func TestServerWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		k, v string
		want time.Duration
	}{
		{"Retry-After", "2", 2 * time.Second},
		{"Retry-After", "1.5", 1500 * time.Millisecond},
		{"Retry-After", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Retry-After", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"Retry-After", "soon", 0},
		{"Retry-After", "-3", 0},
		{"X-RateLimit-Reset", "7", 7 * time.Second},
		{"X-RateLimit-Reset", strconv.FormatInt(now.Unix()+10, 10), 10 * time.Second}, // a Unix time
	} {
		h := http.Header{}
		h.Set(tc.k, tc.v)
		if got := serverWait(h, now); got != tc.want {
			t.Errorf("%s: %s = %s, want %s", tc.k, tc.v, got, tc.want)
		}
	}
}

func TestBackoffFullJitter(t *testing.T) {
	t.Parallel()
	for attempt := range 6 {
		ceil := min(100*time.Millisecond<<attempt, time.Second)
		for range 50 {
			if d := backoff(100*time.Millisecond, time.Second, attempt); d < 0 || d > ceil {
				t.Fatalf("attempt %d: %s outside [0, %s]", attempt, d, ceil)
			}
		}
	}
}
