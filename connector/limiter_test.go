package connector

import (
	"errors"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"golang.org/x/time/rate"
)

func TestLimiterSpacesCallsAcrossClients(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, _ := server(t, status(200, "ok"))
	bind := Binding{ConnectionID: "conn_rl", Connector: "printnode", Sandbox: true, Rate: 20, Burst: 1}
	start := time.Now()
	for range 5 {
		// A new client per call, as connectors get one per session: the bucket must persist.
		if _, _, err := get(t, b.out.Client(bind), srv.URL+"/whoami"); err != nil {
			t.Fatal(err)
		}
	}
	// The first call takes the burst token; the other four wait 50ms each.
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Fatalf("5 calls at 20/s burst 1 took %s; want >= ~200ms", d)
	}
}

func TestLimiterIsPerConnection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, _ := server(t, status(200, "ok"))
	start := time.Now()
	for i := range 4 {
		bind := Binding{ConnectionID: string(rune('a' + i)), Sandbox: true, Rate: 1, Burst: 1}
		if _, _, err := get(t, b.out.Client(bind), srv.URL+"/"); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("four connections' first calls took %s; one connection's limit must not slow another", d)
	}
}

func TestLimiterLongWaitLeftToJob(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, hits := server(t, status(200, "ok"))
	// Amazon getOrders: about one request a minute.
	bind := Binding{ConnectionID: "conn_amz", Connector: "amazon", Sandbox: true, Rate: 0.0167, Burst: 1}
	if _, _, err := get(t, b.out.Client(bind), srv.URL+"/orders/v0/orders"); err != nil {
		t.Fatal(err)
	}
	_, _, err := get(t, b.out.Client(bind), srv.URL+"/orders/v0/orders")
	var ee *ExternalError
	if !errors.As(err, &ee) || ee.Class != concord.ClassRateLimited || ee.RetryAfter < 50*time.Second {
		t.Fatalf("err = %#v; want rate_limited with the wait for the job", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("hits = %d", hits.Load())
	}
	// Forget (disconnect) drops the bucket; a reconnected connection starts full.
	b.out.Forget("conn_amz")
	if _, _, err := get(t, b.out.Client(bind), srv.URL+"/orders/v0/orders"); err != nil {
		t.Fatalf("after Forget: %v", err)
	}
}

func TestLimiterUpdatedWhenRateChanges(t *testing.T) {
	t.Parallel()
	var l limiters
	first := l.get(Binding{ConnectionID: "c", Rate: 2, Burst: 40})
	second := l.get(Binding{ConnectionID: "c", Rate: 4, Burst: 80})
	if first != second || second.Limit() != 4 || second.Burst() != 80 {
		t.Fatalf("limiter not reused and updated: %v/%d", second.Limit(), second.Burst())
	}
	if unlimited := l.get(Binding{ConnectionID: "c"}); unlimited.Limit() != rate.Inf {
		t.Fatalf("Rate 0 must mean unlimited, got %v", unlimited.Limit())
	}
}
