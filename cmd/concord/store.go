package main

import (
	"context"
	"log/slog"

	"github.com/concordhub/concord/store"
)

func openStore(ctx context.Context, url string, log *slog.Logger) (*store.DB, error) {
	return store.Open(ctx, url, store.Options{Logger: log})
}
