package webhook

import (
	"context"
	"sync"
	"time"

	"github.com/concordhub/concord/store"
)

// rejectionCounter counts refused deliveries in memory and writes the counts every few
// seconds: a flood of forged deliveries becomes a handful of upserts, not one write each,
// so it cannot crowd valid deliveries out of the single SQLite writer.
type rejectionCounter struct {
	mu     sync.Mutex
	counts map[rejKey]rejCount
}

type rejCount struct {
	n    int
	last time.Time
}

type rejKey struct {
	connectionID string
	minute       int64
	reason       string
}

func (r *rejectionCounter) add(connectionID, reason string, at time.Time) {
	k := rejKey{connectionID: connectionID, minute: at.Unix() / 60, reason: reason}
	r.mu.Lock()
	if r.counts == nil {
		r.counts = map[rejKey]rejCount{}
	}
	c := r.counts[k]
	c.n++
	if at.After(c.last) {
		c.last = at
	}
	r.counts[k] = c
	r.mu.Unlock()
}

func (r *rejectionCounter) flush(ctx context.Context, db *store.DB) error {
	r.mu.Lock()
	counts := r.counts
	r.counts = nil
	r.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	rs := make([]store.Rejection, 0, len(counts))
	for k, c := range counts {
		rs = append(rs, store.Rejection{ConnectionID: k.connectionID, Minute: time.Unix(k.minute*60, 0), Reason: k.reason,
			Count: c.n, LastAt: c.last})
	}
	if err := db.AddRejections(ctx, rs); err != nil {
		// Put them back: counts are evidence the operator needs.
		r.mu.Lock()
		for k, c := range counts {
			if r.counts == nil {
				r.counts = map[rejKey]rejCount{}
			}
			old := r.counts[k]
			old.n += c.n
			if c.last.After(old.last) {
				old.last = c.last
			}
			r.counts[k] = old
		}
		r.mu.Unlock()
		return err
	}
	return nil
}
