package bench

import "context"

// Outbound is filled in below.
func Outbound(ctx context.Context, cfg SyncConfig) error { return nil }
