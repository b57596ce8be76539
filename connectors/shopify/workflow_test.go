package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordhub/concord/connector"
)

// hookSink is the hub's webhook endpoint for these tests: it keeps every delivery whose
// signature verifies, as the hub's intake would.
type hookSink struct {
	mu   sync.Mutex
	got  []connector.WebhookEvent
	srv  *httptest.Server
	wait time.Duration
}

func newHookSink(t *testing.T, c *Connector, s *connector.Session) *hookSink {
	k := &hookSink{wait: 5 * time.Second}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := c.VerifyWebhook(r.Context(), s, &connector.WebhookRequest{Header: r.Header, Body: body})
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		k.mu.Lock()
		k.got = append(k.got, ev)
		k.mu.Unlock()
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func (k *hookSink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.got)
}

// env is the hub's side of the check: one mapped stock record, and webhooks seen by k.
func (k *hookSink) env(reversible bool, m *connector.MappedRecord, before func()) connector.WorkflowEnv {
	return connector.WorkflowEnv{
		Reversible: reversible,
		WebhookURL: k.srv.URL + "/hooks",
		Mapped: func(_ context.Context, kind, field string) (connector.MappedRecord, bool, error) {
			if m == nil || kind != connector.KindStock || field != "available" {
				return connector.MappedRecord{}, false, nil
			}
			return *m, true, nil
		},
		ExpectWebhook: func(topic string, match func([]byte) bool) func(context.Context) (bool, error) {
			from := k.count()
			if before != nil {
				before()
			}
			return func(ctx context.Context) (bool, error) {
				for end := time.Now().Add(k.wait); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
					k.mu.Lock()
					for _, ev := range k.got[from:] {
						if ev.Type == topic && match(ev.Payload) {
							k.mu.Unlock()
							return true, nil
						}
					}
					k.mu.Unlock()
				}
				return false, nil
			}
		},
		LastWebhook: func(context.Context) (*time.Time, error) { return nil, nil },
	}
}

// findings runs the check and indexes its findings by name.
func findings(t *testing.T, c *Connector, s *connector.Session, env connector.WorkflowEnv) map[string]connector.WorkflowFinding {
	t.Helper()
	fs, err := c.CheckWorkflow(context.Background(), s, env)
	if err != nil {
		t.Fatalf("check: %v (%+v)", err, fs)
	}
	out := map[string]connector.WorkflowFinding{}
	for _, f := range fs {
		out[f.Check] = f
	}
	return out
}

// workflowWorld is a shop on the emulator with one stock figure mapped.
func workflowWorld(t *testing.T, subscribe bool) (*Connector, *connector.Session, *hookSink, *connector.MappedRecord) {
	t.Helper()
	_, s := emulatorSession(t)
	c := New()
	k := newHookSink(t, c, s)
	if subscribe {
		if _, err := c.RegisterWebhooks(context.Background(), s, k.srv.URL+"/hooks"); err != nil {
			t.Fatal(err)
		}
	}
	st := importAll(t, c, s, connector.KindStock)[0]
	return c, s, k, &connector.MappedRecord{ExternalID: st.ExternalID, ERPID: "var-1|wh", ERPValue: st.Fields["available"]}
}

func TestWorkflowCheckWritesBackAndSeesTheWebhook(t *testing.T) {
	t.Parallel()
	c, s, k, m := workflowWorld(t, true)
	got := findings(t, c, s, k.env(true, m, nil))
	if f := got["stock read"]; f.Status != "ok" || !strings.Contains(f.Finding, "Shopify has "+m.ERPValue+" available") {
		t.Fatalf("read: %+v", f)
	}
	if f := got["stock write-back"]; f.Status != "ok" || !f.Reversible || !strings.Contains(f.Finding, m.ERPValue+" written back unchanged") {
		t.Fatalf("write-back: %+v", f)
	}
	if f := got["webhook"]; f.Status != "ok" || !strings.Contains(f.Finding, "inventory_levels/update for it arrived") {
		t.Fatalf("webhook: %+v", f)
	}
	// Unchanged: the shop still holds what it held.
	after, err := c.fetchStock(context.Background(), s, m.ExternalID)
	if err != nil || after.Fields["available"] != m.ERPValue {
		t.Fatalf("stock after the check %v %v, want %s", after.Fields, err, m.ERPValue)
	}
}

