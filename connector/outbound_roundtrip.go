package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/concordhub/concord"
	"golang.org/x/time/rate"
)

// boundTransport is the RoundTripper of one connection's client. The heavy parts (pooled
// connections, limiters, metrics) live in the shared Outbound; this only carries the Binding.
type boundTransport struct {
	o    *Outbound
	b    Binding
	lim  *rate.Limiter
	next http.RoundTripper
}

// RoundTrip sends req under the connection's rate limit, retrying when that is safe, and
// writes one connector-log entry per attempt. Timeouts cover the whole call including the
// caller reading the body, so the deadline is released only when the body is closed.
func (t *boundTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := t.o
	ctx, cancel := context.WithTimeout(req.Context(), o.opts.Timeout)
	canReplay := replayable(req)
	for attempt := 0; ; attempt++ {
		start := o.now()
		if err := waitLimiter(ctx, t.lim, o.opts.MaxRetryWait); err != nil {
			if attempt == 0 && req.Body != nil {
				req.Body.Close() // RoundTrip owns the body even when it sends nothing
			}
			err = t.callError(req, err)
			t.logAttempt(req, attemptLog{start: start, err: err})
			cancel()
			return nil, err
		}
		sent := o.now()
		resp, attemptCancel, err := t.send(ctx, req, attempt)
		a := attemptLog{start: start, latency: o.now().Sub(sent), err: err}
		if resp != nil {
			a.status = resp.StatusCode
			if resp.StatusCode >= 400 {
				a.body = peekBody(resp)
			}
		}
		t.logAttempt(req, a)

		retry := canReplay && attempt < o.opts.MaxRetries && ctx.Err() == nil &&
			((err != nil && shouldRetryError(err)) || (resp != nil && shouldRetryResponse(resp)))
		if !retry {
			if err != nil {
				cancel()
				return nil, t.callError(req, err)
			}
			resp.Body = &callBody{ReadCloser: resp.Body, cancel: func() { attemptCancel(); cancel() }}
			return resp, nil
		}

		wait := backoff(o.backoffBase, o.backoffCap, attempt)
		if resp != nil {
			if sw := serverWait(resp.Header, o.now()); sw > 0 {
				wait = sw
			}
			drain(resp.Body)
			attemptCancel()
		}
		if tooLong(ctx, wait, o.opts.MaxRetryWait) {
			// Holding a worker for minutes helps nobody: hand the wait to the durable job.
			cancel()
			return nil, &ExternalError{
				Class:      attemptClass(a),
				StatusCode: a.status,
				Message:    fmt.Sprintf("service asked to retry in %s; left to the job", wait.Round(time.Millisecond)),
				RetryAfter: wait,
				Err:        err,
			}
		}
		o.log.DebugContext(req.Context(), "outbound retry",
			"connection_id", t.b.ConnectionID, "connector", t.b.Connector,
			"operation", t.operation(req), "attempt", attempt+1, "status", a.status,
			"error_class", string(attemptClass(a)), "wait_ms", wait.Milliseconds())
		if err := sleepCtx(ctx, wait); err != nil {
			cancel()
			return nil, t.callError(req, err)
		}
	}
}

// send makes one attempt with its own timeout. The request is cloned so the caller's is never
// modified (a RoundTripper must not), and the body is rewound for every attempt after the first.
func (t *boundTransport) send(ctx context.Context, req *http.Request, attempt int) (*http.Response, context.CancelFunc, error) {
	actx, acancel := context.WithTimeout(ctx, t.o.opts.AttemptTimeout)
	areq := req.Clone(actx)
	if areq.Header == nil {
		areq.Header = http.Header{}
	}
	if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			acancel()
			return nil, nil, fmt.Errorf("outbound: rewind request body: %w", err)
		}
		areq.Body = body
	}
	if areq.Header.Get("User-Agent") == "" {
		areq.Header.Set("User-Agent", t.o.opts.UserAgent)
	}
	resp, err := t.next.RoundTrip(areq)
	if err != nil {
		acancel()
		return nil, nil, err
	}
	return resp, acancel, nil
}

// callError turns a transport failure into the classified error connectors handle. A caller
// that cancelled gets its own error back: that says nothing about the service.
func (t *boundTransport) callError(req *http.Request, err error) error {
	var ee *ExternalError
	if errors.As(err, &ee) {
		return ee
	}
	if errors.Is(err, context.Canceled) && req.Context().Err() != nil {
		return err
	}
	return &ExternalError{
		Class:   networkClass(err),
		Message: Redact(redactedTarget(req.Method, req.URL)+": "+err.Error(), t.b.Secrets...),
		Err:     err,
	}
}

// networkClass classifies an error that came without a response.
func networkClass(err error) concord.ErrorClass {
	if c := ClassOf(err); c != concord.ClassNone {
		return c
	}
	return concord.ClassUnavailable
}

// tooLong reports whether waiting d is not worth it in-process: over the cap, or past the
// call's deadline (the attempt after it could not be made anyway).
func tooLong(ctx context.Context, d, maxWait time.Duration) bool {
	if d > maxWait {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) <= d
}

// drain reads a little of a discarded body before closing it so the connection can be reused.
func drain(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 4<<10)
	_ = body.Close()
}

// callBody releases the call's timeouts when the caller closes the body.
type callBody struct {
	io.ReadCloser
	once   sync.Once
	cancel func()
}

func (b *callBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.cancel)
	return err
}
