package stripe

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

func TestRecoverEventsOldestFirstAndRoundTrip(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	ctx := context.Background()
	start := time.Now().Add(-time.Second)
	pi := m.record(t, "payment_intents", map[string]any{"metadata": map[string]any{"order": "SO-9"}})
	m.record(t, "payment_intents", map[string]any{"id": pi["id"], "status": "succeeded"})
	po, err := m.sc.V1Payouts.Create(ctx, &stripego.PayoutCreateParams{Amount: stripego.Int64(500), Currency: stripego.String("usd")})
	if err != nil {
		t.Fatal(err)
	}
	m.record(t, "payouts", map[string]any{"id": po.ID, "status": "failed"})
	wire := m.events(t) // oldest first, raw from GET /v1/events

	got, err := New().RecoverEvents(ctx, m.sess, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(wire) || len(got) != 4 {
		t.Fatalf("recovered %d events, wire has %d, want 4", len(got), len(wire))
	}
	for i, ev := range got {
		w := wire[i]
		if ev.ProviderEventID != w.ProviderEventID || ev.Type != w.Type || ev.Mode != concord.ModeSandbox || ev.OccurredAt.IsZero() {
			t.Errorf("event %d = %s %s %s %v, want %s %s", i, ev.ProviderEventID, ev.Type, ev.Mode, ev.OccurredAt, w.ProviderEventID, w.Type)
		}
		if i > 0 && ev.OccurredAt.Before(got[i-1].OccurredAt) {
			t.Errorf("event %d is older than event %d", i, i-1)
		}
		if a, b := objectOf(t, ev.Payload), objectOf(t, w.Payload); !bytes.Equal(a, b) {
			t.Errorf("event %d data.object differs from the wire:\n%s\n%s", i, a, b)
		}
	}

	// Recovered events and wire events make the same Objects.
	fromRecovery, fromWire := newObjectStore(), newObjectStore()
	feed(t, fromRecovery, got)
	feed(t, fromWire, wire)
	if len(fromWire.objs) != 2 {
		t.Fatalf("wire events made %d objects, want 2", len(fromWire.objs))
	}
	for k, w := range fromWire.objs {
		r := fromRecovery.objs[k]
		if r.Status != w.Status || r.Version != w.Version || !bytes.Equal(r.Data, w.Data) {
			t.Errorf("%s: recovered %s v%d %s, wire %s v%d %s", k, r.Status, r.Version, r.Data, w.Status, w.Version, w.Data)
		}
	}
	if o := fromRecovery.get(t, KindPayout, po.ID); o.Status != "failed" {
		t.Errorf("payout = %s, want failed", o.Status)
	}

	later, err := New().RecoverEvents(ctx, m.sess, time.Now().Add(time.Minute))
	if err != nil || len(later) != 0 {
		t.Errorf("events since the future = %d, %v", len(later), err)
	}
}

// objectOf is data.object of an event payload, compacted.
func objectOf(t *testing.T, payload json.RawMessage) []byte {
	t.Helper()
	var ev struct {
		Data struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, ev.Data.Object); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRecoverEventsFollowsSlices reads more events than one ListEvents slice holds, from a
// since beyond Stripe's retention (clamped, not refused).
func TestRecoverEventsFollowsSlices(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	for range maxEventsPerCall + 5 { // more than one ListEvents slice
		m.record(t, "customers", map[string]any{})
	}
	got, err := New().RecoverEvents(context.Background(), m.sess, time.Now().Add(-90*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != maxEventsPerCall+5 {
		t.Fatalf("recovered %d events, want %d", len(got), maxEventsPerCall+5)
	}
	seen := map[string]bool{}
	for _, ev := range got {
		if seen[ev.ProviderEventID] {
			t.Errorf("event %s twice", ev.ProviderEventID)
		}
		seen[ev.ProviderEventID] = true
	}
}

func TestRecoverEventsClassifiesErrors(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	_, err := New().RecoverEvents(context.Background(), emuSession(m.srv, testKey), time.Now().Add(-time.Hour))
	if class := connector.ClassOf(err); class != concord.ClassRevoked {
		t.Errorf("err = %v, class %s, want revoked", err, class)
	}
}
