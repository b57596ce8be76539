package stripe

import (
	"context"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord/connector"
)

// Stripe's page size bounds (limit is 1..100) and the default a caller gets for limit <= 0.
const (
	maxPageSize  = 100
	defaultLimit = 100
)

// ListPaymentMethods lists a customer's saved payment methods (all pages), for the saved
// method health check: expired, expiring and unverified methods.
func (*Connector) ListPaymentMethods(ctx context.Context, s *connector.Session, customer string) ([]*stripego.PaymentMethod, error) {
	const op = "payment_method.list"
	if err := requireID(customer, "cus_"); err != nil {
		return nil, err
	}
	c, err := newClient(s)
	if err != nil {
		return nil, err
	}
	p := &stripego.PaymentMethodListParams{Customer: stripego.String(customer)}
	p.Limit = stripego.Int64(maxPageSize)
	return collect(op, c.V1PaymentMethods.List(connector.WithOperation(ctx, op), p), 0)
}

// ListPayouts lists up to limit payouts created at or after since (zero: no lower bound),
// newest first, for payout timing and failed payouts.
func (*Connector) ListPayouts(ctx context.Context, s *connector.Session, since time.Time, limit int) ([]*stripego.Payout, error) {
	const op = "payout.list"
	c, err := newClient(s)
	if err != nil {
		return nil, err
	}
	limit = normalLimit(limit)
	p := &stripego.PayoutListParams{}
	p.Limit = stripego.Int64(pageSize(limit))
	if !since.IsZero() {
		p.CreatedRange = &stripego.RangeQueryParams{GreaterThanOrEqual: since.Unix()}
	}
	return collect(op, c.V1Payouts.List(connector.WithOperation(ctx, op), p), limit)
}

// ListDisputes lists up to limit disputes, newest first, for dispute state and evidence
// deadlines.
func (*Connector) ListDisputes(ctx context.Context, s *connector.Session, limit int) ([]*stripego.Dispute, error) {
	const op = "dispute.list"
	c, err := newClient(s)
	if err != nil {
		return nil, err
	}
	limit = normalLimit(limit)
	p := &stripego.DisputeListParams{}
	p.Limit = stripego.Int64(pageSize(limit))
	return collect(op, c.V1Disputes.List(connector.WithOperation(ctx, op), p), limit)
}

// ListWebhookEndpoints lists every webhook endpoint of the account (Stripe allows 16), so
// the webhooks panel can check the hub's URL is registered for the required events.
func (*Connector) ListWebhookEndpoints(ctx context.Context, s *connector.Session) ([]*stripego.WebhookEndpoint, error) {
	const op = "webhook_endpoint.list"
	c, err := newClient(s)
	if err != nil {
		return nil, err
	}
	p := &stripego.WebhookEndpointListParams{}
	p.Limit = stripego.Int64(maxPageSize)
	return collect(op, c.V1WebhookEndpoints.List(connector.WithOperation(ctx, op), p), 0)
}

// collect drains a stripe-go list iterator, which follows has_more with starting_after,
// stopping after limit items (0: no limit) so a large account never pulls pages nobody
// asked for.
func collect[T any](op string, seq stripego.Seq2[T, error], limit int) ([]T, error) {
	var out []T
	for item, err := range seq {
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, item)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

func normalLimit(limit int) int {
	if limit <= 0 {
		return defaultLimit
	}
	return limit
}

// pageSize asks for no more per page than the caller wants in total.
func pageSize(limit int) int64 {
	return int64(min(limit, maxPageSize))
}
