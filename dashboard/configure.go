package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/triage"
	"github.com/concordhub/concord/webhook"
)

// tab is one tab of a connection's Configure page.
type tab struct {
	Name, Label string
}

// tabsFor gives a marketplace (a connector that syncs records) the tabs Connection, Sync
// Settings, Mapping, Webhooks, Logs, Accounting; other connectors get Connection,
// Webhooks, Logs and the objects the service reported (payments, disputes, payouts).
func tabsFor(c connector.Connector) []tab {
	if _, ok := c.(connector.Importer); ok {
		return []tab{{"connection", "Connection"}, {"sync", "Sync Settings"}, {"mapping", "Mapping"},
			{"webhooks", "Webhooks"}, {"logs", "Logs"}, {"accounting", "Accounting"}}
	}
	return []tab{{"connection", "Connection"}, {"webhooks", "Webhooks"}, {"logs", "Logs"}, {"objects", "Records"}}
}

type configureData struct {
	Conn       connections.View
	Desc       connector.Descriptor
	Tabs       []tab
	Tab        string
	Capable    map[string]bool
	Runs       []store.SyncRun
	Settings   []store.SyncSetting
	Mappings   []mappingRow
	MapState   string
	MapNext    string
	MapCounts  map[string]int
	Drifts     []store.Drift
	Panel      *webhook.View
	PanelError string
	Events     []store.WebhookEvent
	Logs       []concord.LogEntry
	LogFilter  store.LogFilter
	LogNext    string
	LogCursor  string
	Objects    []connector.Object
	Policies   []store.FieldPolicy
	MoneyDrift int
}

// mappingRow is a mapping with the names a person recognises on each side.
type mappingRow struct {
	store.Mapping
	ERPName, ExtName string
}

func (d *Dashboard) configure(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, e, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	conn, ok := d.Registry.Get(c.Connector)
	if !ok {
		return errNotFound("connector")
	}
	ctx := r.Context()
	v, err := d.Svc.Get(ctx, c.ID)
	if err != nil {
		return err
	}
	data := &configureData{Conn: v, Desc: conn.Describe(), Tabs: tabsFor(conn), Capable: map[string]bool{}}
	for _, cap := range connector.Capabilities(conn) {
		data.Capable[cap] = true
	}
	q := r.URL.Query()
	data.Tab = q.Get("tab")
	known := false
	for _, t := range data.Tabs {
		known = known || t.Name == data.Tab
	}
	if !known {
		data.Tab = "connection"
	}
	switch data.Tab {
	case "connection":
		if data.Runs, err = d.DB.ListSyncRuns(ctx, c.ID, d.now().Add(-7*24*time.Hour), 5); err != nil {
			return err
		}
	case "sync":
		if data.Settings, err = d.Sync.Settings(ctx, c.ID); err != nil {
			return err
		}
		if data.Runs, err = d.DB.ListSyncRuns(ctx, c.ID, d.now().Add(-7*24*time.Hour), 20); err != nil {
			return err
		}
	case "mapping":
		if err := d.loadMapping(r, c, data); err != nil {
			return err
		}
	case "webhooks":
		p, err := d.Webhooks.View(ctx, c.ID)
		if err != nil {
			data.PanelError = concord.ErrorMessage(err)
		} else {
			data.Panel = &p
		}
		if data.Events, _, err = d.DB.ListWebhookEvents(ctx, c.ID, store.Page{Limit: 20}); err != nil {
			return err
		}
	case "logs":
		f := store.LogFilter{Direction: q.Get("direction"), Outcome: q.Get("outcome"), Kind: q.Get("kind")}
		if !slices.Contains([]string{"", "inbound", "outbound", "internal"}, f.Direction) ||
			!slices.Contains([]string{"", "ok", "error"}, f.Outcome) ||
			!slices.Contains([]string{"", "api_call", "webhook", "sync_run", "action"}, f.Kind) {
			return concord.Errorf(concord.EINVALID, "unknown log filter: direction is inbound, outbound or internal; outcome ok or error; kind api_call, webhook, sync_run or action")
		}
		data.LogFilter, data.LogCursor = f, q.Get("cursor")
		if data.Logs, data.LogNext, err = d.DB.ListLogs(ctx, c.ID, f, store.Page{Limit: 50, Cursor: data.LogCursor}); err != nil {
			return err
		}
	case "objects":
		if data.Objects, err = d.DB.ListObjects(ctx, c.ID, q.Get("kind")); err != nil {
			return err
		}
		if len(data.Objects) > 200 {
			data.Objects = data.Objects[:200]
		}
	case "accounting":
		pol, err := syncer.LoadPolicies(ctx, d.DB, c.ID)
		if err != nil {
			return err
		}
		for _, p := range pol.All() {
			if p.Kind == connector.KindOrder {
				data.Policies = append(data.Policies, p)
			}
		}
		drifts, _, err := d.DB.ListDrifts(ctx, c.ID, "open", store.Page{Limit: 500})
		if err != nil {
			return err
		}
		for _, dr := range drifts {
			if dr.Kind == connector.KindOrder {
				data.MoneyDrift++
			}
		}
	}
	d.render(w, r, http.StatusOK, "configure", rq, view{Title: data.Desc.Title + " · " + e.Name, Nav: "integrations", Entity: &e, Data: data})
	return nil
}

