package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/concordhub/concord/bench"
)

// BenchmarkWebhookIntake sends b.N distinct signed Stripe deliveries from 4 senders to a
// real server on SQLite and checks that every acknowledged one is stored once. It is the
// smoke of `concord bench webhook-intake`, which is where the figures come from.
func BenchmarkWebhookIntake(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	srv, err := startBenchServer(ctx, "sqlite://"+filepath.Join(dir, "concord.db"), dir, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.close()
	ds := bench.StripeDeliveries(srv.secret, "smoke_"+randomString(8), b.N, time.Now())
	c := bench.NewClient(4)
	b.ResetTimer()
	res := bench.Closed(ctx, c, time.Minute, bench.Group{URL: srv.hookURL, Deliveries: ds, Senders: 4})[0]
	b.StopTimer()
	b.ReportMetric(res.Rate(), "accepted/s")
	if res.Accepted != b.N {
		b.Fatalf("%d of %d deliveries accepted (%d refused, %d unanswered)", res.Accepted, b.N, res.Refused, res.Failed)
	}
	counts, err := bench.StoredCounts(ctx, srv.app.db, srv.connID)
	if err != nil {
		b.Fatal(err)
	}
	if lost, doubled := bench.Audit(res.Acked, counts); len(lost)+len(doubled) > 0 {
		b.Fatalf("%d acknowledged events lost, %d stored twice", len(lost), len(doubled))
	}
}
