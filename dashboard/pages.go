package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/httpapi"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
)

var errNotFound = func(what string) error { return &concord.Error{Code: concord.ENOTFOUND, Message: what + " not found"} }

// visibleEntities lists the entities the caller may see, for the switcher.
func (d *Dashboard) visibleEntities(r *http.Request, rq *request) ([]concord.Entity, error) {
	var only []string
	if !rq.P.Global() {
		if len(rq.P.EntityIDs) == 0 {
			return nil, nil
		}
		only = rq.P.EntityIDs
	}
	es, _, err := d.DB.ListEntities(r.Context(), only, store.Page{Limit: 200})
	return es, err
}

// entity loads an entity the caller may see; another entity's id is not found, exactly as
// one that does not exist.
func (d *Dashboard) entity(r *http.Request, rq *request, id string) (concord.Entity, error) {
	if !rq.P.CanSee(id) {
		return concord.Entity{}, errNotFound("entity")
	}
	e, err := d.DB.GetEntity(r.Context(), id)
	if err != nil {
		return e, errNotFound("entity")
	}
	return e, nil
}

// connection loads a connection whose entity the caller may see, and that entity.
func (d *Dashboard) connection(r *http.Request, rq *request) (concord.Connection, concord.Entity, error) {
	c, err := d.DB.GetConnection(r.Context(), r.PathValue("id"))
	if err != nil || !rq.P.CanSee(c.EntityID) {
		return c, concord.Entity{}, errNotFound("connection")
	}
	e, err := d.DB.GetEntity(r.Context(), c.EntityID)
	return c, e, err
}

func (d *Dashboard) home(w http.ResponseWriter, r *http.Request, rq *request) error {
	es, err := d.visibleEntities(r, rq)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		d.render(w, r, http.StatusOK, "empty", rq, view{Title: "No entities", Entities: es})
		return nil
	}
	http.Redirect(w, r, "/ui/e/"+url.PathEscape(es[0].ID)+"/integrations", http.StatusSeeOther)
	return nil
}

