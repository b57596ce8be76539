package stripeemu

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

func TestEventsPagingAndFilters(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	clock.Store(time.Now().Add(-40 * 24 * time.Hour).Unix())
	b := setup(t, Options{Now: func() time.Time { return time.Unix(clock.Load(), 0) }})
	newPI(t, b.sc, &stripe.PaymentIntentCreateParams{}) // 40 days old: past retention
	clock.Store(time.Now().Unix() - 100)
	var ids []string
	for range 5 {
		pi := newPI(t, b.sc, &stripe.PaymentIntentCreateParams{PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
		ids = append(ids, pi.ID)
		clock.Add(10)
	}
	// 10 events in range: created + succeeded per intent, newest first.
	var p1 stripe.EventList
	b.listPage(t, b.creds.SecretKey, "/v1/events", "limit=4", &p1)
	if len(p1.Data) != 4 || !p1.HasMore || p1.URL != "/v1/events" {
		t.Fatalf("page 1: %d has_more=%v", len(p1.Data), p1.HasMore)
	}
	if p1.Data[0].Type != "payment_intent.succeeded" || p1.Data[0].APIVersion != stripe.APIVersion || p1.Data[0].Request.ID == "" {
		t.Errorf("newest event = %+v", p1.Data[0])
	}
	var all []*stripe.Event
	all = append(all, p1.Data...)
	for last := p1.Data[len(p1.Data)-1].ID; ; {
		var p stripe.EventList
		b.listPage(t, b.creds.SecretKey, "/v1/events", "limit=4&starting_after="+last, &p)
		all = append(all, p.Data...)
		if !p.HasMore {
			break
		}
		last = p.Data[len(p.Data)-1].ID
	}
	if len(all) != 10 {
		t.Errorf("paged %d events, want 10 (old ones past 30 days hidden)", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Created > all[i-1].Created {
			t.Errorf("not newest first at %d", i)
		}
	}
	var back stripe.EventList
	b.listPage(t, b.creds.SecretKey, "/v1/events", "limit=2&ending_before="+all[4].ID, &back)
	if len(back.Data) != 2 || back.Data[0].ID != all[2].ID || back.Data[1].ID != all[3].ID || !back.HasMore {
		t.Errorf("ending_before page wrong")
	}

	since := all[3].Created
	var gte stripe.EventList
	b.listPage(t, b.creds.SecretKey, "/v1/events", "limit=100&created[gte]="+strconv.FormatInt(since, 10)+"&type=payment_intent.succeeded", &gte)
	for _, ev := range gte.Data {
		if ev.Created < since || ev.Type != "payment_intent.succeeded" {
			t.Errorf("filter let through %s at %d", ev.Type, ev.Created)
		}
	}
	if len(gte.Data) != 2 {
		t.Errorf("created[gte]+type gave %d events, want 2", len(gte.Data))
	}

	// The SDK's own iterator and retrieve.
	n := 0
	for ev, err := range b.sc.V1Events.List(ctx, &stripe.EventListParams{Type: stripe.String("payment_intent.created")}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Data == nil || ev.Data.Object["object"] != "payment_intent" {
			t.Errorf("event data = %+v", ev.Data)
		}
		n++
	}
	if n != 5 {
		t.Errorf("payment_intent.created events = %d", n)
	}
	ev, err := b.sc.V1Events.Retrieve(ctx, all[0].ID, nil)
	if err != nil || ev.ID != all[0].ID {
		t.Fatalf("retrieve event: %v", err)
	}
	_, err = b.sc.V1Events.Retrieve(ctx, "evt_nope", nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing)
	for _, err := range b.sc.V1Events.List(ctx, &stripe.EventListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(101)}}) {
		stripeErr(t, err, 400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParameterInvalidInteger)
		break
	}
}
