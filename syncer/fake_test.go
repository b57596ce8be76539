package syncer

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/jobs"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/vault"
)

// market is an in-memory marketplace implementing the sync capabilities, so the engine's
// rules are tested on their own; the Shopify connector and emulator prove the wire.
type market struct {
	mu       sync.Mutex
	recs     map[string]map[string]connector.SyncRecord // kind -> id -> record
	clock    time.Time
	failPage int // fail the import of this page number once (1-based)
	pages    int
	sent     []connector.FieldChange
	calls    int
	extra    int // added to counts (a service that reports more than it lists)
}

func newMarket() *market {
	return &market{recs: map[string]map[string]connector.SyncRecord{}, clock: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
}

func (m *market) put(kind, id, parent string, fields map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clock = m.clock.Add(time.Second)
	if m.recs[kind] == nil {
		m.recs[kind] = map[string]connector.SyncRecord{}
	}
	m.recs[kind][id] = connector.SyncRecord{Kind: kind, ExternalID: id, ParentID: parent, UpdatedAt: m.clock, Fields: fields}
}

func (m *market) Describe() connector.Descriptor {
	return connector.Descriptor{Name: "market", Title: "Market", Kind: "marketplace",
		Credentials: []connector.Field{{Name: "token", Secret: true, Required: true}}, DefaultAPIBase: "https://market.invalid"}
}

func (m *market) Test(context.Context, *connector.Session) (connector.TestResult, error) {
	return connector.TestResult{Mode: concord.ModeSandbox, AccountID: "shop-1"}, nil
}

func (m *market) SyncKinds() []string {
	return []string{connector.KindLocation, connector.KindVariant, connector.KindStock, connector.KindOrder, connector.KindFulfillment}
}

// ImportPage pages 2 records at a time, ordered by (updated, id), after Since.
func (m *market) ImportPage(_ context.Context, _ *connector.Session, req connector.ImportRequest) (connector.ImportPage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pages++
	if m.failPage > 0 && m.pages == m.failPage {
		m.failPage = 0
		return connector.ImportPage{}, &connector.ExternalError{Class: concord.ClassUnavailable, StatusCode: 503, Message: "service hiccup"}
	}
	var all []connector.SyncRecord
	for _, r := range m.recs[req.Kind] {
		if r.UpdatedAt.After(req.Since) {
			all = append(all, r)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].UpdatedAt.Equal(all[j].UpdatedAt) {
			return all[i].UpdatedAt.Before(all[j].UpdatedAt)
		}
		return all[i].ExternalID < all[j].ExternalID
	})
	start, _ := strconv.Atoi(req.Cursor)
	end := min(start+2, len(all))
	page := connector.ImportPage{Records: append([]connector.SyncRecord(nil), all[min(start, end):end]...)}
	if end < len(all) {
		page.NextCursor = strconv.Itoa(end)
	}
	return page, nil
}

func (m *market) CountRecords(_ context.Context, _ *connector.Session, kind string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.recs[kind]) + m.extra, nil
}

func (m *market) FetchRecord(_ context.Context, _ *connector.Session, kind, id string) (connector.SyncRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[kind][id]
	if !ok {
		return r, &connector.ExternalError{Class: concord.ClassNotFound, StatusCode: 404}
	}
	return r, nil
}

func (m *market) ExportFields() map[string][]string {
	return map[string][]string{connector.KindVariant: {"price"}, connector.KindStock: {"available"}}
}

func (m *market) MaxBatch() int { return 50 }

func (m *market) Export(_ context.Context, _ *connector.Session, cs []connector.FieldChange) ([]connector.ChangeResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	out := make([]connector.ChangeResult, len(cs))
	for i, c := range cs {
		out[i].Change = c
		r, ok := m.recs[c.Kind][c.ExternalID]
		if !ok {
			out[i].Err = &connector.ExternalError{Class: concord.ClassNotFound, StatusCode: 404}
			continue
		}
		m.clock = m.clock.Add(time.Second)
		r.Fields[c.Field], r.UpdatedAt = c.Value, m.clock
		m.recs[c.Kind][c.ExternalID] = r
		m.sent = append(m.sent, c)
	}
	return out, nil
}

// bundle is a test's engine on a real database with one connection to a market.
type bundle struct {
	t      *testing.T
	db     *store.DB
	e      *Engine
	m      *market
	entity concord.Entity
	connID string
}

