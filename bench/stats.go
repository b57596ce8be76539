package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concordhub/concord/store"
)

// Median is the middle of xs (the mean of the two middle values for an even count), 0 for
// none. Shared machines are noisy, so every reported figure is a median of runs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of ds, 0 for none.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(rank, len(s)-1))]
}

// Line prints one figure as BENCHMARKS.md wants it: name, value, unit, baseline, ratio.
// A baseline of 0 means the figure has none, shown as "-".
func Line(w io.Writer, bench, name string, value float64, unit string, baseline float64) {
	base, ratio := "-", "-"
	if baseline > 0 {
		base, ratio = format(baseline), strconv.FormatFloat(value/baseline, 'f', 2, 64)
	}
	fmt.Fprintf(w, "%s %s %s %s %s %s\n", bench, name, format(value), unit, base, ratio)
}

func format(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return strconv.FormatInt(int64(v+0.5), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// RSS is this process's resident memory in bytes (VmRSS of /proc/self/status).
func RSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// PeakRSS samples RSS every interval until the returned stop is called, which gives the
// highest value seen.
func PeakRSS(interval time.Duration) (stop func() int64) {
	var mu sync.Mutex
	var peak int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if v, err := RSS(); err == nil {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// StoredCounts is how many rows webhook_events holds per provider event id of the
// connection, read page by page through the store's public API.
func StoredCounts(ctx context.Context, db *store.DB, connectionID string) (map[string]int, error) {
	counts := map[string]int{}
	page := store.Page{Limit: 500}
	for {
		evs, next, err := db.ListWebhookEvents(ctx, connectionID, page)
		if err != nil {
			return nil, fmt.Errorf("bench: list webhook events: %w", err)
		}
		for _, e := range evs {
			counts[e.ProviderEventID]++
		}
		if next == "" {
			return counts, nil
		}
		page.Cursor = next
	}
}

// Audit compares what was acknowledged with what is stored: lost are acked ids with no
// row, doubled are acked ids with more than one.
func Audit(acked []string, counts map[string]int) (lost, doubled []string) {
	for _, id := range acked {
		switch n := counts[id]; {
		case n == 0:
			lost = append(lost, id)
		case n > 1:
			doubled = append(doubled, id)
		}
	}
	return lost, doubled
}

// Settle waits, at most limit, until the connection has no event left to process, so the
// processor working off one run's backlog does not slow the next measurement (the
// baseline's included). It returns how long that took.
func Settle(ctx context.Context, db *store.DB, connectionID string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		st, err := db.WebhookStats(ctx, connectionID, start.Add(-24*time.Hour))
		if err != nil {
			return time.Since(start), fmt.Errorf("bench: webhook stats: %w", err)
		}
		if st.Pending == 0 || time.Since(start) > limit || ctx.Err() != nil {
			return time.Since(start), ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
}
