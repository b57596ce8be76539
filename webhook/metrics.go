package webhook

import "github.com/prometheus/client_golang/prometheus"

type intakeMetrics struct {
	deliveries *prometheus.CounterVec
	batch      prometheus.Histogram
}

func newIntakeMetrics(reg prometheus.Registerer) intakeMetrics {
	m := intakeMetrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "concord_webhook_deliveries_total",
			Help: "Webhook deliveries by connector and outcome (accepted, duplicate, rejected_<reason>, ...)."},
			[]string{"connector", "outcome"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "concord_webhook_commit_batch_size",
			Help: "Deliveries per group commit.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.batch)
	}
	return m
}

func (m intakeMetrics) outcome(connector, outcome string) {
	m.deliveries.WithLabelValues(connector, outcome).Inc()
}