func setup(t *testing.T, db *store.DB) *bundle {
	t.Helper()
	ctx := context.Background()
	m := newMarket()
	key, _ := vault.GenerateKey()
	keys, _ := vault.NewKeyring(key)
	svc := &connections.Service{DB: db, Registry: connector.NewRegistry(m), Keys: keys,
		Outbound: connector.NewOutbound(connector.OutboundOptions{Sink: db}), PublicURL: "http://hub.test"}
	e := &Engine{DB: db, Svc: svc}
	ws := river.NewWorkers()
	e.Workers(ws, time.Hour)
	svc.Workers(ws, time.Hour)
	// Jobs are inserted as in production but worked by the test itself, step by step.
	q, err := jobs.New(db, jobs.Options{Workers: ws, InsertOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	svc.Jobs, e.Jobs = q, q
	entity, err := svc.CreateEntity(ctx, "t", "Shop Co", concord.ModeSandbox)
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.Connect(ctx, "t", entity.ID, connections.ConnectInput{Connector: "market", Credentials: map[string]string{"token": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{t: t, db: db, e: e, m: m, entity: entity, connID: v.ID}
}

// sync runs every kind inbound, to the end, as the job would.
func (b *bundle) sync(full bool) []store.SyncRun {
	b.t.Helper()
	ctx := context.Background()
	runs, err := b.e.StartRuns(ctx, "t", b.connID, "", Inbound, full)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []store.SyncRun
	for _, r := range runs {
		for attempt := 0; attempt < 3; attempt++ {
			if err := b.e.runOne(ctx, r.ID, false); err == nil {
				break
			}
		}
		got, _ := b.db.GetSyncRun(ctx, r.ID)
		out = append(out, got)
	}
	return out
}

func (b *bundle) erp(kind, id string, fields map[string]string) store.ERPRecord {
	b.t.Helper()
	r := store.ERPRecord{EntityID: b.entity.ID, Kind: kind, ID: id, Fields: fields, Source: "erp"}
	if _, err := b.e.PutRecord(context.Background(), "t", &r); err != nil {
		b.t.Fatal(err)
	}
	return r
}

func (b *bundle) mappings(state, kind string) []store.Mapping {
	b.t.Helper()
	ms, _, err := b.db.ListMappings(context.Background(), b.connID, state, kind, store.Page{Limit: 500})
	if err != nil {
		b.t.Fatal(err)
	}
	return ms
}

func (b *bundle) approveAll(kind string) {
	b.t.Helper()
	var acts []MappingAction
	for _, m := range b.mappings(store.MappingSuggested, kind) {
		acts = append(acts, MappingAction{MappingID: m.ID, Action: "approve"})
	}
	out, err := b.e.ApplyMappingActions(context.Background(), "t", b.connID, acts)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, o := range out {
		if !o.OK {
			b.t.Fatalf("approve %s: %s", o.MappingID, o.Error)
		}
	}
}

func (b *bundle) openDrifts() map[string]store.Drift {
	b.t.Helper()
	ds, _, err := b.db.ListDrifts(context.Background(), b.connID, store.DriftOpen, store.Page{Limit: 500})
	if err != nil {
		b.t.Fatal(err)
	}
	out := map[string]store.Drift{}
	for _, d := range ds {
		out[d.Kind+"/"+d.ExternalID+"/"+d.Field] = d
	}
	return out
}

// seed: two locations, three variants (one with no ERP match), stock, one order.
func (b *bundle) seed() {
	m := b.m
	m.put("location", "L1", "", map[string]string{"name": "Main Warehouse", "active": "true"})
	m.put("location", "L2", "", map[string]string{"name": "Pop-up", "active": "true"})
	for i, sku := range []string{"TEE-S", "TEE-M", "MUG"} {
		m.put("variant", fmt.Sprintf("V%d", i+1), "P1", map[string]string{"sku": sku, "title": sku, "price": "19.90", "product_title": "Tee"})
	}
	m.put("stock", "V1|L1", "V1", map[string]string{"variant_id": "V1", "location_id": "L1", "available": "5"})
	m.put("stock", "V2|L1", "V2", map[string]string{"variant_id": "V2", "location_id": "L1", "available": "3"})
	m.put("stock", "V1|L2", "V1", map[string]string{"variant_id": "V1", "location_id": "L2", "available": "1"})
	m.put("order", "O1", "", map[string]string{"number": "#1001", "financial_status": "pending", "fulfillment_status": "unfulfilled",
		"total": "39.80", "currency": "USD", "lines": `[{"sku":"TEE-S","quantity":2}]`})
	b.erp("location", "wh-main", map[string]string{"name": "Main Warehouse"})
	b.erp("variant", "var-tee-s", map[string]string{"sku": "TEE-S", "price": "19.90", "title": "Tee S"})
	b.erp("variant", "var-tee-m", map[string]string{"sku": "TEE-M", "price": "19.90", "title": "Tee M"})
}

func each(t *testing.T, fn func(t *testing.T, b *bundle)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, setup(t, db)) })
}

func mustConn(t *testing.T, b *bundle) conn {
	c, err := b.e.loadConn(context.Background(), b.connID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func syncDeleted(id, parent string) connector.SyncRecord {
	return connector.SyncRecord{Kind: connector.KindVariant, ExternalID: id, ParentID: parent, Deleted: true,
		UpdatedAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// seedMapped seeds the market, imports it, approves every suggested variant and location,
// and imports again so mapped stock comes in: the starting point of most engine tests.
func (b *bundle) seedMapped() {
	b.t.Helper()
	b.seed()
	b.sync(true)
	b.approveAll("variant")
	b.approveAll("location")
	b.sync(true)
}
