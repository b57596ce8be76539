package connector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsCounted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv, _ := server(t, status(503, ""), status(200, ""))
	if _, _, err := get(t, b.sandbox(), srv.URL+"/v1/balance"); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP concord_external_calls_total Outbound calls to external services, one per attempt.
# TYPE concord_external_calls_total counter
concord_external_calls_total{connector="stripe",error_class="none",outcome="ok"} 1
concord_external_calls_total{connector="stripe",error_class="unavailable",outcome="error"} 1
`
	if err := testutil.GatherAndCompare(b.reg, strings.NewReader(want), "concord_external_calls_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(b.out.metrics.duration, "concord_external_call_duration_seconds"); n != 1 {
		t.Fatalf("duration series = %d, want 1 (labelled by connector only)", n)
	}

	// A second Outbound on the same registry shares the collectors instead of panicking.
	other := NewOutbound(OutboundOptions{Registerer: b.reg})
	if other.metrics.calls != b.out.metrics.calls {
		t.Fatal("second Outbound did not reuse the registered collectors")
	}
}
