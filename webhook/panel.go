package webhook

import (
	"context"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// Secret statuses of the webhooks panel.
const (
	SecretMissing   = "missing"   // the connector verifies with a secret and none is set
	SecretSet       = "set"       // set; nothing received yet to prove it
	SecretVerifying = "verifying" // deliveries verify
	SecretFailing   = "failing"   // recent deliveries fail verification, none verified since
	SecretNone      = "not_applicable"
)

// Panel answers the webhooks panel and its actions.
type Panel struct {
	DB        *store.DB
	Svc       *connections.Service
	Processor *Processor
	Intake    *Intake
	// GapGrace overrides DefaultGapGrace.
	GapGrace time.Duration
	Now      func() time.Time
}

// View is the webhooks panel of one connection.
type View struct {
	Connector      string   `json:"connector"`
	Supported      bool     `json:"supported"`
	Note           string   `json:"note,omitempty"`
	URL            string   `json:"url"`
	Scheme         string   `json:"scheme"`
	RequiredEvents []string `json:"required_events"`
	SecretStatus   string   `json:"secret_status"`
	store.WebhookStats
	Subscription      *connector.Subscription `json:"subscription,omitempty"`
	SubscriptionError string                  `json:"subscription_error,omitempty"`
}

func (p *Panel) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// View builds the panel, asking the service for its side of the subscription where the
// connector can.
func (p *Panel) View(ctx context.Context, id string) (View, error) {
	o, err := p.Svc.Open(ctx, id)
	if err != nil {
		return View{}, err
	}
	d := o.Connector.Describe()
	v := View{Connector: d.Name, URL: strings.TrimRight(p.Svc.PublicURL, "/") + "/hooks/" + id, Scheme: d.WebhookScheme,
		RequiredEvents: []string{}}
	_, v.Supported = o.Connector.(connector.WebhookVerifier)
	if !v.Supported {
		v.SecretStatus = SecretNone
		v.Note = d.Title + " sends no webhooks; concord polls it instead"
		return v, nil
	}
	if st, err := p.DB.WebhookStats(ctx, id, p.now().Add(-24*time.Hour)); err == nil {
		v.WebhookStats = st
	} else {
		return View{}, err
	}
	v.SecretStatus = secretStatus(d, o.Session.Credentials, v.WebhookStats)
	if panel, ok := o.Connector.(connector.WebhookPanel); ok {
		v.RequiredEvents = panel.RequiredEvents()
		if o.Connection.State != concord.StateDisconnected {
			sub, err := panel.WebhookSubscription(connector.WithOperation(ctx, "webhooks.subscription"), o.Session, v.URL)
			if err != nil {
				v.SubscriptionError = concord.ErrorMessage(safe(err))
			} else {
				v.Subscription = &sub
			}
		}
	}
	return v, nil
}

// secretStatus reads the secret's state from the evidence: is one set, and do deliveries
// verify with it?
func secretStatus(d connector.Descriptor, creds map[string]string, st store.WebhookStats) string {
	hasField, set := false, false
	for _, f := range d.Credentials {
		if f.Webhook {
			hasField = true
			if creds[f.Name] != "" {
				set = true
			}
		}
	}
	switch {
	case hasField && !set:
		return SecretMissing
	case st.LastFailureAt != nil && (st.LastReceivedAt == nil || st.LastFailureAt.After(*st.LastReceivedAt)):
		return SecretFailing
	case st.LastReceivedAt != nil:
		return SecretVerifying
	}
	return SecretSet
}

func safe(err error) error {
	if connector.ClassOf(err) != concord.ClassNone {
		return &concord.Error{Code: concord.EEXTERNAL, Message: err.Error(), Class: connector.ClassOf(err)}
	}
	return err
}

// TestResult is the answer of the test-webhook action.
type TestResult struct {
	Sent     bool                  `json:"sent"`
	Received bool                  `json:"received"`
	Expected connector.TestWebhook `json:"expected"`
	Event    *store.WebhookEvent   `json:"event,omitempty"`
	Message  string                `json:"message"`
}

// SendTest makes the service send a signed test event and waits (up to wait) for its receipt.
func (p *Panel) SendTest(ctx context.Context, id string, wait time.Duration) (TestResult, error) {
	o, err := p.Svc.Open(ctx, id)
	if err != nil {
		return TestResult{}, err
	}
	tester, ok := o.Connector.(connector.WebhookTester)
	if !ok {
		return TestResult{}, concord.Errorf(concord.EUNPROCESSABLE, "%s cannot send a test webhook", o.Connection.Connector)
	}
	url := strings.TrimRight(p.Svc.PublicURL, "/") + "/hooks/" + id
	start := p.now().Add(-time.Second)
	exp, err := tester.SendTestWebhook(connector.WithOperation(ctx, "webhooks.send_test"), o.Session, url)
	if err != nil {
		return TestResult{}, safe(err)
	}
	res := TestResult{Sent: true, Expected: exp, Message: "test event sent; waiting for it"}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if ev := p.findTestEvent(ctx, id, exp, start); ev != nil {
			res.Received, res.Event = true, ev
			res.Message = "the test event arrived and verified"
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	res.Message = "the test event did not arrive within " + wait.String() + "; check the subscription URL, its events and the signing secret"
	return res, nil
}

func (p *Panel) findTestEvent(ctx context.Context, id string, exp connector.TestWebhook, since time.Time) *store.WebhookEvent {
	evs, _, err := p.DB.ListWebhookEvents(ctx, id, store.Page{Limit: 50})
	if err != nil {
		return nil
	}
	for _, ev := range evs {
		if ev.ReceivedAt.Before(since) {
			break
		}
		typeOK := len(exp.EventTypes) == 0
		for _, t := range exp.EventTypes {
			typeOK = typeOK || ev.EventType == t
		}
		if typeOK && (exp.ObjectID == "" || strings.Contains(string(ev.Body), exp.ObjectID)) {
			return &ev
		}
	}
	return nil
}

// Replay processes one stored event again. Processing is idempotent (an object keeps the
// newest version it has seen), so a replay can never apply an event twice over newer state.
func (p *Panel) Replay(ctx context.Context, connectionID, eventID string) (store.WebhookEvent, error) {
	ev, err := p.DB.GetWebhookEvent(ctx, eventID)
	if err != nil {
		return ev, err
	}
	if ev.ConnectionID != connectionID {
		return ev, &concord.Error{Code: concord.ENOTFOUND, Message: "webhook event not found"}
	}
	if err := p.DB.RequeueWebhookEvent(ctx, eventID); err != nil {
		return ev, err
	}
	if _, err := p.Processor.Drain(ctx); err != nil {
		return ev, err
	}
	// The background processor may have claimed it first: wait (bounded) for its outcome.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ev, err = p.DB.GetWebhookEvent(ctx, eventID)
		if err != nil || (ev.Status != store.EventReceived && ev.Status != store.EventProcessing) || time.Now().After(deadline) {
			return ev, err
		}
		select {
		case <-ctx.Done():
			return ev, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Register creates the subscriptions the hub needs on the service, where the connector can.
func (p *Panel) Register(ctx context.Context, id string) ([]string, error) {
	o, err := p.Svc.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	reg, ok := o.Connector.(connector.WebhookRegistrar)
	if !ok {
		return nil, concord.Errorf(concord.EUNPROCESSABLE, "%s subscriptions cannot be created through its API; register the URL on the service", o.Connection.Connector)
	}
	if o.Connection.State == concord.StateDisconnected {
		return nil, concord.Errorf(concord.ECONFLICT, "connection %s is disconnected", id)
	}
	created, err := reg.RegisterWebhooks(connector.WithOperation(ctx, "webhooks.register"), o.Session, strings.TrimRight(p.Svc.PublicURL, "/")+"/hooks/"+id)
	if err != nil {
		return nil, safe(err)
	}
	if created == nil {
		created = []string{}
	}
	return created, nil
}
