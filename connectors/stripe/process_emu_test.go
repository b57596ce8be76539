package stripe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	stripeemu "github.com/concordhub/concord/emulator/stripe"
)

// emu is one Stripe emulator behind httptest, with a hub Session and a stripe-go client
// for making things happen "on Stripe's side".
type emu struct {
	srv   *httptest.Server
	creds stripeemu.Credentials
	sess  *connector.Session
	sc    *stripego.Client
}

func newEmu(t *testing.T) *emu {
	t.Helper()
	e := stripeemu.New(stripeemu.Options{RateLimit: -1})
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		e.Close()
		srv.Close()
	})
	creds := e.Credentials()
	m := &emu{srv: srv, creds: creds, sess: emuSession(srv, creds.SecretKey)}
	base := srv.URL
	m.sc = stripego.NewClient(creds.SecretKey, stripego.WithBackends(stripego.NewBackendsWithConfig(&stripego.BackendConfig{
		URL: &base, HTTPClient: srv.Client(), MaxNetworkRetries: stripego.Int64(0), LeveledLogger: quietLogger,
	})))
	return m
}

func emuSession(srv *httptest.Server, key string) *connector.Session {
	return &connector.Session{Credentials: map[string]string{FieldSecretKey: key}, APIBase: srv.URL,
		HTTP: srv.Client(), EntityMode: concord.ModeSandbox}
}

// record changes a record on Stripe's side through the control API and returns it.
func (m *emu) record(t *testing.T, resource string, body map[string]any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := m.srv.Client().Post(m.srv.URL+"/_emulator/records/"+resource, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Record map[string]any `json:"record"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("record %s: status %d, %v", resource, resp.StatusCode, err)
	}
	return out.Record
}

// events fetches GET /v1/events raw, as Stripe's wire carries them, oldest first.
func (m *emu) events(t *testing.T) []connector.WebhookEvent {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, m.srv.URL+"/v1/events?limit=100", nil)
	req.Header.Set("Authorization", "Bearer "+m.creds.SecretKey)
	resp, err := m.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	var out []connector.WebhookEvent
	for i := len(page.Data) - 1; i >= 0; i-- {
		var head event
		if err := json.Unmarshal(page.Data[i], &head); err != nil {
			t.Fatal(err)
		}
		out = append(out, connector.WebhookEvent{ProviderEventID: head.ID, Type: head.Type, Payload: page.Data[i]})
	}
	return out
}

// objectStore is an in-memory ObjectStore with the hub's version rule: a report is stored
// only when its version is higher than the stored one.
type objectStore struct {
	mu   sync.Mutex
	objs map[string]connector.Object
}

func newObjectStore() *objectStore { return &objectStore{objs: map[string]connector.Object{}} }

func (s *objectStore) UpsertObject(_ context.Context, o connector.Object) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := o.ConnectionID + "/" + o.Kind + "/" + o.ExternalID
	if old, ok := s.objs[k]; ok && old.Version >= o.Version {
		return false, nil
	}
	s.objs[k] = o
	return true, nil
}

func (s *objectStore) get(t *testing.T, kind, id string) connector.Object {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objs["conn_1/"+kind+"/"+id]
	if !ok {
		t.Fatalf("no %s %s stored; have %v", kind, id, keys(s.objs))
	}
	return o
}

func keys(m map[string]connector.Object) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// feed hands every event to HandleWebhook in order.
func feed(t *testing.T, store *objectStore, evs []connector.WebhookEvent) {
	t.Helper()
	for _, ev := range evs {
		if err := New().HandleWebhook(context.Background(), store, "conn_1", ev); err != nil {
			t.Fatalf("HandleWebhook(%s %s): %v", ev.Type, ev.ProviderEventID, err)
		}
	}
}

// dataOf decodes an Object's Data.
func dataOf(t *testing.T, o connector.Object) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(o.Data, &m); err != nil {
		t.Fatalf("data %s: %v", o.Data, err)
	}
	return m
}

// wantData checks fields of an Object's Data, compared as fmt %v strings.
func wantData(t *testing.T, o connector.Object, want map[string]any) {
	t.Helper()
	got := dataOf(t, o)
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("%s %s data[%s] = %v, want %v (data %s)", o.Kind, o.ExternalID, k, got[k], v, o.Data)
		}
	}
}
