package stripeemu

import (
	"context"
	"net/http"
	"time"
)

// Fault kinds accepted by POST /_emulator/faults.
const (
	FaultRateLimit   = "rate_limit"   // 429 rate_limit, Stripe-Should-Retry: true
	FaultServerError = "server_error" // 500 api_error
	FaultTimeout     = "timeout"      // hold the request until the client gives up, then 504
	FaultExpireToken = "expire_token" // 401 api_key_expired
	FaultRevokeToken = "revoke_token" // 401 invalid_api_key
)

// fault is one injected failure waiting for the next authenticated /v1
// calls. Remaining <= 0 on a token fault means "until reset": a key that
// expired or was revoked does not come back by itself. For the other kinds
// a count <= 0 is taken as 1.
type fault struct {
	Kind       string `json:"kind"`
	Remaining  int    `json:"remaining"`
	UntilReset bool   `json:"until_reset"`
}

func validFault(kind string) bool {
	switch kind {
	case FaultRateLimit, FaultServerError, FaultTimeout, FaultExpireToken, FaultRevokeToken:
		return true
	}
	return false
}

// addFault queues count failures of kind.
func (e *Emulator) addFault(kind string, count int) *fault {
	f := &fault{Kind: kind, Remaining: count}
	if count <= 0 {
		if kind == FaultExpireToken || kind == FaultRevokeToken {
			f.UntilReset, f.Remaining = true, 0
		} else {
			f.Remaining = 1
		}
	}
	e.mu.Lock()
	e.faults = append(e.faults, f)
	e.mu.Unlock()
	return f
}

// takeFault consumes one use of the oldest pending fault and returns its
// kind, or "" when none is pending.
func (e *Emulator) takeFault() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.faults) == 0 {
		return ""
	}
	f := e.faults[0]
	if !f.UntilReset {
		f.Remaining--
		if f.Remaining <= 0 {
			e.faults = e.faults[1:]
		}
	}
	return f.Kind
}

// pendingFaults copies the queue for GET /_emulator/faults.
func (e *Emulator) pendingFaults() []fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]fault, 0, len(e.faults))
	for _, f := range e.faults {
		out = append(out, *f)
	}
	return out
}

// applyFault turns a fault into the answer Stripe would give. For timeout
// it holds the request until the client gives up (or TimeoutFaultDelay),
// then answers 504, which a client that waited that long never reads.
func (e *Emulator) applyFault(ctx context.Context, kind, key string) *apiError {
	switch kind {
	case FaultRateLimit:
		return errRateLimited(1)
	case FaultServerError:
		return errServer()
	case FaultExpireToken:
		return errExpiredKey(key)
	case FaultRevokeToken:
		return errInvalidKey(key)
	case FaultTimeout:
		t := time.NewTimer(e.opts.TimeoutFaultDelay)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		return newErr(http.StatusGatewayTimeout, typeAPI, "", "",
			"The request timed out (emulated fault).")
	}
	return nil
}
