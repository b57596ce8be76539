package stripe

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
)

// pagedFake serves n objects of a kind (ids prefix_0 .. prefix_n-1, newest first) at path,
// honouring limit and starting_after as Stripe does.
func pagedFake(t *testing.T, path, prefix, object string, n int) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			reply(w, 404, `{"error":{"code":"resource_missing","message":"Unrecognized request URL.","type":"invalid_request_error"}}`)
			return
		}
		q := r.URL.Query()
		limit := 10
		if v := q.Get("limit"); v != "" {
			limit, _ = strconv.Atoi(v)
		}
		start := 0
		if after := q.Get("starting_after"); after != "" {
			i, _ := strconv.Atoi(strings.TrimPrefix(after, prefix+"_"))
			start = i + 1
		}
		end := min(start+limit, n)
		items := make([]string, 0, limit)
		for i := start; i < end; i++ {
			items = append(items, fmt.Sprintf(`{"id":"%s_%d","object":"%s","created":%d}`, prefix, i, object, 1767225600-i))
		}
		reply(w, 200, fmt.Sprintf(`{"object":"list","url":"%s","has_more":%t,"data":[%s]}`, path, end < n, strings.Join(items, ",")))
	})
}

func TestListPayoutsPagesUpToLimit(t *testing.T) {
	t.Parallel()
	f := pagedFake(t, "/v1/payouts", "po", "payout", 250)
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := New().ListPayouts(context.Background(), f.session(testKey), since, 150)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 150 || got[0].ID != "po_0" || got[149].ID != "po_149" {
		t.Fatalf("got %d payouts, first %s", len(got), got[0].ID)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("made %d requests, want 2 pages", len(reqs))
	}
	if q := reqs[0].Form; q.Get("limit") != "100" || q.Get("created[gte]") != strconv.FormatInt(since.Unix(), 10) || q.Has("starting_after") {
		t.Errorf("first page query = %v", q)
	}
	if q := reqs[1].Form; q.Get("starting_after") != "po_99" {
		t.Errorf("second page query = %v, want starting_after=po_99", q)
	}
}

func TestListDisputesSmallLimitAsksForSmallPage(t *testing.T) {
	t.Parallel()
	f := pagedFake(t, "/v1/disputes", "dp", "dispute", 30)
	got, err := New().ListDisputes(context.Background(), f.session(testKey), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || len(f.requests()) != 1 || f.requests()[0].Form.Get("limit") != "5" {
		t.Fatalf("got %d disputes in %d requests (%v)", len(got), len(f.requests()), f.requests()[0].Form)
	}
}

func TestListPaymentMethodsAllPages(t *testing.T) {
	t.Parallel()
	f := pagedFake(t, "/v1/payment_methods", "pm", "payment_method", 120)
	got, err := New().ListPaymentMethods(context.Background(), f.session(testKey), "cus_Concord")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 120 || f.requests()[0].Form.Get("customer") != "cus_Concord" {
		t.Fatalf("got %d methods, query %v", len(got), f.requests()[0].Form)
	}
	_, err = New().ListPaymentMethods(context.Background(), f.session(testKey), "")
	mustConcordError(t, err, concord.EINVALID)
}

func TestListWebhookEndpoints(t *testing.T) {
	t.Parallel()
	f := pagedFake(t, "/v1/webhook_endpoints", "we", "webhook_endpoint", 3)
	got, err := New().ListWebhookEndpoints(context.Background(), f.session(testKey))
	if err != nil || len(got) != 3 {
		t.Fatalf("got %d endpoints, %v", len(got), err)
	}
}

func TestListEventsClampsAndResumes(t *testing.T) {
	t.Parallel()
	f := pagedFake(t, "/v1/events", "evt", "event", 1500)
	s := f.session(testKey)

	longAgo := time.Now().Add(-60 * 24 * time.Hour)
	first, err := New().ListEvents(context.Background(), s, longAgo, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(first.Since) - EventRetention; !first.Clamped || d < 0 || d > time.Minute {
		t.Errorf("since = %v clamped = %v, want clamped into the retention window", first.Since, first.Clamped)
	}
	if len(first.Events) != maxEventsPerCall || !first.HasMore || first.Next != "evt_999" {
		t.Fatalf("first slice: %d events, has_more %v, next %q", len(first.Events), first.HasMore, first.Next)
	}
	if q := f.requests()[0].Form; q.Get("created[gte]") != strconv.FormatInt(longAgo.Unix(), 10) {
		t.Errorf("query = %v, want created[gte] as asked", q)
	}

	rest, err := New().ListEvents(context.Background(), s, time.Now().Add(-EventRetention+time.Hour), first.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Events) != 500 || rest.HasMore || rest.Clamped || rest.Events[0].ID != "evt_1000" {
		t.Fatalf("second slice: %d events, has_more %v, clamped %v", len(rest.Events), rest.HasMore, rest.Clamped)
	}

	recent := time.Now().Add(-time.Hour)
	within, err := New().ListEvents(context.Background(), s, recent, "")
	if err != nil || within.Clamped || !within.Since.Equal(recent) {
		t.Errorf("recent since: clamped %v since %v err %v", within.Clamped, within.Since, err)
	}

	_, err = New().ListEvents(context.Background(), s, recent, "pi_123")
	mustConcordError(t, err, concord.EINVALID)
}

func TestListErrorIsClassified(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(429, `{"error":{"code":"rate_limit","message":"Request rate limit exceeded.","type":"invalid_request_error"}}`))
	_, err := New().ListPayouts(context.Background(), f.session(testKey), time.Time{}, 10)
	if err == nil || !strings.HasPrefix(err.Error(), "stripe: payout.list: rate_limited") {
		t.Fatalf("err = %v", err)
	}
}