func TestWorkflowCheckWebhookMissing(t *testing.T) {
	t.Parallel()
	c, s, k, m := workflowWorld(t, false)
	k.wait = 700 * time.Millisecond
	got := findings(t, c, s, k.env(true, m, nil))
	if f := got["stock write-back"]; f.Status != "ok" || !f.Reversible {
		t.Fatalf("write-back: %+v", f)
	}
	f := got["webhook"]
	if f.Status != "fail" || f.Fix != "webhook subscriptions missing or URL wrong: re-register webhooks in the Webhooks tab" ||
		!strings.Contains(f.Finding, "no inventory_levels/update webhook") || !strings.Contains(f.Finding, "no inventory_levels/update subscription points at") {
		t.Fatalf("webhook: %+v", f)
	}
}

func TestWorkflowCheckNoMapping(t *testing.T) {
	t.Parallel()
	c, s, k, _ := workflowWorld(t, true)
	got := findings(t, c, s, k.env(true, nil, nil))
	if f := got["stock write-back"]; f.Status != "warn" || !strings.HasPrefix(f.Fix, "approve a mapping first") || f.Reversible {
		t.Fatalf("no mapping: %+v", f)
	}
	if f := got["webhooks"]; f.Status != "ok" || !strings.Contains(f.Finding, "required topics are subscribed") {
		t.Fatalf("webhooks: %+v", f)
	}
}

func TestWorkflowCheckReadOnly(t *testing.T) {
	t.Parallel()
	c, s, k, m := workflowWorld(t, true)
	got := findings(t, c, s, k.env(false, m, nil))
	if f := got["stock read"]; f.Status != "ok" {
		t.Fatalf("read: %+v", f)
	}
	if f := got["stock write-back"]; f.Status != "ok" || f.Reversible || !strings.HasPrefix(f.Finding, "not run: a production entity gets read-only checks") {
		t.Fatalf("write-back: %+v", f)
	}
	if f := got["webhooks"]; f.Status != "ok" || !strings.Contains(f.Finding, "no delivery received yet") {
		t.Fatalf("webhooks: %+v", f)
	}
	// Nothing was written: no delivery comes.
	time.Sleep(300 * time.Millisecond)
	if n := k.count(); n != 0 {
		t.Fatalf("a read-only check caused %d webhook(s)", n)
	}
	// Read-only with the subscriptions gone: the webhooks finding fails.
	_, s2 := emulatorSession(t)
	m2 := importAll(t, c, s2, connector.KindStock)[0]
	got = findings(t, c, s2, k.env(false, &connector.MappedRecord{ExternalID: m2.ExternalID}, nil))
	if f := got["webhooks"]; f.Status != "fail" || !strings.HasPrefix(f.Fix, "webhook subscriptions missing or URL wrong") {
		t.Fatalf("webhooks without subscriptions: %+v", f)
	}
}

func TestWorkflowCheckStockChangedMeanwhile(t *testing.T) {
	t.Parallel()
	c, s, k, m := workflowWorld(t, true)
	item, loc, _ := strings.Cut(m.ExternalID, "|")
	// Between the read and the write, the shop sells one: the emulator's control API sets
	// the level as an order would.
	changed := func() {
		n, _ := strconv.Atoi(m.ERPValue)
		body, _ := json.Marshal(map[string]any{"inventory_item_id": gidNumber(item), "location_id": gidNumber(loc), "available": n - 1})
		resp, err := http.Post(s.APIBase+"/_emulator/records/inventory_levels", "application/json", bytes.NewReader(body))
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("change stock: %v %v", resp, err)
			return
		}
		resp.Body.Close()
	}
	got := findings(t, c, s, k.env(true, m, changed))
	if f := got["stock write-back"]; f.Status != "warn" || f.Reversible || !strings.HasPrefix(f.Finding, "stock changed during the check, nothing written") {
		t.Fatalf("write-back: %+v", f)
	}
	n, _ := strconv.Atoi(m.ERPValue)
	after, err := c.fetchStock(context.Background(), s, m.ExternalID)
	if err != nil || after.Fields["available"] != strconv.Itoa(n-1) {
		t.Fatalf("the concurrent change was overwritten: %v %v", after.Fields, err)
	}
}
