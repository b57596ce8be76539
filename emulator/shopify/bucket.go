package shopifyemu

import (
	"math"
	"time"
)

// costBucket is a shop's GraphQL leaky bucket of cost points. It runs on
// real time, whatever Options.Now says, so throttling tests can wait it out.
type costBucket struct {
	max, rate, available float64
	at                   time.Time
}

func newCostBucket(max, rate float64) *costBucket {
	return &costBucket{max: max, rate: rate, available: max, at: time.Now()}
}

func (b *costBucket) refill() {
	now := time.Now()
	b.available = math.Min(b.max, b.available+b.rate*now.Sub(b.at).Seconds())
	b.at = now
}

// take removes cost points; false (and nothing taken) when too few remain.
func (b *costBucket) take(cost float64) bool {
	b.refill()
	if cost > b.available {
		return false
	}
	b.available -= cost
	return true
}

// refund gives back points a query requested but did not use.
func (b *costBucket) refund(points float64) {
	b.refill()
	b.available = math.Min(b.max, b.available+points)
}

// status is extensions.cost.throttleStatus.
func (b *costBucket) status() map[string]any {
	b.refill()
	return map[string]any{"maximumAvailable": b.max,
		"currentlyAvailable": math.Floor(b.available), "restoreRate": b.rate}
}

// REST's bucket: 40 calls, leaking 2 a second (Shopify's standard plan).
const (
	restBucketSize = 40
	restLeakRate   = 2
)

// callBucket is a shop's REST leaky bucket of calls.
type callBucket struct {
	used float64
	at   time.Time
}

// take counts one call; it answers the calls now in the bucket and whether
// the call fits.
func (b *callBucket) take() (int, bool) {
	now := time.Now()
	b.used = math.Max(0, b.used-restLeakRate*now.Sub(b.at).Seconds())
	b.at = now
	if b.used+1 > restBucketSize {
		return int(math.Ceil(b.used)), false
	}
	b.used++
	return int(math.Ceil(b.used)), true
}
