package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/concordhub/concord/store"
)

// IntakeConfig is one webhook-intake measurement against a running server.
type IntakeConfig struct {
	// Backend ("sqlite", "postgres") prefixes the figures.
	Backend string
	// HookURL is the Stripe connection's webhook URL; Secret its webhook_secret.
	HookURL, Secret string
	// DB and ConnectionID are read afterwards to check that no acknowledged event is lost.
	DB           *store.DB
	ConnectionID string
	Senders      int
	Runs         int
	Duration     time.Duration
	// MaxEvents bounds the deliveries prepared for one closed-loop run (default 40,000 a
	// second of Duration, at most 200,000).
	MaxEvents int
	// CPUProfile, when set, receives a CPU profile of the first closed-loop run on concord.
	CPUProfile io.Writer
	// Out receives the figures; Progress says what is running.
	Out, Progress io.Writer
}

// ErrLostAcked is returned when an acknowledged event is missing or stored twice.
var ErrLostAcked = errors.New("bench: acknowledged events are not stored exactly once")

const name = "webhook-intake"

// WebhookIntake measures, against a bare net/http baseline in the same run: the highest
// rate of signed deliveries concord accepts, the ack latency at half that rate, the valid
// rate while half the senders send forged deliveries, the resident memory, and then checks
// that every acknowledged event is stored exactly once. Figures are medians over Runs.
func WebhookIntake(ctx context.Context, cfg IntakeConfig) error {
	cfg.defaults()
	base, err := StartBaseline()
	if err != nil {
		return err
	}
	defer base.Close()
	c := NewClient(cfg.Senders * 4)
	runtime.GC()
	idle, _ := RSS()

	var acked, forgedIDs []string
	settle := func() {
		if d, err := Settle(ctx, cfg.DB, cfg.ConnectionID, time.Minute); d > 200*time.Millisecond || err != nil {
			cfg.progress("waited %s for the processor to work off the backlog (%v)", d.Round(time.Millisecond), err)
		}
	}
	prepare := func(tag string, n int) []Delivery {
		settle()
		runtime.GC()
		return StripeDeliveries(cfg.Secret, fmt.Sprintf("%s_%d", tag, time.Now().UnixNano()), n, time.Now())
	}
	baseDs := prepare("base", 20000)
	var baseRates, rates []float64
	var peak int64
	for r := range cfg.Runs {
		settle()
		b := Closed(ctx, c, cfg.Duration, Group{URL: base.URL, Deliveries: baseDs, Senders: cfg.Senders, Cycle: true})[0]
		ds := prepare("max", cfg.poolSize(rates))
		stopRSS := PeakRSS(50 * time.Millisecond)
		stopProf := cfg.profile(r == 0)
		res := Closed(ctx, c, cfg.Duration, Group{URL: cfg.HookURL, Deliveries: ds, Senders: cfg.Senders})[0]
		stopProf()
		peak = max(peak, stopRSS())
		acked = append(acked, res.Acked...)
		baseRates, rates = append(baseRates, b.Rate()), append(rates, res.Rate())
		cfg.progress("run %d/%d: baseline %.0f/s, %s %.0f/s (%d refused, %d failed)", r+1, cfg.Runs, b.Rate(), cfg.Backend, res.Rate(), res.Refused, res.Failed)
	}
	maxRate := Median(rates)

	// Half load, open loop: the same rate against both servers.
	half := max(maxRate/2, 1)
	var p50, p99, baseP99 []float64
	for r := range cfg.Runs {
		settle()
		b := Paced(ctx, c, base.URL, baseDs, half, cfg.Duration, cfg.Senders*4)
		ds := prepare("paced", int(half*cfg.Duration.Seconds())+1)
		res := Paced(ctx, c, cfg.HookURL, ds, half, cfg.Duration, cfg.Senders*4)
		acked = append(acked, res.Acked...)
		p50 = append(p50, ms(Percentile(res.Latencies, 50)))
		p99 = append(p99, ms(Percentile(res.Latencies, 99)))
		baseP99 = append(baseP99, ms(Percentile(b.Latencies, 99)))
		cfg.progress("paced %d/%d at %.0f/s: %s p50 %.2f ms p99 %.2f ms (%d of %d accepted), baseline p99 %.2f ms",
			r+1, cfg.Runs, half, cfg.Backend, p50[r], p99[r], res.Accepted, res.Sent, baseP99[r])
	}

	// Forged flood: half the senders send valid deliveries, alone and then beside as many
	// senders of forged ones.
	valid := max(cfg.Senders/2, 1)
	pool := cfg.poolSize(rates)
	var alone, flooded, forgedRates []float64
	for r := range cfg.Runs {
		a := Closed(ctx, c, cfg.Duration, Group{URL: cfg.HookURL, Deliveries: prepare("alone", pool), Senders: valid})[0]
		forged := Forge(prepare("forged", pool))
		both := Closed(ctx, c, cfg.Duration,
			Group{URL: cfg.HookURL, Deliveries: prepare("flood", pool), Senders: valid},
			Group{URL: cfg.HookURL, Deliveries: forged, Senders: valid})
		acked = append(append(acked, a.Acked...), both[0].Acked...)
		for _, d := range both[1].Tried {
			forgedIDs = append(forgedIDs, d.EventID)
		}
		alone, flooded = append(alone, a.Rate()), append(flooded, both[0].Rate())
		forgedRates = append(forgedRates, float64(both[1].Refused)/both[1].Elapsed.Seconds())
		cfg.progress("flood %d/%d: valid alone %.0f/s, valid during flood %.0f/s, forged refused %.0f/s (%d forged accepted)",
			r+1, cfg.Runs, a.Rate(), both[0].Rate(), forgedRates[r], both[1].Accepted)
	}

	// Presence is read through the (connection_id, provider_event_id) unique index, which
	// also makes a second row for one event impossible; StoredCounts pages the whole table
	// and is kept for the small crash test.
	known, err := cfg.DB.KnownEventIDs(ctx, cfg.ConnectionID, append(slices.Clone(acked), forgedIDs...))
	if err != nil {
		return fmt.Errorf("bench: known event ids: %w", err)
	}
	var lost, forgedStored []string
	for _, id := range acked {
		if !known[id] {
			lost = append(lost, id)
		}
	}
	for _, id := range forgedIDs {
		if known[id] {
			forgedStored = append(forgedStored, id)
		}
	}

	w, b := cfg.Out, cfg.Backend
	Line(w, name, "baseline_rate", Median(baseRates), "req/s", 0)
	Line(w, name, b+"_rate", maxRate, "req/s", Median(baseRates))
	Line(w, name, b+"_paced_rate", half, "req/s", 0)
	Line(w, name, b+"_p50_ms", Median(p50), "ms", 0)
	Line(w, name, b+"_p99_ms", Median(p99), "ms", Median(baseP99))
	Line(w, name, b+"_flood_valid_rate", Median(flooded), "req/s", Median(alone))
	Line(w, name, b+"_flood_forged_refused_rate", Median(forgedRates), "req/s", 0)
	Line(w, name, "acked_checked", float64(len(acked)), "events", 0)
	Line(w, name, "lost_acked", float64(len(lost)), "events", 0)
	Line(w, name, "forged_stored", float64(len(forgedStored)), "events", 0)
	Line(w, "footprint", "rss_idle_mb", mb(idle), "MB", 0)
	Line(w, "footprint", "rss_load_mb", mb(peak), "MB", 0)
	Line(w, "footprint", "payload_pool_mb", mb(int64(cfg.poolSize(rates[:1]))*int64(len(baseDs[0].Body)+100)), "MB", 0)
	if len(lost)+len(forgedStored) > 0 {
		return fmt.Errorf("%w: %d lost, %d forged stored", ErrLostAcked, len(lost), len(forgedStored))
	}
	return nil
}

func (cfg *IntakeConfig) defaults() {
	cfg.Senders = max(cfg.Senders, 1)
	cfg.Runs = max(cfg.Runs, 1)
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = min(int(40000*cfg.Duration.Seconds())+1000, 200000)
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
}

// poolSize is how many deliveries to prepare for a closed-loop run: MaxEvents at first,
// then twice what the fastest run so far needed, so the payloads held in memory (which
// count in this process's RSS) stay close to what is sent.
func (cfg *IntakeConfig) poolSize(rates []float64) int {
	if len(rates) == 0 {
		return cfg.MaxEvents
	}
	return min(cfg.MaxEvents, int(2*slices.Max(rates)*cfg.Duration.Seconds())+2000)
}

func (cfg *IntakeConfig) progress(format string, args ...any) {
	fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...)
}

// profile starts the CPU profile when on and a writer is set; the returned func stops it.
func (cfg *IntakeConfig) profile(on bool) func() {
	if !on || cfg.CPUProfile == nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(cfg.CPUProfile); err != nil {
		cfg.progress("cpu profile not taken: %v", err)
		return func() {}
	}
	return pprof.StopCPUProfile
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mb(b int64) float64 { return float64(b) / (1 << 20) }
