package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/jobs"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/syncer"
	"github.com/concordhub/concord/triage"
	"github.com/concordhub/concord/webhook"
)

// Server is the HTTP API.
type Server struct {
	DB       *store.DB
	Svc      *connections.Service
	Registry *connector.Registry
	Jobs     *jobs.Queue
	Webhooks *webhook.Panel
	Sync     *syncer.Engine
	Triage   *triage.Triage
	Log      *slog.Logger
	// Gatherer serves /metrics; Registerer receives the HTTP metrics.
	Gatherer   prometheus.Gatherer
	Registerer prometheus.Registerer
	// Extra routes other packages mount (the webhook intake, the dashboard).
	Mounts map[string]http.Handler

	adminTokenHash string
	mux            *http.ServeMux
	patterns       []string
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
}

// Options configure New.
type Options struct {
	// AdminToken, when set, is a bootstrap token with role owner over every entity.
	AdminToken string
}

// New builds the server and its routes.
func New(s *Server, o Options) *Server {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if o.AdminToken != "" {
		s.adminTokenHash = HashToken(o.AdminToken)
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "concord_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"method", "route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "concord_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	if s.Registerer != nil {
		s.Registerer.MustRegister(s.requests, s.latency)
		if s.Jobs != nil {
			s.Registerer.MustRegister(&jobsCollector{q: s.Jobs})
		}
	}
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.handle(rt)
	}
	s.mux.Handle("GET /healthz", s.instrument("GET /healthz", http.HandlerFunc(s.healthz)))
	s.mux.Handle("GET /readyz", s.instrument("GET /readyz", http.HandlerFunc(s.readyz)))
	if s.Gatherer != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.Gatherer, promhttp.HandlerOpts{}))
	}
	for pattern, h := range s.Mounts {
		s.mux.Handle(pattern, s.instrument(pattern, h))
	}
	return s
}

// ServeHTTP serves every route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Patterns lists the API patterns registered on the mux, for the OpenAPI test.
func (s *Server) Patterns() []string { return s.patterns }

// handle registers one API route: authentication, role, idempotency, metrics, recovery.
func (s *Server) handle(rt route) {
	var h http.Handler = apiHandler{s: s, rt: rt}
	if rt.Public {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := rt.Handler(s, w, r); err != nil {
				writeError(w, r, s.Log, err)
			}
		})
	}
	pattern := rt.Method + " " + rt.Path
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, s.instrument(pattern, h))
}

type apiHandler struct {
	s  *Server
	rt route
}

func (a apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := a.s
	p, err := s.authenticate(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	ctx := context.WithValue(r.Context(), principalKey{}, p)
	r = r.WithContext(ctx)
	if err := requireRole(ctx, a.rt.Role); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if isWrite(r.Method) {
		s.idempotent(w, r, a.rt)
		return
	}
	if err := a.rt.Handler(s, w, r); err != nil {
		writeError(w, r, s.Log, err)
	}
}

func isWrite(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch || method == http.MethodDelete
}

// instrument counts and times requests and turns a panic into a 500 without taking the
// process down.
func (s *Server) instrument(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				s.Log.Error("panic in handler", "route", pattern, "panic", v, "stack", string(debug.Stack()))
				if !sw.wrote {
					writeError(sw, r, s.Log, concord.Errorf(concord.EINTERNAL, "internal error"))
				}
			}
			s.requests.WithLabelValues(r.Method, pattern, strconv.Itoa(sw.status)).Inc()
			s.latency.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
		}()
		h.ServeHTTP(sw, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming handlers flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz checks that the database and the job queue answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "queue": "ok"}
	status := http.StatusOK
	if err := s.DB.Ping(ctx); err != nil {
		checks["database"], status = "unreachable", http.StatusServiceUnavailable
	}
	if s.Jobs != nil {
		if err := s.Jobs.Ping(ctx); err != nil {
			checks["queue"], status = "unreachable", http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, checks)
}