// switchEntity is the entity switcher's target: a plain GET form.
func (d *Dashboard) switchEntity(w http.ResponseWriter, r *http.Request, rq *request) error {
	e, err := d.entity(r, rq, r.URL.Query().Get("entity"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ui/e/"+url.PathEscape(e.ID)+"/integrations", http.StatusSeeOther)
	return nil
}

// newEntityForm asks for a new entity's name and environment (a token for every entity only).
func (d *Dashboard) newEntityForm(w http.ResponseWriter, r *http.Request, rq *request) error {
	if !rq.P.Global() {
		return concord.Errorf(concord.EFORBIDDEN, "creating entities needs a token that is not limited to some entities")
	}
	d.render(w, r, http.StatusOK, "entity-new", rq, view{Title: "New entity", Data: map[string]any{}})
	return nil
}

func (d *Dashboard) createEntity(w http.ResponseWriter, r *http.Request, rq *request) error {
	if !rq.P.Global() {
		return concord.Errorf(concord.EFORBIDDEN, "creating entities needs a token that is not limited to some entities")
	}
	e, err := d.Svc.CreateEntity(r.Context(), connections.Actor(rq.P.Actor()), r.PostForm.Get("name"), concord.Mode(r.PostForm.Get("mode")))
	if err != nil {
		d.render(w, r, httpapi.StatusFor(concord.ErrorCode(err)), "entity-new", rq, view{Title: "New entity", Data: map[string]any{
			"Error": concord.ErrorMessage(err), "Name": r.PostForm.Get("name")}})
		return nil
	}
	d.setFlash(w, r, "ok", "Entity "+e.Name+" created ("+string(e.Mode)+"). Connect its services below.")
	http.Redirect(w, r, "/ui/e/"+url.PathEscape(e.ID)+"/integrations", http.StatusSeeOther)
	return nil
}

type integrationsData struct {
	connections.Integrations
	Sync      *syncData
	Available []connector.Descriptor // connectors not yet connected
}

func (d *Dashboard) integrationsView(r *http.Request, rq *request, entityID string) (view, error) {
	e, err := d.entity(r, rq, entityID)
	if err != nil {
		return view{}, err
	}
	in, err := d.Svc.Integrations(r.Context(), e.ID)
	if err != nil {
		return view{}, err
	}
	have := map[string]bool{}
	for _, c := range in.Cards {
		if c.State != concord.StateDisconnected {
			have[c.Connector] = true
		}
	}
	data := &integrationsData{Integrations: in}
	for _, c := range d.Registry.All() {
		if !have[c.Describe().Name] {
			data.Available = append(data.Available, c.Describe())
		}
	}
	return view{Title: "Integrations · " + e.Name, Nav: "integrations", Entity: &e, Data: data}, nil
}

func (d *Dashboard) integrations(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := d.integrationsView(r, rq, r.PathValue("entity"))
	if err != nil {
		return err
	}
	d.render(w, r, http.StatusOK, "integrations", rq, v)
	return nil
}

// syncData is the Sync Dashboard: its flows, filtered, and the hourly chart.
type syncData struct {
	Direction string
	Flows     []syncer.Flow
	Titles    map[string]string // connection id -> connector title
	Chart     chart
	Moved24   int
	Failed24  int
	Behind    []string
}

// syncDashboard is the Sync Dashboard modal: the Integrations page with the dialog open.
// Without JavaScript it is a page of its own; with it, the dialog is modal (focus kept in
// it, Escape closes it).
func (d *Dashboard) syncDashboard(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := d.integrationsView(r, rq, r.PathValue("entity"))
	if err != nil {
		return err
	}
	dir := r.URL.Query().Get("direction")
	if dir == "" {
		dir = "all"
	}
	dash, err := d.Sync.Dashboard(r.Context(), v.Entity.ID, dir)
	if err != nil {
		return err
	}
	hours, err := d.Sync.Activity(r.Context(), v.Entity.ID, dir, 24)
	if err != nil {
		return err
	}
	sd := &syncData{Direction: dir, Flows: dash.Flows, Titles: map[string]string{}, Chart: buildChart(hours, dir)}
	data := v.Data.(*integrationsData)
	for _, c := range data.Cards {
		sd.Titles[c.ID] = c.Title
	}
	for _, f := range dash.Flows {
		sd.Moved24 += f.Windows["24h"].Moved
		sd.Failed24 += f.Windows["24h"].Failed
		if f.State == syncer.Delayed || f.State == syncer.Failing {
			sd.Behind = append(sd.Behind, fmt.Sprintf("%s %s is %s (lag %s)", sd.Titles[f.ConnectionID], f.Direction,
				strings.ReplaceAll(f.State, "_", " "), seconds(f.LagSeconds)))
		}
	}
	data.Sync = sd
	v.Title = "Sync Dashboard · " + v.Entity.Name
	d.render(w, r, http.StatusOK, "integrations", rq, v)
	return nil
}

// cardState is what the live update sends of one card.
type cardState struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	Reason       string `json:"reason"`
	LastActivity string `json:"last_activity"`
}

// events streams the entity's card states (server-sent events) every few seconds, so the
// Integrations page shows a connection turning red without a reload. A message is sent
// only when something changed.
func (d *Dashboard) events(w http.ResponseWriter, r *http.Request, rq *request) error {
	e, err := d.entity(r, rq, r.PathValue("entity"))
	if err != nil {
		return err
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return concord.Errorf(concord.EINTERNAL, "streaming is not supported here")
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n\n")
	fl.Flush()
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	last := ""
	deadline := time.Now().Add(10 * time.Minute) // the browser reconnects; bounds a stream's life
	for {
		_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		// Only what the cards update live: no credentials opened, no warning counts.
		conns, _, err := d.DB.ListConnections(r.Context(), store.ConnectionFilter{EntityIDs: []string{e.ID}}, store.Page{Limit: 500})
		if err != nil {
			return nil
		}
		states := make([]cardState, 0, len(conns))
		for _, c := range conns {
			reason := c.StateDetail
			if reason == "" {
				reason = strings.ReplaceAll(c.StateReason, "_", " ")
			}
			states = append(states, cardState{ID: c.ID, State: string(c.State), Reason: reason,
				LastActivity: ago(c.LastActivityAt)})
		}
		b, _ := json.Marshal(map[string]any{"summary": connections.SummaryOf(conns), "cards": states})
		if string(b) != last {
			last = string(b)
			fmt.Fprintf(w, "event: cards\ndata: %s\n\n", b)
			fl.Flush()
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-d.stopping:
			return nil
		case <-tick.C:
			if time.Now().After(deadline) {
				return nil
			}
		}
	}
}

func (d *Dashboard) catalog(w http.ResponseWriter, r *http.Request, rq *request) error {
	e, err := d.entity(r, rq, r.PathValue("entity"))
	if err != nil {
		return err
	}
	var all []connector.Descriptor
	for _, c := range d.Registry.All() {
		all = append(all, c.Describe())
	}
	d.render(w, r, http.StatusOK, "catalog", rq, view{Title: "Connect a service", Nav: "integrations", Entity: &e, Data: all})
	return nil
}

type connectData struct {
	Connector connector.Descriptor
	OAuth     bool
	// HasAPIBase: the catalog already lists api_base among the config fields, so the form
	// does not add its own.
	HasAPIBase bool
	Values     map[string]string // non-secret values typed before a refusal, shown again
	Error      string
	Mismatch   bool // the refusal was a mode mismatch: offer to confirm
}

func (d *Dashboard) connector(r *http.Request) (connector.Connector, error) {
	c, ok := d.Registry.Get(r.PathValue("connector"))
	if !ok {
		return nil, errNotFound("connector")
	}
	return c, nil
}

// connectTarget is the entity and the catalog connector a connect form is for.
func (d *Dashboard) connectTarget(r *http.Request, rq *request) (concord.Entity, connector.Connector, error) {
	e, err := d.entity(r, rq, r.PathValue("entity"))
	if err != nil {
		return e, nil, err
	}
	c, err := d.connector(r)
	return e, c, err
}

func (d *Dashboard) connectForm(w http.ResponseWriter, r *http.Request, rq *request) error {
	e, c, err := d.connectTarget(r, rq)
	if err != nil {
		return err
	}
	_, oauth := c.(connector.OAuthConnector)
	if oauth {
		allowFormRedirects(w)
	}
	d.render(w, r, http.StatusOK, "connect", rq, view{Title: "Connect " + c.Describe().Title, Nav: "integrations", Entity: &e,
		Data: newConnectData(c.Describe(), oauth, map[string]string{})})
	return nil
}

// connect creates the connection from the form, or starts the OAuth install and sends the
// browser to the service. A refusal shows the form again with what was typed, except
// secrets, which are never echoed back.
func (d *Dashboard) connect(w http.ResponseWriter, r *http.Request, rq *request) error {
	e, c, err := d.connectTarget(r, rq)
	if err != nil {
		return err
	}
	desc := c.Describe()
	creds, cfg, values := map[string]string{}, map[string]string{}, map[string]string{}
	for _, f := range desc.Credentials {
		if v := strings.TrimSpace(r.PostForm.Get("cred." + f.Name)); v != "" {
			creds[f.Name] = v
			if !f.Secret {
				values["cred."+f.Name] = v
			}
		}
	}
	for _, f := range desc.Config {
		if v := strings.TrimSpace(r.PostForm.Get("config." + f.Name)); v != "" {
			cfg[f.Name] = v
			values["config."+f.Name] = v
		}
	}
	if v := strings.TrimSpace(r.PostForm.Get("config.api_base")); v != "" {
		cfg["api_base"] = v
		values["config.api_base"] = v
	}
	_, oauth := c.(connector.OAuthConnector)
	ctx := r.Context()
	actor := connections.Actor(rq.P.Actor())
	if oauth && r.PostForm.Get("method") == "oauth" {
		started, err := d.Svc.StartOAuth(ctx, actor, e.ID, connections.OAuthStartInput{Connector: desc.Name, Config: cfg,
			ClientID: strings.TrimSpace(r.PostForm.Get("client_id")), ClientSecret: strings.TrimSpace(r.PostForm.Get("client_secret"))})
		if err != nil {
			values["client_id"] = r.PostForm.Get("client_id")
			cd := newConnectData(desc, true, values)
			cd.Error = concord.ErrorMessage(err)
			allowFormRedirects(w)
			d.render(w, r, httpapi.StatusFor(concord.ErrorCode(err)), "connect", rq, view{Title: "Connect " + desc.Title, Nav: "integrations", Entity: &e, Data: cd})
			return nil
		}
		http.Redirect(w, r, started.AuthorizeURL, http.StatusSeeOther)
		return nil
	}
	v, err := d.Svc.Connect(ctx, actor, e.ID, connections.ConnectInput{Connector: desc.Name, Credentials: creds, Config: cfg,
		ConfirmModeMismatch: r.PostForm.Get("confirm_mode_mismatch") == "1"})
	if err != nil {
		cd := newConnectData(desc, oauth, values)
		cd.Error, cd.Mismatch = concord.ErrorMessage(err), concord.ErrorCode(err) == concord.EMODEMISMATCH
		if oauth {
			allowFormRedirects(w)
		}
		d.render(w, r, httpapi.StatusFor(concord.ErrorCode(err)), "connect", rq, view{Title: "Connect " + desc.Title, Nav: "integrations", Entity: &e, Data: cd})
		return nil
	}
	d.setFlash(w, r, "ok", desc.Title+" is connected ("+string(v.Mode)+", account "+v.AccountID+").")
	http.Redirect(w, r, "/ui/c/"+url.PathEscape(v.ID), http.StatusSeeOther)
	return nil
}

// newConnectData fills what every rendering of the connect form needs.
func newConnectData(desc connector.Descriptor, oauth bool, values map[string]string) connectData {
	cd := connectData{Connector: desc, OAuth: oauth, Values: values}
	for _, f := range desc.Config {
		cd.HasAPIBase = cd.HasAPIBase || f.Name == "api_base"
	}
	return cd
}

// allowFormRedirects lets a form on this page be redirected to another origin: the OAuth
// install's authorize page (the browser applies the page's form-action to the redirect).
func allowFormRedirects(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", strings.Replace(w.Header().Get("Content-Security-Policy"),
		"form-action 'self'", "form-action 'self' https: http:", 1))
}

// back redirects to where the form came from: the Integrations page, or the connection's
// page on the form's tab.
func back(w http.ResponseWriter, r *http.Request, c concord.Connection) {
	if r.PostForm.Get("back") == "integrations" {
		http.Redirect(w, r, "/ui/e/"+url.PathEscape(c.EntityID)+"/integrations", http.StatusSeeOther)
		return
	}
	tab := r.PostForm.Get("tab")
	u := "/ui/c/" + url.PathEscape(c.ID)
	if tab != "" && validTab(tab) {
		u += "?tab=" + url.QueryEscape(tab)
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

var allTabs = []string{"connection", "sync", "mapping", "drift", "webhooks", "logs", "objects", "accounting"}

func validTab(t string) bool { return slices.Contains(allTabs, t) }
