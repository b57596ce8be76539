package dashboard

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/concordhub/concord/audit"
	"github.com/concordhub/concord/store"
)

// chainStatus is the last verification of the audit hash chain. Verifying streams the
// whole history, so it runs when asked (the Verify button, or `concord audit verify`),
// and the page shows the last result and when it was taken.
type chainStatus struct {
	mu       sync.Mutex
	Checked  time.Time
	Intact   bool
	Entries  int64
	Problems []string
	HeadSeq  int64
}

var chains sync.Map // *store.DB -> *chainStatus: one status per database

func (d *Dashboard) chain() *chainStatus {
	v, _ := chains.LoadOrStore(d.DB, &chainStatus{})
	return v.(*chainStatus)
}

func (d *Dashboard) audit(w http.ResponseWriter, r *http.Request, rq *request) error {
	q := r.URL.Query()
	f := store.AuditFilter{EntityIDs: rq.P.EntityIDs, Resource: strings.TrimSpace(q.Get("resource")),
		Action: strings.TrimSpace(q.Get("action"))}
	if e := q.Get("entity"); e != "" {
		if !rq.P.CanSee(e) {
			return errNotFound("entity")
		}
		f.EntityIDs = []string{e}
	}
	entries, next, err := d.DB.ListAudit(r.Context(), f, store.Page{Limit: 50, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	st := d.chain()
	st.mu.Lock()
	status := chainStatus{Checked: st.Checked, Intact: st.Intact, Entries: st.Entries, Problems: st.Problems, HeadSeq: st.HeadSeq}
	st.mu.Unlock()
	d.render(w, r, http.StatusOK, "audit", rq, view{Title: "Audit", Nav: "audit", Data: map[string]any{
		"Entries": entries, "Next": next, "Filter": f, "EntityFilter": q.Get("entity"), "Chain": &status}})
	return nil
}

// verifyAudit walks the whole chain now and records the outcome.
func (d *Dashboard) verifyAudit(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := &audit.Verifier{}
	var problems []string
	err := d.DB.WalkAudit(r.Context(), func(e audit.Entry) error {
		for _, p := range v.Add(e) {
			if len(problems) < 20 {
				problems = append(problems, p.String())
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	seq, _ := v.Head()
	st := d.chain()
	st.mu.Lock()
	st.Checked, st.Intact, st.Entries, st.Problems, st.HeadSeq = d.now(), len(problems) == 0, v.Count(), problems, seq
	st.mu.Unlock()
	if len(problems) == 0 {
		d.setFlash(w, r, "ok", "The audit chain is intact.")
	} else {
		d.setFlash(w, r, "fail", fmt.Sprintf("The audit chain is BROKEN: %d problem(s); the first are listed below.", len(problems)))
	}
	http.Redirect(w, r, "/ui/audit", http.StatusSeeOther)
	return nil
}
