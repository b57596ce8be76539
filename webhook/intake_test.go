package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connections"
	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/connectors/ebay"
	"github.com/concordhub/concord/connectors/ringcentral"
	"github.com/concordhub/concord/connectors/shopify"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/store/storetest"
	"github.com/concordhub/concord/webhook"
)

// described gives a verifier-only connector package a descriptor, so the generic intake can
// be driven with several services' real schemes; the intake must never care which.
type shopifyConn struct{ *shopify.Connector }

func (shopifyConn) Describe() connector.Descriptor {
	return connector.Descriptor{Name: "shopify", Title: "Shopify"}
}

type ebayConn struct{ *ebay.Connector }

func (ebayConn) Describe() connector.Descriptor {
	return connector.Descriptor{Name: "ebay", Title: "eBay"}
}

type rcConn struct{ *ringcentral.Connector }

func (rcConn) Describe() connector.Descriptor {
	return connector.Descriptor{Name: "ringcentral", Title: "RingCentral"}
}

type noHooks struct{}

func (noHooks) Describe() connector.Descriptor {
	return connector.Descriptor{Name: "avatax", Title: "AvaTax"}
}

// opener serves fixed connections.
type opener map[string]connections.Opened

func (o opener) Open(_ context.Context, id string) (connections.Opened, error) {
	if c, ok := o[id]; ok {
		return c, nil
	}
	return connections.Opened{}, &concord.Error{Code: concord.ENOTFOUND, Message: "connection not found"}
}

func opened(id string, c connector.Connector, creds, cfg map[string]string) connections.Opened {
	return connections.Opened{
		Connection: concord.Connection{ID: id, Connector: c.Describe().Name, State: concord.StateConnected},
		Entity:     concord.Entity{Mode: concord.ModeSandbox},
		Connector:  c,
		Session:    &connector.Session{ConnectionID: id, Credentials: creds, Config: cfg, HTTP: http.DefaultClient},
	}
}

func serve(t *testing.T, db *store.DB, o opener) (*httptest.Server, *webhook.Intake) {
	t.Helper()
	in := webhook.NewIntake(webhook.Options{DB: db, Opener: o})
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/{connection_id}", in)
	mux.Handle("GET /hooks/{connection_id}", in)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); in.Close() })
	return srv, in
}

func shopifyDelivery(url, secret, eventID string, body []byte) *http.Request {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Shopify-Topic", "orders/create")
	req.Header.Set("X-Shopify-Shop-Domain", "demo.myshopify.com")
	req.Header.Set("X-Shopify-Webhook-Id", "wh-"+eventID)
	req.Header.Set("X-Shopify-Event-Id", eventID)
	req.Header.Set("X-Shopify-API-Version", "2025-01")
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339))
	return req
}

