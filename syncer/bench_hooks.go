package syncer

import "context"

// RunToEnd runs one queued inbound sync run in the calling goroutine, page by page with
// its checkpoints, exactly as RunWorker does, but without River. It exists for
// benchmarks (concord bench import) that time the inbound path without a job round trip;
// production code queues runs with StartRuns and lets the worker run them.
func (e *Engine) RunToEnd(ctx context.Context, runID string) error {
	return e.runOne(ctx, runID, false)
}
