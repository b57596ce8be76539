package shopify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

const invalidTokenBody = `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`

func TestGraphQLErrorClasses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		a     answer
		class concord.ErrorClass
		retry time.Duration
		text  string
	}{
		{"401 invalid token", answer{401, invalidTokenBody}, concord.ClassAuthExpired, 0, "Invalid API key"},
		{"402 frozen", answer{402, `{"errors":"Unavailable Shop"}`}, concord.ClassRevoked, 0, "frozen"},
		{"423 locked", answer{423, `{"errors":"This shop is unavailable"}`}, concord.ClassRevoked, 0, "locked"},
		{"404", answer{404, `{"errors":"Not Found"}`}, concord.ClassNotFound, 0, "Not Found"},
		{"429", answer{429, `{"errors":"Exceeded 2 calls per second for api client."}`}, concord.ClassRateLimited, time.Second, "Exceeded"},
		{"503", answer{503, `<html>down</html>`}, concord.ClassUnavailable, 0, ""},
		{"graphql errors", answer{200, `{"errors":[{"message":"Field 'nope' doesn't exist on type 'Shop' ` + testToken + `","extensions":{"code":"undefinedField"}}]}`},
			concord.ClassValidation, 0, "doesn't exist"},
		{"throttled", answer{200, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":` + costExt(502, 2, 100) + `}`},
			concord.ClassRateLimited, 5 * time.Second, "bucket"},
		{"throttled nearly full", answer{200, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":` + costExt(52, 50, 100) + `}`},
			concord.ClassRateLimited, time.Second, "bucket"},
		{"not json", answer{200, `<html>`}, concord.ClassUnavailable, 0, "not GraphQL"},
		{"no data", answer{200, `{"data":null}`}, concord.ClassValidation, 0, "no data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on("Shop", func(map[string]any) answer { return tc.a })
			_, err := New().Test(context.Background(), f.session())
			var ee *connector.ExternalError
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v, want an ExternalError", err)
			}
			if ee.Class != tc.class || ee.RetryAfter != tc.retry || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v (class %s, retry %s)", err, ee.Class, ee.RetryAfter)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Fatalf("the token leaked: %v", err)
			}
		})
	}
}

// TestPacingWaitsInsteadOfThrottling: after an answer that left the bucket nearly empty,
// the next call waits for the restore instead of being sent into a THROTTLED answer.
func TestPacingWaitsInsteadOfThrottling(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var sent []time.Time
	f.on("Shop", func(map[string]any) answer {
		sent = append(sent, time.Now())
		// Cost 10, 0 points left, 50 points/s: the next call needs 200 ms of restore.
		return answer{Body: `{"data":` + shopData(testShop, true) + `,"extensions":` + costExt(10, 0, 50) + `}`}
	})
	c, s := New(), f.session()
	for range 2 {
		if _, err := c.Test(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if gap := sent[1].Sub(sent[0]); gap < 180*time.Millisecond {
		t.Fatalf("second call sent after %s; want a wait of ~200ms for the bucket", gap)
	}
	// A deadline shorter than the restore: refused at once as rate_limited, nothing sent.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Test(ctx, s)
	if connector.ClassOf(err) != concord.ClassRateLimited || connector.RetryAfterOf(err) < time.Second {
		t.Fatalf("err = %v", err)
	}
	if len(f.seen()) != 2 {
		t.Fatalf("calls = %d, want 2 (the third must not be sent)", len(f.seen()))
	}
	// Pacing is per connection: another connection is not held back.
	other := f.session()
	other.ConnectionID = "conn_other"
	start := time.Now()
	if _, err := c.Test(context.Background(), other); err != nil || time.Since(start) > 150*time.Millisecond {
		t.Fatalf("other connection: err %v after %s", err, time.Since(start))
	}
}

func TestEstimateCost(t *testing.T) {
	t.Parallel()
	if got := estimateCost(shopQuery, nil); got != 2 { // shop + plan
		t.Errorf("shop cost = %g", got)
	}
	if got := estimateCost(locationsQuery, map[string]any{"first": 10}); got != 12 {
		t.Errorf("locations cost = %g", got)
	}
	if got := estimateCost(setQuantitiesMutation, nil); got != mutationCost {
		t.Errorf("mutation cost = %g", got)
	}
	if n := pageSize(productsQuery, 250); n < 1 || estimateCost(productsQuery, map[string]any{"first": n}) > pageCostBudget {
		t.Errorf("products page size %d exceeds the budget", n)
	}
}
