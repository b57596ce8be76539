package connector

import (
	"errors"
	"time"

	"github.com/concordhub/concord"
	"github.com/prometheus/client_golang/prometheus"
)

// callMetrics are the outbound client's collectors. Labels are only connector, outcome and
// error_class: all three come from small fixed sets, whereas operation names or connection
// ids would grow the series count with every connection and endpoint.
type callMetrics struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newCallMetrics registers the collectors on reg, or returns nil when reg is nil. If another
// Outbound already registered them on reg (tests, or a second client in one process), the
// existing collectors are shared rather than failing.
func newCallMetrics(reg prometheus.Registerer) *callMetrics {
	if reg == nil {
		return nil
	}
	m := &callMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concord_external_calls_total",
			Help: "Outbound calls to external services, one per attempt.",
		}, []string{"connector", "outcome", "error_class"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "concord_external_call_duration_seconds",
			Help:    "Duration of one outbound attempt, until response headers.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"connector"}),
	}
	m.calls = registerOrReuse(reg, m.calls)
	m.duration = registerOrReuse(reg, m.duration)
	return m
}

func registerOrReuse[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		// A clashing collector of another shape is a programming error at startup.
		panic("connector: register outbound metrics: " + err.Error())
	}
	return c
}

// observe records one attempt.
func (m *callMetrics) observe(connector, outcome string, class concord.ErrorClass, d time.Duration) {
	if m == nil {
		return
	}
	cls := string(class)
	if cls == "" {
		cls = "none"
	}
	m.calls.WithLabelValues(connector, outcome, cls).Inc()
	m.duration.WithLabelValues(connector).Observe(d.Seconds())
}
