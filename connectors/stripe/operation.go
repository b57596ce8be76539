package stripe

import "context"

// withOperation names the call for the connector log.
//
// TODO: temporary shim until connector.WithOperation (connector/outbound.go, being written
// in parallel) lands; then every call site switches to it and this file goes away. Until
// then the context is passed through unchanged.
func withOperation(ctx context.Context, op string) context.Context {
	_ = op
	return ctx
}
