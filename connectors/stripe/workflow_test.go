package stripe

import (
	"context"
	"strings"
	"testing"

	"github.com/concordhub/concord/connector"
)

// TestWorkflowCheck runs the small safe record against the emulator: with a test key and a
// reversible check allowed, two holds are placed and released; read-only, or with a live
// key even when allowed, no hold is placed and the read-only checks still run.
func TestWorkflowCheck(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	c, ctx := New(), context.Background()
	byCheck := func(fs []connector.WorkflowFinding) map[string]connector.WorkflowFinding {
		out := map[string]connector.WorkflowFinding{}
		for _, f := range fs {
			out[f.Check] = f
		}
		return out
	}

	fs, err := c.CheckWorkflow(ctx, m.sess, connector.WorkflowEnv{Reversible: true})
	if err != nil {
		t.Fatal(err)
	}
	got := byCheck(fs)
	if f := got["payment result"]; f.Status != "ok" || !f.Reversible || !strings.Contains(f.Finding, "requires_capture and was released") {
		t.Fatalf("payment result: %+v", f)
	}
	if f := got["authentication required"]; f.Status != "ok" || !f.Reversible || !strings.Contains(f.Finding, "requires_action") {
		t.Fatalf("authentication required: %+v", f)
	}
	if got["disputes"].Status != "ok" || got["payouts"].Status != "ok" {
		t.Fatalf("read-only checks: %+v", fs)
	}

	fs, err = c.CheckWorkflow(ctx, m.sess, connector.WorkflowEnv{})
	if err != nil {
		t.Fatal(err)
	}
	got = byCheck(fs)
	if f := got["payment result"]; f.Reversible || !strings.HasPrefix(f.Finding, "not run") || len(fs) != 3 {
		t.Fatalf("read-only: %+v", fs)
	}

	live := emuSession(m.srv, m.creds.LiveSecretKey)
	fs, err = c.CheckWorkflow(ctx, live, connector.WorkflowEnv{Reversible: true})
	if err != nil {
		t.Fatal(err)
	}
	if f := byCheck(fs)["payment result"]; f.Reversible || !strings.Contains(f.Finding, "a live key never places a test hold") {
		t.Fatalf("live key, reversible allowed: %+v", fs)
	}
}

// TestWorkflowCheckWebhookAndMethods: the release's webhook is watched for the hold's own
// PaymentIntent (arrived: ok; not: fail with the Webhooks tab as the fix), and saved
// methods' health comes from the objects the hub holds.
func TestWorkflowCheckWebhookAndMethods(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	c, ctx := New(), context.Background()
	withSecret := *m.sess
	withSecret.Credentials = map[string]string{FieldWebhookSecret: "whsec_test"}
	for k, v := range m.sess.Credentials {
		withSecret.Credentials[k] = v
	}
	for _, arrives := range []bool{true, false} {
		var topics []string
		var matched bool
		env := connector.WorkflowEnv{Reversible: true, WebhookURL: "https://hub.example/hooks/con_1",
			ExpectWebhook: func(topic string, match func([]byte) bool) func(context.Context) (bool, error) {
				topics = append(topics, topic)
				return func(context.Context) (bool, error) {
					matched = match([]byte(`{"data":{"object":{"id":"pi_other"}}}`))
					return arrives, nil
				}
			},
			Objects: func(_ context.Context, kind string) ([]connector.Object, error) {
				if kind != KindPaymentMethod {
					t.Errorf("objects of kind %q asked", kind)
				}
				return []connector.Object{{Kind: kind, ExternalID: "pm_1", Status: MethodOK},
					{Kind: kind, ExternalID: "pm_2", Status: MethodExpiring}, {Kind: kind, ExternalID: "pm_3", Status: MethodExpired}}, nil
			}}
		fs, err := c.CheckWorkflow(ctx, &withSecret, env)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]connector.WorkflowFinding{}
		for _, f := range fs {
			got[f.Check] = f
		}
		if len(topics) != 1 || topics[0] != "payment_intent.canceled" || matched {
			t.Fatalf("watched %v (matched another intent: %v)", topics, matched)
		}
		hook := got["webhook receipt"]
		if arrives && hook.Status != "ok" || !arrives && (hook.Status != "fail" || !strings.Contains(hook.Fix, "https://hub.example/hooks/con_1")) {
			t.Fatalf("arrives=%v: webhook receipt %+v", arrives, hook)
		}
		if sm := got["saved methods"]; sm.Status != "warn" || !strings.Contains(sm.Finding, "1 expired, 1 expiring") {
			t.Fatalf("saved methods %+v", sm)
		}
	}
}

// Without a signing secret nothing could be verified: the check says so instead of waiting.
func TestWorkflowCheckWithoutWebhookSecret(t *testing.T) {
	t.Parallel()
	m := newEmu(t)
	watched := false
	fs, err := New().CheckWorkflow(context.Background(), m.sess, connector.WorkflowEnv{Reversible: true,
		ExpectWebhook: func(string, func([]byte) bool) func(context.Context) (bool, error) {
			watched = true
			return func(context.Context) (bool, error) { return false, nil }
		}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Check == "webhook receipt" {
			if watched || f.Status != "warn" || !strings.HasPrefix(f.Finding, "not checked") {
				t.Fatalf("without a secret: watched %v, %+v", watched, f)
			}
			return
		}
	}
	t.Fatalf("no webhook receipt finding: %+v", fs)
}
