package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// maxResponse bounds what one GraphQL answer may take in memory; a page of 250 orders with
// 100 lines each stays far below it.
const maxResponse = 32 << 20

// gqlResponse is the GraphQL envelope Shopify answers with (HTTP 200 even for query errors
// and throttling).
type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *queryCost `json:"cost"`
	} `json:"extensions"`
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// queryCost is extensions.cost: what the call was estimated to cost and the bucket after it.
type queryCost struct {
	RequestedQueryCost float64        `json:"requestedQueryCost"`
	ActualQueryCost    *float64       `json:"actualQueryCost"`
	ThrottleStatus     throttleStatus `json:"throttleStatus"`
}

type throttleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable float64 `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

// graphql sends one document to the shop's Admin GraphQL endpoint and decodes data into
// out. op names the call in the connector log. Every failure leaves as a
// *connector.ExternalError (or the hub's own EINVALID/EINTERNAL) wrapped with op.
func (c *Connector) graphql(ctx context.Context, s *connector.Session, op, doc string, vars map[string]any, out any) error {
	base, err := baseURL(s)
	if err != nil {
		return err
	}
	if s.HTTP == nil {
		// A default client would skip the hub's retries, limits, guard and connector log.
		return concord.Errorf(concord.EINTERNAL, "shopify: session has no outbound HTTP client")
	}
	if c.PersistCredentials != nil {
		if _, _, err := c.refreshAndPersist(ctx, s); err != nil {
			return fmt.Errorf("shopify: %s: %w", op, err)
		}
	}
	token := s.Credentials[FieldAccessToken]
	if token == "" {
		return invalid("access_token is required")
	}
	if err := c.pace.wait(ctx, s.ConnectionID, op, estimateCost(doc, vars), c.clock); err != nil {
		return fmt.Errorf("shopify: %s: %w", op, err)
	}
	body, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return fmt.Errorf("shopify: %s: encode request: %w", op, err)
	}
	req, err := http.NewRequestWithContext(connector.WithOperation(ctx, op), http.MethodPost,
		base+"/admin/api/"+APIVersion+"/graphql.json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("shopify: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("shopify: %s: %w", op, transportError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("shopify: %s: read response: %w", op, transportError(err))
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("shopify: %s: %w", op, httpError(resp, raw, secretsOf(s)))
	}
	var env gqlResponse
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("shopify: %s: %w", op, &connector.ExternalError{Class: concord.ClassUnavailable,
			StatusCode: resp.StatusCode, Message: "Shopify answered with a body that is not GraphQL JSON", Err: err})
	}
	if env.Extensions.Cost != nil {
		c.pace.observe(s.ConnectionID, op, *env.Extensions.Cost, c.clock())
	}
	if len(env.Errors) > 0 {
		return fmt.Errorf("shopify: %s: %w", op, graphqlError(env, secretsOf(s)))
	}
	if out == nil {
		return nil
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fmt.Errorf("shopify: %s: %w", op, malformed("the answer has no data"))
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("shopify: %s: %w", op, malformed("the answer does not have the expected shape: "+typeError(err)))
	}
	return nil
}

// transportError keeps what the shared outbound client already classified and classifies
// the rest; a cancellation by our own side stays a plain context error.
func transportError(err error) error {
	var ee *connector.ExternalError
	if errors.As(err, &ee) {
		return ee
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("request cancelled: %w", context.Canceled)
	}
	if class := connector.ClassOf(err); class != concord.ClassNone {
		return &connector.ExternalError{Class: class, Message: connector.Redact(err.Error()), Err: err}
	}
	return &connector.ExternalError{Class: concord.ClassUnavailable, Message: connector.Redact(err.Error()), Err: err}
}

// malformed is the validation error of an answer that is not what the wire subset says:
// the page is refused whole rather than imported partly.
func malformed(what string) *connector.ExternalError {
	return &connector.ExternalError{Class: concord.ClassValidation, Code: "malformed_response",
		Message: "malformed Shopify answer: " + what}
}

// typeError shortens a json error to the field and type at fault (no values).
func typeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s is %s, want %s", te.Field, te.Value, te.Type)
	}
	return "invalid JSON"
}

// secretsOf lists the session's credentials so every message can be redacted by value.
func secretsOf(s *connector.Session) []string {
	out := make([]string, 0, len(s.Credentials))
	for _, v := range s.Credentials {
		out = append(out, v)
	}
	return out
}

// gidTail is the numeric part of a GID ("gid://shopify/Order/5001" -> "5001").
func gidTail(gid string) string {
	return gid[strings.LastIndexByte(gid, '/')+1:]
}
