package main

import (
	"net/http/httptest"

	stripeemu "github.com/concordhub/concord/emulator/stripe"
)

type stripeServer struct {
	url   string
	close func()
}

// newStripeServer runs another Stripe emulator: a second, different account.
func newStripeServer() stripeServer {
	emu := stripeemu.New(stripeemu.Options{RateLimit: -1})
	srv := httptest.NewServer(emu.Handler())
	return stripeServer{url: srv.URL, close: func() { srv.Close(); emu.Close() }}
}
