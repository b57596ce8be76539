package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// NewClient is a keep-alive client for conns concurrent senders on loopback: every sender
// keeps its connection, so a run measures requests, not TCP handshakes.
func NewClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Group is a set of senders working through their own deliveries.
type Group struct {
	URL        string
	Deliveries []Delivery
	Senders    int
	// Cycle reuses the deliveries from the start when they run out (the baseline, which
	// does not dedupe); otherwise the group stops when they are used up.
	Cycle bool
}

// Result is what one group of a run did.
type Result struct {
	Sent     int
	Accepted int // answered 2xx
	Refused  int // answered, but not 2xx
	Failed   int // no answer
	Elapsed  time.Duration
	// Acked are the event ids answered 2xx; Tried are all the deliveries sent.
	Acked []string
	Tried []Delivery
	// Latencies, of paced runs only, run from the moment a request was due to its answer.
	Latencies []time.Duration
}

// Rate is accepted deliveries per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepted) / r.Elapsed.Seconds()
}

// sink gathers what the senders of one group did.
type sink struct {
	mu sync.Mutex
	r  Result
}

func (s *sink) add(d Delivery, rep Reply, err error, lat time.Duration, keepLatency bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.r.Sent++
	s.r.Tried = append(s.r.Tried, d)
	switch {
	case err != nil:
		s.r.Failed++
	case rep.OK():
		s.r.Accepted++
		s.r.Acked = append(s.r.Acked, d.EventID)
	default:
		s.r.Refused++
	}
	if keepLatency {
		s.r.Latencies = append(s.r.Latencies, lat)
	}
}

// Closed runs every group at once, each sender sending its next delivery as soon as the
// previous one is answered, for d (or until ctx ends or a group's deliveries run out). It
// measures the highest rate the target sustains.
func Closed(ctx context.Context, c *http.Client, d time.Duration, groups ...Group) []Result {
	deadline := time.Now().Add(d)
	sinks := make([]sink, len(groups))
	var wg sync.WaitGroup
	start := time.Now()
	for gi, g := range groups {
		var next atomic.Int64
		for range g.Senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil && time.Now().Before(deadline) {
					i := int(next.Add(1) - 1)
					if i >= len(g.Deliveries) {
						if !g.Cycle || len(g.Deliveries) == 0 {
							return
						}
						i %= len(g.Deliveries)
					}
					del := g.Deliveries[i]
					rep, err := Send(context.WithoutCancel(ctx), c, g.URL, del)
					sinks[gi].add(del, rep, err, 0, false)
				}
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	out := make([]Result, len(groups))
	for i := range sinks {
		out[i] = sinks[i].r
		out[i].Elapsed = elapsed
	}
	return out
}

// Paced is an open-loop run: deliveries are due at rate per second whatever the target
// does, for d, and each latency counts from when its request was due, so a stall shows as
// the wait it causes instead of slowing the sender down. workers bounds the requests in
// flight.
func Paced(ctx context.Context, c *http.Client, url string, ds []Delivery, rate float64, d time.Duration, workers int) Result {
	type job struct {
		d   Delivery
		due time.Time
	}
	n := min(len(ds), int(rate*d.Seconds()))
	jobs := make(chan job, n)
	var s sink
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				rep, err := Send(context.WithoutCancel(ctx), c, url, j.d)
				s.add(j.d, rep, err, time.Since(j.due), true)
			}
		}()
	}
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil; {
		due := int(time.Since(start).Seconds()*rate) + 1
		for ; i < min(due, n); i++ {
			jobs <- job{d: ds[i], due: start.Add(time.Duration(float64(i) / rate * float64(time.Second)))}
		}
		time.Sleep(500 * time.Microsecond)
	}
	close(jobs)
	wg.Wait()
	s.r.Elapsed = time.Since(start)
	return s.r
}

// Baseline serves the reference the benchmark is a ratio of: a bare net/http handler that
// reads the body and answers 200, on a loopback port. Close it with Close.
type Baseline struct {
	URL string
	srv *http.Server
	ln  net.Listener
}

// StartBaseline starts the reference server on 127.0.0.1:0.
func StartBaseline() (*Baseline, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = srv.Serve(ln) }()
	return &Baseline{URL: "http://" + ln.Addr().String() + "/hooks/baseline", srv: srv, ln: ln}, nil
}

// Close stops the reference server.
func (b *Baseline) Close() { _ = b.srv.Close() }
