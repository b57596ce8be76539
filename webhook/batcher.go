package webhook

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/concordhub/concord/store"
)

// batcher group-commits deliveries: one writer goroutine takes everything queued while the
// previous commit ran and stores it in one transaction. There is no artificial wait, so a
// lone delivery commits at once and a burst shares commits.
type batcher struct {
	db       *store.DB
	in       chan *pending
	maxBatch int
	onCommit func()
	wg       sync.WaitGroup
	stop     chan struct{}
	observe  func(size int)
}

type pending struct {
	ev   *store.WebhookEvent
	done chan result
}

type result struct {
	duplicate bool
	err       error
}

var errStopped = errors.New("webhook: intake is stopping")

func newBatcher(db *store.DB, writers, maxBatch int, onCommit func(), observe func(int)) *batcher {
	b := &batcher{db: db, in: make(chan *pending, 4*maxBatch), maxBatch: maxBatch, onCommit: onCommit,
		stop: make(chan struct{}), observe: observe}
	for i := 0; i < writers; i++ {
		b.wg.Add(1)
		go b.loop()
	}
	return b
}

// submit queues ev and waits until it is committed (or failed). The caller answers the
// provider only after this returns nil.
func (b *batcher) submit(ctx context.Context, ev *store.WebhookEvent) (bool, error) {
	p := &pending{ev: ev, done: make(chan result, 1)}
	select {
	case b.in <- p:
	case <-b.stop:
		return false, errStopped
	case <-ctx.Done():
		return false, ctx.Err()
	}
	// Once queued, wait for the outcome even if the client went away: the answer decides
	// nothing then, but the row may already be committed.
	r := <-p.done
	return r.duplicate, r.err
}

func (b *batcher) loop() {
	defer b.wg.Done()
	batch := make([]*pending, 0, b.maxBatch)
	for {
		var first *pending
		select {
		case first = <-b.in:
		case <-b.stop:
			b.drainOnStop()
			return
		}
		batch = append(batch[:0], first)
	gather:
		for len(batch) < b.maxBatch {
			select {
			case p := <-b.in:
				batch = append(batch, p)
			default:
				break gather
			}
		}
		b.commit(batch)
	}
}

func (b *batcher) commit(batch []*pending) {
	// Rows are written in key order so concurrent writers (PostgreSQL runs several) take
	// their row locks in the same order: two batches holding the same redelivered events
	// wait for each other instead of deadlocking.
	sort.Slice(batch, func(i, j int) bool {
		a, c := batch[i].ev, batch[j].ev
		if a.ConnectionID != c.ConnectionID {
			return a.ConnectionID < c.ConnectionID
		}
		return a.ProviderEventID < c.ProviderEventID
	})
	evs := make([]*store.WebhookEvent, len(batch))
	for i, p := range batch {
		evs[i] = p.ev
	}
	var dups []bool
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = b.db.InTx(context.Background(), func(tx *store.Tx) error {
			var err error
			dups, err = tx.InsertWebhookEvents(context.Background(), evs)
			return err
		})
		if err == nil || !b.db.Retryable(err) {
			break // a transient conflict between writers is retried; nothing else is
		}
	}
	if b.observe != nil {
		b.observe(len(batch))
	}
	for i, p := range batch {
		r := result{err: err}
		if err == nil {
			r.duplicate = dups[i]
		}
		p.done <- r
	}
	if err == nil && b.onCommit != nil {
		b.onCommit()
	}
}

// drainOnStop answers what is still queued so no handler waits forever.
func (b *batcher) drainOnStop() {
	for {
		select {
		case p := <-b.in:
			b.commit([]*pending{p})
		default:
			return
		}
	}
}

func (b *batcher) close() {
	close(b.stop)
	b.wg.Wait()
}
