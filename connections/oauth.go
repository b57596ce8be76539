package connections

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// OAuthStateTTL is how long an install may take from start to callback.
const OAuthStateTTL = 10 * time.Minute

// OAuthCallbackPath is where providers send the browser back, under the public URL.
const OAuthCallbackPath = "/oauth/callback"

// OAuthStartInput is the body of an OAuth start: the connector, its config (the shop) and
// the app the shop owner installs (its client id and secret).
type OAuthStartInput struct {
	Connector    string            `json:"connector"`
	Config       map[string]string `json:"config"`
	ClientID     string            `json:"client_id"`
	ClientSecret string            `json:"client_secret"`
}

// OAuthStarted is where to send the browser, and until when the install may finish.
type OAuthStarted struct {
	AuthorizeURL string    `json:"authorize_url"`
	State        string    `json:"state"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// StartOAuth begins connecting entityID by OAuth: it validates the entity, the connector
// (it must implement connector.OAuthConnector) and the config, and stores a single-use
// state with the client secret sealed, audited. The callback (CompleteOAuth) finishes it.
func (s *Service) StartOAuth(ctx context.Context, actor Actor, entityID string, in OAuthStartInput) (OAuthStarted, error) {
	entity, err := s.DB.GetEntity(ctx, entityID)
	if err != nil {
		return OAuthStarted{}, err
	}
	if !entity.Active {
		return OAuthStarted{}, concord.Errorf(concord.ECONFLICT, "entity %s is inactive", entity.ID)
	}
	conn, err := s.connector(in.Connector)
	if err != nil {
		return OAuthStarted{}, err
	}
	d := conn.Describe()
	oc, ok := conn.(connector.OAuthConnector)
	if !ok {
		return OAuthStarted{}, concord.Errorf(concord.EINVALID,
			"%s cannot be connected by OAuth; connect it with its credentials instead", d.Title)
	}
	if in.Config == nil {
		in.Config = map[string]string{}
	}
	if err := s.checkConfig(d, entity, in.Config); err != nil {
		return OAuthStarted{}, err
	}
	if strings.TrimSpace(in.ClientID) == "" || strings.TrimSpace(in.ClientSecret) == "" {
		return OAuthStarted{}, concord.Errorf(concord.EINVALID, "client_id and client_secret (the app's) are required")
	}
	if s.PublicURL == "" {
		return OAuthStarted{}, concord.Errorf(concord.EUNPROCESSABLE, "the server has no public URL to come back to (set --public-url)")
	}
	state, err := newState()
	if err != nil {
		return OAuthStarted{}, err
	}
	redirect := strings.TrimRight(s.PublicURL, "/") + OAuthCallbackPath
	authorize, err := oc.OAuthStart(in.Config, in.ClientID, redirect, state)
	if err != nil {
		return OAuthStarted{}, err
	}
	sealed, err := s.Keys.Seal(stateKey(state), "client_secret", in.ClientSecret)
	if err != nil {
		return OAuthStarted{}, err
	}
	now := s.now()
	st := &store.OAuthState{State: state, EntityID: entity.ID, Connector: d.Name, Config: in.Config,
		ClientID: in.ClientID, ClientSecret: sealed, RedirectURI: redirect, Actor: string(actor),
		CreatedAt: now, ExpiresAt: now.Add(OAuthStateTTL)}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// States long past their life are of no use to anyone: sweep them as new ones come.
		if _, err := tx.PurgeOAuthStates(ctx, now.Add(-24*time.Hour)); err != nil {
			return err
		}
		if err := tx.CreateOAuthState(ctx, st); err != nil {
			return err
		}
		return auditTx(ctx, tx, actor, "connection.oauth_start", "entity:"+entity.ID, entity.ID, "ok", nil,
			map[string]any{"connector": d.Name, "config": in.Config, "client_id": in.ClientID,
				"redirect_uri": redirect, "expires_at": st.ExpiresAt}, "")
	})
	if err != nil {
		return OAuthStarted{}, err
	}
	return OAuthStarted{AuthorizeURL: authorize, State: state, ExpiresAt: st.ExpiresAt}, nil
}

// CompleteOAuth finishes an install from the provider's callback query: it consumes the
// state (once: a replayed callback is refused), lets the connector verify the callback and
// exchange the code, then connects with the credentials obtained exactly as Connect does
// (tested, sealed, audited), as the actor who started the install.
func (s *Service) CompleteOAuth(ctx context.Context, query url.Values) (View, error) {
	state := query.Get("state")
	if state == "" {
		return View{}, concord.Errorf(concord.EINVALID, "the callback carries no state: start the install from concord")
	}
	var st store.OAuthState
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		st, err = tx.ConsumeOAuthState(ctx, state, s.now())
		return err
	})
	if err != nil {
		return View{}, err
	}
	view, err := s.completeOAuth(ctx, st, query)
	outcome, detail, resource := "ok", "", "entity:"+st.EntityID
	if err != nil {
		outcome, detail = "error", concord.ErrorMessage(err)
	} else {
		resource = "connection:" + view.ID
	}
	aerr := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return auditTx(ctx, tx, Actor(st.Actor), "connection.oauth_complete", resource, st.EntityID, outcome, nil,
			map[string]any{"connector": st.Connector, "client_id": st.ClientID}, detail)
	})
	if err != nil {
		return View{}, err
	}
	return view, aerr
}

func (s *Service) completeOAuth(ctx context.Context, st store.OAuthState, query url.Values) (View, error) {
	entity, err := s.DB.GetEntity(ctx, st.EntityID)
	if err != nil {
		return View{}, err
	}
	conn, err := s.connector(st.Connector)
	if err != nil {
		return View{}, err
	}
	oc, ok := conn.(connector.OAuthConnector)
	if !ok {
		return View{}, concord.Errorf(concord.EINVALID, "%s no longer supports connecting by OAuth", st.Connector)
	}
	secret, err := s.Keys.Open(stateKey(st.State), "client_secret", st.ClientSecret)
	if err != nil {
		return View{}, concord.Errorf(concord.EINTERNAL, "the install's client secret cannot be opened with the current master key; start again")
	}
	client := s.Outbound.Client(connector.Binding{ConnectionID: "oauth:" + entity.ID, Connector: st.Connector,
		Sandbox: entity.Mode == concord.ModeSandbox, Secrets: []string{secret, query.Get("code")}})
	creds, cfg, err := oc.OAuthComplete(ctx, client, st.Config, query, st.ClientID, secret, st.State)
	var ce *concord.Error
	if errors.As(err, &ce) {
		return View{}, ce // the connector's own refusal (signature, state, shop): worded for the person
	}
	if err != nil {
		if refusesCredential(err) {
			return View{}, &concord.Error{Code: concord.EINVALID, Class: connector.ClassOf(err),
				Message: "the service refused the install: " + concord.ErrorMessage(asSafe(err)) + "; start the install again"}
		}
		return View{}, asSafe(err)
	}
	return s.Connect(ctx, Actor(st.Actor), entity.ID, ConnectInput{Connector: st.Connector, Credentials: creds, Config: cfg})
}

// newState is a random 32-byte state nonce, URL-safe.
func newState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// stateKey binds a state's sealed client secret to that state, apart from any connection.
func stateKey(state string) string { return "oauth_state:" + state }
