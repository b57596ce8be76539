package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// MaxBody caps a delivery; providers send far less (Stripe events are a few KB).
const MaxBody = 2 << 20

// Options configure an Intake.
type Options struct {
	DB     *store.DB
	Opener Opener
	Log    *slog.Logger
	// Registerer receives the intake's metrics (optional).
	Registerer prometheus.Registerer
	// OnCommit is called after each committed batch (it wakes the processor).
	OnCommit func()
	// Writers is the number of concurrent group-commit writers: 1 suits SQLite's single
	// writer; PostgreSQL takes more.
	Writers int
	// SessionTTL is how long an opened connection is cached (default 5 s).
	SessionTTL time.Duration
	Now        func() time.Time
}

// Intake is POST /hooks/{connection_id} (and the GET handshakes).
type Intake struct {
	db         *store.DB
	log        *slog.Logger
	sessions   *sessionCache
	batch      *batcher
	rejected   rejectionCounter
	now        func() time.Time
	m          intakeMetrics
	stop       chan struct{}
	done       chan struct{}
	closing    sync.Once
	lastCommit atomic.Int64 // unix nanoseconds of the last committed batch
}

// Busy reports whether a batch of deliveries was committed in the last 10 ms.
func (in *Intake) Busy() bool {
	return time.Since(time.Unix(0, in.lastCommit.Load())) < 10*time.Millisecond
}

// NewIntake starts the intake's writers and its rejection-count flusher.
func NewIntake(o Options) *Intake {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Writers <= 0 {
		o.Writers = 1
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	in := &Intake{db: o.DB, log: o.Log, sessions: newSessionCache(o.Opener, o.SessionTTL), now: o.Now,
		m: newIntakeMetrics(o.Registerer), stop: make(chan struct{}), done: make(chan struct{})}
	in.batch = newBatcher(o.DB, o.Writers, 256, o.OnCommit, func(n int) {
		in.lastCommit.Store(time.Now().UnixNano())
		in.m.batch.Observe(float64(n))
	})
	go in.flushLoop()
	return in
}

// Close stops the writers after answering what they hold, and writes the last counts.
func (in *Intake) Close() {
	in.closing.Do(func() {
		close(in.stop)
		<-in.done
		in.batch.close()
	})
}

func (in *Intake) flushLoop() {
	defer close(in.done)
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-in.stop:
			_ = in.rejected.flush(context.Background(), in.db)
			return
		}
		if err := in.rejected.flush(context.Background(), in.db); err != nil {
			in.log.Warn("webhook rejection counts not stored", "err", err)
		}
	}
}

// Forget drops a connection from the cache (its secret or state changed).
func (in *Intake) Forget(connectionID string) { in.sessions.forget(connectionID) }

// ServeHTTP handles one delivery or handshake.
func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("connection_id")
	o, err := in.sessions.get(r.Context(), id)
	if err != nil {
		if concord.ErrorCode(err) == concord.ENOTFOUND {
			in.m.outcome("unknown", "not_found")
			answer(w, http.StatusNotFound, "not_found", "unknown webhook endpoint")
			return
		}
		in.log.Error("webhook connection lookup failed", "connection_id", id, "err", err)
		answer(w, http.StatusServiceUnavailable, "unavailable", "try again later")
		return
	}
	name := o.Connection.Connector
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			in.reject(name, id, "too_large")
			answer(w, http.StatusRequestEntityTooLarge, "too_large", "delivery body is over the size limit")
			return
		}
		answer(w, http.StatusBadRequest, "invalid", "cannot read the delivery")
		return
	}
	req := &connector.WebhookRequest{Method: r.Method, URL: r.URL, Header: r.Header, Body: body, ReceivedAt: in.now().UTC()}
	if hs, ok := o.Connector.(connector.WebhookHandshaker); ok {
		resp, handled, err := hs.WebhookHandshake(r.Context(), o.Session, req)
		if handled {
			in.answerHandshake(w, name, id, resp, err)
			return
		}
	}
	if r.Method != http.MethodPost {
		answer(w, http.StatusMethodNotAllowed, "method_not_allowed", "deliveries are POSTed")
		return
	}
	verifier, ok := o.Connector.(connector.WebhookVerifier)
	if !ok {
		answer(w, http.StatusNotFound, "not_found", name+" sends no webhooks")
		return
	}
	if o.Connection.State == concord.StateDisconnected {
		// Not stored: the provider keeps retrying, so a reconnect inside its retry window
		// still receives what was sent meanwhile.
		in.m.outcome(name, "disconnected")
		answer(w, http.StatusGone, "disconnected", "this connection is disconnected")
		return
	}
	ev, err := verifier.VerifyWebhook(r.Context(), o.Session, req)
	if err != nil {
		var we *connector.WebhookError
		if errors.As(err, &we) {
			in.reject(name, id, we.Reason)
			status := we.Status
			if status == 0 {
				status = http.StatusUnauthorized
			}
			answer(w, status, "webhook_rejected", we.Reason)
			return
		}
		in.log.Warn("webhook verification could not complete", "connection_id", id, "connector", name, "err", err)
		in.m.outcome(name, "verify_unavailable")
		answer(w, http.StatusServiceUnavailable, "unavailable", "verification could not complete; retry later")
		return
	}
	row := &store.WebhookEvent{ConnectionID: id, ProviderEventID: ev.ProviderEventID, EventType: ev.Type,
		ReceivedAt: req.ReceivedAt, Mode: string(ev.Mode), Hint: ev.Hint, Body: body, Verified: true}
	if !ev.OccurredAt.IsZero() {
		t := ev.OccurredAt.UTC()
		row.OccurredAt = &t
	}
	dup, err := in.batch.submit(r.Context(), row)
	if err != nil {
		in.log.Error("webhook not stored", "connection_id", id, "err", err)
		in.m.outcome(name, "store_failed")
		answer(w, http.StatusServiceUnavailable, "unavailable", "not stored; retry later")
		return
	}
	status := http.StatusOK
	if a, ok := o.Connector.(connector.WebhookAcker); ok {
		status = a.WebhookAckStatus()
	}
	if dup {
		in.m.outcome(name, "duplicate")
	} else {
		in.m.outcome(name, "accepted")
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, map[string]any{"received": true, "duplicate": dup})
}

func (in *Intake) answerHandshake(w http.ResponseWriter, name, id string, resp connector.WebhookResponse, err error) {
	if err != nil {
		var we *connector.WebhookError
		if errors.As(err, &we) {
			in.reject(name, id, we.Reason)
			answer(w, max(we.Status, 400), "webhook_rejected", we.Reason)
			return
		}
		answer(w, http.StatusServiceUnavailable, "unavailable", "handshake could not complete")
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	in.m.outcome(name, "handshake")
	w.WriteHeader(max(resp.Status, 200))
	_, _ = w.Write(resp.Body)
}

func (in *Intake) reject(name, id, reason string) {
	in.rejected.add(id, reason, in.now())
	in.m.outcome(name, "rejected_"+reason)
}

// answer writes an error body that never echoes the delivery.
func answer(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