func status(t *testing.T, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

func TestIntakeIsGenericAcrossSchemes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := opener{
			"con_shop": opened("con_shop", shopifyConn{shopify.New()}, map[string]string{"client_secret": "my super secret key"}, nil),
			"con_ebay": opened("con_ebay", ebayConn{ebay.New()},
				map[string]string{"verification_token": "71745723-d031-455c-bfa5-f90d11b4f20a"},
				map[string]string{"endpoint_url": "http://www.testendpoint.com/webhook"}),
			"con_rc":  opened("con_rc", rcConn{ringcentral.New()}, map[string]string{"verification_token": "rc-static-token"}, nil),
			"con_ava": opened("con_ava", noHooks{}, nil, nil),
		}
		// eBay's public-key endpoint, serving the PROVIDERS.md vector key.
		keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = json.NewEncoder(w).Encode(map[string]string{"algorithm": "ECDSA", "digest": "SHA1",
				"key": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZhhxXKtR+TOvtDbgTPCkSof02qgBB7IsYOyf76ilExJ/upAa/vKIKheOoCyOpcLmi4t0b4uepb7LLjmMr90FUg=="})
		}))
		t.Cleanup(keys.Close)
		o["con_ebay"].Session.APIBase = keys.URL
		srv, _ := serve(t, db, o)
		ctx := context.Background()

		// Shopify: HMAC of the raw body; the event id header deduplicates.
		body := []byte(`{"id": 820982911946154508, "email": "jon@example.com"}`)
		st, _, out := status(t, shopifyDelivery(srv.URL+"/hooks/con_shop", "my super secret key", "ev-1", body))
		if st != 200 || out["duplicate"] != false {
			t.Fatalf("shopify delivery: %d %v", st, out)
		}
		st, _, out = status(t, shopifyDelivery(srv.URL+"/hooks/con_shop", "my super secret key", "ev-1", body))
		if st != 200 || out["duplicate"] != true {
			t.Fatalf("shopify redelivery: %d %v", st, out)
		}
		if st, _, _ := status(t, shopifyDelivery(srv.URL+"/hooks/con_shop", "another secret", "ev-2", body)); st != 401 {
			t.Fatalf("shopify bad hmac: %d", st)
		}
		evs, _, err := db.ListWebhookEvents(ctx, "con_shop", store.Page{})
		if err != nil || len(evs) != 1 || evs[0].ProviderEventID != "ev-1" || evs[0].Duplicates != 1 || evs[0].EventType != "orders/create" {
			t.Fatalf("shopify rows %+v %v", evs, err)
		}

		// eBay: the endpoint challenge (PROVIDERS.md vector) and 412 for a bad signature.
		req, _ := http.NewRequest("GET", srv.URL+"/hooks/con_ebay?challenge_code=a8628072-3d33-45ee-9004-bee86830a22d", nil)
		st, _, out = status(t, req)
		if st != 200 || out["challengeResponse"] != "ca527df75caa230092d7e90484071e8f05d63068f1317973d6a3a42593734bbb" {
			t.Fatalf("ebay challenge: %d %v", st, out)
		}
		ebaySig := base64.StdEncoding.EncodeToString([]byte(`{"alg":"ecdsa","kid":"9936261a-7d7b-4621-a0f1-96ccb428af49",` +
			`"signature":"MEYCIQCfxfIWuxmWcIBQJ9c5/X7iGDJqs2RCGsBEaAjinyrrfAIhAIV6wGcTiBuV5KJUif2hokyrL+Q9ssHkad+mx2nEE25w","digest":"SHA1"}`))
		ebayBody := `{"metadata":{"topic":"MARKETPLACE_ACCOUNT_DELETION","schemaVersion":"1.0","deprecated":false},"notification":{"notificationId":"49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d","eventDate":"2021-03-19T20:43:59.462Z","publishDate":"2021-03-19T20:43:59.679Z","publishAttemptCount":1,"data":{"username":"test_user","userId":"ma8vp1jySJC","eiasToken":"nY+sHZ2PrBmdj6wVnY+sEZ2PrA2dj6wJnY+gAZGEpwmdj6x9nY+seQ=="}}}`
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/con_ebay", bytes.NewReader([]byte(ebayBody)))
		req.Header.Set("X-EBAY-SIGNATURE", ebaySig)
		if st, _, _ := status(t, req); st != 200 && st != 204 {
			t.Fatalf("ebay vector delivery: %d", st)
		}
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/con_ebay", bytes.NewReader([]byte(strings.Replace(ebayBody, "test_user", "other_user", 1))))
		req.Header.Set("X-EBAY-SIGNATURE", ebaySig)
		if st, _, _ := status(t, req); st != 412 {
			t.Fatalf("ebay signature over another body: %d", st)
		}

		// RingCentral: the Validation-Token echo, then a delivery checked by Verification-Token.
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/con_rc", nil)
		req.Header.Set("Validation-Token", "abc-123")
		st, hdr, _ := status(t, req)
		if st != 200 || hdr.Get("Validation-Token") != "abc-123" {
			t.Fatalf("ringcentral validation: %d %v", st, hdr)
		}
		rc := []byte(`{"uuid":"5c9a0f5e-1","event":"/restapi/v1.0/account/~/extension/~/telephony/sessions","timestamp":"2026-12-03T10:00:00.000Z","body":{}}`)
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/con_rc", bytes.NewReader(rc))
		req.Header.Set("Verification-Token", "rc-static-token")
		if st, _, _ := status(t, req); st != 200 {
			t.Fatalf("ringcentral delivery: %d", st)
		}
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/con_rc", bytes.NewReader(rc))
		req.Header.Set("Verification-Token", "forged")
		if st, _, _ := status(t, req); st != 401 {
			t.Fatalf("ringcentral forged: %d", st)
		}

		// A service with no webhooks, and an unknown connection.
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/con_ava", bytes.NewReader([]byte(`{}`)))
		if st, _, out := status(t, req); st != 404 {
			t.Fatalf("no-webhook connector: %d %v", st, out)
		}
		req, _ = http.NewRequest("POST", srv.URL+"/hooks/con_nope", bytes.NewReader([]byte(`{}`)))
		if st, _, _ := status(t, req); st != 404 {
			t.Fatalf("unknown connection: %d", st)
		}
	})
}

// TestForgedFloodDoesNotStopValidDeliveries: while 8 senders flood forged deliveries, every
// valid delivery is still accepted and stored, and the flood is counted, not stored.
func TestForgedFloodDoesNotStopValidDeliveries(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		secret := "my super secret key"
		o := opener{"con_shop": opened("con_shop", shopifyConn{shopify.New()}, map[string]string{"client_secret": secret}, nil)}
		srv, in := serve(t, db, o)
		stop := make(chan struct{})
		var forged atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					body := []byte(fmt.Sprintf(`{"forged":%d}`, n))
					resp, err := http.DefaultClient.Do(shopifyDelivery(srv.URL+"/hooks/con_shop", "wrong", fmt.Sprintf("f-%d-%d", i, n), body))
					if err == nil {
						resp.Body.Close()
						forged.Add(1)
					}
				}
			}(i)
		}
		start := time.Now()
		for n := 0; n < 200; n++ {
			body := []byte(fmt.Sprintf(`{"valid":%d}`, n))
			if st, _, out := status(t, shopifyDelivery(srv.URL+"/hooks/con_shop", secret, fmt.Sprintf("v-%d", n), body)); st != 200 {
				t.Fatalf("valid delivery %d during the flood: %d %v", n, st, out)
			}
		}
		elapsed := time.Since(start)
		close(stop)
		wg.Wait()
		in.Close() // flushes the refusal counts
		evs, _, err := db.ListWebhookEvents(context.Background(), "con_shop", store.Page{Limit: 500})
		if err != nil || len(evs) != 200 {
			t.Fatalf("stored %d events (%v), want exactly the 200 valid ones", len(evs), err)
		}
		st, err := db.WebhookStats(context.Background(), "con_shop", time.Now().Add(-time.Hour))
		if err != nil || int64(st.Failures24h) != forged.Load() || st.FailureReasons["bad_signature"] == 0 {
			t.Fatalf("counted %d refusals (%v) for %d forged deliveries", st.Failures24h, err, forged.Load())
		}
		t.Logf("200 valid deliveries in %v alongside %d forged ones", elapsed, forged.Load())
	})
}
