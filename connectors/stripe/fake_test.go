package stripe

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Keys used by the fakes. They are shaped like real keys (so CheckCredentials accepts
// them) and long enough that a leak into a message would be obvious.
const (
	testKey = "sk_test_51FakeKeyForConcordTests000000000000000000000000SECRETtail1234"
	liveKey = "sk_live_51FakeKeyForConcordTests000000000000000000000000SECRETtail9876"
)

// request is what the fake server saw of one call.
type request struct {
	Method string
	Path   string
	Header http.Header
	Form   url.Values // query for GET, body for POST
}

// fake is an httptest server answering as Stripe does, recording every request.
type fake struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []request
}

// newFake starts a server that records each request and hands it to h.
func newFake(t *testing.T, h http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form := r.URL.Query()
		if r.Method == http.MethodPost {
			form, _ = url.ParseQuery(string(body))
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Form: form})
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// requests returns a copy of what the server has seen so far.
func (f *fake) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

// session returns a Session bound to the fake, as the hub builds one in tests.
func (f *fake) session(key string) *connector.Session {
	return &connector.Session{
		ConnectionID: "conn_test",
		Credentials:  map[string]string{FieldSecretKey: key},
		Config:       map[string]string{},
		APIBase:      f.srv.URL,
		HTTP:         &http.Client{Timeout: 10 * time.Second},
	}
}

// reply writes a JSON body with a status, as Stripe does.
func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// answer is a handler that always replies with status and body.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { reply(w, status, body) }
}

// Objects as Stripe returns them (trimmed to the fields the tests read).
const (
	accountJSON = `{"id":"acct_1Concord","object":"account","business_profile":{"name":"Acme Tools"},` +
		`"settings":{"dashboard":{"display_name":"Acme"}},"charges_enabled":true}`
	balanceTestJSON = `{"object":"balance","available":[{"amount":0,"currency":"usd"}],"livemode":false,"pending":[]}`
	balanceLiveJSON = `{"object":"balance","available":[{"amount":0,"currency":"usd"}],"livemode":true,"pending":[]}`
	intentJSON      = `{"id":"pi_3Concord","object":"payment_intent","amount":1000,"currency":"usd",` +
		`"status":"succeeded","livemode":false,"metadata":{"order":"SO-1"},"x_unmodelled":"kept"}`
	canceledJSON = `{"id":"pi_3Concord","object":"payment_intent","amount":1000,"currency":"usd",` +
		`"status":"canceled","cancellation_reason":"requested_by_customer","livemode":false}`
)

// mustConcordError asserts err is a *concord.Error with the code and returns it.
func mustConcordError(t *testing.T, err error, code string) *concord.Error {
	t.Helper()
	ce, ok := err.(*concord.Error)
	if !ok {
		t.Fatalf("err = %T %v, want *concord.Error", err, err)
	}
	if ce.Code != code {
		t.Fatalf("code = %q, want %q (message %q)", ce.Code, code, ce.Message)
	}
	return ce
}
