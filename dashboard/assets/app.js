// concord dashboard: small enhancements over pages that work without this script.
// - the Sync Dashboard dialog becomes modal (focus stays inside, Escape closes it);
// - the Integrations page follows card states live (server-sent events);
// - the entity switcher submits on change;
// - forms marked data-confirm ask before they submit.
(function () {
  "use strict";

  var dlg = document.querySelector("dialog.sync");
  if (dlg) {
    var overlay = document.querySelector(".overlay");
    if (overlay) overlay.hidden = true;
    var closeURL = dlg.getAttribute("data-close");
    if (dlg.open) dlg.close();
    dlg.showModal();
    dlg.addEventListener("cancel", function (e) { e.preventDefault(); location.href = closeURL; });
    var first = dlg.querySelector("[data-autofocus]");
    if (first) first.focus();
  }

  var sw = document.querySelector("select[data-autosubmit]");
  if (sw) {
    sw.addEventListener("change", function () { sw.form.submit(); });
    var go = sw.form.querySelector("button");
    if (go) go.classList.add("sr-only");
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  // Tick-all for bulk mapping actions.
  var all = document.querySelector("input[data-check-all]");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=mapping]").forEach(function (c) { c.checked = all.checked; });
    });
  }

  var live = document.querySelector("[data-events]");
  if (live && window.EventSource) {
    var es = new EventSource(live.getAttribute("data-events"));
    es.addEventListener("cards", function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      ["connected", "sandbox", "production", "errors"].forEach(function (k) {
        var el = document.querySelector("[data-summary=" + k + "]");
        if (el && msg.summary) el.textContent = String(msg.summary[k]);
      });
      (msg.cards || []).forEach(function (c) {
        var card = document.getElementById("card-" + c.id);
        if (!card) return;
        var st = card.querySelector("[data-state]");
        if (st && st.textContent !== c.state) {
          st.textContent = c.state;
          st.className = "badge " + c.state;
          card.className = card.className.replace(/state-\w+/, "state-" + c.state);
        }
        var rs = card.querySelector("[data-reason]");
        if (rs) rs.textContent = c.reason;
        var la = card.querySelector("[data-activity]");
        if (la) la.textContent = c.last_activity;
      });
      live.setAttribute("data-live", "on");
    });
  }
})();
