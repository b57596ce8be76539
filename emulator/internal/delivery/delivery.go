// Package delivery is the emulators' shared webhook sender: a few background workers take
// queued deliveries and POST each until it is answered 2xx, the attempt limit is reached,
// the emulator's state was reset, or the sender is closed; waits between attempts double.
// What a delivery looks like on the wire (headers, signature) and how an attempt is
// recorded stay with each emulator.
package delivery

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Job is one delivery.
type Job struct {
	// Stale reports that the emulator was reset since the job was queued: it is dropped.
	Stale func() bool
	// Request builds the POST for one attempt.
	Request func(ctx context.Context) (*http.Request, error)
	// Record is told the outcome of each attempt; last says no attempt follows.
	Record func(a Attempt)
}

// Attempt is the outcome of one try.
type Attempt struct {
	N      int
	Status int   // 0 when no answer came
	Err    error // a transport error
	OK     bool  // answered 2xx
	Last   bool  // the final attempt (succeeded or gave up)
}

// Sender delivers jobs in the background.
type Sender struct {
	client   *http.Client
	attempts int
	backoff  time.Duration
	queue    chan Job
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	once     sync.Once
}

// New starts workers goroutines over a queue of size queue.
func New(client *http.Client, workers, queue, attempts int, backoff time.Duration) *Sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sender{client: client, attempts: attempts, backoff: backoff, queue: make(chan Job, queue), ctx: ctx, cancel: cancel}
	for range workers {
		s.wg.Add(1)
		go s.work()
	}
	return s
}

// Enqueue queues j without blocking (callers hold their emulator's lock); false means the
// sender is closed or the queue is full, and the caller records the delivery as dropped.
func (s *Sender) Enqueue(j Job) (ok bool, closed bool) {
	if s.ctx.Err() != nil {
		return false, true
	}
	select {
	case s.queue <- j:
		return true, false
	default:
		return false, false
	}
}

// Close stops the workers; queued deliveries are dropped.
func (s *Sender) Close() {
	s.once.Do(func() {
		s.cancel()
		s.wg.Wait()
	})
}

func (s *Sender) work() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case j := <-s.queue:
			s.deliver(j)
		}
	}
}

func (s *Sender) deliver(j Job) {
	wait := s.backoff
	for n := 1; n <= s.attempts; n++ {
		if j.Stale() {
			return
		}
		a := Attempt{N: n}
		a.Status, a.Err = s.post(j)
		a.OK = a.Err == nil && a.Status >= 200 && a.Status < 300
		a.Last = a.OK || n == s.attempts
		j.Record(a)
		if a.Last {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait *= 2
	}
}

func (s *Sender) post(j Job) (int, error) {
	req, err := j.Request(s.ctx)
	if err != nil {
		return 0, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
