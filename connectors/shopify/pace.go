package shopify

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// maxPaceWait is the longest a call waits in process for the cost bucket to refill; a
// longer wait goes back to the job as rate_limited with RetryAfter, so no worker is held.
const maxPaceWait = 30 * time.Second

// pacer keeps, per connection, the last GraphQL throttle status Shopify reported and the
// last requested cost of each operation, so a call that would empty the bucket waits for
// the restore instead of being answered THROTTLED. The zero value is ready to use.
type pacer struct {
	mu     sync.Mutex
	byConn map[string]*bucket
	costs  map[string]float64 // operation -> last requestedQueryCost
}

// bucket is Shopify's leaky bucket as last seen, advanced locally by restoreRate.
type bucket struct {
	max, avail, restore float64
	at                  time.Time
}

// level is the bucket's content at now.
func (b *bucket) level(now time.Time) float64 {
	return min(b.max, b.avail+b.restore*now.Sub(b.at).Seconds())
}

// observe records the throttle status of an answer.
func (p *pacer) observe(connID, op string, c queryCost, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byConn == nil {
		p.byConn, p.costs = map[string]*bucket{}, map[string]float64{}
	}
	if c.RequestedQueryCost > 0 {
		p.costs[op] = c.RequestedQueryCost
	}
	ts := c.ThrottleStatus
	if ts.MaximumAvailable > 0 {
		p.byConn[connID] = &bucket{max: ts.MaximumAvailable, avail: ts.CurrentlyAvailable, restore: ts.RestoreRate, at: now}
	}
}

// reserve takes cost points from the connection's bucket and says how long to wait before
// sending. The points are taken even when a wait is due, so concurrent calls of the same
// connection queue behind each other instead of all waking at once.
func (p *pacer) reserve(connID, op string, estimate float64, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.byConn[connID]
	if b == nil || b.restore <= 0 {
		return 0 // nothing known yet: the first answer tells
	}
	cost := estimate
	if learned, ok := p.costs[op]; ok {
		cost = learned
	}
	if cost > b.max {
		return 0 // can never fit; Shopify will say so (MAX_COST_EXCEEDED)
	}
	lvl := b.level(now)
	b.avail, b.at = lvl-cost, now
	if cost <= lvl {
		return 0
	}
	return time.Duration((cost - lvl) / b.restore * float64(time.Second))
}

// wait blocks until the bucket holds the call's cost, bounded by ctx and maxPaceWait; a wait
// that cannot finish in time is returned as rate_limited right away, without sending.
func (p *pacer) wait(ctx context.Context, connID, op string, estimate float64, now func() time.Time) error {
	d := p.reserve(connID, op, estimate, now())
	if d <= 0 {
		return nil
	}
	limited := &connector.ExternalError{Class: concord.ClassRateLimited, Code: "cost_bucket_empty",
		Message: fmt.Sprintf("Shopify's GraphQL cost bucket refills in %s", d.Round(time.Millisecond)), RetryAfter: max(d, minRetryAfter)}
	if dl, ok := ctx.Deadline(); (ok && now().Add(d).After(dl)) || d > maxPaceWait {
		return limited
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
