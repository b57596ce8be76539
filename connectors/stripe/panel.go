package stripe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

var (
	_ connector.WebhookPanel  = (*Connector)(nil)
	_ connector.WebhookTester = (*Connector)(nil)
)

// requiredEvents are the events HandleWebhook needs for the payment, saved method,
// dispute and payout checks. payment_intent.created is left out on purpose: it says
// nothing the later events do not.
var requiredEvents = []string{
	"payment_intent.succeeded",
	"payment_intent.payment_failed",
	"payment_intent.requires_action",
	"payment_intent.canceled",
	"payment_intent.processing",
	"payment_method.attached",
	"payment_method.detached",
	"payment_method.updated",
	"payment_method.automatically_updated",
	"charge.dispute.created",
	"charge.dispute.updated",
	"charge.dispute.closed",
	"charge.dispute.funds_withdrawn",
	"payout.paid",
	"payout.failed",
	"payout.canceled",
	"payout.updated",
}

// RequiredEvents lists the event types the endpoint pointing at the hub must enable.
func (*Connector) RequiredEvents() []string { return slices.Clone(requiredEvents) }

// WebhookSubscription finds the account's webhook endpoint whose URL is url (endpoints
// belong to one mode: a test key sees the test-mode endpoints) and says which required
// events it does not enable; "*" enables all. When several endpoints share the URL, an
// enabled one is preferred.
func (c *Connector) WebhookSubscription(ctx context.Context, s *connector.Session, url string) (connector.Subscription, error) {
	eps, err := c.ListWebhookEndpoints(ctx, s)
	if err != nil {
		return connector.Subscription{}, err
	}
	var ep *stripego.WebhookEndpoint
	for _, cand := range eps {
		if cand.URL == url && (ep == nil || ep.Status != "enabled") {
			ep = cand
		}
	}
	mode := modeWord(sessionMode(s))
	if ep == nil {
		return connector.Subscription{URL: url, Note: fmt.Sprintf(
			"no webhook endpoint in Stripe's %s mode points at %s: add one in the Dashboard (Developers > Webhooks) at exactly this URL with the required events, then store its signing secret",
			mode, url)}, nil
	}
	sub := connector.Subscription{
		Found: true, ID: ep.ID, URL: ep.URL, Status: ep.Status,
		Events: slices.Clone(ep.EnabledEvents), MissingEvents: missingEvents(ep.EnabledEvents),
	}
	var notes []string
	if ep.Status != "enabled" {
		notes = append(notes, "the endpoint is "+ep.Status+": Stripe sends it nothing until it is enabled again")
	}
	if len(sub.MissingEvents) > 0 {
		notes = append(notes, "add the missing events to the endpoint: "+strings.Join(sub.MissingEvents, ", "))
	}
	sub.Note = strings.Join(notes, "; ")
	return sub, nil
}

// missingEvents is the required events enabled does not cover.
func missingEvents(enabled []string) []string {
	if slices.Contains(enabled, "*") {
		return nil
	}
	var missing []string
	for _, ev := range requiredEvents {
		if !slices.Contains(enabled, ev) {
			missing = append(missing, ev)
		}
	}
	return missing
}

// sessionMode is the mode the session's key declares (sandbox when it does not say).
func sessionMode(s *connector.Session) concord.Mode {
	if s != nil {
		if m, ok := keyMode(s.Credentials[FieldSecretKey]); ok {
			return m
		}
	}
	return concord.ModeSandbox
}

// testWebhookAmount is the smallest usd amount Stripe accepts (50 cents); the intent is
// never confirmed, so nothing is charged.
const testWebhookAmount = 50

// SendTestWebhook makes Stripe emit a real, signed event. Stripe has no "send test event"
// API, so in test mode only it creates an unconfirmed PaymentIntent of 50 cents (metadata
// concord_test_webhook=true) and cancels it at once: Stripe sends payment_intent.created
// and payment_intent.canceled to every endpoint that enables them. A live key is refused
// (EFORBIDDEN): even an uncharged intent is a record in the business's real books. The
// Note says when the endpoint at url would not receive the event.
func (c *Connector) SendTestWebhook(ctx context.Context, s *connector.Session, url string) (connector.TestWebhook, error) {
	if s == nil {
		return connector.TestWebhook{}, concord.Errorf(concord.EINTERNAL, "stripe: no session")
	}
	if m, ok := keyMode(s.Credentials[FieldSecretKey]); !ok || m != concord.ModeSandbox {
		e := concord.Errorf(concord.EFORBIDDEN,
			"a test webhook creates and cancels a PaymentIntent, so it runs only with a test-mode key (sk_test_ or rk_test_)")
		return connector.TestWebhook{}, e
	}
	sub, err := c.WebhookSubscription(ctx, s, url)
	if err != nil {
		return connector.TestWebhook{}, err
	}
	key, err := testWebhookKey()
	if err != nil {
		return connector.TestWebhook{}, err
	}
	pi, err := c.CreatePaymentIntent(ctx, s, PaymentIntentInput{
		Amount: testWebhookAmount, Currency: "usd", Description: "concord test webhook",
		Metadata: map[string]string{"concord_test_webhook": "true"},
	}, key)
	if err != nil {
		return connector.TestWebhook{}, err
	}
	if _, err := c.CancelPaymentIntent(ctx, s, pi.ID, key+"-cancel"); err != nil {
		return connector.TestWebhook{}, err
	}
	out := connector.TestWebhook{EventTypes: []string{"payment_intent.canceled"}, ObjectID: pi.ID}
	switch {
	case !sub.Found:
		out.Note = "no endpoint points at " + url + ", so Stripe delivers this event nowhere; " + sub.Note
	case sub.Status != "enabled":
		out.Note = "the endpoint " + sub.ID + " is " + sub.Status + ", so Stripe will not deliver this event"
	case !slices.Contains(sub.Events, "*") && !slices.Contains(sub.Events, "payment_intent.canceled"):
		out.Note = "the endpoint " + sub.ID + " does not enable payment_intent.canceled, so Stripe will not deliver this event"
	}
	return out, nil
}

// testWebhookKey is a fresh idempotency key: each test action is a new intent, and the key
// still makes the shared client's retries of one attempt safe.
func testWebhookKey() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("stripe: test webhook key: %w", err)
	}
	return "concord-test-webhook-" + hex.EncodeToString(b), nil
}
