package shopify

import (
	"context"
	"fmt"
	"strings"

	"github.com/concordhub/concord/connector"
)

// requiredTopics are the deliveries the hub needs, as Shopify names them in
// X-Shopify-Topic; the subscription API spells them as enums (orders/create ->
// ORDERS_CREATE).
var requiredTopics = []string{
	"orders/create", "orders/updated", "products/create", "products/update", "products/delete",
	"inventory_levels/update", "fulfillments/create", "fulfillments/update", "app/uninstalled",
}

// topicEnum is the WebhookSubscriptionTopic of a topic string.
func topicEnum(topic string) string {
	return strings.ToUpper(strings.ReplaceAll(topic, "/", "_"))
}

// RequiredEvents lists the topics the hub needs.
func (*Connector) RequiredEvents() []string { return append([]string(nil), requiredTopics...) }

type subscriptionNode struct {
	ID       string `json:"id"`
	Topic    string `json:"topic"`
	Endpoint *struct {
		Typename    string `json:"__typename"`
		CallbackURL string `json:"callbackUrl"`
	} `json:"endpoint"`
}

// subscriptions reads every webhook subscription of the app on the shop.
func (c *Connector) subscriptions(ctx context.Context, s *connector.Session) ([]subscriptionNode, error) {
	var all []subscriptionNode
	after := ""
	for range 20 { // 20 pages of 100: far more than any app registers
		vars := map[string]any{"first": 100}
		if after != "" {
			vars["after"] = after
		}
		var out struct {
			WebhookSubscriptions *gqlPage[subscriptionNode] `json:"webhookSubscriptions"`
		}
		if err := c.graphql(ctx, s, "list webhook subscriptions", webhookSubscriptionsQuery, vars, &out); err != nil {
			return nil, err
		}
		nodes, next, err := out.WebhookSubscriptions.open("webhookSubscriptions")
		if err != nil {
			return nil, fmt.Errorf("shopify: list webhook subscriptions: %w", err)
		}
		all = append(all, nodes...)
		if after = next; after == "" {
			return all, nil
		}
	}
	return all, nil
}

// WebhookSubscription reports which required topics have a subscription pointing at url
// (Shopify keeps one subscription per topic and endpoint) and which are missing.
func (c *Connector) WebhookSubscription(ctx context.Context, s *connector.Session, url string) (connector.Subscription, error) {
	subs, err := c.subscriptions(ctx, s)
	if err != nil {
		return connector.Subscription{}, err
	}
	have := map[string]string{} // enum -> subscription id
	for _, n := range subs {
		if n.Endpoint != nil && n.Endpoint.CallbackURL == url {
			have[n.Topic] = n.ID
		}
	}
	sub := connector.Subscription{URL: url}
	for _, t := range requiredTopics {
		if id, ok := have[topicEnum(t)]; ok {
			sub.Events = append(sub.Events, t)
			if sub.ID == "" {
				sub.ID = id
			}
		} else {
			sub.MissingEvents = append(sub.MissingEvents, t)
		}
	}
	sub.Found = len(sub.Events) > 0
	switch {
	case !sub.Found:
		sub.Note = "no webhook subscription of this app points at the hub's URL"
	case len(sub.MissingEvents) > 0:
		sub.Status = "incomplete"
		sub.Note = fmt.Sprintf("%d of %d topics subscribed; register the missing ones", len(sub.Events), len(requiredTopics))
	default:
		sub.Status = "enabled"
	}
	return sub, nil
}

// RegisterWebhooks creates a subscription to url (JSON format) for every required topic
// that has none yet, and returns the topics it created. It is safe to repeat: topics
// already subscribed are left alone. A userError stops it with validation (not_found
// never applies: the topics are fixed).
func (c *Connector) RegisterWebhooks(ctx context.Context, s *connector.Session, url string) ([]string, error) {
	sub, err := c.WebhookSubscription(ctx, s, url)
	if err != nil {
		return nil, err
	}
	var created []string
	for _, t := range sub.MissingEvents {
		var out struct {
			WebhookSubscriptionCreate *struct {
				WebhookSubscription *idRef      `json:"webhookSubscription"`
				UserErrors          []userError `json:"userErrors"`
			} `json:"webhookSubscriptionCreate"`
		}
		vars := map[string]any{"topic": topicEnum(t), "subscription": map[string]any{"callbackUrl": url, "format": "JSON"}}
		if err := c.graphql(ctx, s, "create webhook subscription", webhookCreateMutation, vars, &out); err != nil {
			return created, err
		}
		p := out.WebhookSubscriptionCreate
		if p == nil {
			return created, fmt.Errorf("shopify: create webhook subscription: %w", malformed("webhookSubscriptionCreate is null"))
		}
		if len(p.UserErrors) > 0 {
			ue := p.UserErrors[0]
			ue.Code = ""
			return created, fmt.Errorf("shopify: create webhook subscription %s: %w", t, ue.errValidation())
		}
		if p.WebhookSubscription == nil {
			return created, fmt.Errorf("shopify: create webhook subscription: %w", malformed("no subscription and no userErrors"))
		}
		created = append(created, t)
	}
	return created, nil
}
