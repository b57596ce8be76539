package httpapi

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
)

// startOAuth is POST /v1/entities/{entity_id}/connections/oauth: it answers where to send
// the shop owner's browser to install the app.
func (s *Server) startOAuth(w http.ResponseWriter, r *http.Request) error {
	entityID := r.PathValue("entity_id")
	if err := requireEntity(r.Context(), entityID); err != nil {
		return &concord.Error{Code: concord.ENOTFOUND, Message: "entity not found"}
	}
	var in connections.OAuthStartInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Connector == "" {
		return concord.Errorf(concord.EINVALID, "connector is required")
	}
	started, err := s.Svc.StartOAuth(r.Context(), actor(r), entityID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, started)
	return nil
}

// OAuthCallback serves GET /oauth/callback, where the provider sends the shop owner's
// browser back after consent. It is public (a browser carries no API token: the single-use
// state and the provider's signature are what authenticate it) and lives outside /v1, so
// it is mounted beside the API like the webhook intake. It answers a small HTML page; the
// page shows only the hub's own words, never a query value or a credential.
func OAuthCallback(svc *connections.Service, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := callbackPage{Title: "Connected"}
		status := http.StatusOK
		v, err := svc.CompleteOAuth(r.Context(), r.URL.Query())
		if err != nil {
			code := concord.ErrorCode(err)
			if code == concord.EINTERNAL {
				log.Error("oauth callback failed", "err", err)
			}
			status = StatusFor(code)
			page = callbackPage{Title: "Could not connect", Error: concord.ErrorMessage(err)}
		} else {
			page.ConnectionID, page.Connector, page.Mode, page.State = v.ID, v.Connector, string(v.Mode), string(v.State)
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		// The callback URL carries the code: never hand it on to another site.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		w.WriteHeader(status)
		if err := callbackTemplate.Execute(w, page); err != nil {
			log.Warn("oauth callback page", "err", err)
		}
	})
}

// callbackPage is what the callback page shows.
type callbackPage struct {
	Title, Error                         string
	ConnectionID, Connector, Mode, State string
}

var callbackTemplate = template.Must(template.New("callback").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>concord · {{.Title}}</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}
.err{color:#a00}code{background:#f3f3f3;padding:0 .25rem}</style></head>
<body><h1>{{.Title}}</h1>
{{if .Error}}<p class="err">{{.Error}}</p>
<p>Nothing was connected. Start the connection again from <a href="/ui/">the concord dashboard</a>.</p>
{{else}}<p>{{.Connector}} is connected to concord as connection <code id="connection-id">{{.ConnectionID}}</code>
({{.Mode}}, {{.State}}).</p>
<p><a href="/ui/c/{{.ConnectionID}}">Open it in the dashboard</a>, or close this window.</p>{{end}}
</body></html>
`))
