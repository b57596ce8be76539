package stripeemu

import (
	"net/url"
	"slices"
)

// WebhookEndpoint is Stripe's webhook_endpoint object. Secret is only in
// the create answer, as at Stripe.
type WebhookEndpoint struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	APIVersion    *string           `json:"api_version"`
	Application   *string           `json:"application"`
	Created       int64             `json:"created"`
	Description   *string           `json:"description"`
	EnabledEvents []string          `json:"enabled_events"`
	Livemode      bool              `json:"livemode"`
	Metadata      map[string]string `json:"metadata"`
	Secret        string            `json:"secret,omitempty"`
	Status        string            `json:"status"`
	URL           string            `json:"url"`

	secret string
}

func (ep *WebhookEndpoint) wants(typ string) bool {
	return slices.Contains(ep.EnabledEvents, "*") || slices.Contains(ep.EnabledEvents, typ)
}

func (e *Emulator) webhookEndpointRoutes(handle func(string, apiHandler)) {
	handle("POST /v1/webhook_endpoints", e.createWebhookEndpoint)
	handle("GET /v1/webhook_endpoints", e.listWebhookEndpoints)
	handle("GET /v1/webhook_endpoints/{id}", e.getWebhookEndpoint)
	handle("POST /v1/webhook_endpoints/{id}", e.updateWebhookEndpoint)
	handle("DELETE /v1/webhook_endpoints/{id}", e.deleteWebhookEndpoint)
}

func validWebhookURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// applyEndpoint applies the fields create and update share.
func (c *call) applyEndpoint(ep *WebhookEndpoint) *apiError {
	if u, ok := c.p.str("url"); ok {
		if !validWebhookURL(u) {
			return errInvalid("url", "url_invalid", "Invalid URL: "+u)
		}
		ep.URL = u
	}
	if c.p.has("enabled_events") {
		evs := c.p.list("enabled_events")
		if len(evs) == 0 {
			return errMissing("enabled_events")
		}
		ep.EnabledEvents = evs
	}
	if d, ok, err := c.p.bool("disabled"); err != nil {
		return err
	} else if ok {
		ep.Status = "enabled"
		if d {
			ep.Status = "disabled"
		}
	}
	optString(&ep.Description, c.p, "description")
	ep.Metadata = applyMetadata(ep.Metadata, c.p)
	return nil
}

func (e *Emulator) createWebhookEndpoint(c *call) (any, *apiError) {
	if u, _ := c.p.str("url"); u == "" {
		return nil, errMissing("url")
	}
	if !c.p.has("enabled_events") {
		return nil, errMissing("enabled_events")
	}
	ep := &WebhookEndpoint{ID: newID("we_"), Object: "webhook_endpoint", Created: c.now,
		Livemode: c.ds.livemode, Metadata: map[string]string{}, Status: "enabled",
		secret: "whsec_" + randomString(32)}
	if v, _ := c.p.str("api_version"); v != "" {
		ep.APIVersion = &v
	}
	if err := c.applyEndpoint(ep); err != nil {
		return nil, err
	}
	c.ds.endpoints.put(ep.ID, ep)
	shown := *ep
	shown.Secret = ep.secret
	return &shown, nil
}

func (c *call) endpoint() (*WebhookEndpoint, *apiError) {
	id := c.r.PathValue("id")
	ep, ok := c.ds.endpoints.get(id)
	if !ok {
		return nil, errNoSuch("webhook_endpoint", id, "id")
	}
	return ep, nil
}

func (e *Emulator) getWebhookEndpoint(c *call) (any, *apiError) { return c.endpoint() }

func (e *Emulator) updateWebhookEndpoint(c *call) (any, *apiError) {
	ep, err := c.endpoint()
	if err != nil {
		return nil, err
	}
	return ep, c.applyEndpoint(ep)
}

func (e *Emulator) deleteWebhookEndpoint(c *call) (any, *apiError) {
	ep, err := c.endpoint()
	if err != nil {
		return nil, err
	}
	c.ds.endpoints.remove(ep.ID)
	return &deleted{ID: ep.ID, Object: "webhook_endpoint", Deleted: true}, nil
}

func (e *Emulator) listWebhookEndpoints(c *call) (any, *apiError) {
	return list(c, "/v1/webhook_endpoints", c.ds.endpoints.newestFirst(),
		func(ep *WebhookEndpoint) string { return ep.ID }, "webhook_endpoint")
}
