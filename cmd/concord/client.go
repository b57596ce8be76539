package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// apiClient is the operator CLI's way to a server: everything goes through the HTTP API,
// never the database, so the CLI works against any concord.
type apiClient struct {
	server string
	token  string
	http   *http.Client
}

func (c *apiClient) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.server, "server", envOr("CONCORD_SERVER", "http://127.0.0.1:8080"), "concord server URL (CONCORD_SERVER)")
	fs.StringVar(&c.token, "token", os.Getenv("CONCORD_TOKEN"), "API token (CONCORD_TOKEN)")
}

// apiError is an error answer of the API.
type apiError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	if c.token == "" {
		return usageError("no API token: pass --token or set CONCORD_TOKEN")
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.server, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.http
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach concord at %s: %w", c.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		var eb struct {
			Error apiError `json:"error"`
		}
		if json.Unmarshal(data, &eb) != nil || eb.Error.Code == "" {
			return &apiError{Status: resp.StatusCode, Code: "http_error", Message: http.StatusText(resp.StatusCode)}
		}
		eb.Error.Status = resp.StatusCode
		return &eb.Error
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
