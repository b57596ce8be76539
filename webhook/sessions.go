package webhook

import (
	"context"
	"sync"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
)

// Opener loads a connection ready for a connector call (connections.Service does).
type Opener interface {
	Open(ctx context.Context, id string) (connections.Opened, error)
}

// sessionCache keeps opened connections for a short time: the intake must not read the
// connection, its entity and its credentials from the database on every delivery. A
// rotated secret is picked up within the TTL.
type sessionCache struct {
	open Opener
	ttl  time.Duration
	mu   sync.Mutex
	m    map[string]cached
}

type cached struct {
	o   connections.Opened
	err error
	exp time.Time
}

func newSessionCache(o Opener, ttl time.Duration) *sessionCache {
	return &sessionCache{open: o, ttl: ttl, m: map[string]cached{}}
}

// get returns the opened connection; a miss for an unknown id is cached too, so a flood
// aimed at made-up ids costs one lookup per id per TTL.
func (c *sessionCache) get(ctx context.Context, id string) (connections.Opened, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && now.Before(e.exp) {
		return e.o, e.err
	}
	o, err := c.open.Open(ctx, id)
	if err != nil && concord.ErrorCode(err) != concord.ENOTFOUND {
		return o, err // a database hiccup is not remembered
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		for k, v := range c.m {
			if now.After(v.exp) {
				delete(c.m, k)
			}
		}
	}
	c.m[id] = cached{o: o, err: err, exp: now.Add(c.ttl)}
	c.mu.Unlock()
	return o, err
}

// forget drops one entry (after a rotation or disconnect made through this process).
func (c *sessionCache) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
