package connector

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/concordhub/concord"
	"golang.org/x/time/rate"
)

// limiters keeps one token bucket per connection. Clients are cheap and built per call, so
// the bucket must outlive them: otherwise every new client would start with a full burst
// and the provider's limit would only be enforced within a single call.
type limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// get returns the connection's limiter, creating it or adjusting it to the binding's current
// limit (provider facts can change with the plan, e.g. Shopify Plus has a larger bucket).
func (l *limiters) get(b Binding) *rate.Limiter {
	limit, burst := b.Rate, b.Burst
	if limit <= 0 {
		// rate.Limit(0) would allow no events at all; 0 in a Binding means "no limit".
		limit = rate.Inf
	}
	if burst < 1 {
		// With burst 0 a finite limiter never grants a token.
		burst = 1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*rate.Limiter{}
	}
	lim, ok := l.m[b.ConnectionID]
	if !ok {
		lim = rate.NewLimiter(limit, burst)
		l.m[b.ConnectionID] = lim
		return lim
	}
	if lim.Limit() != limit {
		lim.SetLimit(limit)
	}
	if lim.Burst() != burst {
		lim.SetBurst(burst)
	}
	return lim
}

// forget drops the connection's limiter; a reconnected connection starts afresh.
func (l *limiters) forget(connectionID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, connectionID)
}

// waitLimiter blocks until the connection may send one more request. A wait longer than
// maxWait, or longer than the call has left, is not spent holding a worker: the caller gets a
// rate_limited error carrying the wait so the durable job can snooze (Amazon's getOrders,
// at one request a minute, would otherwise pin a goroutine for most of a minute per call).
func waitLimiter(ctx context.Context, lim *rate.Limiter, maxWait time.Duration) error {
	if lim == nil || lim.Limit() == rate.Inf {
		return nil
	}
	r := lim.Reserve()
	if !r.OK() {
		return &ExternalError{Class: concord.ClassRateLimited, Message: "local rate limit cannot grant a request"}
	}
	delay := r.Delay()
	if delay == 0 {
		return nil
	}
	tooLong := delay > maxWait
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
		tooLong = true
	}
	if tooLong {
		r.Cancel() // give the token back: we are not going to use it
		return &ExternalError{
			Class:      concord.ClassRateLimited,
			Message:    fmt.Sprintf("connection rate limit: next request allowed in %s", delay.Round(time.Millisecond)),
			RetryAfter: delay,
		}
	}
	if err := sleepCtx(ctx, delay); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// sleepCtx waits d or until ctx is done, whichever is first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
