package stripeemu

import (
	"context"
	"encoding/json"
	"net/http"
)

// call is one authenticated /v1 request on its way through a handler.
type call struct {
	e       *Emulator
	r       *http.Request
	ref     keyRef
	ds      *dataset
	p       params
	reqID   string
	idemKey string
	now     int64

	// set by the handler
	status int
	body   []byte
}

// apiHandler answers one Stripe call with the object to send or an error.
// It runs with the emulator's state lock held.
type apiHandler func(c *call) (any, *apiError)

type callKey struct{}

// routes builds the top-level mux: the Stripe API and the control API.
func (e *Emulator) routes() http.Handler {
	api := http.NewServeMux()
	handle := func(pattern string, h apiHandler) {
		api.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
			c := r.Context().Value(callKey{}).(*call)
			c.r = r
			v, err := h(c)
			if err != nil {
				c.status, c.body = errorBody(err)
				return
			}
			b, jerr := json.MarshalIndent(v, "", "  ")
			if jerr != nil {
				c.status, c.body = errorBody(errServer())
				return
			}
			c.status, c.body = http.StatusOK, append(b, '\n')
		})
	}
	handle("GET /v1/account", e.getAccount)
	handle("GET /v1/balance", e.getBalance)
	e.paymentIntentRoutes(handle)
	e.paymentMethodRoutes(handle)
	e.customerRoutes(handle)
	e.payoutRoutes(handle)
	e.disputeRoutes(handle)
	e.eventRoutes(handle)
	e.webhookEndpointRoutes(handle)

	mux := http.NewServeMux()
	mux.Handle("/v1/", e.serveAPI(api))
	e.controlRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Request-Id", newRequestID())
		writeError(w, errUnrecognizedURL(r))
	})
	return mux
}

func newRequestID() string { return "req_" + randomString(14) }

func errUnrecognizedURL(r *http.Request) *apiError {
	e := errInvalidRequest("Unrecognized request URL (" + r.Method + ": " + r.URL.Path +
		"). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.")
	e.status = http.StatusNotFound
	return e
}

// errorBody renders e the way writeError would, for buffered answers.
func errorBody(e *apiError) (int, []byte) {
	b, _ := json.MarshalIndent(map[string]any{"error": e}, "", "  ")
	return e.status, append(b, '\n')
}

// serveAPI runs Stripe's request pipeline in Stripe's order: headers, auth,
// injected faults, rate limit, form, idempotency, then the handler under the
// state lock.
func (e *Emulator) serveAPI(api *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := newRequestID()
		h := w.Header()
		h.Set("Request-Id", reqID)
		version := r.Header.Get("Stripe-Version")
		if version == "" {
			version = APIVersion
		}
		h.Set("Stripe-Version", version)
		status := http.StatusOK
		defer func() {
			e.log.Debug("stripe emulator request", "method", r.Method, "path", r.URL.Path,
				"status", status, "request_id", reqID)
		}()
		fail := func(err *apiError) {
			status = err.status
			writeError(w, err)
		}

		ref, aerr := e.authenticate(r)
		if aerr != nil {
			fail(aerr)
			return
		}
		if f := e.takeFault(); f != "" {
			if err := e.applyFault(r.Context(), f, ref.key); err != nil {
				fail(err)
			}
			return
		}
		if ok, after := e.limiter.allow(ref.key); !ok {
			fail(errRateLimited(after))
			return
		}
		if _, pattern := api.Handler(r); pattern == "" {
			fail(errUnrecognizedURL(r))
			return
		}
		p, body, perr := parseForm(r)
		if perr != nil {
			fail(perr)
			return
		}
		c := &call{e: e, ref: ref, p: p, reqID: reqID, idemKey: r.Header.Get("Idempotency-Key")}
		var idem *idemEntry
		if c.idemKey != "" && r.Method == http.MethodPost {
			h.Set("Idempotency-Key", c.idemKey)
			entry, replay, ierr := e.idempotencyBegin(ref.key, c.idemKey, fingerprint(r, body))
			if ierr != nil {
				fail(ierr)
				return
			}
			if replay {
				h.Set("Idempotent-Replayed", "true")
				h.Set("Original-Request", entry.reqID)
				status = entry.status
				writeRaw(w, entry.status, entry.body)
				return
			}
			idem = entry
		}

		e.mu.Lock()
		c.ds = ref.acct.data(ref.live)
		c.now = e.now().Unix()
		api.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callKey{}, c)))
		e.mu.Unlock()

		if idem != nil {
			e.idempotencyEnd(ref.key, c.idemKey, idem, reqID, c.status, c.body)
		}
		status = c.status
		if c.status >= 400 {
			var parsed struct {
				Error *apiError `json:"error"`
			}
			if json.Unmarshal(c.body, &parsed) == nil && parsed.Error != nil {
				parsed.Error.status = c.status
				h.Set("Stripe-Should-Retry", boolString(parsed.Error.shouldRetry()))
			}
		}
		writeRaw(w, c.status, c.body)
	})
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