// loadMapping fills the Mapping tab: the inbox (or the chosen state), with names from both
// sides, the counts per state, and the open drift rows.
func (d *Dashboard) loadMapping(r *http.Request, c concord.Connection, data *configureData) error {
	ctx := r.Context()
	q := r.URL.Query()
	data.MapState = q.Get("state")
	if data.MapState == "" {
		data.MapState = "suggested"
	}
	if !slices.Contains(mappingStates, data.MapState) {
		return concord.Errorf(concord.EINVALID, "state must be unmapped, suggested, active, rejected or stale")
	}
	var err error
	if data.MapCounts, err = d.DB.CountMappingsCapped(ctx, c.ID, mappingStates, store.CountCap); err != nil {
		return err
	}
	ms, next, err := d.DB.ListMappings(ctx, c.ID, data.MapState, "", store.Page{Limit: 50, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.MapNext = next
	// The names of both sides, one query per side and kind for the whole page.
	var extKeys, erpKeys []store.RecordKey
	for _, m := range ms {
		extKeys = append(extKeys, store.RecordKey{Kind: m.Kind, ID: m.ExternalID})
		if m.ERPID != "" {
			erpKeys = append(erpKeys, store.RecordKey{Kind: m.Kind, ID: m.ERPID})
		}
	}
	ext, err := d.DB.RecordFields(ctx, "external", c.ID, extKeys)
	if err != nil {
		return err
	}
	erp, err := d.DB.RecordFields(ctx, "erp", c.EntityID, erpKeys)
	if err != nil {
		return err
	}
	for _, m := range ms {
		data.Mappings = append(data.Mappings, mappingRow{Mapping: m,
			ExtName: recordName(ext[store.RecordKey{Kind: m.Kind, ID: m.ExternalID}]),
			ERPName: recordName(erp[store.RecordKey{Kind: m.Kind, ID: m.ERPID}])})
	}
	data.Drifts, _, err = d.DB.ListDrifts(ctx, c.ID, "open", store.Page{Limit: 50})
	return err
}

var mappingStates = []string{"suggested", "unmapped", "active", "stale", "rejected"}

// recordName is how a record is named to a person: its title and SKU, or its number.
func recordName(f map[string]string) string {
	var parts []string
	for _, k := range []string{"title", "name", "number", "sku"} {
		if v := f[k]; v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " · ")
}

func (d *Dashboard) test(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	out, err := d.Svc.Test(r.Context(), connections.Actor(rq.P.Actor()), c.ID)
	if err != nil {
		return err
	}
	if out.OK {
		d.setFlash(w, r, "ok", fmt.Sprintf("Test passed in %d ms: %s mode, account %s.", out.LatencyMS, out.Mode, out.AccountID))
	} else {
		d.setFlash(w, r, "fail", fmt.Sprintf("Test failed (%s): %s", orDash(string(out.ErrorClass)), out.Message))
	}
	back(w, r, c)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// diagnose runs guided triage and shows its report; it changes nothing by itself.
func (d *Dashboard) diagnose(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, e, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	rep, err := d.Triage.DiagnoseWith(r.Context(), connections.Actor(rq.P.Actor()), c.ID,
		triage.Options{AllowReversible: r.PostForm.Get("allow_reversible") == "1"})
	if err != nil {
		return err
	}
	conn, _ := d.Registry.Get(c.Connector)
	d.render(w, r, http.StatusOK, "triage", rq, view{Title: "Triage · " + conn.Describe().Title, Nav: "integrations", Entity: &e,
		Data: map[string]any{"Report": rep, "Conn": c, "Title": conn.Describe().Title}})
	return nil
}

// disconnectConfirm names what stops and what is kept before a disconnect.
func (d *Dashboard) disconnectConfirm(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, e, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	if c.State == concord.StateDisconnected {
		return concord.Errorf(concord.ECONFLICT, "this connection is already disconnected")
	}
	conn, _ := d.Registry.Get(c.Connector)
	counts, err := d.DB.CountMappings(r.Context(), c.ID)
	if err != nil {
		return err
	}
	mapped := 0
	for _, n := range counts {
		mapped += n
	}
	d.render(w, r, http.StatusOK, "disconnect", rq, view{Title: "Disconnect " + conn.Describe().Title, Nav: "integrations", Entity: &e,
		Data: map[string]any{"Conn": c, "Title": conn.Describe().Title, "Mappings": mapped,
			"PurgeAt": d.now().Add(concord.RecoveryWindow)}})
	return nil
}

func (d *Dashboard) disconnect(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != c.ID {
		return concord.Errorf(concord.EINVALID, "confirm the disconnect on its confirmation page; nothing was changed")
	}
	v, err := d.Svc.Disconnect(r.Context(), connections.Actor(rq.P.Actor()), c.ID)
	if err != nil {
		return err
	}
	d.setFlash(w, r, "ok", fmt.Sprintf("Disconnected. History is kept; the credentials are destroyed %s unless you reconnect first.", when(v.CredentialsPurgeAt)))
	http.Redirect(w, r, "/ui/e/"+url.PathEscape(c.EntityID)+"/integrations", http.StatusSeeOther)
	return nil
}

func (d *Dashboard) reconnect(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	if _, err := d.Svc.Reconnect(r.Context(), connections.Actor(rq.P.Actor()), c.ID); err != nil {
		return err
	}
	d.setFlash(w, r, "ok", "Reconnected with the kept credentials. Run Test to confirm they still work.")
	back(w, r, c)
	return nil
}

// rotate replaces credentials: the new ones are tested first; fields left empty keep their
// stored value.
func (d *Dashboard) rotate(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	conn, _ := d.Registry.Get(c.Connector)
	creds := map[string]string{}
	for _, f := range conn.Describe().Credentials {
		if v := strings.TrimSpace(r.PostForm.Get("cred." + f.Name)); v != "" {
			creds[f.Name] = v
		}
	}
	if len(creds) == 0 {
		return concord.Errorf(concord.EINVALID, "type at least one new credential value; nothing was changed")
	}
	_, err = d.Svc.Rotate(r.Context(), connections.Actor(rq.P.Actor()), c.ID, connections.RotateInput{Credentials: creds,
		ConfirmAccountChange: r.PostForm.Get("confirm_account_change") == "1"})
	if err != nil {
		d.setFlash(w, r, "fail", "Credentials not changed: "+concord.ErrorMessage(err))
	} else {
		d.setFlash(w, r, "ok", "New credentials tested and saved.")
	}
	back(w, r, c)
	return nil
}

func (d *Dashboard) startSync(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	dir := r.PostForm.Get("direction")
	if dir == "" {
		dir = syncer.Inbound
	}
	runs, err := d.Sync.StartRuns(r.Context(), rq.P.Actor(), c.ID, r.PostForm.Get("resource"), dir, r.PostForm.Get("full") == "1")
	if err != nil {
		d.setFlash(w, r, "fail", "Sync not started: "+concord.ErrorMessage(err))
	} else {
		d.setFlash(w, r, "ok", fmt.Sprintf("Started %d sync run(s); progress shows below.", len(runs)))
	}
	back(w, r, c)
	return nil
}

func (d *Dashboard) putSyncSetting(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	mins, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("interval_minutes")))
	if err != nil || mins < 1 || mins > 7*24*60 {
		return concord.Errorf(concord.EINVALID, "the interval is a whole number of minutes from 1 to 10080; nothing was changed")
	}
	s := store.SyncSetting{Kind: r.PostForm.Get("kind"), Inbound: r.PostForm.Get("inbound") == "1",
		Outbound: r.PostForm.Get("outbound") == "1", IntervalSeconds: mins * 60}
	if err := d.Sync.PutSetting(r.Context(), rq.P.Actor(), c.ID, s); err != nil {
		return err
	}
	d.setFlash(w, r, "ok", "Sync Settings for "+s.Kind+" saved.")
	back(w, r, c)
	return nil
}

// mappingActions approves or rejects the checked mappings, all in one action.
func (d *Dashboard) mappingActions(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	action := r.PostForm.Get("action")
	if action != "approve" && action != "reject" {
		return concord.Errorf(concord.EINVALID, "choose approve or reject")
	}
	ids := r.PostForm["mapping"]
	if len(ids) == 0 {
		d.setFlash(w, r, "warn", "Tick at least one mapping first.")
		back(w, r, c)
		return nil
	}
	if len(ids) > 1000 {
		return concord.Errorf(concord.EINVALID, "at most 1000 mappings at once; nothing was changed")
	}
	acts := make([]syncer.MappingAction, len(ids))
	for i, id := range ids {
		acts[i] = syncer.MappingAction{MappingID: id, Action: action}
	}
	out, err := d.Sync.ApplyMappingActions(r.Context(), rq.P.Actor(), c.ID, acts)
	if err != nil {
		return err
	}
	ok, failed := 0, []string{}
	for _, o := range out {
		if o.OK {
			ok++
		} else {
			failed = append(failed, o.MappingID+": "+o.Error)
		}
	}
	kind, msg := "ok", fmt.Sprintf("%d mapping(s) %sd.", ok, action)
	if len(failed) > 0 {
		kind = "warn"
		msg += " Not done: " + strings.Join(failed, "; ")
	}
	d.setFlash(w, r, kind, msg)
	http.Redirect(w, r, "/ui/c/"+url.PathEscape(c.ID)+"?tab=mapping&state="+url.QueryEscape(r.PostForm.Get("state")), http.StatusSeeOther)
	return nil
}

func (d *Dashboard) drift(r *http.Request, rq *request) (store.Drift, concord.Connection, concord.Entity, error) {
	c, e, err := d.connection(r, rq)
	if err != nil {
		return store.Drift{}, c, e, err
	}
	dr, err := d.DB.GetDrift(r.Context(), r.PathValue("drift"))
	if err != nil || dr.ConnectionID != c.ID {
		return dr, c, e, errNotFound("drift")
	}
	return dr, c, e, nil
}

// driftPreview shows the two values side by side and what each resolution would do.
func (d *Dashboard) driftPreview(w http.ResponseWriter, r *http.Request, rq *request) error {
	dr, c, e, err := d.drift(r, rq)
	if err != nil {
		return err
	}
	var previews []syncer.Preview
	for _, a := range []string{"push", "pull", "accept"} {
		p, err := d.Sync.PreviewResolution(r.Context(), dr.ID, a)
		if err != nil {
			return err
		}
		previews = append(previews, p)
	}
	chosen := r.URL.Query().Get("action")
	d.render(w, r, http.StatusOK, "drift", rq, view{Title: "Drift on " + dr.Field, Nav: "integrations", Entity: &e,
		Data: map[string]any{"Drift": dr, "Conn": c, "Previews": previews, "Chosen": chosen}})
	return nil
}

func (d *Dashboard) resolveDrift(w http.ResponseWriter, r *http.Request, rq *request) error {
	dr, c, _, err := d.drift(r, rq)
	if err != nil {
		return err
	}
	p, err := d.Sync.Resolve(r.Context(), rq.P.Actor(), dr.ID, r.PostForm.Get("action"))
	if err != nil {
		return err
	}
	d.setFlash(w, r, "ok", "Drift resolved: "+p.Change+". Confirm below that both sides now agree.")
	http.Redirect(w, r, "/ui/c/"+url.PathEscape(c.ID)+"/drift/"+url.PathEscape(dr.ID), http.StatusSeeOther)
	return nil
}

// confirm re-reads both sides of one mapped record, the service through its API, and shows
// whether they agree on every compared field, or what still differs: the last step of a fix.
func (d *Dashboard) confirm(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, e, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	kind, ext := r.PostForm.Get("kind"), r.PostForm.Get("external_id")
	if kind == "" || ext == "" {
		return concord.Errorf(concord.EINVALID, "say which record to confirm (kind and external_id)")
	}
	ag, err := d.Sync.Confirm(r.Context(), c.ID, kind, ext)
	if err != nil {
		return err
	}
	d.render(w, r, http.StatusOK, "confirm", rq, view{Title: "Confirm agreement", Nav: "integrations", Entity: &e,
		Data: map[string]any{"Conn": c, "Agreement": ag, "Back": r.PostForm.Get("back")}})
	return nil
}

func (d *Dashboard) testWebhook(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	res, err := d.Webhooks.SendTest(r.Context(), c.ID, 10*time.Second)
	if err != nil {
		d.setFlash(w, r, "fail", "Test webhook not sent: "+concord.ErrorMessage(err))
	} else if res.Received {
		d.setFlash(w, r, "ok", "Test webhook received and verified: "+res.Message)
	} else {
		d.setFlash(w, r, "fail", "Test webhook not received: "+res.Message)
	}
	back(w, r, c)
	return nil
}

func (d *Dashboard) registerWebhooks(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	made, err := d.Webhooks.Register(r.Context(), c.ID)
	if err != nil {
		d.setFlash(w, r, "fail", "Subscriptions not created: "+concord.ErrorMessage(err))
	} else if len(made) == 0 {
		d.setFlash(w, r, "ok", "Every required subscription already exists.")
	} else {
		d.setFlash(w, r, "ok", "Created subscriptions: "+strings.Join(made, ", "))
	}
	back(w, r, c)
	return nil
}

// putPolicy changes who owns one field (the Accounting tab's money fields), audited.
func (d *Dashboard) putPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	fp := store.FieldPolicy{Kind: r.PostForm.Get("kind"), Field: r.PostForm.Get("field"), Policy: r.PostForm.Get("policy"),
		AutoResolve: r.PostForm.Get("auto_resolve") == "1"}
	if err := d.Sync.PutPolicy(r.Context(), rq.P.Actor(), c.ID, fp); err != nil {
		return err
	}
	d.setFlash(w, r, "ok", fmt.Sprintf("%s.%s is now %s.", fp.Kind, fp.Field, strings.ReplaceAll(fp.Policy, "_", " ")))
	back(w, r, c)
	return nil
}
