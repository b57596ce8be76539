package shopifyemu

import (
	"strconv"
	"strings"
	"time"
)

// The order types (Order, LineItem, Fulfillment) and webhook subscriptions.

func init() {
	schema["Order"] = &typeDef{fields: map[string]fieldDef{
		"id":                       scalarOf(func(o *order) any { return gid("Order", o.ID) }),
		"legacyResourceId":         scalarOf(func(o *order) any { return o.ID }),
		"name":                     scalarOf(func(o *order) any { return orderName(o) }),
		"email":                    scalarOf(func(o *order) any { return o.Email }),
		"createdAt":                scalarOf(func(o *order) any { return stamp(o.CreatedAt) }),
		"updatedAt":                scalarOf(func(o *order) any { return stamp(o.UpdatedAt) }),
		"cancelledAt":              scalarOf(func(o *order) any { return stampPtr(o.CancelledAt) }),
		"currencyCode":             scalarOf(func(o *order) any { return o.Currency }),
		"displayFinancialStatus":   scalarOf(func(o *order) any { return strings.ToUpper(o.Financial) }),
		"displayFulfillmentStatus": scalarOf(func(o *order) any { return displayFulfillment(o.Fulfillment) }),
		"totalPriceSet": objectOf("MoneyBag", func(_ *execCtx, o *order, _ map[string]any) any {
			return moneyBag(o.total(), o.Currency)
		}),
		"lineItems": connOf("LineItem", func(_ *execCtx, o *order, a pageArgs, _ map[string]any) (*page, error) {
			return slicePage(o.Lines, func(l *lineItem) int64 { return l.ID }, a)
		}),
		"fulfillments": listOf("Fulfillment", func(_ *execCtx, o *order, a map[string]any) []any {
			fs := o.Fulfillments
			if n, ok := toInt(a["first"]); ok && int(n) < len(fs) && n >= 0 {
				fs = fs[:n]
			}
			out := make([]any, len(fs))
			for i, f := range fs {
				out[i] = orderFulfillment{o, f}
			}
			return out
		}),
	}}

	// A LineItem value is a lineItem with its order's currency.
	schema["LineItem"] = &typeDef{fields: map[string]fieldDef{
		"id":       scalarOf(func(l *lineItem) any { return gid("LineItem", l.ID) }),
		"sku":      scalarOf(func(l *lineItem) any { return l.SKU }),
		"name":     scalarOf(func(l *lineItem) any { return l.Title }),
		"title":    scalarOf(func(l *lineItem) any { return l.Title }),
		"quantity": scalarOf(func(l *lineItem) any { return l.Quantity }),
		"variant": objectOf("ProductVariant", func(x *execCtx, l *lineItem, _ map[string]any) any {
			if v, ok := x.s.variants[l.VariantID]; ok {
				return v
			}
			return nil
		}),
		"originalUnitPriceSet": objectOf("MoneyBag", func(_ *execCtx, l *lineItem, _ map[string]any) any {
			return moneyBag(l.Price, "USD")
		}),
	}}

	schema["Fulfillment"] = &typeDef{fields: map[string]fieldDef{
		"id":               scalarOf(func(f orderFulfillment) any { return gid("Fulfillment", f.f.ID) }),
		"legacyResourceId": scalarOf(func(f orderFulfillment) any { return f.f.ID }),
		"status":           scalarOf(func(f orderFulfillment) any { return strings.ToUpper(f.f.Status) }),
		"createdAt":        scalarOf(func(f orderFulfillment) any { return stamp(f.f.CreatedAt) }),
		"updatedAt":        scalarOf(func(f orderFulfillment) any { return stamp(f.f.UpdatedAt) }),
		"order":            objectOf("Order", func(_ *execCtx, f orderFulfillment, _ map[string]any) any { return f.o }),
		"trackingInfo": listOf("FulfillmentTrackingInfo", func(_ *execCtx, f orderFulfillment, _ map[string]any) []any {
			if f.f.TrackingNumber == "" && f.f.TrackingCompany == "" {
				return []any{}
			}
			return []any{map[string]any{"number": f.f.TrackingNumber, "company": f.f.TrackingCompany,
				"url": trackingURL(f.f)}}
		}),
	}}
	schema["FulfillmentTrackingInfo"] = mapType(map[string]fieldDef{"number": scalarField,
		"company": scalarField, "url": scalarField})

	schema["WebhookSubscription"] = &typeDef{fields: map[string]fieldDef{
		"id":               scalarOf(func(w *subscription) any { return gid("WebhookSubscription", w.ID) }),
		"legacyResourceId": scalarOf(func(w *subscription) any { return w.ID }),
		"topic":            scalarOf(func(w *subscription) any { return w.Topic }),
		"format":           scalarOf(func(w *subscription) any { return w.Format }),
		"callbackUrl":      scalarOf(func(w *subscription) any { return w.CallbackURL }),
		"createdAt":        scalarOf(func(w *subscription) any { return stamp(w.CreatedAt) }),
		"updatedAt":        scalarOf(func(w *subscription) any { return stamp(w.UpdatedAt) }),
		"endpoint": objectOf("WebhookSubscriptionEndpoint", func(_ *execCtx, w *subscription, _ map[string]any) any {
			return typed{name: "WebhookHttpEndpoint", v: map[string]any{"callbackUrl": w.CallbackURL}}
		}),
	}}
	schema["WebhookSubscriptionEndpoint"] = &typeDef{possible: []string{"WebhookHttpEndpoint",
		"WebhookEventBridgeEndpoint", "WebhookPubSubEndpoint"}}
	schema["WebhookHttpEndpoint"] = mapType(map[string]fieldDef{"callbackUrl": scalarField})
	schema["WebhookEventBridgeEndpoint"] = mapType(map[string]fieldDef{"arn": scalarField})
	schema["WebhookPubSubEndpoint"] = mapType(map[string]fieldDef{"pubSubProject": scalarField,
		"pubSubTopic": scalarField})
}

// orderFulfillment is a Fulfillment value: the fulfillment and its order.
type orderFulfillment struct {
	o *order
	f *fulfillment
}

// orderName is the order's display name, "#1001".
func orderName(o *order) string { return "#" + itoa(o.Number) }

// stampPtr renders an optional timestamp (null when unset).
func stampPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return stamp(*t)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// displayFulfillment maps REST's fulfillment_status to the GraphQL enum.
func displayFulfillment(s string) string {
	switch s {
	case "fulfilled":
		return "FULFILLED"
	case "partial":
		return "PARTIALLY_FULFILLED"
	case "restocked":
		return "RESTOCKED"
	}
	return "UNFULFILLED"
}

func trackingURL(f *fulfillment) any {
	if strings.EqualFold(f.TrackingCompany, "UPS") && f.TrackingNumber != "" {
		return "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=" + f.TrackingNumber
	}
	return nil
}
