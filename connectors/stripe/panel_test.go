package stripe

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

const hubURL = "https://hub.example/hooks/conn_1"

// endpoint registers a webhook endpoint on the emulator and returns it with its secret.
func (m *emu) endpoint(t *testing.T, url string, events ...string) *stripego.WebhookEndpoint {
	t.Helper()
	p := &stripego.WebhookEndpointCreateParams{URL: stripego.String(url), EnabledEvents: stripego.StringSlice(events)}
	ep, err := m.sc.V1WebhookEndpoints.Create(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func TestRequiredEventsAreHandled(t *testing.T) {
	t.Parallel()
	evs := New().RequiredEvents()
	if len(evs) != 17 {
		t.Errorf("required events = %d, want 17", len(evs))
	}
	for _, ev := range evs {
		if family(ev) == "" {
			t.Errorf("required event %s is not handled by HandleWebhook", ev)
		}
	}
	evs[0] = "changed"
	if New().RequiredEvents()[0] == "changed" {
		t.Error("RequiredEvents shares its backing array")
	}
}

func TestWebhookSubscription(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("no endpoint", func(t *testing.T) {
		t.Parallel()
		m := newEmu(t)
		m.endpoint(t, "https://elsewhere.example/hook", "*")
		sub, err := New().WebhookSubscription(ctx, m.sess, hubURL)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Found || sub.URL != hubURL || sub.Note == "" {
			t.Errorf("sub = %+v, want not found with a note", sub)
		}
	})
	t.Run("subset of events", func(t *testing.T) {
		t.Parallel()
		m := newEmu(t)
		ep := m.endpoint(t, hubURL, "payment_intent.succeeded", "payout.paid", "customer.created")
		sub, err := New().WebhookSubscription(ctx, m.sess, hubURL)
		if err != nil {
			t.Fatal(err)
		}
		if !sub.Found || sub.ID != ep.ID || sub.Status != "enabled" || len(sub.Events) != 3 {
			t.Errorf("sub = %+v", sub)
		}
		want := slices.DeleteFunc(New().RequiredEvents(), func(e string) bool {
			return e == "payment_intent.succeeded" || e == "payout.paid"
		})
		if !slices.Equal(sub.MissingEvents, want) {
			t.Errorf("missing = %v, want %v", sub.MissingEvents, want)
		}
	})
	t.Run("all events, disabled", func(t *testing.T) {
		t.Parallel()
		m := newEmu(t)
		ep := m.endpoint(t, hubURL, "*")
		if _, err := m.sc.V1WebhookEndpoints.Update(ctx, ep.ID, &stripego.WebhookEndpointUpdateParams{Disabled: stripego.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		sub, err := New().WebhookSubscription(ctx, m.sess, hubURL)
		if err != nil {
			t.Fatal(err)
		}
		if !sub.Found || len(sub.MissingEvents) != 0 || sub.Status != "disabled" || sub.Note == "" {
			t.Errorf("sub = %+v, want found, nothing missing, disabled with a note", sub)
		}
	})
	t.Run("bad key is classified", func(t *testing.T) {
		t.Parallel()
		m := newEmu(t)
		_, err := New().WebhookSubscription(ctx, emuSession(m.srv, testKey), hubURL)
		if class := connector.ClassOf(err); class != concord.ClassRevoked {
			t.Errorf("err = %v, class %s, want revoked", err, class)
		}
	})
}

func TestSendTestWebhookDeliversSignedEvent(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	got := make(chan *stripego.Event, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := webhook.ConstructEvent(body, r.Header.Get(SignatureHeader), secretOf(t, m))
		if err != nil {
			t.Errorf("delivery does not verify: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got <- &ev
	}))
	t.Cleanup(recv.Close)
	m.endpoint(t, recv.URL, "payment_intent.canceled")

	tw, err := New().SendTestWebhook(context.Background(), m.sess, recv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tw.EventTypes, []string{"payment_intent.canceled"}) || tw.Note != "" {
		t.Errorf("test webhook = %+v", tw)
	}
	select {
	case ev := <-got:
		if ev.Type != "payment_intent.canceled" || ev.GetObjectValue("id") != tw.ObjectID ||
			ev.GetObjectValue("metadata", "concord_test_webhook") != "true" || ev.GetObjectValue("amount") != "50" {
			t.Errorf("delivered %s for %s, want payment_intent.canceled for %s", ev.Type, ev.GetObjectValue("id"), tw.ObjectID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery within 5s")
	}
}

// secretOf reads the emulator's first sandbox endpoint secret.
func secretOf(t *testing.T, m *emu) string {
	t.Helper()
	resp, err := m.srv.Client().Get(m.srv.URL + "/_emulator/credentials")
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	var c struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&c)
	return c.WebhookSecret
}

func TestSendTestWebhookNotes(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	tw, err := New().SendTestWebhook(context.Background(), m.sess, hubURL)
	if err != nil {
		t.Fatal(err)
	}
	if tw.ObjectID == "" || tw.Note == "" {
		t.Errorf("test webhook without endpoint = %+v, want an object and a note", tw)
	}
	m.endpoint(t, hubURL, "payout.paid")
	if tw, err = New().SendTestWebhook(context.Background(), m.sess, hubURL); err != nil || tw.Note == "" {
		t.Errorf("endpoint without the event: %+v %v, want a note", tw, err)
	}
}

func TestSendTestWebhookRefusesLiveKey(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(200, intentJSON))
	_, err := New().SendTestWebhook(context.Background(), f.session(liveKey), hubURL)
	mustConcordError(t, err, concord.EFORBIDDEN)
	if n := len(f.requests()); n != 0 {
		t.Errorf("a live key made %d calls, want none", n)
	}
}
