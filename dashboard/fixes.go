package dashboard

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
)

// The operator's fixes beside what they repair: recover missed webhook events, replay a
// stored one, stop a run at its checkpoint, ask for suggestions by title. Each is the same
// idempotent operation the API offers.

// recoverWebhooks takes in the events the service kept that no webhook delivered.
func (d *Dashboard) recoverWebhooks(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	res, err := d.Webhooks.Recover(r.Context(), c.ID)
	switch {
	case err != nil:
		d.setFlash(w, r, "fail", "Recovery did not run: "+concord.ErrorMessage(err))
	case res.Gap > 0:
		d.setFlash(w, r, "warn", fmt.Sprintf("Recovered %d of %d event(s) the service kept; %d should have arrived by webhook long ago: check the subscription and the secret.",
			res.Recovered, res.Listed, res.Gap))
	default:
		d.setFlash(w, r, "ok", fmt.Sprintf("Checked %d event(s) the service kept since %s: %d were missing and are taken in now.",
			res.Listed, when(res.Since), res.Recovered))
	}
	back(w, r, c)
	return nil
}

// replayEvent processes one stored event again (its effect happens once however often).
func (d *Dashboard) replayEvent(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	ev, err := d.Webhooks.Replay(r.Context(), c.ID, r.PathValue("event"))
	if err != nil {
		if concord.ErrorCode(err) == concord.ENOTFOUND {
			return errNotFound("webhook event")
		}
		return err
	}
	kind := "ok"
	if ev.Status != store.EventProcessed {
		kind = "warn"
	}
	msg := fmt.Sprintf("Event %s replayed: %s.", ev.ProviderEventID, ev.Status)
	if ev.Error != "" {
		msg += " " + ev.Error
	}
	d.setFlash(w, r, kind, msg)
	back(w, r, c)
	return nil
}

// cancelRun asks a run to stop after its current page; the next run resumes from there.
func (d *Dashboard) cancelRun(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	run, err := d.DB.GetSyncRun(r.Context(), r.PathValue("run"))
	if err != nil || run.ConnectionID != c.ID {
		return errNotFound("sync run")
	}
	if err := d.DB.RequestRunCancel(r.Context(), run.ID); err != nil {
		return err
	}
	d.setFlash(w, r, "ok", "The run stops after its current page; the next run resumes from that checkpoint.")
	back(w, r, c)
	return nil
}

// suggest asks for suggestions by title for the listings no SKU matched.
func (d *Dashboard) suggest(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, _, err := d.connection(r, rq)
	if err != nil {
		return err
	}
	n, err := d.Sync.SuggestByTitle(r.Context(), c.ID, 0.5)
	if err != nil {
		return err
	}
	d.setFlash(w, r, "ok", fmt.Sprintf("%d new suggestion(s) by title; review them before approving.", n))
	http.Redirect(w, r, "/ui/c/"+url.PathEscape(c.ID)+"?tab=mapping&state=suggested", http.StatusSeeOther)
	return nil
}
